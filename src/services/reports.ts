import ExcelJS from "exceljs";
import { z } from "zod";
import type { ReportPeopleFilter, ReportsRepo, SheetRow, SummaryRow, TrendRow } from "../db/repos/attendance";
import type { PersonView } from "../db/repos/people";
import { arrivalsHistogram, WEEKDAY_NAMES, type AttendanceStatus, type Histogram } from "../domain/attendance";
import { ATTENDANCE_STATUSES, daysOf, hours, isAttendanceStatus, punchLabel, punchLabeller, rangeProblem, STATUS_CODES } from "../domain/attendance/report";
import { csvRow } from "../domain/csv";
import { weekday } from "../domain/time";
import { dayString, MAX_ID } from "./schemas";
import { HttpError } from "../lib/http";
import type { PeopleService } from "./people";

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

/** 422 with a clear message when the range is backwards, not real dates, or longer than a year. */
export function checkRange(from: string, to: string): void {
  const problem = rangeProblem(from, to);
  if (problem) throw new HttpError(422, problem, { fields: { to: problem } });
}

// ---------------------------------------------------------------- shapes

export interface DailyReport {
  date: string;
  rows: SheetRow[];
  counts: Record<AttendanceStatus | "not_computed", number>;
  arrivals: Histogram;
}

export interface TimesheetDay {
  day: string;
  weekday: string;
  status: AttendanceStatus | null;
  firstIn: Date | null;
  lastOut: Date | null;
  workedMinutes: number;
  lateMinutes: number;
  earlyMinutes: number;
  overtimeMinutes: number;
  flags: string[];
}

export interface Totals {
  workedMinutes: number;
  overtimeMinutes: number;
  lateMinutes: number;
  earlyMinutes: number;
  present: number;
  late: number;
  absent: number;
  onLeave: number;
  holiday: number;
  incomplete: number;
}

export interface Timesheet {
  person: PersonView;
  from: string;
  to: string;
  days: TimesheetDay[];
  totals: Totals;
}

export interface Summary {
  from: string;
  to: string;
  department: { id: number; name: string } | null;
  rows: SummaryRow[];
  totals: SummaryRow;
  trend: TrendRow[];
}

export interface Matrix {
  from: string;
  to: string;
  days: string[];
  people: { id: number; name: string; employeeCode: string; departmentName: string | null; codes: string[]; statuses: (AttendanceStatus | null)[] }[];
  total: number;
  limit: number;
  offset: number;
}

/** A report as a plain table, for CSV and XLSX. */
export interface ReportTable {
  /** File name without extension, and the worksheet's name. */
  name: string;
  columns: { header: string; width?: number }[];
  rows: (string | number | null)[][];
}

/** A page size that holds every person of a site (exports list everyone). */
const EVERYONE = 1_000_000;

/** The value, or null when the lookup answered 404. */
function unless404<T>(p: Promise<T>): Promise<T | null> {
  return p.catch((e) => {
    if (e instanceof HttpError && e.status === 404) return null;
    throw e;
  });
}

const flagsOf = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
const statusOf = (s: string | null): AttendanceStatus | null => (s && isAttendanceStatus(s) ? s : null);

function emptyTotals(): Totals {
  return { workedMinutes: 0, overtimeMinutes: 0, lateMinutes: 0, earlyMinutes: 0, present: 0, late: 0, absent: 0, onLeave: 0, holiday: 0, incomplete: 0 };
}

function addTo(t: Totals, status: AttendanceStatus | null, r: { workedMinutes: number; overtimeMinutes: number; lateMinutes: number; earlyMinutes: number }) {
  t.workedMinutes += r.workedMinutes;
  t.overtimeMinutes += r.overtimeMinutes;
  t.lateMinutes += r.lateMinutes;
  t.earlyMinutes += r.earlyMinutes;
  if (status === "present" || status === "late") t.present++;
  if (status === "late") t.late++;
  if (status === "absent") t.absent++;
  if (status === "on_leave") t.onLeave++;
  if (status === "holiday") t.holiday++;
  if (status === "incomplete") t.incomplete++;
}

