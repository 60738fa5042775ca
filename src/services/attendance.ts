import { z } from "zod";
import type { AttendanceRepo, EventView, EventsFilter, PersonContext, StatusInsert } from "../db/repos/attendance";
import type { Actor, AuditService } from "../db/repos/audit";
import { isForeignKeyViolation, isUniqueViolation } from "../db/client";
import type { HolidayRow, HolidaysRepo, LeaveRow, LeavesRepo, LeaveView, ScheduleRow, SchedulesRepo, ScheduleView } from "../db/repos/schedules";
import { attributionDay, attributionWindow, dailyStatus, isExpectedDay, resolveSchedule, validateSchedule, type Schedule, type WeeklyPattern } from "../domain/attendance";
import { daysOf, MAX_RANGE_DAYS, rangeProblem } from "../domain/attendance/report";
import { addDays, dayStart, localDay } from "../domain/time";
import { dayInRange, dayRangeMessage, dayString, MAX_ID } from "./schemas";
import { HttpError, type FieldErrors } from "../lib/http";
import type { Logger } from "../lib/log";
import type { JobRegistry } from "./jobs";
import type { PeopleService } from "./people";

// ---------------------------------------------------------------- limits

/** Person-days recomputed inline; larger recomputations run as a background job with progress. */
export const RECOMPUTE_SYNC_LIMIT = 3000;
/** Person-days computed between two database round trips (keeps the event loop responsive). */
const CHUNK_PERSON_DAYS = 2000;
/** A schedule change rewrites the stored days of this many recent days (the open pay periods). */
export const SCHEDULE_RECOMPUTE_DAYS = 62;
/** The periodic sweep fills in and refreshes the stored days of the last this many days. */
export const SETTLE_DAYS = 7;
export const SETTLE_INTERVAL_MS = 5 * 60_000;
/** Manual events may lie this far in the future (clock skew between a phone and the server). */
const FUTURE_SKEW_MS = 5 * 60_000;

// ---------------------------------------------------------------- input and output shapes

export const EVENT_KINDS = ["check_in", "check_out"] as const;
export const EVENT_SOURCES = ["camera", "kiosk", "manual"] as const;
export const LEAVE_KINDS = ["leave", "vacation", "sick", "unpaid", "training"] as const;

const emptyToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const dayField = (what: string) => dayString(what, `Enter the ${what} as a date YYYY-MM-DD`);
const id = (what: string) => z.coerce.number({ error: `${what} must be a number` }).int(`${what} must be a whole number`).positive(`${what} must be positive`).max(MAX_ID, `No such ${what.replace(/Id$/, "")}`);

export const reasonSchema = z
  .string({ error: (i) => (i.input === undefined ? "A reason is required for every correction" : "The reason must be text") })
  .trim()
  .min(3, "Give a reason (at least 3 characters)")
  .max(500, "At most 500 characters")
  .describe("Why the correction is made; stored with the event and in the audit log");

export const instantSchema = z
  .string({ error: "Give the time as ISO 8601 with an offset, e.g. 2026-01-05T09:00:00+01:00" })
  .pipe(z.iso.datetime({ offset: true, error: "Give the time as ISO 8601 with an offset, e.g. 2026-01-05T09:00:00+01:00" }))
  .refine((s) => dayInRange(s.slice(0, 10)), dayRangeMessage("time"))
  .transform((s) => new Date(s));

export const manualEventSchema = z
  .object({
    personId: id("personId"),
    kind: z.enum(EVENT_KINDS, "kind is check_in or check_out"),
    ts: instantSchema,
    reason: reasonSchema,
  })
  .strict();

export const eventPatchSchema = z
  .object({
    personId: id("personId").optional().describe("Move the event to another person (a wrong recognition)"),
    kind: z.enum(EVENT_KINDS, "kind is check_in or check_out").optional(),
    ts: instantSchema.optional(),
    reason: reasonSchema,
  })
  .strict();

export const voidSchema = z.object({ reason: reasonSchema }).strict();

export type ManualEvent = z.infer<typeof manualEventSchema>;
export type EventPatch = z.infer<typeof eventPatchSchema>;

/** What the camera pipeline, the kiosk and manual corrections hand to `recordEvent`. */
export const recordEventSchema = z.object({
  personId: z.number().int().positive(),
  kind: z.enum(EVENT_KINDS),
  ts: z.date(),
  source: z.enum(EVENT_SOURCES),
  cameraId: z.number().int().positive().nullish(),
  similarity: z.number().min(-1).max(1).nullish(),
  evidencePath: z.string().max(500).nullish(),
  trackId: z.string().max(200).nullish(),
  reason: z.string().max(500).nullish(),
});
export type RecordEventInput = z.infer<typeof recordEventSchema>;

export const eventsQuerySchema = z.object({
  from: z.preprocess(emptyToUndefined, dayField("start date").optional()).describe("First day (site time zone), YYYY-MM-DD"),
  to: z.preprocess(emptyToUndefined, dayField("end date").optional()).describe("Last day (site time zone), YYYY-MM-DD"),
  personId: z.preprocess(emptyToUndefined, id("personId").optional()),
  departmentId: z.preprocess(emptyToUndefined, id("departmentId").optional()),
  cameraId: z.preprocess(emptyToUndefined, id("cameraId").optional()),
  source: z.preprocess(emptyToUndefined, z.enum(EVENT_SOURCES).optional()),
  includeVoided: z
    .preprocess((v) => (v === "true" || v === "1" || v === "on" ? true : v === "false" || v === "0" || v === "" ? false : v), z.boolean().default(false))
    .describe("Admins only: also list voided events"),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
});
export type EventsQuery = z.infer<typeof eventsQuerySchema>;

