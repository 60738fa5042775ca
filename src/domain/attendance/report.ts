/**
 * Small pure helpers for attendance reports: date-range checks, the one-letter status codes of the
 * monthly matrix, and formatting of minutes and punch times. No I/O; the zone comes in as an argument.
 */
import { addDays, daysBetween, isDay, wallTime } from "../time";
import type { AttendanceStatus } from "./daily";

/** Longest range a report or a bulk change may cover: one year, leap day included. */
export const MAX_RANGE_DAYS = 366;

/** Codes of the monthly matrix, one character each so a month fits on a printed page. */
export const STATUS_CODES: Record<AttendanceStatus, string> = {
  present: "P",
  late: "L",
  absent: "A",
  on_leave: "V",
  holiday: "H",
  day_off: "O",
  incomplete: "I",
  not_started: "N",
};

export const STATUS_LABELS: Record<AttendanceStatus, string> = {
  present: "present",
  late: "late",
  absent: "absent",
  on_leave: "on leave",
  holiday: "holiday",
  day_off: "day off",
  incomplete: "incomplete (no check-out)",
  not_started: "not started yet",
};

export const ATTENDANCE_STATUSES = Object.keys(STATUS_CODES) as AttendanceStatus[];

/** A person's day as the daily sheet and the dashboard show it: its stored status, or none yet. */
export type DayState = AttendanceStatus | "not_computed";

/** The one wording of each state, shared by the daily sheet, the dashboard and the matrix. */
export const DAY_STATE_LABELS: Record<DayState, string> = { ...STATUS_LABELS, not_computed: "no status yet" };

export function isAttendanceStatus(s: string): s is AttendanceStatus {
  return s in STATUS_CODES;
}

/**
 * Checks an inclusive day range "from … to": both real days, from ≤ to, at most `maxDays` days.
 * Returns the problem as a sentence, or null when the range is fine.
 */
export function rangeProblem(from: string, to: string, maxDays = MAX_RANGE_DAYS): string | null {
  if (!isDay(from)) return `The start date ${JSON.stringify(from)} is not a date as YYYY-MM-DD`;
  if (!isDay(to)) return `The end date ${JSON.stringify(to)} is not a date as YYYY-MM-DD`;
  const days = daysBetween(from, to) + 1;
  if (days < 1) return `The start date ${from} is after the end date ${to}`;
  if (days > maxDays) return `The range ${from} to ${to} covers ${days} days; at most ${maxDays} days (one year) are allowed`;
  return null;
}

/** Every day of the inclusive range, in order. */
export function daysOf(from: string, to: string): string[] {
  const n = daysBetween(from, to) + 1;
  return Array.from({ length: Math.max(0, n) }, (_, i) => addDays(from, i));
}

/** Whole minutes as "h:mm" (450 → "7:30"); 0 → "0:00". */
export function hhmm(minutes: number): string {
  const m = Math.max(0, Math.round(minutes));
  return `${Math.floor(m / 60)}:${String(m % 60).padStart(2, "0")}`;
}

/** Minutes as decimal hours with two places (for spreadsheets that sum them). */
export function hours(minutes: number): number {
  return Math.round((minutes / 60) * 100) / 100;
}

/**
 * A punch time for a row of `day`: "HH:MM" site-local, with " +1d" (or "-1d") when it falls on another
 * calendar day, as the check-out of a night shift does.
 */
export function punchLabel(instant: Date | null, day: string, tz: string): string {
  if (!instant) return "";
  // One time-zone conversion gives both the calendar day and the clock (reports show thousands).
  const w = wallTime(instant, tz);
  const pad = (n: number) => String(n).padStart(2, "0");
  const clock = `${pad(w.hour)}:${pad(w.minute)}`;
  const shift = daysBetween(day, `${String(w.year).padStart(4, "0")}-${pad(w.month)}-${pad(w.day)}`);
  return shift === 0 ? clock : `${clock} ${shift > 0 ? "+" : ""}${shift}d`;
}

/**
 * punchLabel for the many punches of one day (a daily sheet): each distinct minute is converted once.
 * Whole minutes of UTC are whole minutes of every current zone, so the label only depends on the minute.
 */
export function punchLabeller(day: string, tz: string): (instant: Date | null) => string {
  const memo = new Map<number, string>();
  return (instant) => {
    if (!instant) return "";
    const minute = Math.floor(instant.getTime() / 60000);
    let label = memo.get(minute);
    if (label === undefined) memo.set(minute, (label = punchLabel(instant, day, tz)));
    return label;
  };
}
