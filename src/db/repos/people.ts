import { and, asc, count, desc, eq, ilike, inArray, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "../client";
import { departments, people } from "../schema";

export type PersonRow = typeof people.$inferSelect;
export type PersonInsert = typeof people.$inferInsert;
export type DepartmentRow = typeof departments.$inferSelect;

export interface PeopleFilter {
  q?: string;
  departmentId?: number | null;
  active?: boolean;
  sort?: "name" | "code" | "department" | "created";
  limit: number;
  offset: number;
}

const personView = {
  id: people.id,
  name: people.name,
  employeeCode: people.employeeCode,
  departmentId: people.departmentId,
  departmentName: departments.name,
  email: people.email,
  active: people.active,
  consentAt: people.consentAt,
  consentBy: people.consentBy,
  notes: people.notes,
  scheduleId: people.scheduleId,
  createdAt: people.createdAt,
  updatedAt: people.updatedAt,
  faceCount: sql<number>`(select count(*)::int from "faces" f where f."person_id" = "people"."id")`,
};
export interface PersonView {
  id: number;
  name: string;
  employeeCode: string;
  departmentId: number | null;
  departmentName: string | null;
  email: string | null;
  active: boolean;
  consentAt: Date | null;
  consentBy: string | null;
  notes: string | null;
  scheduleId: number | null;
  createdAt: Date;
  updatedAt: Date;
  faceCount: number;
}

function escapeLike(s: string) {
  return s.replace(/[\\%_]/g, (m) => `\\${m}`);
}

/** People table access. Only this layer knows SQL. */
export class PeopleRepo {
  constructor(private readonly db: Db) {}

  private where(f: Omit<PeopleFilter, "limit" | "offset">): SQL | undefined {
    const parts: SQL[] = [];
    if (f.q) {
      const like = `%${escapeLike(f.q)}%`;
      parts.push(or(ilike(people.name, like), ilike(people.employeeCode, like), ilike(people.email, like))!);
    }
    if (f.departmentId !== undefined) parts.push(f.departmentId === null ? sql`${people.departmentId} is null` : eq(people.departmentId, f.departmentId));
    if (f.active !== undefined) parts.push(eq(people.active, f.active));
    return parts.length ? and(...parts) : undefined;
  }

  async list(f: PeopleFilter): Promise<{ rows: PersonView[]; total: number }> {
    const where = this.where(f);
    const order =
      f.sort === "code"
        ? [asc(people.employeeCode)]
        : f.sort === "department"
          ? [sql`${departments.name} asc nulls last`, asc(people.name)]
          : f.sort === "created"
            ? [desc(people.createdAt), desc(people.id)]
            : [sql`lower(${people.name})`, asc(people.id)];
    const rows = await this.db
      .select(personView)
      .from(people)
      .leftJoin(departments, eq(departments.id, people.departmentId))
      .where(where)
      .orderBy(...order)
      .limit(f.limit)
      .offset(f.offset);
    const [t] = await this.db.select({ n: count() }).from(people).where(where);
    return { rows: rows as PersonView[], total: Number(t?.n ?? 0) };
  }

  /** Every matching person, in pages, for exports. */
  async *iterate(f: Omit<PeopleFilter, "limit" | "offset">, pageSize = 1000): AsyncGenerator<PersonView[]> {
    for (let offset = 0; ; offset += pageSize) {
      const { rows } = await this.list({ ...f, sort: f.sort ?? "name", limit: pageSize, offset });
      if (rows.length) yield rows;
      if (rows.length < pageSize) return;
    }
  }

  async get(id: number): Promise<PersonView | null> {
    const [r] = await this.db.select(personView).from(people).leftJoin(departments, eq(departments.id, people.departmentId)).where(eq(people.id, id));
    return (r as PersonView | undefined) ?? null;
  }

  async byCodes(codes: string[]): Promise<PersonRow[]> {
    if (!codes.length) return [];
    return this.db.select().from(people).where(inArray(people.employeeCode, codes));
  }

  /** People whose name is exactly this (case and surrounding spaces ignored), at most `limit`. */
  async byName(name: string, limit: number): Promise<PersonView[]> {
    const rows = await this.db
      .select(personView)
      .from(people)
      .leftJoin(departments, eq(departments.id, people.departmentId))
      .where(sql`lower(trim(${people.name})) = lower(${name.trim()})`)
      .orderBy(asc(people.employeeCode))
      .limit(limit);
    return rows as PersonView[];
  }

  async codeTaken(code: string, exceptId?: number): Promise<boolean> {
    const [r] = await this.db.select({ id: people.id }).from(people).where(eq(people.employeeCode, code));
    return !!r && r.id !== exceptId;
  }

  async insert(values: PersonInsert, tx: Db = this.db): Promise<PersonRow> {
    const [r] = await tx.insert(people).values(values).returning();
    return r!;
  }

  async update(id: number, values: Partial<PersonInsert>, tx: Db = this.db): Promise<PersonRow | null> {
    const [r] = await tx
      .update(people)
      .set({ ...values, updatedAt: new Date() })
      .where(eq(people.id, id))
      .returning();
    return r ?? null;
  }

  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => fn(tx as unknown as Db));
  }
}

export type DepartmentView = DepartmentRow & { peopleCount: number };

export class DepartmentsRepo {
  constructor(private readonly db: Db) {}

  private readonly view = {
    id: departments.id,
    name: departments.name,
    description: departments.description,
    scheduleId: departments.scheduleId,
    createdAt: departments.createdAt,
    updatedAt: departments.updatedAt,
    peopleCount: sql<number>`(select count(*)::int from "people" p where p."department_id" = "departments"."id")`,
  };

  async list(f: { q?: string; limit: number; offset: number }): Promise<{ rows: DepartmentView[]; total: number }> {
    const where = f.q ? ilike(departments.name, `%${escapeLike(f.q)}%`) : undefined;
    const rows = await this.db.select(this.view).from(departments).where(where).orderBy(sql`lower(${departments.name})`).limit(f.limit).offset(f.offset);
    const [t] = await this.db.select({ n: count() }).from(departments).where(where);
    return { rows, total: Number(t?.n ?? 0) };
  }

  /** All departments (id, name) for select boxes. */
  async options(): Promise<{ id: number; name: string }[]> {
    return this.db.select({ id: departments.id, name: departments.name }).from(departments).orderBy(sql`lower(${departments.name})`);
  }

  async get(id: number): Promise<DepartmentView | null> {
    const [r] = await this.db.select(this.view).from(departments).where(eq(departments.id, id));
    return r ?? null;
  }

  async byName(name: string): Promise<DepartmentRow | null> {
    const [r] = await this.db.select().from(departments).where(sql`lower(${departments.name}) = lower(${name})`);
    return r ?? null;
  }

  async insert(values: typeof departments.$inferInsert, tx: Db = this.db): Promise<DepartmentRow> {
    const [r] = await tx.insert(departments).values(values).returning();
    return r!;
  }

  async update(id: number, values: Partial<typeof departments.$inferInsert>, tx: Db = this.db): Promise<DepartmentRow | null> {
    const [r] = await tx
      .update(departments)
      .set({ ...values, updatedAt: new Date() })
      .where(eq(departments.id, id))
      .returning();
    return r ?? null;
  }

  async delete(id: number, tx: Db = this.db): Promise<DepartmentRow | null> {
    const [r] = await tx.delete(departments).where(eq(departments.id, id)).returning();
    return r ?? null;
  }
}