export const eventSchema = z.object({
  id: z.number().int(),
  personId: z.number().int(),
  personName: z.string(),
  employeeCode: z.string(),
  departmentId: z.number().int().nullable(),
  departmentName: z.string().nullable(),
  kind: z.enum(EVENT_KINDS),
  ts: z.string(),
  source: z.enum(EVENT_SOURCES),
  cameraId: z.number().int().nullable(),
  cameraName: z.string().nullable(),
  similarity: z.number().nullable(),
  evidenceUrl: z.string().nullable().describe("Photo taken at the punch, when the camera kept one"),
  trackId: z.string().nullable(),
  reason: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  voided: z.boolean(),
  voidedAt: z.string().nullable(),
  voidedBy: z.string().nullable(),
  voidReason: z.string().nullable(),
});

export const recomputeSchema = z
  .object({ rows: z.number().int().optional().describe("Days recomputed inline"), job: z.string().optional().describe("Background job id (GET /api/v1/recompute/{job})"), total: z.number().int().optional() })
  .describe("How stored daily statuses were brought up to date");
export type RecomputeOutcome = { rows: number } | { job: string; total: number };

export const shiftSchema = z.object({ start: z.string().describe("HH:MM"), end: z.string().describe("HH:MM; before start = ends the next day") }).nullable();

export const scheduleBodySchema = z.object({
  name: z.string().describe("Unique name"),
  pattern: z.array(shiftSchema).describe("7 entries, Sunday to Saturday; null = day off"),
  graceMinutes: z.number().int().optional().describe("Minutes after the start before someone is late (default 5)"),
  breakMinutes: z.number().int().optional().describe("Unpaid break deducted after 6 h of work (default 30)"),
  minHours: z.number().optional().describe("Minimum hours of a working day (default 0)"),
  autoCheckoutMinutes: z.number().int().nullable().optional().describe("Close a missing check-out at the shift end after this delay; null = never"),
});

export const scheduleSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  pattern: z.array(shiftSchema),
  graceMinutes: z.number().int(),
  breakMinutes: z.number().int(),
  minHours: z.number(),
  autoCheckoutMinutes: z.number().int().nullable(),
  departmentCount: z.number().int(),
  overrideCount: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  recompute: recomputeSchema.optional(),
});

export const assignSchema = z.object({ scheduleId: z.number().int().positive().max(MAX_ID, "No such schedule").nullable().describe("Schedule id, or null to remove") }).strict();

const holidayName = z.string({ error: "Enter a name" }).trim().min(1, "Enter a name").max(120, "At most 120 characters");

export const holidayCreateSchema = z
  .object({
    from: dayField("first day"),
    to: dayField("last day").optional().describe("Last day of a multi-day holiday (default: from)"),
    name: holidayName,
  })
  .strict();
export const holidayPatchSchema = z.object({ day: dayField("day").optional(), name: holidayName.optional() }).strict();
export const holidaySchema = z.object({ id: z.number().int(), day: z.string(), name: z.string() });
export const holidaysQuerySchema = z.object({
  from: z.preprocess(emptyToUndefined, dayField("start date").optional()),
  to: z.preprocess(emptyToUndefined, dayField("end date").optional()),
});

const leaveNote = z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? null : v), z.string().trim().max(500, "At most 500 characters").nullable());
export const leaveCreateSchema = z
  .object({
    personId: id("personId"),
    from: dayField("first day"),
    to: dayField("last day"),
    kind: z.enum(LEAVE_KINDS, `kind is one of ${LEAVE_KINDS.join(", ")}`).default("leave"),
    note: leaveNote.optional(),
  })
  .strict();
export const leavePatchSchema = z
  .object({ from: dayField("first day").optional(), to: dayField("last day").optional(), kind: z.enum(LEAVE_KINDS, `kind is one of ${LEAVE_KINDS.join(", ")}`).optional(), note: leaveNote.optional() })
  .strict();
export const leaveSchema = z.object({ id: z.number().int(), personId: z.number().int(), personName: z.string(), employeeCode: z.string(), from: z.string(), to: z.string(), kind: z.string(), note: z.string().nullable() });
export const leavesQuerySchema = z.object({
  personId: z.preprocess(emptyToUndefined, id("personId").optional()),
  from: z.preprocess(emptyToUndefined, dayField("start date").optional()),
  to: z.preprocess(emptyToUndefined, dayField("end date").optional()),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
});
export type LeaveCreate = z.infer<typeof leaveCreateSchema>;
export type LeavePatch = z.infer<typeof leavePatchSchema>;

// ---------------------------------------------------------------- JSON

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function eventJson(e: EventView): z.infer<typeof eventSchema> {
  return {
    id: e.id,
    personId: e.personId,
    personName: e.personName,
    employeeCode: e.employeeCode,
    departmentId: e.departmentId,
    departmentName: e.departmentName,
    kind: e.kind,
    ts: e.ts.toISOString(),
    source: e.source,
    cameraId: e.cameraId,
    cameraName: e.cameraName,
    similarity: e.similarity,
    evidenceUrl: e.evidencePath ? `/attendance/${e.id}/evidence` : null,
    trackId: e.trackId,
    reason: e.reason,
    createdBy: e.createdBy,
    createdAt: e.createdAt.toISOString(),
    voided: e.voidedAt !== null,
    voidedAt: iso(e.voidedAt),
    voidedBy: e.voidedBy,
    voidReason: e.voidReason,
  };
}

