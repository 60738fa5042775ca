/**
 * Work schedules: the weekly pattern stored in `schedules.pattern`, its validation, which schedule
 * applies to a person, and the real instants a day's shift covers in the site time zone.
 */
import { addDays, parseClock, weekday, zonedInstant } from "../time";

/** One day's shift as wall-clock times "HH:MM". `end` ≤ `start` means it ends on the next day. */
export interface Shift {
  start: string;
  end: string;
}

/** Index = weekday() of src/domain/time (0 = Sunday … 6 = Saturday); null = day off. */
export type WeeklyPattern = [Shift | null, Shift | null, Shift | null, Shift | null, Shift | null, Shift | null, Shift | null];

/** Mirrors the `schedules` table (minus id, name and timestamps). */
export interface Schedule {
  pattern: WeeklyPattern;
  graceMinutes: number;
  breakMinutes: number;
  minHours: number;
  autoCheckoutMinutes: number | null;
}

/** A span of real time, `start` inclusive, `end` exclusive. */
export interface TimeWindow {
  start: Date;
  end: Date;
}

/** `path` uses the dotted form of src/lib/http fieldErrors ("pattern.1.start", "graceMinutes"). */
export interface FieldError {
  path: string;
  message: string;
}

export const WEEKDAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"] as const;
export const MAX_GRACE_MINUTES = 240;
export const MAX_BREAK_MINUTES = 600;
export const MAX_AUTO_CHECKOUT_MINUTES = 1440;

const DAY = 1440;

/**
 * Nominal shift in minutes after midnight of its own day: `end` is moved to the next day (+1440)
 * when it is not after `start`, so `end − start` is the wall-clock length, 1 … 1439 minutes.
 * Callers must rule out start == end first.
 */
function shiftMinutes(shift: Shift): { start: number; end: number } {
  const start = parseClock(shift.start);
  const end = parseClock(shift.end);
  return { start, end: end <= start ? end + DAY : end };
}

function formatMinutes(m: number): string {
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function isClock(v: unknown): v is string {
  if (typeof v !== "string") return false;
  try {
    parseClock(v);
    return true;
  } catch {
    return false;
  }
}

/** Whole-number field within [0, max]; returns the error message or null. */
function checkMinutes(v: unknown, label: string, max: number): string | null {
  if (typeof v !== "number" || !Number.isInteger(v)) return `${label} must be a whole number of minutes`;
  if (v < 0) return `${label} cannot be negative`;
  if (v > max) return `${label} cannot be more than ${max} minutes`;
  return null;
}

/**
 * Checks a schedule as it comes from a form or the API (anything); an empty list means it is a valid
 * `Schedule`. Shift lengths are nominal wall-clock lengths: a shift is always shorter than 24 h because
 * both ends are times of day and start == end is refused, so no separate "longer than 24 h" check exists.
 */
export function validateSchedule(input: unknown): FieldError[] {
  if (!isRecord(input)) return [{ path: "_", message: "A schedule must be an object" }];
  const errors: FieldError[] = [];
  const add = (path: string, message: string | null) => {
    if (message) errors.push({ path, message });
  };

  add("graceMinutes", checkMinutes(input.graceMinutes, "Grace", MAX_GRACE_MINUTES));
  const breakError = checkMinutes(input.breakMinutes, "Break", MAX_BREAK_MINUTES);
  add("breakMinutes", breakError);
  const mh = input.minHours;
  if (typeof mh !== "number" || !Number.isFinite(mh)) add("minHours", "Minimum hours must be a number");
  else if (mh < 0 || mh > 24) add("minHours", "Minimum hours must be between 0 and 24");
  if (input.autoCheckoutMinutes !== null) add("autoCheckoutMinutes", checkMinutes(input.autoCheckoutMinutes, "Automatic check-out delay", MAX_AUTO_CHECKOUT_MINUTES));

  const pattern = input.pattern;
  if (!Array.isArray(pattern) || pattern.length !== 7) {
    add("pattern", "The weekly pattern needs exactly 7 days, Sunday to Saturday");
    return errors;
  }
  // Valid shifts by weekday, in minutes after midnight of their own day.
  const shifts: ({ start: number; end: number } | null)[] = [];
  pattern.forEach((day: unknown, i: number) => {
    shifts[i] = null;
    const name = WEEKDAY_NAMES[i]!;
    if (day === null) return;
    if (!isRecord(day)) return add(`pattern.${i}`, `${name} must have a start and an end, or be a day off`);
    let ok = true;
    for (const field of ["start", "end"] as const) {
      if (!isClock(day[field])) {
        ok = false;
        add(`pattern.${i}.${field}`, `${name} ${field} ${JSON.stringify(day[field] ?? "")} is not a time of day as HH:MM (00:00 to 23:59)`);
      }
    }
    if (!ok) return;
    const shift = { start: day.start as string, end: day.end as string };
    if (shift.start === shift.end) {
      return add(`pattern.${i}.end`, `${name} starts and ends at ${shift.start}; a shift needs a length (an end before the start means an overnight shift)`);
    }
    const m = shiftMinutes(shift);
    shifts[i] = m;
    if (!breakError && (input.breakMinutes as number) >= m.end - m.start) {
      add("breakMinutes", `The ${input.breakMinutes as number}-minute break is not shorter than the ${formatMinutes(m.end - m.start)} shift on ${name}`);
    }
  });

  // Only an overnight shift can reach into the next day, and only into that one (shifts are < 24 h).
  // Saturday's shift runs into Sunday, hence the wrap-around.
  for (let i = 0; i < 7; i++) {
    const a = shifts[i];
    const next = (i + 1) % 7;
    const b = shifts[next];
    if (a && b && a.end > DAY + b.start) {
      add(
        `pattern.${next}.start`,
        `${WEEKDAY_NAMES[next]}'s shift starts at ${pattern[next].start}, before ${WEEKDAY_NAMES[i]}'s overnight shift ends at ${pattern[i].end}`,
      );
    }
  }
  return errors;
}

/** The schedule that applies to a person: their own override, else their department's, else none. */
export function resolveSchedule(departmentSchedule: Schedule | null | undefined, personOverride: Schedule | null | undefined): Schedule | null {
  return personOverride ?? departmentSchedule ?? null;
}

/**
 * The real instants of the shift that starts on `day` (site-local), or null on a day off or without a
 * schedule. Each end is placed with the zone's offset at that moment, so a 22:00–06:00 shift lasts
 * 7 h across a spring-forward night and 9 h across a fall-back night.
 */
export function shiftWindow(day: string, schedule: Schedule | null, tz: string): TimeWindow | null {
  const shift = schedule?.pattern[weekday(day)];
  if (!shift) return null;
  const start = parseClock(shift.start);
  const end = parseClock(shift.end);
  return {
    start: zonedInstant(day, start, tz),
    end: zonedInstant(end <= start ? addDays(day, 1) : day, end, tz),
  };
}
