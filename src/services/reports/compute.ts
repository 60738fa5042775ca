import type { ReportPeopleFilter, ReportsRepo, SheetRow } from "../../db/repos/attendance";
import { arrivalsHistogram, WEEKDAY_NAMES, type AttendanceStatus } from "../../domain/attendance";
import { ATTENDANCE_STATUSES, daysOf, isAttendanceStatus, rangeProblem, STATUS_CODES } from "../../domain/attendance/report";
import type { DailyReport, DailyRow, Matrix, Summary, SummaryRow, Timesheet, TimesheetDay, Totals } from "../../domain/reports/model";
import { weekday } from "../../domain/time";
import { HttpError } from "../../lib/http";
import type { PeopleService } from "../people";

/** 422 with a clear message when the range is backwards, not real dates, or longer than a year. */
export function checkRange(from: string, to: string): void {
  const problem = rangeProblem(from, to);
  if (problem) throw new HttpError(422, problem, { fields: { to: problem } });
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

function dailyRow(r: SheetRow): DailyRow {
  return {
    personId: r.personId,
    name: r.name,
    employeeCode: r.employeeCode,
    departmentName: r.departmentName,
    status: statusOf(r.status),
    firstIn: r.firstIn,
    lastOut: r.lastOut,
    workedMinutes: r.workedMinutes ?? 0,
    lateMinutes: r.lateMinutes ?? 0,
    earlyMinutes: r.earlyMinutes ?? 0,
    overtimeMinutes: r.overtimeMinutes ?? 0,
    flags: flagsOf(r.flags),
  };
}

function emptyTotals(): Totals {
  return { workedMinutes: 0, overtimeMinutes: 0, lateMinutes: 0, earlyMinutes: 0, present: 0, late: 0, absent: 0, onLeave: 0, holiday: 0, incomplete: 0 };
}

function addTo(t: Totals, d: TimesheetDay) {
  t.workedMinutes += d.workedMinutes;
  t.overtimeMinutes += d.overtimeMinutes;
  t.lateMinutes += d.lateMinutes;
  t.earlyMinutes += d.earlyMinutes;
  if (d.status === "present" || d.status === "late") t.present++;
  if (d.status === "late") t.late++;
  if (d.status === "absent") t.absent++;
  if (d.status === "on_leave") t.onLeave++;
  if (d.status === "holiday") t.holiday++;
  if (d.status === "incomplete") t.incomplete++;
}

/** Attendance reports, read from the stored daily statuses. */
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
    const rows = (await this.repo.sheet(date, f)).map(dailyRow);
    const counts = Object.fromEntries([...ATTENDANCE_STATUSES, "not_computed"].map((s) => [s, 0])) as DailyReport["counts"];
    for (const r of rows) counts[r.status ?? "not_computed"]++;
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
    const { id, name, employeeCode, departmentId, departmentName, scheduleId } = await this.people.get(personId);
    const stored = new Map((await this.repo.personDays(personId, from, to)).map((r) => [r.day, r]));
    const totals = emptyTotals();
    const days = daysOf(from, to).map((day): TimesheetDay => {
      const r = stored.get(day);
      const d: TimesheetDay = {
        day,
        weekday: WEEKDAY_NAMES[weekday(day)]!,
        status: statusOf(r?.status ?? null),
        firstIn: r?.firstIn ?? null,
        lastOut: r?.lastOut ?? null,
        workedMinutes: r?.workedMinutes ?? 0,
        lateMinutes: r?.lateMinutes ?? 0,
        earlyMinutes: r?.earlyMinutes ?? 0,
        overtimeMinutes: r?.overtimeMinutes ?? 0,
        flags: flagsOf(r?.flags),
      };
      addTo(totals, d);
      return d;
    });
    return { person: { id, name, employeeCode, departmentId, departmentName, scheduleId }, from, to, days, totals };
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

  /** Every matching person's matrix (one page as large as any site), for the files. */
  matrixOfEveryone(from: string, to: string, f: ReportPeopleFilter): Promise<Matrix> {
    return this.matrix(from, to, f, EVERYONE, 0);
  }
}