/** Attendance reports, read from the stored daily statuses; exports as CSV and XLSX. */
export class ReportsService {
  constructor(
    private readonly repo: ReportsRepo,
    private readonly people: PeopleService,
    readonly tz: string,
  ) {}

  private async department(id: number): Promise<{ id: number; name: string } | null> {
    const d = await unless404(this.people.getDepartment(id));
    return d && { id: d.id, name: d.name };
  }

  /** 422 when a filter names a department or person that does not exist. */
  private async checkFilter(f: ReportPeopleFilter): Promise<void> {
    const fields: Record<string, string> = {};
    if (f.departmentId !== undefined && !(await this.department(f.departmentId))) fields.departmentId = `Department ${f.departmentId} does not exist`;
    if (f.personId !== undefined && !(await unless404(this.people.get(f.personId)))) fields.personId = `Person ${f.personId} does not exist`;
    if (Object.keys(fields).length) throw new HttpError(422, Object.values(fields).join("; "), { fields });
  }

  /** Everyone's status on one day, counts per status and arrivals per 15 minutes. */
  async daily(date: string, f: ReportPeopleFilter = {}): Promise<DailyReport> {
    await this.checkFilter(f);
    const rows = await this.repo.sheet(date, f);
    const counts = Object.fromEntries([...ATTENDANCE_STATUSES, "not_computed"].map((s) => [s, 0])) as DailyReport["counts"];
    for (const r of rows) counts[statusOf(r.status) ?? "not_computed"]++;
    const arrivals = arrivalsHistogram(
      rows.flatMap((r) => (r.firstIn ? [r.firstIn] : [])),
      date,
      this.tz,
      15,
    );
    return { date, rows, counts, arrivals };
  }

  /** One person's days over a range (every day listed, uncomputed ones without a status). */
  async timesheet(personId: number, from: string, to: string): Promise<Timesheet> {
    checkRange(from, to);
    const person = await this.people.get(personId);
    const stored = new Map((await this.repo.personDays(personId, from, to)).map((r) => [r.day, r]));
    const totals = emptyTotals();
    const days = daysOf(from, to).map((day): TimesheetDay => {
      const r = stored.get(day);
      const status = statusOf(r?.status ?? null);
      const d: TimesheetDay = {
        day,
        weekday: WEEKDAY_NAMES[weekday(day)]!,
        status,
        firstIn: r?.firstIn ?? null,
        lastOut: r?.lastOut ?? null,
        workedMinutes: r?.workedMinutes ?? 0,
        lateMinutes: r?.lateMinutes ?? 0,
        earlyMinutes: r?.earlyMinutes ?? 0,
        overtimeMinutes: r?.overtimeMinutes ?? 0,
        flags: flagsOf(r?.flags),
      };
      addTo(totals, status, d);
      return d;
    });
    return { person, from, to, days, totals };
  }

  /** Sums per department over a range, or per person of one department; with the daily trend. */
  async summary(from: string, to: string, departmentId?: number): Promise<Summary> {
    checkRange(from, to);
    await this.checkFilter({ departmentId });
    const department = departmentId === undefined ? null : await this.department(departmentId);
    const [rows, trend] = await Promise.all([
      departmentId === undefined ? this.repo.summaryByDepartment(from, to) : this.repo.summaryByPerson(departmentId, from, to),
      this.repo.trend(from, to, { departmentId }),
    ]);
    const totals: SummaryRow = { key: null, label: "Total", code: null, people: 0, days: 0, present: 0, late: 0, absent: 0, onLeave: 0, holiday: 0, incomplete: 0, workedMinutes: 0, lateMinutes: 0, earlyMinutes: 0, overtimeMinutes: 0 };
    for (const r of rows)
      for (const k of ["people", "days", "present", "late", "absent", "onLeave", "holiday", "incomplete", "workedMinutes", "lateMinutes", "earlyMinutes", "overtimeMinutes"] as const) totals[k] += r[k];
    return { from, to, department, rows, totals, trend };
  }

