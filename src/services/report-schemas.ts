/** The report API's query schemas, response schemas and JSON mappers (the service's shapes → JSON). */
import { z } from "zod";
import type { AttendanceStatus } from "../domain/attendance";
import { ATTENDANCE_STATUSES, STATUS_CODES } from "../domain/attendance/report";
import type { DailyReport, Matrix, Summary, SummaryRow, Timesheet } from "../domain/reports/model";
import { dayString, MAX_ID } from "./schemas";

// ---------------------------------------------------------------- queries

const emptyToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const day = (what: string) => dayString(what, `Give the ${what} as a real date YYYY-MM-DD`, `Give the ${what} as YYYY-MM-DD`);
const optionalId = (what: string) => z.preprocess(emptyToUndefined, z.coerce.number({ error: `${what} must be a number` }).int(`${what} must be a whole number`).positive(`${what} must be positive`).max(MAX_ID, `No such ${what.replace(/Id$/, "")}`).optional());

export const dailyQuerySchema = z.object({
  date: day("date").describe("The day, YYYY-MM-DD (site time zone)"),
  departmentId: optionalId("departmentId").describe("Only this department"),
  personId: optionalId("personId").describe("Only this person"),
});
export const timesheetQuerySchema = z.object({
  personId: z.coerce.number({ error: "personId must be a number" }).int("personId must be a whole number").positive("personId must be positive").max(MAX_ID, "No such person"),
  from: day("start date"),
  to: day("end date"),
});
export const summaryQuerySchema = z.object({
  departmentId: optionalId("departmentId").describe("One department, broken down by person; absent = every department"),
  from: day("start date"),
  to: day("end date"),
});
export const matrixQuerySchema = z.object({
  departmentId: optionalId("departmentId"),
  personId: optionalId("personId"),
  from: day("start date"),
  to: day("end date"),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0),
});

// ---------------------------------------------------------------- responses

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const statusEnum = z.enum(ATTENDANCE_STATUSES as [AttendanceStatus, ...AttendanceStatus[]]);

const dayFields = {
  status: statusEnum.nullable().describe("null when the day was never computed"),
  firstIn: z.string().nullable(),
  lastOut: z.string().nullable(),
  workedMinutes: z.number().int(),
  lateMinutes: z.number().int(),
  earlyMinutes: z.number().int(),
  overtimeMinutes: z.number().int(),
  flags: z.array(z.string()),
};

export const dailyReportSchema = z.object({
  date: z.string(),
  counts: z.record(z.string(), z.number().int()),
  rows: z.array(z.object({ personId: z.number().int(), name: z.string(), employeeCode: z.string(), departmentName: z.string().nullable(), ...dayFields })),
});

const int = () => z.number().int();
/** Days per status and minute sums over a range: a timesheet's totals, a summary row's figures. */
const rangeSums = {
  workedMinutes: int(),
  overtimeMinutes: int(),
  lateMinutes: int(),
  earlyMinutes: int(),
  present: int(),
  late: int(),
  absent: int(),
  onLeave: int(),
  holiday: int(),
  incomplete: int(),
};

export const timesheetSchema = z.object({
  person: z.object({ id: z.number().int(), name: z.string(), employeeCode: z.string(), departmentName: z.string().nullable() }),
  from: z.string(),
  to: z.string(),
  totals: z.object(rangeSums),
  days: z.array(z.object({ day: z.string(), weekday: z.string(), ...dayFields })),
});

const summaryRowSchema = z.object({
  id: z.number().int().nullable().describe("Department id (or person id when broken down by person); null = no department"),
  name: z.string().nullable(),
  employeeCode: z.string().nullable(),
  people: int(),
  days: int(),
  ...rangeSums,
});

export const summarySchema = z.object({
  from: z.string(),
  to: z.string(),
  department: z.object({ id: z.number().int(), name: z.string() }).nullable(),
  rows: z.array(summaryRowSchema),
  totals: summaryRowSchema,
  trend: z.array(z.object({ day: z.string(), people: z.number().int(), present: z.number().int(), late: z.number().int(), absent: z.number().int(), lateMinutes: z.number().int(), workedMinutes: z.number().int() })),
});

export const matrixSchema = z.object({
  from: z.string(),
  to: z.string(),
  days: z.array(z.string()),
  codes: z.record(z.string(), z.string()).describe("Status → one-letter code"),
  people: z.array(z.object({ id: z.number().int(), name: z.string(), employeeCode: z.string(), departmentName: z.string().nullable(), codes: z.array(z.string()).describe("One code per day; empty = not computed") })),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});

// ---------------------------------------------------------------- mappers

export function dailyJson(r: DailyReport): z.infer<typeof dailyReportSchema> {
  return { date: r.date, counts: r.counts, rows: r.rows.map((x) => ({ ...x, firstIn: iso(x.firstIn), lastOut: iso(x.lastOut) })) };
}

export function timesheetJson(t: Timesheet): z.infer<typeof timesheetSchema> {
  return {
    person: { id: t.person.id, name: t.person.name, employeeCode: t.person.employeeCode, departmentName: t.person.departmentName },
    from: t.from,
    to: t.to,
    totals: t.totals,
    days: t.days.map((d) => ({ ...d, firstIn: iso(d.firstIn), lastOut: iso(d.lastOut) })),
  };
}

function summaryRowJson(r: SummaryRow): z.infer<typeof summaryRowSchema> {
  const { key, label, code, ...sums } = r;
  return { id: key, name: label, employeeCode: code, ...sums };
}

export function summaryJson(s: Summary): z.infer<typeof summarySchema> {
  return { from: s.from, to: s.to, department: s.department, rows: s.rows.map(summaryRowJson), totals: summaryRowJson(s.totals), trend: s.trend };
}

export function matrixJson(m: Matrix): z.infer<typeof matrixSchema> {
  return {
    from: m.from,
    to: m.to,
    days: m.days,
    codes: STATUS_CODES,
    people: m.people.map(({ id, name, employeeCode, departmentName, codes }) => ({ id, name, employeeCode, departmentName, codes })),
    total: m.total,
    limit: m.limit,
    offset: m.offset,
  };
}
