import { and, asc, count, eq, gte, inArray, isNull, lte, ne, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import { departments, holidays, leaves, people, schedules } from "../schema";

export type ScheduleRow = typeof schedules.$inferSelect;
export type ScheduleInsert = typeof schedules.$inferInsert;
export type HolidayRow = typeof holidays.$inferSelect;
export type LeaveRow = typeof leaves.$inferSelect;

export type ScheduleView = ScheduleRow & { departmentCount: number; overrideCount: number };

/** Work schedules and who they are assigned to. */
export class SchedulesRepo {
  constructor(private readonly db: Db) {}

  private readonly view = {
    id: schedules.id,
    name: schedules.name,
    pattern: schedules.pattern,
    graceMinutes: schedules.graceMinutes,
    breakMinutes: schedules.breakMinutes,
    minHours: schedules.minHours,
    autoCheckoutMinutes: schedules.autoCheckoutMinutes,
    createdAt: schedules.createdAt,
    updatedAt: schedules.updatedAt,
    departmentCount: sql<number>`(select count(*)::int from "departments" d where d."schedule_id" = "schedules"."id")`,
    overrideCount: sql<number>`(select count(*)::int from "people" p where p."schedule_id" = "schedules"."id")`,
  };

  list(): Promise<ScheduleView[]> {
    return this.db.select(this.view).from(schedules).orderBy(sql`lower(${schedules.name})`, asc(schedules.id));
  }

  /** Every schedule row (there are few), for computing statuses. */
  all(): Promise<ScheduleRow[]> {
    return this.db.select().from(schedules);
  }

  options(): Promise<{ id: number; name: string }[]> {
    return this.db.select({ id: schedules.id, name: schedules.name }).from(schedules).orderBy(sql`lower(${schedules.name})`);
  }

  async get(id: number): Promise<ScheduleView | null> {
    const [r] = await this.db.select(this.view).from(schedules).where(eq(schedules.id, id));
    return r ?? null;
  }

  async byName(name: string): Promise<ScheduleRow | null> {
    const [r] = await this.db.select().from(schedules).where(sql`lower(${schedules.name}) = lower(${name})`);
    return r ?? null;
  }

  async insert(values: ScheduleInsert, tx: Db = this.db): Promise<ScheduleRow> {
    const [r] = await tx.insert(schedules).values(values).returning();
    return r!;
  }

  async update(id: number, values: Partial<ScheduleInsert>, tx: Db = this.db): Promise<ScheduleRow | null> {
    const [r] = await tx
      .update(schedules)
      .set({ ...values, updatedAt: new Date() })
      .where(eq(schedules.id, id))
      .returning();
    return r ?? null;
  }

  async delete(id: number, tx: Db = this.db): Promise<ScheduleRow | null> {
    const [r] = await tx.delete(schedules).where(eq(schedules.id, id)).returning();
    return r ?? null;
  }

  /** People whose effective schedule is `id`: their own override, or their department's when they have none. */
  async effectivePeople(id: number): Promise<number[]> {
    const rows = await this.db
      .select({ id: people.id })
      .from(people)
      .leftJoin(departments, eq(departments.id, people.departmentId))
      .where(or(eq(people.scheduleId, id), and(isNull(people.scheduleId), eq(departments.scheduleId, id))));
    return rows.map((r) => r.id);
  }

  /** People of a department who follow its schedule (no override of their own). */
  async departmentFollowers(departmentId: number): Promise<number[]> {
    const rows = await this.db
      .select({ id: people.id })
      .from(people)
      .where(and(eq(people.departmentId, departmentId), isNull(people.scheduleId)));
    return rows.map((r) => r.id);
  }

  departmentsUsing(id: number): Promise<{ id: number; name: string; peopleCount: number }[]> {
    return this.db
      .select({ id: departments.id, name: departments.name, peopleCount: sql<number>`(select count(*)::int from "people" p where p."department_id" = "departments"."id")` })
      .from(departments)
      .where(eq(departments.scheduleId, id))
      .orderBy(sql`lower(${departments.name})`);
  }

  async peopleOverriding(id: number, limit: number, offset: number) {
    const rows = await this.db
      .select({ id: people.id, name: people.name, employeeCode: people.employeeCode, departmentName: departments.name })
      .from(people)
      .leftJoin(departments, eq(departments.id, people.departmentId))
      .where(eq(people.scheduleId, id))
      .orderBy(sql`lower(${people.name})`, asc(people.id))
      .limit(limit)
      .offset(offset);
    const [t] = await this.db.select({ n: count() }).from(people).where(eq(people.scheduleId, id));
    return { rows, total: Number(t?.n ?? 0) };
  }

  async setDepartmentSchedule(departmentId: number, scheduleId: number | null, tx: Db = this.db) {
    const [r] = await tx.update(departments).set({ scheduleId, updatedAt: new Date() }).where(eq(departments.id, departmentId)).returning({ id: departments.id });
    return !!r;
  }

  async setPersonSchedule(personId: number, scheduleId: number | null, tx: Db = this.db) {
    const [r] = await tx.update(people).set({ scheduleId, updatedAt: new Date() }).where(eq(people.id, personId)).returning({ id: people.id });
    return !!r;
  }
}

/** Public holidays: one row per day, for everyone. */
export class HolidaysRepo {
  constructor(private readonly db: Db) {}

  list(from?: string, to?: string): Promise<HolidayRow[]> {
    const where: SQL[] = [];
    if (from) where.push(gte(holidays.day, from));
    if (to) where.push(lte(holidays.day, to));
    return this.db
      .select()
      .from(holidays)
      .where(where.length ? and(...where) : undefined)
      .orderBy(asc(holidays.day));
  }

  async daysIn(from: string, to: string): Promise<Set<string>> {
    return new Set((await this.list(from, to)).map((h) => h.day));
  }

  async get(id: number): Promise<HolidayRow | null> {
    const [r] = await this.db.select().from(holidays).where(eq(holidays.id, id));
    return r ?? null;
  }

  /** Holidays already recorded on any of `days`. */
  async onDays(days: string[], exceptId?: number): Promise<HolidayRow[]> {
    if (!days.length) return [];
    return this.db
      .select()
      .from(holidays)
      .where(and(inArray(holidays.day, days), exceptId === undefined ? undefined : ne(holidays.id, exceptId)))
      .orderBy(asc(holidays.day));
  }

  insertMany(rows: { day: string; name: string }[], tx: Db = this.db): Promise<HolidayRow[]> {
    return tx.insert(holidays).values(rows).returning();
  }

  async update(id: number, values: { day?: string; name?: string }, tx: Db = this.db): Promise<HolidayRow | null> {
    const [r] = await tx.update(holidays).set(values).where(eq(holidays.id, id)).returning();
    return r ?? null;
  }

  async delete(id: number, tx: Db = this.db): Promise<HolidayRow | null> {
    const [r] = await tx.delete(holidays).where(eq(holidays.id, id)).returning();
    return r ?? null;
  }
}

export type LeaveView = LeaveRow & { personName: string; employeeCode: string };

export interface LeavesFilter {
  personId?: number;
  from?: string;
  to?: string;
  limit: number;
  offset: number;
}

/** Leave days of a person (vacation, sickness, …) as inclusive day ranges. */
export class LeavesRepo {
  constructor(private readonly db: Db) {}

  private readonly view = {
    id: leaves.id,
    personId: leaves.personId,
    fromDay: leaves.fromDay,
    toDay: leaves.toDay,
    kind: leaves.kind,
    note: leaves.note,
    personName: people.name,
    employeeCode: people.employeeCode,
  };

  private where(f: Omit<LeavesFilter, "limit" | "offset">): SQL | undefined {
    const parts: SQL[] = [];
    if (f.personId !== undefined) parts.push(eq(leaves.personId, f.personId));
    // Ranges that overlap [from, to].
    if (f.from) parts.push(gte(leaves.toDay, f.from));
    if (f.to) parts.push(lte(leaves.fromDay, f.to));
    return parts.length ? and(...parts) : undefined;
  }

  async list(f: LeavesFilter): Promise<{ rows: LeaveView[]; total: number }> {
    const where = this.where(f);
    const rows = await this.db
      .select(this.view)
      .from(leaves)
      .innerJoin(people, eq(people.id, leaves.personId))
      .where(where)
      .orderBy(sql`${leaves.fromDay} desc`, sql`lower(${people.name})`, asc(leaves.id))
      .limit(f.limit)
      .offset(f.offset);
    const [t] = await this.db.select({ n: count() }).from(leaves).where(where);
    return { rows, total: Number(t?.n ?? 0) };
  }

  async get(id: number): Promise<LeaveView | null> {
    const [r] = await this.db.select(this.view).from(leaves).innerJoin(people, eq(people.id, leaves.personId)).where(eq(leaves.id, id));
    return r ?? null;
  }

  /** A leave of the person that overlaps [from, to], other than `exceptId`. */
  async overlapping(personId: number, from: string, to: string, exceptId?: number): Promise<LeaveRow | null> {
    const [r] = await this.db
      .select()
      .from(leaves)
      .where(and(eq(leaves.personId, personId), lte(leaves.fromDay, to), gte(leaves.toDay, from), exceptId === undefined ? undefined : ne(leaves.id, exceptId)))
      .limit(1);
    return r ?? null;
  }

  /** Leaves of these people overlapping [from, to]. */
  forPeople(personIds: number[], from: string, to: string): Promise<LeaveRow[]> {
    if (!personIds.length) return Promise.resolve([]);
    return this.db
      .select()
      .from(leaves)
      .where(and(inArray(leaves.personId, personIds), lte(leaves.fromDay, to), gte(leaves.toDay, from)));
  }

  async insert(values: typeof leaves.$inferInsert, tx: Db = this.db): Promise<LeaveRow> {
    const [r] = await tx.insert(leaves).values(values).returning();
    return r!;
  }

  async update(id: number, values: Partial<typeof leaves.$inferInsert>, tx: Db = this.db): Promise<LeaveRow | null> {
    const [r] = await tx.update(leaves).set(values).where(eq(leaves.id, id)).returning();
    return r ?? null;
  }

  async delete(id: number, tx: Db = this.db): Promise<LeaveRow | null> {
    const [r] = await tx.delete(leaves).where(eq(leaves.id, id)).returning();
    return r ?? null;
  }
}