  /** People × days with one-letter status codes, a page of people at a time. */
  async matrix(from: string, to: string, f: ReportPeopleFilter, limit: number, offset: number): Promise<Matrix> {
    checkRange(from, to);
    await this.checkFilter(f);
    const days = daysOf(from, to);
    const index = new Map(days.map((d, i) => [d, i]));
    const page = await this.repo.matrixPeople(from, to, f, limit, offset);
    const statuses = await this.repo.statusesOf(
      page.rows.map((p) => p.id),
      from,
      to,
    );
    const byPerson = new Map<number, (AttendanceStatus | null)[]>(page.rows.map((p) => [p.id, days.map(() => null)]));
    for (const s of statuses) byPerson.get(s.personId)![index.get(s.day)!] = statusOf(s.status);
    return {
      from,
      to,
      days,
      people: page.rows.map((p) => {
        const st = byPerson.get(p.id)!;
        return { ...p, statuses: st, codes: st.map((s) => (s ? STATUS_CODES[s] : "")) };
      }),
      total: page.total,
      limit,
      offset,
    };
  }

  // ------------------------------------------------------------ tables for export

  dailyTable(r: DailyReport): ReportTable {
    const punch = punchLabeller(r.date, this.tz);
    return {
      name: `daily-${r.date}`,
      columns: [
        { header: "Employee code", width: 14 },
        { header: "Name", width: 28 },
        { header: "Department", width: 20 },
        { header: "Status", width: 12 },
        { header: "First in", width: 10 },
        { header: "Last out", width: 10 },
        { header: "Worked hours", width: 12 },
        { header: "Late minutes", width: 12 },
        { header: "Early minutes", width: 12 },
        { header: "Overtime hours", width: 14 },
        { header: "Flags", width: 24 },
      ],
      rows: r.rows.map((x) => [
        x.employeeCode,
        x.name,
        x.departmentName,
        x.status ?? "",
        punch(x.firstIn),
        punch(x.lastOut),
        hours(x.workedMinutes ?? 0),
        x.lateMinutes ?? 0,
        x.earlyMinutes ?? 0,
        hours(x.overtimeMinutes ?? 0),
        flagsOf(x.flags).join(" "),
      ]),
    };
  }

  timesheetTable(t: Timesheet): ReportTable {
    const tot = t.totals;
    return {
      name: `timesheet-${t.person.employeeCode.replace(/[^A-Za-z0-9._-]/g, "_")}-${t.from}-${t.to}`,
      columns: [
        { header: "Day", width: 12 },
        { header: "Weekday", width: 11 },
        { header: "Status", width: 12 },
        { header: "First in", width: 10 },
        { header: "Last out", width: 10 },
        { header: "Worked hours", width: 12 },
        { header: "Late minutes", width: 12 },
        { header: "Early minutes", width: 12 },
        { header: "Overtime hours", width: 14 },
        { header: "Flags", width: 24 },
      ],
      rows: [
        ...t.days.map((d) => [d.day, d.weekday, d.status ?? "", punchLabel(d.firstIn, d.day, this.tz), punchLabel(d.lastOut, d.day, this.tz), hours(d.workedMinutes), d.lateMinutes, d.earlyMinutes, hours(d.overtimeMinutes), d.flags.join(" ")]),
        ["Total", "", `${tot.present} present, ${tot.absent} absent`, "", "", hours(tot.workedMinutes), tot.lateMinutes, tot.earlyMinutes, hours(tot.overtimeMinutes), ""],
      ],
    };
  }

  summaryTable(s: Summary): ReportTable {
    const byPerson = s.department !== null;
    const row = (r: SummaryRow) => [
      r.label ?? (byPerson ? "" : "No department"),
      ...(byPerson ? [r.code ?? ""] : [r.people]),
      r.days,
      r.present,
      r.late,
      r.absent,
      r.onLeave,
      r.holiday,
      r.incomplete,
      hours(r.workedMinutes),
      r.lateMinutes,
      r.earlyMinutes,
      hours(r.overtimeMinutes),
    ];
    return {
      name: `summary-${s.department ? s.department.name.replace(/[^A-Za-z0-9._-]/g, "_") + "-" : ""}${s.from}-${s.to}`,
      columns: [
        { header: byPerson ? "Name" : "Department", width: 28 },
        byPerson ? { header: "Employee code", width: 14 } : { header: "People", width: 8 },
        { header: "Days", width: 8 },
        { header: "Present", width: 9 },
        { header: "Late", width: 7 },
        { header: "Absent", width: 8 },
        { header: "On leave", width: 9 },
        { header: "Holiday", width: 9 },
        { header: "Incomplete", width: 11 },
        { header: "Worked hours", width: 13 },
        { header: "Late minutes", width: 12 },
        { header: "Early minutes", width: 13 },
        { header: "Overtime hours", width: 14 },
      ],
      rows: [...s.rows.map(row), row(s.totals)],
    };
  }

