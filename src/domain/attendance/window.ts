/**
 * Which attendance day an event belongs to.
 *
 * Rule: the boundary between day d−1 and day d is the site-local midnight starting d, except that it
 * is pushed
 *   - later, to stay at least ATTRIBUTION_MARGIN_MINUTES after the end of the last shift that starts
 *     before d (so the check-out after a 22:00–06:00 shift, even at 09:30, stays with the shift's day);
 *   - earlier, to stay at least ATTRIBUTION_MARGIN_MINUTES before the first shift that starts on or
 *     after d (so arriving at 23:50 for a 00:30 shift counts for the shift's day);
 * and when the two shifts are less than two margins apart, so both cannot hold, the boundary is the
 * midpoint of the gap between them.
 *
 * Day d's window runs from its own boundary to day d+1's boundary. With a plain 09:00–17:00 schedule
 * every boundary is midnight; with a 22:00–06:00 shift every day, day d's window is
 * [06:00 + 4 h on d, 06:00 + 4 h on d+1). "The last shift starting before d" is day d−1's, or day d−2's
 * when d−1 is a day off, and "the first shift starting on or after d" is day d's, or day d+1's; looking
 * that far (shifts are shorter than 24 h) makes consecutive windows meet exactly, so every instant
 * belongs to exactly one day (a day off squeezed between very long shifts may get an empty window).
 */
import { addDays, dayStart, localDay } from "../time";
import { shiftWindow, type Schedule, type TimeWindow } from "./schedule";

export const ATTRIBUTION_MARGIN_MINUTES = 240;
const MARGIN_MS = ATTRIBUTION_MARGIN_MINUTES * 60000;

/** Epoch milliseconds of the boundary that starts `day`. */
function boundary(day: string, schedule: Schedule | null, tz: string): number {
  const midnight = dayStart(day, tz).getTime();
  const prev = shiftWindow(addDays(day, -1), schedule, tz) ?? shiftWindow(addDays(day, -2), schedule, tz);
  const next = shiftWindow(day, schedule, tz) ?? shiftWindow(addDays(day, 1), schedule, tz);
  const lo = prev ? prev.end.getTime() + MARGIN_MS : -Infinity;
  const hi = next ? next.start.getTime() - MARGIN_MS : Infinity;
  // lo > hi only when both shifts exist and are less than two margins apart.
  if (lo > hi) return Math.floor((prev!.end.getTime() + next!.start.getTime()) / 2);
  return Math.min(Math.max(midnight, lo), hi);
}

/** The span of real time whose events are attributed to `day`; see the rule at the top of the file. */
export function attributionWindow(day: string, schedule: Schedule | null, tz: string): TimeWindow {
  return { start: new Date(boundary(day, schedule, tz)), end: new Date(boundary(addDays(day, 1), schedule, tz)) };
}

/**
 * The day an event at `ts` is attributed to (for a valid schedule). Every boundary lies between 20:00
 * the evening before its midnight and about 05:00 the morning after (a 23 h 59 overnight shift plus
 * the margin, one more hour across a fall-back night), so the day is between two days before and one
 * day after the local calendar day of `ts`; the windows meet exactly, so if none of the three earlier
 * candidates holds `ts`, the last one does.
 */
export function attributionDay(ts: Date, schedule: Schedule | null, tz: string): string {
  const t = ts.getTime();
  const local = localDay(ts, tz);
  for (let offset = -2; offset <= 0; offset++) {
    const day = addDays(local, offset);
    const w = attributionWindow(day, schedule, tz);
    if (w.start.getTime() <= t && t < w.end.getTime()) return day;
  }
  return addDays(local, 1);
}
