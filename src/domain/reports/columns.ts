/**
 * The columns of each report, declared once: id, header, kind, value and (when the report has a totals
 * row) the total. The page's table, the CSV, the XLSX and the totals row are all drawn from these, so
 * screen and export cannot disagree on what a report holds.
 */
import { hours, punchLabel, punchLabeller, STATUS_CODES } from "../attendance/report";
import type { AttendanceStatus } from "../attendance";
import type { DailyRow, DayFigures, MatrixPerson, SummaryRow, TimesheetDay, Totals } from "./model";

/**
 * How a value is kept and shown:
 * text / punch: a string; count: a number; minutes: whole minutes; hours: minutes shown as hours
 * (h:mm on the page, decimal hours in files); status: a day's status, or a sentence in a totals row;
 * flags: the day's flags; day: one day's status of the matrix (its one-letter code in files).
 */
export type ColumnKind = "text" | "punch" | "count" | "minutes" | "hours" | "status" | "flags" | "day";

export type Cell = string | number | null | readonly string[];

export interface Column<R, T = never> {
  id: string;
  header: string;
  kind: ColumnKind;
  /** Width in the XLSX sheet (characters). */
  width: number;
  value: (row: R) => Cell;
  /** The cell of the totals row; a column without one leaves it empty. */
  total?: (totals: T) => Cell;
}

/** A cell as CSV and XLSX hold it: numbers stay numbers, hours become decimal hours. */
export function exportCell(kind: ColumnKind, v: Cell): string | number | null {
  if (typeof v === "object" && v !== null) return v.join(" ");
  if (kind === "hours" && typeof v === "number") return hours(v);
  if (kind === "day") return v ? STATUS_CODES[v as AttendanceStatus] : "";
  if (kind === "status") return v ?? "";
  return v;
}

/** The header and rows (totals row last, when the report has one) of a report as files hold them. */
export function exportRows<R, T>(columns: Column<R, T>[], rows: R[], totals?: T): (string | number | null)[][] {
  const body = rows.map((r) => columns.map((c) => exportCell(c.kind, c.value(r))));
  if (totals === undefined) return body;
  return [...body, columns.map((c) => (c.total ? exportCell(c.kind, c.total(totals)) : ""))];
}

const name: Column<{ name: string }> = { id: "name", header: "Name", kind: "text", width: 28, value: (r) => r.name };
const code: Column<{ employeeCode: string }> = { id: "employeeCode", header: "Employee code", kind: "text", width: 14, value: (r) => r.employeeCode };
const department: Column<{ departmentName: string | null }> = { id: "department", header: "Department", kind: "text", width: 20, value: (r) => r.departmentName };

type DaySums = Pick<Totals, "workedMinutes" | "lateMinutes" | "earlyMinutes" | "overtimeMinutes">;

/**
 * Status, punches, minutes and flags of one person's day: the daily sheet's and the timesheet's.
 * With `statusTotal` the report has a totals row: that sentence under the status, sums under the minutes.
 */
function dayColumns<R extends DayFigures, T extends DaySums>(punch: (r: R, which: "firstIn" | "lastOut") => string, statusTotal?: (t: T) => string): Column<R, T>[] {
  const total = (get: (t: T) => Cell) => (statusTotal ? { total: get } : {});
  return [
    { id: "status", header: "Status", kind: "status", width: 12, value: (r) => r.status, ...(statusTotal && { total: statusTotal }) },
    { id: "firstIn", header: "First in", kind: "punch", width: 10, value: (r) => punch(r, "firstIn") },
    { id: "lastOut", header: "Last out", kind: "punch", width: 10, value: (r) => punch(r, "lastOut") },
    { id: "worked", header: "Worked hours", kind: "hours", width: 12, value: (r) => r.workedMinutes, ...total((t) => t.workedMinutes) },
    { id: "late", header: "Late minutes", kind: "minutes", width: 12, value: (r) => r.lateMinutes, ...total((t) => t.lateMinutes) },
    { id: "early", header: "Early minutes", kind: "minutes", width: 12, value: (r) => r.earlyMinutes, ...total((t) => t.earlyMinutes) },
    { id: "overtime", header: "Overtime hours", kind: "hours", width: 14, value: (r) => r.overtimeMinutes, ...total((t) => t.overtimeMinutes) },
    { id: "flags", header: "Flags", kind: "flags", width: 24, value: (r) => r.flags },
  ];
}

/** Daily sheet: one row per person for `date`; punches in the site's zone. No totals row. */
export function dailyColumns(date: string, tz: string): Column<DailyRow>[] {
  const label = punchLabeller(date, tz);
  return [code, name, department, ...dayColumns<DailyRow, never>((r, which) => label(r[which]))];
}

/** Timesheet: one row per day of the range, and a totals row. */
export function timesheetColumns(tz: string): Column<TimesheetDay, Totals>[] {
  return [
    { id: "day", header: "Day", kind: "text", width: 12, value: (d) => d.day, total: () => "Total" },
    { id: "weekday", header: "Weekday", kind: "text", width: 11, value: (d) => d.weekday },
    ...dayColumns<TimesheetDay, Totals>(
      (d, which) => punchLabel(d[which], d.day, tz),
      (t) => `${t.present} present, ${t.absent} absent`,
    ),
  ];
}

/** Average minutes late per late day. */
const averageLate = (r: SummaryRow) => (r.late ? Math.round(r.lateMinutes / r.late) : 0);

/** Summary: one row per department, or per person of one department (`byPerson`); totals row last. */
export function summaryColumns(byPerson: boolean): Column<SummaryRow, SummaryRow>[] {
  const sum = (id: string, header: string, kind: ColumnKind, width: number, get: (r: SummaryRow) => number): Column<SummaryRow, SummaryRow> => ({ id, header, kind, width, value: get, total: get });
  return [
    { id: "name", header: byPerson ? "Name" : "Department", kind: "text", width: 28, value: (r) => r.label ?? (byPerson ? "" : "No department"), total: () => "Total" },
    byPerson ? { id: "employeeCode", header: "Employee code", kind: "text", width: 14, value: (r) => r.code ?? "", total: () => "" } : sum("people", "People", "count", 8, (r) => r.people),
    sum("days", "Days", "count", 8, (r) => r.days),
    sum("present", "Present", "count", 9, (r) => r.present),
    sum("late", "Late", "count", 7, (r) => r.late),
    sum("absent", "Absent", "count", 8, (r) => r.absent),
    sum("onLeave", "On leave", "count", 9, (r) => r.onLeave),
    sum("holiday", "Holiday", "count", 9, (r) => r.holiday),
    sum("incomplete", "Incomplete", "count", 11, (r) => r.incomplete),
    sum("worked", "Worked hours", "hours", 13, (r) => r.workedMinutes),
    sum("lateMinutes", "Late minutes", "minutes", 12, (r) => r.lateMinutes),
    sum("earlyMinutes", "Early minutes", "minutes", 13, (r) => r.earlyMinutes),
    sum("overtime", "Overtime hours", "hours", 14, (r) => r.overtimeMinutes),
    sum("averageLate", "Average late minutes", "minutes", 12, averageLate),
  ];
}

/** Matrix: one row per person, one column per day of the range. No totals row. */
export function matrixColumns(days: string[]): Column<MatrixPerson>[] {
  return [code, name, department, ...days.map((d, i): Column<MatrixPerson> => ({ id: d, header: d, kind: "day", width: 4, value: (p) => p.statuses[i] ?? null }))];
}
