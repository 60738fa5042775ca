/**
 * One person's attendance for one day, from their check-in / check-out events (maps onto `daily_status`;
 * `flags` has no column there).
 *
 * Rules, in order:
 * - Events that are voided or outside the day's attribution window (./window) are ignored, so callers
 *   may pass a superset. The rest are sorted; a run of check-ins keeps the first (the person was
 *   already in), a run of check-outs keeps the last (they left at the last one). A check-out before
 *   any check-in is dropped with the flag "unmatched_check_out". What remains alternates in/out.
 * - Each check-in with the following check-out is a pair; worked time is the sum of the pairs.
 * - A last check-in without a check-out is "in_progress" (counted up to `now`) until its deadline:
 *   shift end + autoCheckoutMinutes when an automatic check-out can apply (schedule sets it, the day
 *   has a shift, the check-in is before the shift end), else the end of the attribution window; the
 *   deadline is never later than the window end. Past the deadline it is closed at the shift end
 *   (flag "auto_checkout", lastOut = shift end) or the day is "incomplete" (only closed pairs count).
 * - Break: the schedule's break is deducted once the gross worked time exceeds BREAK_AFTER_MINUTES
 *   (6 h, as in the German Arbeitszeitgesetz). Gaps between pairs already are breaks and count against
 *   it, and it is deducted only from the time beyond 6 h, so staying longer never lowers worked time:
 *   worked = gross − clamp(break − gaps, 0, gross − 6 h).
 * - Minutes are whole elapsed minutes rounded down, from real instants (DST-correct); seconds never
 *   make anyone late or early.
 * - Late: when the first check-in is more than graceMinutes after the shift start, lateMinutes counts
 *   from the shift start (09:20 with 5 min grace is 20 late); within grace it is 0. Status "late".
 * - Early: shift end − lastOut when positive (only once the last pair is closed).
 * - Overtime: worked − (real shift length − break) when positive; the real length makes a 22:00–06:00
 *   shift 7 h or 9 h on DST nights, so working it exactly is never overtime.
 * - Holiday and leave days, and days off, expect no work: without events the status is "holiday",
 *   "on_leave" (holiday wins over leave) or "day_off"; with events it is "present", all worked time is
 *   overtime and a flag names the day ("worked_on_holiday", "worked_on_leave", "worked_on_day_off").
 * - Without any schedule ("no_schedule") nothing is expected: no lateness, no break, no overtime.
 * - A shift day without events is "not_started" until shift start + grace, then "absent".
 * - "under_min_hours": a finished present/late shift day with worked < minHours.
 * - The day a person is added (`addedAt`) counts like any other, unless they were added after shift
 *   start + grace: then they could not have been on time, so without events the day stays
 *   "not_started" (they had not started yet, never "absent"), a check-in is never late, and
 *   "under_min_hours" is not flagged.
 *
 * Which days are computed at all is `isExpectedDay`: from the day a person is added, not before.
 */
import { shiftWindow, type Schedule, type TimeWindow } from "./schedule";
import { attributionWindow } from "./window";

export type AttendanceStatus = "present" | "late" | "absent" | "on_leave" | "holiday" | "day_off" | "incomplete" | "not_started";

export type AttendanceFlag =
  | "auto_checkout"
  | "in_progress"
  | "under_min_hours"
  | "unmatched_check_out"
  | "worked_on_holiday"
  | "worked_on_leave"
  | "worked_on_day_off"
  | "no_schedule";

export interface AttendanceEvent {
  kind: "check_in" | "check_out";
  ts: Date;
  voided?: boolean;
}

export interface DailyStatusInput {
  /** Site-local day "YYYY-MM-DD" (the day the shift starts). */
  day: string;
  tz: string;
  schedule: Schedule | null;
  events: readonly AttendanceEvent[];
  holiday: boolean;
  leave: boolean;
  now: Date;
  /** When the person was added, if that was during this day; see the rules above. */
  addedAt?: Date | null;
}

export interface DailyStatus {
  status: AttendanceStatus;
  lateMinutes: number;
  earlyMinutes: number;
  workedMinutes: number;
  overtimeMinutes: number;
  firstIn: Date | null;
  lastOut: Date | null;
  flags: AttendanceFlag[];
}

export const BREAK_AFTER_MINUTES = 360;

const MINUTE = 60000;
const wholeMinutes = (ms: number) => Math.floor(ms / MINUTE);

/** Valid events of the window in time order, runs of one kind collapsed (first in, last out). */
function punches(events: readonly AttendanceEvent[], window: TimeWindow): AttendanceEvent[] {
  const from = window.start.getTime();
  const to = window.end.getTime();
  const sorted = events
    .filter((e) => !e.voided && e.ts.getTime() >= from && e.ts.getTime() < to)
    .sort((a, b) => a.ts.getTime() - b.ts.getTime() || (a.kind === b.kind ? 0 : a.kind === "check_in" ? -1 : 1));
  const out: AttendanceEvent[] = [];
  for (const e of sorted) {
    if (out.at(-1)?.kind !== e.kind) out.push(e);
    else if (e.kind === "check_out") out[out.length - 1] = e;
  }
  return out;
}

