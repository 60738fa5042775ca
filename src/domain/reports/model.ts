/**
 * What the attendance reports hold, as plain data: the report service fills these, the pages, the
 * exports and the JSON API read them. No database row types, no I/O.
 */
import type { AttendanceStatus, Histogram } from "../attendance";

/** What a person's stored day holds (status null: the day was never computed). */
export interface DayFigures {
  status: AttendanceStatus | null;
  firstIn: Date | null;
  lastOut: Date | null;
  workedMinutes: number;
  lateMinutes: number;
  earlyMinutes: number;
  overtimeMinutes: number;
  flags: string[];
}

/** One person's day on the daily sheet. */
export interface DailyRow extends DayFigures {
  personId: number;
  name: string;
  employeeCode: string;
  departmentName: string | null;
}

export interface DailyReport {
  date: string;
  rows: DailyRow[];
  counts: Record<AttendanceStatus | "not_computed", number>;
  arrivals: Histogram;
}

export interface TimesheetDay extends DayFigures {
  day: string;
  weekday: string;
}

/** Minute sums and days per status over a range. */
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

/** The person a timesheet is about, with what the page needs to name their schedule. */
export interface TimesheetPerson {
  id: number;
  name: string;
  employeeCode: string;
  departmentId: number | null;
  departmentName: string | null;
  scheduleId: number | null;
}

export interface Timesheet {
  person: TimesheetPerson;
  from: string;
  to: string;
  days: TimesheetDay[];
  totals: Totals;
}

/** Sums over stored statuses for one group over a range: a department (key: its id, null = no department) or a person. */
export interface SummaryRow extends Totals {
  key: number | null;
  label: string | null;
  code: string | null;
  people: number;
  days: number;
}

export interface TrendDay {
  day: string;
  people: number;
  present: number;
  late: number;
  absent: number;
  lateMinutes: number;
  workedMinutes: number;
}

export interface Summary {
  from: string;
  to: string;
  department: { id: number; name: string } | null;
  rows: SummaryRow[];
  totals: SummaryRow;
  trend: TrendDay[];
}

export interface MatrixPerson {
  id: number;
  name: string;
  employeeCode: string;
  departmentName: string | null;
  codes: string[];
  statuses: (AttendanceStatus | null)[];
}

export interface Matrix {
  from: string;
  to: string;
  days: string[];
  people: MatrixPerson[];
  total: number;
  limit: number;
  offset: number;
}
