/**
 * Which attendance event (if any) a known person's camera sighting becomes.
 *
 * Cameras have a direction: "in" (entrance), "out" (exit) or "both" (one door for both ways).
 * - "in" → check_in, "out" → check_out, whatever happened before: the camera's placement is the truth.
 *   A check_out with no check-in that day is still recorded (the daily rules flag it
 *   "unmatched_check_out"); a second check_in is recorded too (a run of check-ins keeps the first).
 * - "both": the person's first sighting of the site day (no event at or after `dayStartMs`) is a
 *   check_in. After that the kinds alternate: after a check_in comes a check_out, accepted only from
 *   `minIntervalMs` after that check-in (earlier: "too_soon", the person is still arriving); after a
 *   check_out comes a check_in again (back from lunch), with no minimum beyond the dedupe window.
 *   A check-in left open from an earlier day does not turn today's first sighting into a check-out.
 * - Dedupe: with gap = sighting time − last event time, a sighting is a "duplicate" when
 *   gap < dedupeMs (exclusive: exactly dedupeMs later is accepted) and
 *   · "in" / "out": the last event has this camera's kind. Only the last event counts: an event of
 *     the other kind in between means the person moved, so a check_in right after a check_out is
 *     accepted;
 *   · "both": the last event has any kind (a sighting right after an event is the same pass through
 *     the door, not the way back), also across the day boundary.
 *   Dedupe comes before the "both" rules. A sighting older than the last event (gap < 0) is inside
 *   the window, so it is a duplicate under the same conditions.
 * `lastEvent` is the person's last non-voided event; times are epoch ms.
 */
export type EventKind = "check_in" | "check_out";
export type CameraDirection = "in" | "out" | "both";

export const DEFAULT_DEDUPE_MS = 5 * 60_000;
export const DEFAULT_MIN_INTERVAL_MS = 15 * 60_000;

export interface EventRuleInput {
  sighting: { personId: number; ts: number };
  direction: CameraDirection;
  lastEvent: { kind: EventKind; ts: number } | null;
  /** Start of the person's current site day (used by "both"). */
  dayStartMs: number;
  dedupeMs?: number;
  /** "both": least time from a check_in to the check_out that follows it. */
  minIntervalMs?: number;
}

export type EventRuleResult = { kind: EventKind } | { skip: "duplicate" | "too_soon" };

export function eventForSighting(input: EventRuleInput): EventRuleResult {
  const { sighting, direction, lastEvent, dayStartMs } = input;
  const dedupeMs = input.dedupeMs ?? DEFAULT_DEDUPE_MS;
  const minIntervalMs = input.minIntervalMs ?? DEFAULT_MIN_INTERVAL_MS;
  if (direction !== "both") {
    const kind: EventKind = direction === "in" ? "check_in" : "check_out";
    if (lastEvent && lastEvent.kind === kind && sighting.ts - lastEvent.ts < dedupeMs) return { skip: "duplicate" };
    return { kind };
  }
  if (!lastEvent) return { kind: "check_in" };
  const gap = sighting.ts - lastEvent.ts;
  if (gap < dedupeMs) return { skip: "duplicate" };
  if (lastEvent.ts < dayStartMs || lastEvent.kind === "check_out") return { kind: "check_in" };
  if (gap < minIntervalMs) return { skip: "too_soon" };
  return { kind: "check_out" };
}