export function scheduleJson(s: ScheduleView) {
  return {
    id: s.id,
    name: s.name,
    pattern: s.pattern as WeeklyPattern,
    graceMinutes: s.graceMinutes,
    breakMinutes: s.breakMinutes,
    minHours: s.minHours,
    autoCheckoutMinutes: s.autoCheckoutMinutes,
    departmentCount: s.departmentCount,
    overrideCount: s.overrideCount,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

export function holidayJson(h: HolidayRow) {
  return { id: h.id, day: h.day, name: h.name };
}

export function leaveJson(l: LeaveView) {
  return { id: l.id, personId: l.personId, personName: l.personName, employeeCode: l.employeeCode, from: l.fromDay, to: l.toDay, kind: l.kind, note: l.note };
}

/** The rules' view of a schedules row. */
export function toSchedule(r: Pick<ScheduleRow, "pattern" | "graceMinutes" | "breakMinutes" | "minHours" | "autoCheckoutMinutes">): Schedule {
  return { pattern: r.pattern as WeeklyPattern, graceMinutes: r.graceMinutes, breakMinutes: r.breakMinutes, minHours: r.minHours, autoCheckoutMinutes: r.autoCheckoutMinutes };
}

function validation(fields: FieldErrors, message = "Validation failed"): HttpError {
  return new HttpError(422, message, { fields });
}

function eventSnapshot(e: { personId: number; kind: string; ts: Date; source: string; cameraId: number | null; reason: string | null; voidedAt: Date | null; voidedBy: string | null; voidReason: string | null }) {
  return { personId: e.personId, kind: e.kind, ts: e.ts.toISOString(), source: e.source, cameraId: e.cameraId, reason: e.reason, voidedAt: iso(e.voidedAt), voidedBy: e.voidedBy, voidReason: e.voidReason };
}

function scheduleSnapshot(s: ScheduleRow | ScheduleView) {
  return { name: s.name, ...toSchedule(s) };
}

/** Lower bound of `x` in an ascending array. */
function lowerBound(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A person and the days of theirs to compute. */
interface Target {
  ctx: PersonContext;
  days: string[];
}

export interface AttendanceDeps {
  repo: AttendanceRepo;
  schedules: SchedulesRepo;
  holidays: HolidaysRepo;
  leaves: LeavesRepo;
  people: PeopleService;
  audit: AuditService;
  jobs: JobRegistry;
  tz: string;
  log: Logger;
  now?: () => Date;
}

/**
 * Attendance: events (from cameras, kiosks and corrections), schedules, holidays and leave, and the
 * stored daily statuses computed from them with the rules in src/domain/attendance.
 *
 * Stored statuses are kept current three ways: every change recomputes the days it touches (a change
 * of many person-days runs as a background job); and a sweep every few minutes fills in the recent
 * days nobody touched (an absence has no event) and refreshes days whose status depends on the clock
 * ("not started yet" becomes "absent", an open check-in becomes "incomplete" or is closed).
 */
export class AttendanceService {
  private readonly now: () => Date;
  private timer: ReturnType<typeof setInterval> | null = null;
  private settling: Promise<unknown> | null = null;

  constructor(private readonly d: AttendanceDeps) {
    this.now = d.now ?? (() => new Date());
    d.people.onPersonChanged(async (before, after) => {
      if (before.departmentId !== after.departmentId || before.active !== after.active) {
        const today = localDay(this.now(), d.tz);
        await this.computeFor([after.id], [today]);
      }
    });
    // Someone added today gets today's status at once (on leave, a holiday, not started yet, …).
    d.people.onPeopleAdded((ids) => this.computeFor(ids, [this.today()]).then(() => undefined));
  }

  today(): string {
    return localDay(this.now(), this.d.tz);
  }

  // ------------------------------------------------------------ computing statuses

  private async scheduleMap(): Promise<Map<number, Schedule>> {
    return new Map((await this.d.schedules.all()).map((r) => [r.id, toSchedule(r)]));
  }

  /**
   * Computes and stores the statuses of `targets`. A day is computed when the person is expected
   * then (isExpectedDay: active, added that day or before, and the day has begun), or when it has
   * events or leave of theirs, or (after they were added) a stored status already; so adding someone
   * today does not make them absent for the past, leave recorded for days before they were added
   * shows, and an inactive person keeps the history they have without gaining absences. A stored day
   * before they were added that no longer has events or leave (a voided event, deleted leave) is removed.
   */
  private async compute(targets: Target[], now: Date, progress?: (done: number, total: number) => void): Promise<number> {
    const total = targets.reduce((s, t) => s + t.days.length, 0);
    if (total === 0) return 0;
    const tz = this.d.tz;
    const today = localDay(now, tz);
    let lo = targets[0]!.days[0]!;
    let hi = lo;
    for (const t of targets) {
      if (t.days[0]! < lo) lo = t.days[0]!;
      if (t.days.at(-1)! > hi) hi = t.days.at(-1)!;
    }
    const [schedules, holidays] = await Promise.all([this.scheduleMap(), this.d.holidays.daysIn(lo, hi)]);
    const startMs = new Map<string, number>();
    const midnight = (day: string) => {
      let ms = startMs.get(day);
      if (ms === undefined) startMs.set(day, (ms = dayStart(day, tz).getTime()));
      return ms;
    };
    let done = 0;
    let stored = 0;
    for (let i = 0; i < targets.length; ) {
      const chunk: Target[] = [];
      let size = 0;
      while (i < targets.length && (chunk.length === 0 || size + targets[i]!.days.length <= CHUNK_PERSON_DAYS)) {
        size += targets[i]!.days.length;
        chunk.push(targets[i++]!);
      }
      const ids = chunk.map((t) => t.ctx.id);
      let cLo = chunk[0]!.days[0]!;
      let cHi = cLo;
      for (const t of chunk) {
        if (t.days[0]! < cLo) cLo = t.days[0]!;
        if (t.days.at(-1)! > cHi) cHi = t.days.at(-1)!;
      }
      const addedDay = new Map(chunk.map((t) => [t.ctx.id, localDay(t.ctx.createdAt, tz)]));
      const expected = (t: Target, day: string) => isExpectedDay(day, { active: t.ctx.active, addedDay: addedDay.get(t.ctx.id)! }, today);
      const optionalIds = chunk.filter((t) => t.days.some((day) => !expected(t, day))).map((t) => t.ctx.id);
      // Events of a day lie in its attribution window, which starts after local midnight of the day
      // before and ends before midnight of the day after next; loading that span is a safe superset.
      const [events, leaveRows, existingRows] = await Promise.all([
        this.d.repo.eventsFor(ids, new Date(midnight(addDays(cLo, -1))), new Date(midnight(addDays(cHi, 2)))),
        this.d.leaves.forPeople(ids, cLo, cHi),
        this.d.repo.statusKeys(optionalIds, cLo, cHi),
      ]);
      const eventsBy = new Map<number, { kind: "check_in" | "check_out"; ts: Date }[]>();
      for (const e of events) {
        let list = eventsBy.get(e.personId);
        if (!list) eventsBy.set(e.personId, (list = []));
        list.push(e);
      }
      const leavesBy = new Map<number, LeaveRow[]>();
      for (const l of leaveRows) leavesBy.set(l.personId, [...(leavesBy.get(l.personId) ?? []), l]);
      const existing = new Set(existingRows.map((r) => `${r.personId}|${r.day}`));

      const rows: StatusInsert[] = [];
      const stale: { personId: number; day: string }[] = [];
      for (const t of chunk) {
        const pid = t.ctx.id;
        const schedule = resolveSchedule(t.ctx.departmentScheduleId === null ? null : schedules.get(t.ctx.departmentScheduleId), t.ctx.scheduleId === null ? null : schedules.get(t.ctx.scheduleId));
        const evs = eventsBy.get(pid) ?? [];
        const times = evs.map((e) => e.ts.getTime());
        const personLeaves = leavesBy.get(pid) ?? [];
        for (const day of t.days) {
          const subset = evs.slice(lowerBound(times, midnight(addDays(day, -1))), lowerBound(times, midnight(addDays(day, 2))));
          const leave = personLeaves.some((l) => l.fromDay <= day && day <= l.toDay);
          if (!expected(t, day)) {
            const w = attributionWindow(day, schedule, tz);
            const hasEvents = subset.some((e) => e.ts >= w.start && e.ts < w.end);
            const had = existing.has(`${pid}|${day}`);
            if (day < addedDay.get(pid)!) {
              // Before they were added, only what was recorded for them (events, leave) makes a day.
              if (!hasEvents && !leave) {
                if (had) stale.push({ personId: pid, day });
                continue;
              }
            } else if (!hasEvents && !had) continue;
          }
          const addedAt = day === addedDay.get(pid) ? t.ctx.createdAt : null;
          const s = dailyStatus({ day, tz, schedule, events: subset, holiday: holidays.has(day), leave, now, addedAt });
          rows.push({
            personId: pid,
            day,
            status: s.status,
            lateMinutes: s.lateMinutes,
            earlyMinutes: s.earlyMinutes,
            workedMinutes: s.workedMinutes,
            overtimeMinutes: s.overtimeMinutes,
            flags: s.flags,
            firstIn: s.firstIn,
            lastOut: s.lastOut,
            computedAt: now,
          });
        }
      }
      await this.d.repo.upsertStatuses(rows);
      await this.d.repo.deleteStatuses(stale);
      stored += rows.length;
      done += size;
      progress?.(done, total);
      // PGlite answers in microtasks, so without this a long job would hold off requests and timers.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return stored;
  }

  /** Targets for these people (everyone when null) over `days`, capped at tomorrow (nothing later can have happened). */
  private async targets(personIds: number[] | null, days: string[], now: Date): Promise<Target[]> {
    const last = addDays(localDay(now, this.d.tz), 1);
    const useful = [...new Set(days)].filter((d) => d <= last).sort();
    if (!useful.length || (personIds && !personIds.length)) return [];
    const ctxs = await this.d.repo.personContexts(personIds ?? undefined);
    return ctxs.map((ctx) => ({ ctx, days: useful }));
  }

  /** Recomputes these people's statuses on `days` inline (small, event-driven changes). */
  private async computeFor(personIds: number[], days: string[]): Promise<number> {
    const now = this.now();
    return this.compute(await this.targets(personIds, days, now), now);
  }

  /**
   * Recomputes stored statuses of these people (everyone when null) on `days`: inline when small,
   * otherwise as a background job whose progress GET /api/v1/recompute/{job} reports.
   */
  async recompute(personIds: number[] | null, days: string[], actor: Actor): Promise<RecomputeOutcome> {
    const now = this.now();
    const targets = await this.targets(personIds, days, now);
    const total = targets.reduce((s, t) => s + t.days.length, 0);
    if (total <= RECOMPUTE_SYNC_LIMIT) return { rows: await this.compute(targets, now) };
    const job = this.d.jobs.start(
      "recompute",
      actor.id ?? "system",
      (progress) => this.compute(targets, now, progress),
      (err) => {
        this.d.log.error("recomputing daily statuses failed", { err });
        return null;
      },
    );
    return { job: job.id, total };
  }

  /** The last SCHEDULE_RECOMPUTE_DAYS days up to today. */
  private recentDays(): string[] {
    const today = this.today();
    return daysOf(addDays(today, -(SCHEDULE_RECOMPUTE_DAYS - 1)), today);
  }

  /**
   * Fills in the stored statuses of the last SETTLE_DAYS days for everyone active: days never computed
   * (absences have no event to trigger a computation) and days whose status still depends on the
   * clock ("not_started", or an open check-in still "in_progress").
   */
  async settle(now: Date = this.now()): Promise<number> {
    const tz = this.d.tz;
    const today = localDay(now, tz);
    const from = addDays(today, -(SETTLE_DAYS - 1));
    const [ctxs, stored] = await Promise.all([this.d.repo.personContexts(), this.d.repo.statusKeys(null, from, today)]);
    const have = new Map(stored.map((r) => [`${r.personId}|${r.day}`, r]));
    const window = daysOf(from, today);
    const targets: Target[] = [];
    for (const ctx of ctxs) {
      if (!ctx.active) continue;
      const addedDay = localDay(ctx.createdAt, tz);
      const days = window.filter((day) => {
        if (!isExpectedDay(day, { active: true, addedDay }, today)) return false;
        const s = have.get(`${ctx.id}|${day}`);
        return !s || s.status === "not_started" || (Array.isArray(s.flags) && s.flags.includes("in_progress"));
      });
      if (days.length) targets.push({ ctx, days });
    }
    return this.compute(targets, now);
  }

  /** Runs `settle` now and every SETTLE_INTERVAL_MS; one run at a time. */
  startSettling(intervalMs = SETTLE_INTERVAL_MS): void {
    if (this.timer) return;
    const run = () => {
      if (this.settling) return;
      this.settling = this.settle()
        .catch((err) => this.d.log.error("attendance sweep failed", { err }))
        .finally(() => {
          this.settling = null;
        });
    };
    this.timer = setInterval(run, intervalMs);
    // The sweep alone must not keep a process (a script, a test) alive.
    (this.timer as { unref?: () => void }).unref?.();
    run();
  }

  async stopSettling(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.settling;
  }

  // ------------------------------------------------------------ events

  private async personSchedule(personId: number): Promise<Schedule | null> {
    const [ctx] = await this.d.repo.personContexts([personId]);
    if (!ctx) return null;
    const get = async (sid: number | null) => (sid === null ? null : (await this.d.schedules.get(sid)) ?? null);
    const [dept, own] = await Promise.all([get(ctx.departmentScheduleId), get(ctx.scheduleId)]);
    return resolveSchedule(dept && toSchedule(dept), own && toSchedule(own));
  }

  /** The attendance day an instant of this person belongs to (their schedule decides night shifts). */
  async dayOf(personId: number, ts: Date): Promise<string> {
    return attributionDay(ts, await this.personSchedule(personId), this.d.tz);
  }

  /**
   * Records a check-in or check-out and brings the person's stored day up to date. This is the entry
   * point for the camera pipeline and the kiosk (source "camera" / "kiosk") as well as for manual
   * events. Camera and kiosk events are the original record and are not written to the audit log;
   * manual ones are. Throws HttpError 422 on bad input.
   */
  async recordEvent(input: RecordEventInput, actor: Actor): Promise<EventView> {
    const parsed = recordEventSchema.safeParse(input);
    if (!parsed.success) throw validation(Object.fromEntries(parsed.error.issues.map((i) => [i.path.join(".") || "_", i.message])));
    const e = parsed.data;
    const fields: FieldErrors = {};
    if (!(await this.d.repo.personContexts([e.personId])).length) fields.personId = `Person ${e.personId} does not exist`;
    if (e.cameraId != null && !(await this.d.repo.cameraExists(e.cameraId))) fields.cameraId = `Camera ${e.cameraId} does not exist`;
    if (Object.keys(fields).length) throw validation(fields);
    const gone = () => new HttpError(409, `Person ${e.personId} (or the camera) was deleted meanwhile; the event was not recorded`);
    const row = await this.d.repo.transaction(async (tx) => {
      const r = await this.d.repo.insertEvent(
        {
          personId: e.personId,
          kind: e.kind,
          ts: e.ts,
          source: e.source,
          cameraId: e.cameraId ?? null,
          similarity: e.similarity ?? null,
          evidencePath: e.evidencePath ?? null,
          trackId: e.trackId ?? null,
          reason: e.reason ?? null,
          createdBy: actor.label,
        },
        tx,
      );
      if (e.source === "manual") await this.d.audit.record(actor, "create", "attendance_event", r.id, null, eventSnapshot(r), tx);
      return r;
    }).catch((err) => Promise.reject(isForeignKeyViolation(err) ? gone() : err));
    await this.computeFor([e.personId], [await this.dayOf(e.personId, e.ts)]).catch((err) => Promise.reject(isForeignKeyViolation(err) ? gone() : err));
    const view = await this.d.repo.getEvent(row.id);
    if (!view) throw gone();
    return view;
  }

  /** The person's latest valid event (the camera pipeline decides check-in or check-out with it). */
  lastEvent(personId: number) {
    return this.d.repo.lastEvent(personId);
  }

  private checkManualTime(ts: Date, field = "ts"): void {
    const now = this.now().getTime();
    if (ts.getTime() > now + FUTURE_SKEW_MS) throw validation({ [field]: "The time is in the future; record events when they happen" });
    if (ts.getTime() < now - MAX_RANGE_DAYS * 86_400_000) throw validation({ [field]: `The time is more than ${MAX_RANGE_DAYS} days ago; corrections that old are not accepted` });
  }

  /** An operator adds a check-in or check-out that no camera saw; the reason is mandatory. */
  async addManual(input: ManualEvent, actor: Actor): Promise<EventView> {
    this.checkManualTime(input.ts);
    return this.recordEvent({ personId: input.personId, kind: input.kind, ts: input.ts, source: "manual", reason: input.reason }, actor);
  }

  /** One event; voided events exist only for admins. */
  async getEvent(id: number, canSeeVoided: boolean): Promise<EventView> {
    const e = await this.d.repo.getEvent(id);
    if (!e || (e.voidedAt && !canSeeVoided)) throw new HttpError(404, `Event ${id} does not exist`);
    return e;
  }

  async listEvents(q: EventsQuery, canSeeVoided: boolean): Promise<{ rows: EventView[]; total: number }> {
    if (q.includeVoided && !canSeeVoided) throw new HttpError(403, "Only admins can see voided events");
    if (q.from && q.to && q.from > q.to) throw validation({ to: `The start date ${q.from} is after the end date ${q.to}` });
    const f: EventsFilter = {
      from: q.from ? dayStart(q.from, this.d.tz) : undefined,
      to: q.to ? dayStart(addDays(q.to, 1), this.d.tz) : undefined,
      personId: q.personId,
      departmentId: q.departmentId,
      cameraId: q.cameraId,
      source: q.source,
      includeVoided: q.includeVoided,
      limit: q.limit,
      offset: q.offset,
    };
    return this.d.repo.listEvents(f);
  }

  /**
   * Corrects an event. A manual event is changed in place; a camera or kiosk event is never changed:
   * it is voided and a manual event with the corrected values replaces it. Both write the audit log.
   */
  async editEvent(id: number, patch: EventPatch, actor: Actor, canSeeVoided: boolean): Promise<{ event: EventView; replaced: number | null }> {
    const before = await this.getEvent(id, canSeeVoided);
    if (before.voidedAt) throw new HttpError(409, `Event ${id} is voided and cannot be edited; add a new event instead`);
    const next = { personId: patch.personId ?? before.personId, kind: patch.kind ?? before.kind, ts: patch.ts ?? before.ts };
    if (next.personId === before.personId && next.kind === before.kind && next.ts.getTime() === before.ts.getTime())
      throw validation({ _: "The correction changes nothing: give another person, kind or time" });
    if (patch.ts) this.checkManualTime(patch.ts);
    if (next.personId !== before.personId && !(await this.d.repo.personContexts([next.personId])).length) throw validation({ personId: `Person ${next.personId} does not exist` });
    const oldDay = await this.dayOf(before.personId, before.ts);
    let resultId: number;
    let replaced: number | null = null;
    if (before.source === "manual") {
      await this.d.repo.transaction(async (tx) => {
        const after = (await this.d.repo.updateEvent(id, { ...next, reason: patch.reason }, tx))!;
        await this.d.audit.record(actor, "update", "attendance_event", id, eventSnapshot(before), eventSnapshot(after), tx);
      });
      resultId = id;
    } else {
      resultId = await this.d.repo.transaction(async (tx) => {
        const voided = (await this.d.repo.updateEvent(id, { voidedAt: new Date(), voidedBy: actor.label, voidReason: `Corrected: ${patch.reason}` }, tx))!;
        await this.d.audit.record(actor, "void", "attendance_event", id, eventSnapshot(before), eventSnapshot(voided), tx);
        const created = await this.d.repo.insertEvent({ ...next, source: "manual", reason: patch.reason, createdBy: actor.label }, tx);
        await this.d.audit.record(actor, "create", "attendance_event", created.id, null, { ...eventSnapshot(created), replaces: id }, tx);
        return created.id;
      });
      replaced = id;
    }
    const newDay = await this.dayOf(next.personId, next.ts);
    if (next.personId === before.personId) await this.computeFor([before.personId], [oldDay, newDay]);
    else {
      await this.computeFor([before.personId], [oldDay]);
      await this.computeFor([next.personId], [newDay]);
    }
    return { event: (await this.d.repo.getEvent(resultId))!, replaced };
  }

  /** Voids an event (it stays, visible to admins, and no longer counts); the reason is mandatory. */
  async voidEvent(id: number, reason: string, actor: Actor, canSeeVoided: boolean): Promise<EventView> {
    const before = await this.getEvent(id, canSeeVoided);
    if (before.voidedAt) throw new HttpError(409, `Event ${id} is already voided`);
    await this.d.repo.transaction(async (tx) => {
      const after = (await this.d.repo.updateEvent(id, { voidedAt: new Date(), voidedBy: actor.label, voidReason: reason }, tx))!;
      await this.d.audit.record(actor, "void", "attendance_event", id, eventSnapshot(before), eventSnapshot(after), tx);
    });
    await this.computeFor([before.personId], [await this.dayOf(before.personId, before.ts)]);
    return (await this.d.repo.getEvent(id))!;
  }

  cameraOptions() {
    return this.d.repo.cameraOptions();
  }

  /** The stored status of a person's day, or null when it was never computed. */
  status(personId: number, day: string) {
    return this.d.repo.status(personId, day);
  }

  // ------------------------------------------------------------ schedules

  listSchedules() {
    return this.d.schedules.list();
  }

  scheduleOptions() {
    return this.d.schedules.options();
  }

  async getSchedule(id: number): Promise<ScheduleView> {
    const s = await this.d.schedules.get(id);
    if (!s) throw new HttpError(404, `Schedule ${id} does not exist`);
    return s;
  }

  departmentsUsing(id: number) {
    return this.d.schedules.departmentsUsing(id);
  }

  peopleOverriding(id: number, limit: number, offset: number) {
    return this.d.schedules.peopleOverriding(id, limit, offset);
  }

  /**
   * Validates a schedule as it comes from the API or a form (anything): the name, unknown fields, and
   * the rules of validateSchedule. `base` fills in what a PATCH leaves out. Throws 422 with field errors.
   */
  private async checkSchedule(input: unknown, base?: ScheduleView): Promise<{ name: string } & Schedule> {
    if (!input || typeof input !== "object" || Array.isArray(input)) throw new HttpError(422, "The schedule must be a JSON object");
    const raw = input as Record<string, unknown>;
    const fields: FieldErrors = {};
    const known = ["name", "pattern", "graceMinutes", "breakMinutes", "minHours", "autoCheckoutMinutes"];
    for (const k of Object.keys(raw)) if (!known.includes(k)) fields[k] = `Unknown field; a schedule has ${known.join(", ")}`;
    const name = raw.name === undefined && base ? base.name : raw.name;
    const nameParsed = z.string({ error: "Enter a name" }).trim().min(1, "Enter a name").max(120, "At most 120 characters").safeParse(name);
    if (!nameParsed.success) fields.name = nameParsed.error.issues[0]!.message;
    const pick = <T>(key: string, fallback: T) => (raw[key] === undefined ? (base ? (base as unknown as Record<string, unknown>)[key] : fallback) : raw[key]);
    const candidate = {
      pattern: pick("pattern", undefined),
      graceMinutes: pick("graceMinutes", 5),
      breakMinutes: pick("breakMinutes", 30),
      minHours: pick("minHours", 0),
      autoCheckoutMinutes: pick("autoCheckoutMinutes", null),
    };
    for (const e of validateSchedule(candidate)) fields[e.path] ??= e.message;
    if (nameParsed.success) {
      const other = await this.d.schedules.byName(nameParsed.data);
      if (other && other.id !== base?.id) fields.name = `A schedule called ${other.name} already exists`;
    }
    if (Object.keys(fields).length) throw validation(fields);
    const s = candidate as unknown as Schedule;
    // Keep only start and end of each day, whatever else the client sent along.
    const pattern = s.pattern.map((d) => (d ? { start: d.start, end: d.end } : null)) as WeeklyPattern;
    return { ...s, pattern, name: nameParsed.data! };
  }

  async createSchedule(input: unknown, actor: Actor): Promise<ScheduleView> {
    const s = await this.checkSchedule(input);
    try {
      const row = await this.d.schedules.insert(s);
      await this.d.audit.record(actor, "create", "schedule", row.id, null, scheduleSnapshot(row));
      return this.getSchedule(row.id);
    } catch (e) {
      if (isUniqueViolation(e)) throw validation({ name: `A schedule called ${s.name} already exists` });
      throw e;
    }
  }

  /** Changes a schedule and recomputes the recent days of everyone who follows it. */
  async updateSchedule(id: number, input: unknown, actor: Actor): Promise<{ schedule: ScheduleView; recompute: RecomputeOutcome }> {
    const before = await this.getSchedule(id);
    const s = await this.checkSchedule(input, before);
    try {
      await this.d.schedules.update(id, s);
    } catch (e) {
      if (isUniqueViolation(e)) throw validation({ name: `A schedule called ${s.name} already exists` });
      throw e;
    }
    const after = await this.getSchedule(id);
    await this.d.audit.record(actor, "update", "schedule", id, scheduleSnapshot(before), scheduleSnapshot(after));
    const recompute = await this.recompute(await this.d.schedules.effectivePeople(id), this.recentDays(), actor);
    return { schedule: after, recompute };
  }

  /** Deletes a schedule; departments and people that used it are left without one. */
  async deleteSchedule(id: number, actor: Actor): Promise<RecomputeOutcome> {
    const before = await this.getSchedule(id);
    const affected = await this.d.schedules.effectivePeople(id);
    await this.d.schedules.delete(id);
    await this.d.audit.record(actor, "delete", "schedule", id, scheduleSnapshot(before), null);
    return this.recompute(affected, this.recentDays(), actor);
  }

  private async checkScheduleRef(scheduleId: number | null) {
    if (scheduleId !== null && !(await this.d.schedules.get(scheduleId))) throw validation({ scheduleId: `Schedule ${scheduleId} does not exist` });
  }

  /** Gives a department a schedule (or none); its people without their own schedule follow it. */
  async setDepartmentSchedule(departmentId: number, scheduleId: number | null, actor: Actor): Promise<RecomputeOutcome> {
    const dept = await this.d.people.getDepartment(departmentId);
    await this.checkScheduleRef(scheduleId);
    await this.d.schedules.setDepartmentSchedule(departmentId, scheduleId);
    await this.d.audit.record(actor, "update", "department", departmentId, { scheduleId: dept.scheduleId }, { scheduleId });
    return this.recompute(await this.d.schedules.departmentFollowers(departmentId), this.recentDays(), actor);
  }

  /** Gives a person their own schedule, overriding their department's; null returns them to it. */
  async setPersonSchedule(personId: number, scheduleId: number | null, actor: Actor): Promise<RecomputeOutcome> {
    const person = await this.d.people.get(personId);
    await this.checkScheduleRef(scheduleId);
    await this.d.schedules.setPersonSchedule(personId, scheduleId);
    await this.d.audit.record(actor, "update", "person", personId, { scheduleId: person.scheduleId }, { scheduleId });
    return this.recompute([personId], this.recentDays(), actor);
  }

  // ------------------------------------------------------------ holidays

  listHolidays(from?: string, to?: string) {
    return this.d.holidays.list(from, to);
  }

  async getHoliday(id: number): Promise<HolidayRow> {
    const h = await this.d.holidays.get(id);
    if (!h) throw new HttpError(404, `Holiday ${id} does not exist`);
    return h;
  }

  private async checkHolidayDays(days: string[], field: string, exceptId?: number) {
    const taken = await this.d.holidays.onDays(days, exceptId);
    if (taken.length) throw validation({ [field]: `${taken.map((h) => `${h.day} (${h.name})`).join(", ")} ${taken.length === 1 ? "is" : "are"} already a holiday` });
  }

  /** Adds a holiday of one or more days for everyone, and recomputes those days. */
  async createHolidays(input: z.infer<typeof holidayCreateSchema>, actor: Actor): Promise<{ holidays: HolidayRow[]; recompute: RecomputeOutcome }> {
    const to = input.to ?? input.from;
    const problem = rangeProblem(input.from, to);
    if (problem) throw validation({ to: problem });
    const days = daysOf(input.from, to);
    await this.checkHolidayDays(days, "from");
    let rows: HolidayRow[];
    try {
      rows = await this.d.holidays.insertMany(days.map((day) => ({ day, name: input.name })));
    } catch (e) {
      if (isUniqueViolation(e)) throw validation({ from: "One of these days is already a holiday" });
      throw e;
    }
    await this.d.audit.record(actor, "create", "holiday", rows[0]!.id, null, { from: input.from, to, name: input.name, ids: rows.map((r) => r.id) });
    return { holidays: rows, recompute: await this.recompute(null, days, actor) };
  }

  async updateHoliday(id: number, patch: z.infer<typeof holidayPatchSchema>, actor: Actor): Promise<{ holiday: HolidayRow; recompute: RecomputeOutcome }> {
    const before = await this.getHoliday(id);
    if (patch.day && patch.day !== before.day) await this.checkHolidayDays([patch.day], "day", id);
    let after: HolidayRow;
    try {
      after = (await this.d.holidays.update(id, patch))!;
    } catch (e) {
      if (isUniqueViolation(e)) throw validation({ day: `${patch.day} is already a holiday` });
      throw e;
    }
    await this.d.audit.record(actor, "update", "holiday", id, { day: before.day, name: before.name }, { day: after.day, name: after.name });
    const recompute = after.day !== before.day ? await this.recompute(null, [before.day, after.day], actor) : { rows: 0 };
    return { holiday: after, recompute };
  }

  async deleteHoliday(id: number, actor: Actor): Promise<RecomputeOutcome> {
    const before = await this.getHoliday(id);
    await this.d.holidays.delete(id);
    await this.d.audit.record(actor, "delete", "holiday", id, { day: before.day, name: before.name }, null);
    return this.recompute(null, [before.day], actor);
  }

  // ------------------------------------------------------------ leave

  listLeaves(q: z.infer<typeof leavesQuerySchema>) {
    return this.d.leaves.list(q);
  }

  async getLeave(id: number): Promise<LeaveView> {
    const l = await this.d.leaves.get(id);
    if (!l) throw new HttpError(404, `Leave ${id} does not exist`);
    return l;
  }

  private async checkLeave(personId: number, from: string, to: string, exceptId?: number) {
    const problem = rangeProblem(from, to);
    if (problem) throw validation({ to: problem });
    const other = await this.d.leaves.overlapping(personId, from, to, exceptId);
    if (other) throw validation({ from: `This overlaps their ${other.kind} from ${other.fromDay} to ${other.toDay}; change that one instead` });
  }

  async createLeave(input: LeaveCreate, actor: Actor): Promise<{ leave: LeaveView; recompute: RecomputeOutcome }> {
    if (!(await this.d.repo.personContexts([input.personId])).length) throw validation({ personId: `Person ${input.personId} does not exist` });
    await this.checkLeave(input.personId, input.from, input.to);
    const row = await this.d.leaves.insert({ personId: input.personId, fromDay: input.from, toDay: input.to, kind: input.kind, note: input.note ?? null });
    await this.d.audit.record(actor, "create", "leave", row.id, null, { personId: row.personId, from: row.fromDay, to: row.toDay, kind: row.kind, note: row.note });
    const recompute = await this.recompute([input.personId], daysOf(input.from, input.to), actor);
    return { leave: await this.getLeave(row.id), recompute };
  }

  async updateLeave(id: number, patch: LeavePatch, actor: Actor): Promise<{ leave: LeaveView; recompute: RecomputeOutcome }> {
    const before = await this.getLeave(id);
    const from = patch.from ?? before.fromDay;
    const to = patch.to ?? before.toDay;
    await this.checkLeave(before.personId, from, to, id);
    const after = (await this.d.leaves.update(id, { fromDay: from, toDay: to, ...(patch.kind ? { kind: patch.kind } : {}), ...(patch.note !== undefined ? { note: patch.note } : {}) }))!;
    await this.d.audit.record(actor, "update", "leave", id, { from: before.fromDay, to: before.toDay, kind: before.kind, note: before.note }, { from: after.fromDay, to: after.toDay, kind: after.kind, note: after.note });
    const recompute = await this.recompute([before.personId], [...daysOf(before.fromDay, before.toDay), ...daysOf(from, to)], actor);
    return { leave: await this.getLeave(id), recompute };
  }

  async deleteLeave(id: number, actor: Actor): Promise<RecomputeOutcome> {
    const before = await this.getLeave(id);
    await this.d.leaves.delete(id);
    await this.d.audit.record(actor, "delete", "leave", id, { personId: before.personId, from: before.fromDay, to: before.toDay, kind: before.kind, note: before.note }, null);
    return this.recompute([before.personId], daysOf(before.fromDay, before.toDay), actor);
  }
}
