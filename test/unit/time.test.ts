import { describe, expect, test } from "bun:test";
import { addDays, dayStart, daysBetween, formatClock, isDay, localDay, offsetMinutes, parseClock, weekday, zonedInstant } from "../../src/domain/time";
import { WindowLimiter } from "../../src/domain/rate-limit";

describe("site time", () => {
  test("offsets follow DST in Europe/Berlin", () => {
    expect(offsetMinutes(new Date("2026-01-15T12:00:00Z"), "Europe/Berlin")).toBe(60);
    expect(offsetMinutes(new Date("2026-07-15T12:00:00Z"), "Europe/Berlin")).toBe(120);
    expect(offsetMinutes(new Date("2026-07-15T12:00:00Z"), "America/New_York")).toBe(-240);
  });

  test("local day differs from the UTC day near midnight", () => {
    expect(localDay(new Date("2026-03-28T23:30:00Z"), "Europe/Berlin")).toBe("2026-03-29");
    expect(localDay(new Date("2026-03-29T03:30:00Z"), "America/New_York")).toBe("2026-03-28");
  });

  test("zoned instants on DST change days", () => {
    // Berlin springs forward 2026-03-29 02:00 → 03:00: midnight is still +01:00, 09:00 is +02:00.
    expect(dayStart("2026-03-29", "Europe/Berlin").toISOString()).toBe("2026-03-28T23:00:00.000Z");
    expect(zonedInstant("2026-03-29", 9 * 60, "Europe/Berlin").toISOString()).toBe("2026-03-29T07:00:00.000Z");
    // Falls back 2026-10-25 03:00 → 02:00: the day has 25 hours.
    const start = dayStart("2026-10-25", "Europe/Berlin").getTime();
    const next = dayStart("2026-10-26", "Europe/Berlin").getTime();
    expect((next - start) / 3600000).toBe(25);
    // Minutes past 24h roll into the next day (overnight shifts).
    expect(zonedInstant("2026-01-10", 26 * 60, "Europe/Berlin").toISOString()).toBe("2026-01-11T01:00:00.000Z");
  });

  test("day arithmetic and parsing", () => {
    expect(addDays("2026-02-28", 1)).toBe("2026-03-01");
    expect(addDays("2028-02-28", 1)).toBe("2028-02-29");
    expect(daysBetween("2026-01-01", "2026-12-31")).toBe(364);
    expect(weekday("2026-11-24")).toBe(2);
    expect(isDay("2026-02-30")).toBe(false);
    expect(isDay("2026-2-3")).toBe(false);
    expect(parseClock("08:05")).toBe(485);
    expect(() => parseClock("24:00")).toThrow();
    expect(formatClock(new Date("2026-07-01T06:59:00Z"), "Europe/Berlin")).toBe("08:59");
  });
});

describe("window limiter", () => {
  test("allows the limit per window, then tells when to retry", () => {
    const l = new WindowLimiter(3, 60_000);
    expect([1, 2, 3].map(() => l.hit("a", 1000).allowed)).toEqual([true, true, true]);
    expect(l.hit("a", 11_000)).toEqual({ allowed: false, retryAfterMs: 50_000 });
    expect(l.hit("b", 11_000).allowed).toBe(true);
    expect(l.hit("a", 61_000).allowed).toBe(true);
  });

  test("bounded memory: old keys are pruned", () => {
    const l = new WindowLimiter(1, 1000, 2);
    l.hit("a", 0);
    l.hit("b", 0);
    l.hit("c", 5000);
    expect(l.hit("a", 5000).allowed).toBe(true);
  });
});