  /** Every matching person's matrix (one page as large as any site). */
  async matrixTable(from: string, to: string, f: ReportPeopleFilter): Promise<ReportTable> {
    const m = await this.matrix(from, to, f, EVERYONE, 0);
    return {
      name: `matrix-${from}-${to}`,
      columns: [{ header: "Employee code", width: 14 }, { header: "Name", width: 28 }, { header: "Department", width: 20 }, ...m.days.map((d) => ({ header: d, width: 4 }))],
      rows: m.people.map((p) => [p.employeeCode, p.name, p.departmentName, ...p.codes]),
    };
  }

  csv(t: ReportTable): string {
    return csvRow(t.columns.map((c) => c.header)) + t.rows.map((r) => csvRow(r)).join("");
  }

  async xlsx(t: ReportTable): Promise<Uint8Array> {
    const wb = new ExcelJS.Workbook();
    wb.creator = "Clockface";
    // Worksheet names: at most 31 characters, none of : \ / ? * [ ].
    const ws = wb.addWorksheet(t.name.replace(/[:\\/?*[\]]/g, "_").slice(0, 31), { views: [{ state: "frozen", ySplit: 1 }] });
    ws.columns = t.columns.map((c) => ({ header: c.header, width: c.width ?? 12 }));
    ws.getRow(1).font = { bold: true };
    ws.addRows(t.rows);
    return new Uint8Array(await wb.xlsx.writeBuffer());
  }
}

// ---------------------------------------------------------------- JSON

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

const totalsSchema = z.object({
  workedMinutes: z.number().int(),
  overtimeMinutes: z.number().int(),
  lateMinutes: z.number().int(),
  earlyMinutes: z.number().int(),
  present: z.number().int(),
  late: z.number().int(),
  absent: z.number().int(),
  onLeave: z.number().int(),
  holiday: z.number().int(),
  incomplete: z.number().int(),
});

export const timesheetSchema = z.object({
  person: z.object({ id: z.number().int(), name: z.string(), employeeCode: z.string(), departmentName: z.string().nullable() }),
  from: z.string(),
  to: z.string(),
  totals: totalsSchema,
  days: z.array(z.object({ day: z.string(), weekday: z.string(), ...dayFields })),
});

const summaryRowSchema = z.object({
  id: z.number().int().nullable().describe("Department id (or person id when broken down by person); null = no department"),
  name: z.string().nullable(),
  employeeCode: z.string().nullable(),
  people: z.number().int(),
  days: z.number().int(),
  present: z.number().int(),
  late: z.number().int(),
  absent: z.number().int(),
  onLeave: z.number().int(),
  holiday: z.number().int(),
  incomplete: z.number().int(),
  workedMinutes: z.number().int(),
  lateMinutes: z.number().int(),
  earlyMinutes: z.number().int(),
  overtimeMinutes: z.number().int(),
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

export function dailyJson(r: DailyReport): z.infer<typeof dailyReportSchema> {
  return {
    date: r.date,
    counts: r.counts,
    rows: r.rows.map((x) => ({
      personId: x.personId,
      name: x.name,
      employeeCode: x.employeeCode,
      departmentName: x.departmentName,
      status: statusOf(x.status),
      firstIn: iso(x.firstIn),
      lastOut: iso(x.lastOut),
      workedMinutes: x.workedMinutes ?? 0,
      lateMinutes: x.lateMinutes ?? 0,
      earlyMinutes: x.earlyMinutes ?? 0,
      overtimeMinutes: x.overtimeMinutes ?? 0,
      flags: flagsOf(x.flags),
    })),
  };
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