export function dailyStatus(input: DailyStatusInput): DailyStatus {
  const { day, tz, schedule, holiday, leave } = input;
  const now = input.now.getTime();
  const window = attributionWindow(day, schedule, tz);
  const shift = holiday || leave ? null : shiftWindow(day, schedule, tz);
  const flags: AttendanceFlag[] = schedule ? [] : ["no_schedule"];
  const empty = (status: AttendanceStatus): DailyStatus => ({
    status,
    lateMinutes: 0,
    earlyMinutes: 0,
    workedMinutes: 0,
    overtimeMinutes: 0,
    firstIn: null,
    lastOut: null,
    flags,
  });

  const lateFrom = shift ? shift.start.getTime() + schedule!.graceMinutes * MINUTE : Infinity;
  const addedLate = input.addedAt != null && input.addedAt.getTime() > lateFrom;
  const seq = punches(input.events, window);
  if (seq.length === 0) {
    if (holiday) return empty("holiday");
    if (leave) return empty("on_leave");
    if (!shift) return empty("day_off");
    return empty(addedLate || now <= lateFrom ? "not_started" : "absent");
  }
  if (seq[0]!.kind === "check_out") {
    flags.push("unmatched_check_out");
    seq.shift();
    if (seq.length === 0) return empty("incomplete");
  }

  // seq alternates check_in, check_out, …; an odd length ends with an open check-in.
  const pairs: [number, number][] = [];
  for (let i = 0; i + 1 < seq.length; i += 2) pairs.push([seq[i]!.ts.getTime(), seq[i + 1]!.ts.getTime()]);
  let lastOut = seq.length % 2 === 0 ? seq.at(-1)!.ts.getTime() : null;
  let incomplete = false;
  let inProgress = false;
  if (seq.length % 2 === 1) {
    const open = seq.at(-1)!.ts.getTime();
    const auto = schedule?.autoCheckoutMinutes ?? null;
    const autoClose = shift && auto !== null && open < shift.end.getTime() ? shift.end.getTime() : null;
    const deadline = Math.min(autoClose === null ? Infinity : autoClose + auto! * MINUTE, window.end.getTime());
    if (now <= deadline) {
      inProgress = true;
      flags.push("in_progress");
      pairs.push([open, Math.max(open, now)]);
    } else if (autoClose !== null) {
      flags.push("auto_checkout");
      pairs.push([open, autoClose]);
      lastOut = autoClose;
    } else {
      incomplete = true;
    }
  }

  let grossMs = 0;
  let gapMs = 0;
  pairs.forEach(([from, to], i) => {
    grossMs += to - from;
    if (i > 0) gapMs += from - pairs[i - 1]![1];
  });
  const breakMs = (schedule?.breakMinutes ?? 0) * MINUTE;
  const deductMs = Math.max(0, Math.min(breakMs - gapMs, grossMs - BREAK_AFTER_MINUTES * MINUTE));
  const workedMinutes = wholeMinutes(grossMs - deductMs);
  const firstIn = seq[0]!.ts.getTime();

  let lateMinutes = 0;
  let earlyMinutes = 0;
  let overtimeMinutes = 0;
  if (shift) {
    const afterStart = wholeMinutes(firstIn - shift.start.getTime());
    if (afterStart > schedule!.graceMinutes && !addedLate) lateMinutes = afterStart;
    if (lastOut !== null) earlyMinutes = Math.max(0, wholeMinutes(shift.end.getTime() - lastOut));
    const scheduled = Math.max(0, wholeMinutes(shift.end.getTime() - shift.start.getTime()) - schedule!.breakMinutes);
    overtimeMinutes = Math.max(0, workedMinutes - scheduled);
  } else if (schedule) {
    overtimeMinutes = workedMinutes;
    flags.push(holiday ? "worked_on_holiday" : leave ? "worked_on_leave" : "worked_on_day_off");
  }

  const status: AttendanceStatus = incomplete ? "incomplete" : lateMinutes > 0 ? "late" : "present";
  if (shift && !incomplete && !inProgress && !addedLate && workedMinutes < schedule!.minHours * 60) flags.push("under_min_hours");

  return {
    status,
    lateMinutes,
    earlyMinutes,
    workedMinutes,
    overtimeMinutes,
    firstIn: new Date(firstIn),
    lastOut: lastOut === null ? null : new Date(lastOut),
    flags,
  };
}

/**
 * Whether a person's day is computed even without events: they are active, the day has begun, and
 * it is not before the day they were added (site-local). So adding someone does not make them absent
 * for the past, and they get a status from the day they were added on.
 */
export function isExpectedDay(day: string, person: { active: boolean; addedDay: string }, today: string): boolean {
  return person.active && day >= person.addedDay && day <= today;
}
