import { describe, expect, test } from "bun:test";
import { DEFAULT_DEDUPE_MS, DEFAULT_MIN_INTERVAL_MS, eventForSighting, type CameraDirection, type EventKind } from "../../src/domain/events";

const MIN = 60_000;
const DAY_START = Date.UTC(2025, 2, 10, 0, 0); // site day starts at midnight (the caller computes it)
const at = (h: number, m = 0, s = 0, ms = 0) => DAY_START + h * 3_600_000 + m * MIN + s * 1000 + ms;

function rule(direction: CameraDirection, ts: number, last: [EventKind, number] | null, extra: { dedupeMs?: number; minIntervalMs?: number } = {}) {
  return eventForSighting({
    sighting: { personId: 7, ts },
    direction,
    lastEvent: last ? { kind: last[0], ts: last[1] } : null,
    dayStartMs: DAY_START,
    ...extra,
  });
}

describe("eventForSighting: fixed-direction cameras", () => {
  test("defaults are 5 and 15 minutes", () => {
    expect(DEFAULT_DEDUPE_MS).toBe(5 * MIN);
    expect(DEFAULT_MIN_INTERVAL_MS).toBe(15 * MIN);
  });

  test('"in" gives check_in and "out" gives check_out without history', () => {
    expect(rule("in", at(9), null)).toEqual({ kind: "check_in" });
    // An exit camera seeing someone with no check-in today still records the check-out.
    expect(rule("out", at(17), null)).toEqual({ kind: "check_out" });
    expect(rule("out", at(17), ["check_out", at(-20)])).toEqual({ kind: "check_out" });
  });

  test("same kind within the dedupe window is a duplicate; the window end is exclusive", () => {
    expect(rule("in", at(9, 4, 59, 999), ["check_in", at(9)])).toEqual({ skip: "duplicate" });
    expect(rule("in", at(9, 5), ["check_in", at(9)])).toEqual({ kind: "check_in" });
    expect(rule("out", at(17, 4, 59, 999), ["check_out", at(17)])).toEqual({ skip: "duplicate" });
    expect(rule("out", at(17, 5), ["check_out", at(17)])).toEqual({ kind: "check_out" });
    expect(rule("in", at(9), ["check_in", at(9)])).toEqual({ skip: "duplicate" });
  });

  test("a later same-kind event after the window is recorded again", () => {
    expect(rule("in", at(13), ["check_in", at(9)])).toEqual({ kind: "check_in" });
  });

  test("the other kind just before is not a duplicate (the person moved)", () => {
    expect(rule("in", at(9, 1), ["check_out", at(9)])).toEqual({ kind: "check_in" });
    expect(rule("out", at(9, 1), ["check_in", at(9)])).toEqual({ kind: "check_out" });
  });

  test("a sighting older than the last event of the same kind is a duplicate", () => {
    expect(rule("in", at(8, 59), ["check_in", at(9)])).toEqual({ skip: "duplicate" });
  });

  test("a custom dedupe window is used", () => {
    expect(rule("in", at(9, 1), ["check_in", at(9)], { dedupeMs: 30_000 })).toEqual({ kind: "check_in" });
    expect(rule("in", at(9, 0, 29), ["check_in", at(9)], { dedupeMs: 30_000 })).toEqual({ skip: "duplicate" });
  });
});

describe('eventForSighting: "both" cameras', () => {
  test("the first sighting ever or of the day is a check_in", () => {
    expect(rule("both", at(9), null)).toEqual({ kind: "check_in" });
    // Yesterday's open check-in does not make today's first sighting a check-out.
    expect(rule("both", at(9), ["check_in", at(-6)])).toEqual({ kind: "check_in" });
    expect(rule("both", at(9), ["check_out", at(-6)])).toEqual({ kind: "check_in" });
  });

  test("after a check_in: duplicate within dedupe, too_soon until the minimum interval, then check_out", () => {
    const last: [EventKind, number] = ["check_in", at(9)];
    expect(rule("both", at(9, 4, 59, 999), last)).toEqual({ skip: "duplicate" });
    expect(rule("both", at(9, 5), last)).toEqual({ skip: "too_soon" });
    expect(rule("both", at(9, 14, 59, 999), last)).toEqual({ skip: "too_soon" });
    expect(rule("both", at(9, 15), last)).toEqual({ kind: "check_out" });
    expect(rule("both", at(17), last)).toEqual({ kind: "check_out" });
  });

  test("after a check_out the same day: duplicate within dedupe, then check_in again (alternation)", () => {
    const last: [EventKind, number] = ["check_out", at(12)];
    expect(rule("both", at(12, 4, 59, 999), last)).toEqual({ skip: "duplicate" });
    expect(rule("both", at(12, 5), last)).toEqual({ kind: "check_in" });
    expect(rule("both", at(12, 40), last)).toEqual({ kind: "check_in" });
  });

  test("an event exactly at the day start belongs to the day", () => {
    expect(rule("both", at(0, 20), ["check_in", DAY_START])).toEqual({ kind: "check_out" });
    expect(rule("both", at(0, 20), ["check_in", DAY_START - 1])).toEqual({ kind: "check_in" });
  });

  test("dedupe applies across the day boundary", () => {
    expect(rule("both", at(0, 2), ["check_out", at(0, -2)])).toEqual({ skip: "duplicate" });
    expect(rule("both", at(0, 2), ["check_in", at(0, -2)])).toEqual({ skip: "duplicate" });
    expect(rule("both", at(0, 3), ["check_in", at(0, -2)])).toEqual({ kind: "check_in" });
  });

  test("a custom minimum interval is used", () => {
    expect(rule("both", at(9, 6), ["check_in", at(9)], { minIntervalMs: 6 * MIN })).toEqual({ kind: "check_out" });
    expect(rule("both", at(9, 6), ["check_in", at(9)], { minIntervalMs: 60 * MIN })).toEqual({ skip: "too_soon" });
  });
});
