import { describe, expect, test } from "bun:test";
import {
  ATTRIBUTION_MARGIN_MINUTES,
  BREAK_AFTER_MINUTES,
  arrivalsHistogram,
  attributionDay,
  attributionWindow,
  dailyStatus,
  isExpectedDay,
  resolveSchedule,
  shiftWindow,
  validateSchedule,
  type AttendanceEvent,
  type DailyStatus,
  type Schedule,
  type Shift,
  type WeeklyPattern,
} from "../../src/domain/attendance";
import { addDays } from "../../src/domain/time";

// Europe/Berlin: +01:00 in winter, +02:00 in summer; 2026-03-29 02:00 → 03:00, 2026-10-25 03:00 → 02:00.
// Weekdays used: 2026-01-12 Monday, 2026-01-14 Wednesday, 2026-01-17 Saturday,
// 2026-03-28 / 2026-10-24 Saturday, 2026-03-29 / 2026-10-25 Sunday.
const TZ = "Europe/Berlin";
const t = (iso: string) => new Date(iso);
const checkIn = (iso: string, voided?: boolean): AttendanceEvent => ({ kind: "check_in", ts: t(iso), ...(voided ? { voided } : {}) });
const checkOut = (iso: string, voided?: boolean): AttendanceEvent => ({ kind: "check_out", ts: t(iso), ...(voided ? { voided } : {}) });

const shift = (start: string, end: string): Shift => ({ start, end });
const everyDay = (start: string, end: string): WeeklyPattern => [
  shift(start, end),
  shift(start, end),
  shift(start, end),
  shift(start, end),
  shift(start, end),
  shift(start, end),
  shift(start, end),
];
const schedule = (pattern: WeeklyPattern, over: Partial<Schedule> = {}): Schedule => ({
  pattern,
  graceMinutes: 5,
  breakMinutes: 30,
  minHours: 0,
  autoCheckoutMinutes: null,
  ...over,
});
const nine = shift("09:00", "17:00");
/** Monday to Friday 09:00–17:00, weekends off, 5 min grace, 30 min break. */
const office = schedule([null, nine, nine, nine, nine, nine, null]);
/** 22:00–06:00 every night. */
const night = schedule(everyDay("22:00", "06:00"));

const LATER = t("2027-01-01T00:00:00Z");

function status(
  day: string,
  events: AttendanceEvent[],
  opts: { schedule?: Schedule | null; holiday?: boolean; leave?: boolean; now?: string; addedAt?: string } = {},
): DailyStatus {
  return dailyStatus({
    day,
    tz: TZ,
    schedule: opts.schedule === undefined ? office : opts.schedule,
    events,
    holiday: opts.holiday ?? false,
    leave: opts.leave ?? false,
    now: opts.now ? t(opts.now) : LATER,
    addedAt: opts.addedAt ? t(opts.addedAt) : null,
  });
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

describe("validateSchedule", () => {
  const valid = {
    pattern: [null, nine, nine, nine, nine, nine, null],
    graceMinutes: 5,
    breakMinutes: 30,
    minHours: 7.5,
    autoCheckoutMinutes: null,
  };
  const withDay = (i: number, day: unknown) => ({ ...valid, pattern: valid.pattern.map((d, j) => (j === i ? day : d)) });

  test("a valid schedule has no errors, including edge values", () => {
    expect(validateSchedule(valid)).toEqual([]);
    expect(validateSchedule({ ...valid, graceMinutes: 0, breakMinutes: 0, minHours: 0, autoCheckoutMinutes: 0 })).toEqual([]);
    expect(validateSchedule({ ...valid, graceMinutes: 240, breakMinutes: 600, minHours: 24, autoCheckoutMinutes: 1440, pattern: everyDay("00:00", "23:59") })).toEqual([]);
    // The longest expressible shift, 23 h 59, overnight; a shift cannot reach 24 h (start == end is refused).
    expect(validateSchedule({ ...valid, pattern: [null, shift("06:00", "05:59"), null, null, null, null, null] })).toEqual([]);
    // Overnight shifts every night touch the next one's start without overlapping.
    expect(validateSchedule({ ...valid, pattern: everyDay("22:00", "06:00") })).toEqual([]);
    expect(validateSchedule({ ...valid, pattern: [null, shift("22:00", "06:00"), shift("06:00", "14:00"), null, null, null, null] })).toEqual([]);
  });

  test("not an object, or a pattern without 7 days", () => {
    expect(validateSchedule(null)).toEqual([{ path: "_", message: "A schedule must be an object" }]);
    expect(validateSchedule([valid])).toEqual([{ path: "_", message: "A schedule must be an object" }]);
    const six = { ...valid, pattern: valid.pattern.slice(0, 6) };
    expect(validateSchedule(six)).toEqual([{ path: "pattern", message: "The weekly pattern needs exactly 7 days, Sunday to Saturday" }]);
    expect(validateSchedule({ ...valid, pattern: "9-5" })).toEqual([{ path: "pattern", message: "The weekly pattern needs exactly 7 days, Sunday to Saturday" }]);
  });

  test("a day that is neither a shift nor null", () => {
    expect(validateSchedule(withDay(3, "09:00-17:00"))).toEqual([{ path: "pattern.3", message: "Wednesday must have a start and an end, or be a day off" }]);
  });

  test("bad HH:MM times", () => {
    expect(validateSchedule(withDay(1, shift("9:00", "17:00")))).toEqual([
      { path: "pattern.1.start", message: 'Monday start "9:00" is not a time of day as HH:MM (00:00 to 23:59)' },
    ]);
    expect(validateSchedule(withDay(5, shift("09:00", "24:00")))).toEqual([
      { path: "pattern.5.end", message: 'Friday end "24:00" is not a time of day as HH:MM (00:00 to 23:59)' },
    ]);
    expect(validateSchedule(withDay(0, { start: 900, end: "12:60" }))).toEqual([
      { path: "pattern.0.start", message: 'Sunday start 900 is not a time of day as HH:MM (00:00 to 23:59)' },
      { path: "pattern.0.end", message: 'Sunday end "12:60" is not a time of day as HH:MM (00:00 to 23:59)' },
    ]);
    expect(validateSchedule(withDay(6, { start: "08:00" }))).toEqual([
      { path: "pattern.6.end", message: 'Saturday end "" is not a time of day as HH:MM (00:00 to 23:59)' },
    ]);
  });

  test("start equal to end", () => {
    expect(validateSchedule(withDay(2, shift("08:00", "08:00")))).toEqual([
      { path: "pattern.2.end", message: "Tuesday starts and ends at 08:00; a shift needs a length (an end before the start means an overnight shift)" },
    ]);
  });

  test("grace out of range", () => {
    expect(validateSchedule({ ...valid, graceMinutes: -1 })).toEqual([{ path: "graceMinutes", message: "Grace cannot be negative" }]);
    expect(validateSchedule({ ...valid, graceMinutes: 241 })).toEqual([{ path: "graceMinutes", message: "Grace cannot be more than 240 minutes" }]);
    expect(validateSchedule({ ...valid, graceMinutes: 2.5 })).toEqual([{ path: "graceMinutes", message: "Grace must be a whole number of minutes" }]);
    expect(validateSchedule({ ...valid, graceMinutes: "5" })).toEqual([{ path: "graceMinutes", message: "Grace must be a whole number of minutes" }]);
  });

  test("break out of range", () => {
    expect(validateSchedule({ ...valid, breakMinutes: -30 })).toEqual([{ path: "breakMinutes", message: "Break cannot be negative" }]);
    expect(validateSchedule({ ...valid, breakMinutes: 601 })).toEqual([{ path: "breakMinutes", message: "Break cannot be more than 600 minutes" }]);
  });

  test("minimum hours outside 0..24", () => {
    expect(validateSchedule({ ...valid, minHours: -0.5 })).toEqual([{ path: "minHours", message: "Minimum hours must be between 0 and 24" }]);
    expect(validateSchedule({ ...valid, minHours: 24.5 })).toEqual([{ path: "minHours", message: "Minimum hours must be between 0 and 24" }]);
    expect(validateSchedule({ ...valid, minHours: Number.NaN })).toEqual([{ path: "minHours", message: "Minimum hours must be a number" }]);
    expect(validateSchedule({ ...valid, minHours: "8" })).toEqual([{ path: "minHours", message: "Minimum hours must be a number" }]);
  });

  test("automatic check-out delay", () => {
    expect(validateSchedule({ ...valid, autoCheckoutMinutes: -5 })).toEqual([{ path: "autoCheckoutMinutes", message: "Automatic check-out delay cannot be negative" }]);
    expect(validateSchedule({ ...valid, autoCheckoutMinutes: 1441 })).toEqual([{ path: "autoCheckoutMinutes", message: "Automatic check-out delay cannot be more than 1440 minutes" }]);
    expect(validateSchedule({ ...valid, autoCheckoutMinutes: undefined })).toEqual([{ path: "autoCheckoutMinutes", message: "Automatic check-out delay must be a whole number of minutes" }]);
  });

  test("break not shorter than a shift", () => {
    expect(validateSchedule(withDay(6, shift("10:00", "10:30")))).toEqual([
      { path: "breakMinutes", message: "The 30-minute break is not shorter than the 0 h 30 min shift on Saturday" },
    ]);
    // Overnight: 23:30 → 00:20 is 50 minutes.
    expect(validateSchedule({ ...withDay(0, shift("23:30", "00:20")), breakMinutes: 60 })).toEqual([
      { path: "breakMinutes", message: "The 60-minute break is not shorter than the 0 h 50 min shift on Sunday" },
    ]);
    expect(validateSchedule({ ...withDay(0, shift("23:30", "00:20")), breakMinutes: 49 })).toEqual([]);
  });

  test("consecutive days overlapping in real time", () => {
    const pattern = [null, shift("22:00", "06:00"), shift("05:00", "13:00"), null, null, null, null];
    expect(validateSchedule({ ...valid, pattern })).toEqual([
      { path: "pattern.2.start", message: "Tuesday's shift starts at 05:00, before Monday's overnight shift ends at 06:00" },
    ]);
    // Saturday night runs into Sunday morning: the week wraps around.
    const wrap = [shift("05:00", "13:00"), null, null, null, null, null, shift("22:00", "06:00")];
    expect(validateSchedule({ ...valid, pattern: wrap })).toEqual([
      { path: "pattern.0.start", message: "Sunday's shift starts at 05:00, before Saturday's overnight shift ends at 06:00" },
    ]);
    // A 22-hour overnight shift still runs when the next evening's shift starts.
    const nights = [null, shift("23:00", "21:00"), shift("20:30", "04:00"), null, null, null, null];
    expect(validateSchedule({ ...valid, pattern: nights })).toEqual([
      { path: "pattern.2.start", message: "Tuesday's shift starts at 20:30, before Monday's overnight shift ends at 21:00" },
    ]);
  });

  test("several errors are all reported", () => {
    const bad = { pattern: [null, shift("25:00", "17:00"), shift("08:00", "08:00"), null, null, null, null], graceMinutes: -1, breakMinutes: 30, minHours: 30, autoCheckoutMinutes: null };
    expect(validateSchedule(bad).map((e) => e.path)).toEqual(["graceMinutes", "minHours", "pattern.1.start", "pattern.2.end"]);
  });
});

describe("resolveSchedule", () => {
  test("the person's override wins, else the department's, else none", () => {
    expect(resolveSchedule(office, night)).toBe(night);
    expect(resolveSchedule(office, null)).toBe(office);
    expect(resolveSchedule(office, undefined)).toBe(office);
    expect(resolveSchedule(null, night)).toBe(night);
    expect(resolveSchedule(null, null)).toBeNull();
    expect(resolveSchedule(undefined, undefined)).toBeNull();
  });
});

describe("shiftWindow", () => {
  test("day shifts, days off and no schedule", () => {
    const w = shiftWindow("2026-01-14", office, TZ)!;
    expect([iso(w.start), iso(w.end)]).toEqual(["2026-01-14T08:00:00.000Z", "2026-01-14T16:00:00.000Z"]);
    expect(shiftWindow("2026-01-17", office, TZ)).toBeNull();
    expect(shiftWindow("2026-01-14", null, TZ)).toBeNull();
  });

  test("an overnight shift ends on the next day", () => {
    const w = shiftWindow("2026-01-14", night, TZ)!;
    expect([iso(w.start), iso(w.end)]).toEqual(["2026-01-14T21:00:00.000Z", "2026-01-15T05:00:00.000Z"]);
  });

  test("DST: real instants on both change days", () => {
    const day = (d: string, s: Schedule) => {
      const w = shiftWindow(d, s, TZ)!;
      return [iso(w.start), iso(w.end), (w.end.getTime() - w.start.getTime()) / 3600000];
    };
    expect(day("2026-03-29", schedule(everyDay("09:00", "17:00")))).toEqual(["2026-03-29T07:00:00.000Z", "2026-03-29T15:00:00.000Z", 8]);
    expect(day("2026-10-25", schedule(everyDay("09:00", "17:00")))).toEqual(["2026-10-25T08:00:00.000Z", "2026-10-25T16:00:00.000Z", 8]);
    // 22:00 CET → 06:00 CEST is 7 real hours; 22:00 CEST → 06:00 CET is 9.
    expect(day("2026-03-28", night)).toEqual(["2026-03-28T21:00:00.000Z", "2026-03-29T04:00:00.000Z", 7]);
    expect(day("2026-10-24", night)).toEqual(["2026-10-24T20:00:00.000Z", "2026-10-25T05:00:00.000Z", 9]);
  });
});

describe("attributionWindow and attributionDay", () => {
  const win = (day: string, s: Schedule | null) => {
    const w = attributionWindow(day, s, TZ);
    return [iso(w.start), iso(w.end)];
  };

  test("the margin is 4 hours", () => {
    expect(ATTRIBUTION_MARGIN_MINUTES).toBe(240);
  });

  test("day shifts, days off and no schedule: local midnight to midnight", () => {
    expect(win("2026-01-14", office)).toEqual(["2026-01-13T23:00:00.000Z", "2026-01-14T23:00:00.000Z"]);
    expect(win("2026-01-17", office)).toEqual(["2026-01-16T23:00:00.000Z", "2026-01-17T23:00:00.000Z"]);
    expect(win("2026-01-14", null)).toEqual(["2026-01-13T23:00:00.000Z", "2026-01-14T23:00:00.000Z"]);
  });

  test("overnight shifts every night: previous shift end + 4 h to this shift's end + 4 h", () => {
    // 06:00 +01:00 is 05:00Z, plus 4 h.
    expect(win("2026-01-14", night)).toEqual(["2026-01-14T09:00:00.000Z", "2026-01-15T09:00:00.000Z"]);
  });

  test("overnight shift before a day off, and a day shift after a day off", () => {
    const s = schedule([null, shift("22:00", "06:00"), null, nine, null, null, null]);
    // Monday 2026-01-12 night ends Tuesday 06:00 → Tuesday starts at 10:00 local (09:00Z).
    expect(win("2026-01-12", s)).toEqual(["2026-01-11T23:00:00.000Z", "2026-01-13T09:00:00.000Z"]);
    expect(win("2026-01-13", s)).toEqual(["2026-01-13T09:00:00.000Z", "2026-01-13T23:00:00.000Z"]);
  });

  test("shifts less than 8 h apart: the boundary is the midpoint of the gap", () => {
    // Monday 22:00–04:00, Tuesday 05:00–13:00: boundary at 04:30 local.
    const s = schedule([null, shift("22:00", "04:00"), shift("05:00", "13:00"), null, null, null, null]);
    expect(win("2026-01-13", s)[0]).toBe("2026-01-13T03:30:00.000Z");
    // Monday 22:00–06:00, Tuesday 09:00–17:00: boundary at 07:30 local.
    const s2 = schedule([null, shift("22:00", "06:00"), nine, null, null, null, null]);
    expect(win("2026-01-13", s2)[0]).toBe("2026-01-13T06:30:00.000Z");
  });

  test("a shift soon after midnight pulls the boundary into the evening before", () => {
    // Tuesday 02:00–10:00 after a day off: the day starts Monday 22:00 local.
    const s = schedule([null, null, shift("02:00", "10:00"), null, null, null, null]);
    expect(win("2026-01-13", s)).toEqual(["2026-01-12T21:00:00.000Z", "2026-01-13T23:00:00.000Z"]);
    // After a Monday 09:00–17:00 the boundary still cannot be before 21:00: 22:00 satisfies both.
    const s2 = schedule([null, nine, shift("02:00", "10:00"), null, null, null, null]);
    expect(win("2026-01-13", s2)[0]).toBe("2026-01-12T21:00:00.000Z");
    expect(attributionDay(t("2026-01-12T23:50:00+01:00"), s, TZ)).toBe("2026-01-13");
    expect(attributionDay(t("2026-01-12T21:50:00+01:00"), s, TZ)).toBe("2026-01-12");
  });

  test("DST change days", () => {
    const days = schedule(everyDay("09:00", "17:00"));
    // 23 h and 25 h days.
    expect(win("2026-03-29", days)).toEqual(["2026-03-28T23:00:00.000Z", "2026-03-29T22:00:00.000Z"]);
    expect(win("2026-10-25", days)).toEqual(["2026-10-24T22:00:00.000Z", "2026-10-25T23:00:00.000Z"]);
    // Night of 28→29 March: 06:00 CEST (04:00Z) + 4 h; the window of the 28th is 23 h long.
    expect(win("2026-03-28", night)).toEqual(["2026-03-28T09:00:00.000Z", "2026-03-29T08:00:00.000Z"]);
    // Night of 24→25 October: ends 06:00 CET (05:00Z); the window of the 24th is 25 h long.
    expect(win("2026-10-24", night)).toEqual(["2026-10-24T08:00:00.000Z", "2026-10-25T09:00:00.000Z"]);
  });

  test("windows of consecutive days meet exactly and attributionDay agrees with them", () => {
    const mixed = schedule([
      null,
      shift("22:00", "06:00"),
      shift("09:00", "17:00"),
      shift("23:30", "07:30"),
      shift("08:00", "12:00"),
      shift("02:00", "10:00"),
      shift("20:00", "04:00"),
    ]);
    for (const s of [office, night, mixed, null]) {
      for (let day = "2026-03-16"; day < "2026-04-06"; day = addDays(day, 1)) {
        const w = attributionWindow(day, s, TZ);
        const next = attributionWindow(addDays(day, 1), s, TZ);
        expect(w.end.getTime()).toBe(next.start.getTime());
        expect(w.start.getTime()).toBeLessThan(w.end.getTime());
        // Sample the window every 50 minutes, plus its first and last millisecond.
        const samples = [w.start.getTime(), w.end.getTime() - 1];
        for (let ms = w.start.getTime(); ms < w.end.getTime(); ms += 50 * 60000) samples.push(ms);
        for (const ms of samples) expect(attributionDay(new Date(ms), s, TZ)).toBe(day);
      }
    }
  });

  test("attributionDay reaches two days back past a very long shift before a day off", () => {
    // Monday 23:59 → Tuesday 23:58, Tuesday off, Wednesday 09:00: Monday's window runs to Wednesday
    // 03:58 local and Tuesday's is empty.
    const s = schedule([null, shift("23:59", "23:58"), null, nine, null, null, null]);
    expect(win("2026-01-12", s)[1]).toBe("2026-01-14T02:58:00.000Z");
    expect(win("2026-01-13", s)).toEqual(["2026-01-14T02:58:00.000Z", "2026-01-14T02:58:00.000Z"]);
    expect(attributionDay(t("2026-01-14T02:00:00+01:00"), s, TZ)).toBe("2026-01-12");
    expect(attributionDay(t("2026-01-14T04:00:00+01:00"), s, TZ)).toBe("2026-01-14");
  });

  test("the check-out after a night shift belongs to the night's day", () => {
    expect(attributionDay(t("2026-01-15T06:10:00+01:00"), night, TZ)).toBe("2026-01-14");
    expect(attributionDay(t("2026-01-15T09:59:00+01:00"), night, TZ)).toBe("2026-01-14");
    expect(attributionDay(t("2026-01-15T10:00:00+01:00"), night, TZ)).toBe("2026-01-15");
    expect(attributionDay(t("2026-01-14T23:59:59+01:00"), office, TZ)).toBe("2026-01-14");
  });
});

describe("dailyStatus on a 09:00–17:00 day (Wednesday 2026-01-14, +01:00)", () => {
  const D = "2026-01-14";

  test("the break is deducted after 6 hours", () => {
    expect(BREAK_AFTER_MINUTES).toBe(360);
  });

  test("on time", () => {
    expect(status(D, [checkIn("2026-01-14T09:00:00+01:00"), checkOut("2026-01-14T17:00:00+01:00")])).toEqual({
      status: "present",
      lateMinutes: 0,
      earlyMinutes: 0,
      workedMinutes: 450,
      overtimeMinutes: 0,
      firstIn: t("2026-01-14T08:00:00Z"),
      lastOut: t("2026-01-14T16:00:00Z"),
      flags: [],
    });
  });

  test("within grace, and the first minute after it", () => {
    const inGrace = status(D, [checkIn("2026-01-14T09:05:59+01:00"), checkOut("2026-01-14T17:00:00+01:00")]);
    // 7 h 54 min 1 s − 30 min = 444 min (rounded down).
    expect([inGrace.status, inGrace.lateMinutes, inGrace.workedMinutes]).toEqual(["present", 0, 444]);
    const late = status(D, [checkIn("2026-01-14T09:06:00+01:00"), checkOut("2026-01-14T17:00:00+01:00")]);
    expect([late.status, late.lateMinutes, late.workedMinutes]).toEqual(["late", 6, 444]);
  });

  test("late counts from the shift start, not from the end of grace", () => {
    const r = status(D, [checkIn("2026-01-14T09:20:00+01:00"), checkOut("2026-01-14T17:00:00+01:00")]);
    expect([r.status, r.lateMinutes, r.earlyMinutes, r.workedMinutes, r.overtimeMinutes]).toEqual(["late", 20, 0, 430, 0]);
  });

  test("early leave", () => {
    const r = status(D, [checkIn("2026-01-14T09:00:00+01:00"), checkOut("2026-01-14T16:00:00+01:00")]);
    expect([r.status, r.earlyMinutes, r.workedMinutes]).toEqual(["present", 60, 390]);
    // 6 h 10 gross: only the 10 minutes past 6 h are taken for the break, so 360, not 340.
    const short = status(D, [checkIn("2026-01-14T09:00:00+01:00"), checkOut("2026-01-14T15:10:00+01:00")]);
    expect([short.earlyMinutes, short.workedMinutes]).toEqual([110, 360]);
    // Exactly 6 h: no break.
    const six = status(D, [checkIn("2026-01-14T09:00:00+01:00"), checkOut("2026-01-14T15:00:00+01:00")]);
    expect([six.earlyMinutes, six.workedMinutes]).toEqual([120, 360]);
    // Leaving 30 s early is not a minute early.
    const seconds = status(D, [checkIn("2026-01-14T09:00:00+01:00"), checkOut("2026-01-14T16:59:30+01:00")]);
    expect([seconds.earlyMinutes, seconds.workedMinutes]).toEqual([0, 449]);
  });

  test("overtime", () => {
    // 08:30–18:00 is 570 gross, 540 worked; the shift asks 480 − 30 = 450.
    const r = status(D, [checkIn("2026-01-14T08:30:00+01:00"), checkOut("2026-01-14T18:00:00+01:00")]);
    expect([r.status, r.lateMinutes, r.earlyMinutes, r.workedMinutes, r.overtimeMinutes]).toEqual(["present", 0, 0, 540, 90]);
  });

  test("multiple pairs sum; gaps between them count as break", () => {
    const lunch = status(D, [
      checkIn("2026-01-14T09:00:00+01:00"),
      checkOut("2026-01-14T12:00:00+01:00"),
      checkIn("2026-01-14T12:30:00+01:00"),
      checkOut("2026-01-14T17:00:00+01:00"),
    ]);
    // 180 + 270 = 450 gross; the 30-minute gap is the break.
    expect([lunch.workedMinutes, lunch.overtimeMinutes, iso(lunch.firstIn), iso(lunch.lastOut)]).toEqual([450, 0, "2026-01-14T08:00:00.000Z", "2026-01-14T16:00:00.000Z"]);
    const shortLunch = status(D, [
      checkIn("2026-01-14T09:00:00+01:00"),
      checkOut("2026-01-14T12:00:00+01:00"),
      checkIn("2026-01-14T12:10:00+01:00"),
      checkOut("2026-01-14T17:00:00+01:00"),
    ]);
    // 180 + 290 = 470 gross, 10 minutes of gap, 20 more deducted.
    expect(shortLunch.workedMinutes).toBe(450);
    const three = status(D, [
      checkIn("2026-01-14T09:00:00+01:00"),
      checkOut("2026-01-14T11:00:00+01:00"),
      checkIn("2026-01-14T11:15:00+01:00"),
      checkOut("2026-01-14T13:00:00+01:00"),
      checkIn("2026-01-14T13:05:00+01:00"),
      checkOut("2026-01-14T17:00:00+01:00"),
    ]);
    // 120 + 105 + 235 = 460 gross, gaps 15 + 5, 10 more deducted.
    expect(three.workedMinutes).toBe(450);
  });

  test("duplicate punches: first of a run of check-ins, last of a run of check-outs; order does not matter", () => {
    const events = [
      checkOut("2026-01-14T17:04:00+01:00"),
      checkIn("2026-01-14T09:03:00+01:00"),
      checkOut("2026-01-14T12:00:00+01:00"),
      checkIn("2026-01-14T13:00:00+01:00"),
      checkIn("2026-01-14T08:59:00+01:00"),
      checkOut("2026-01-14T12:05:00+01:00"),
      checkIn("2026-01-14T09:10:00+01:00"),
      checkOut("2026-01-14T17:00:00+01:00"),
    ];
    // Pairs 08:59–12:05 (186) and 13:00–17:04 (244): 430 gross, the 55-minute gap covers the break.
    expect(status(D, events)).toEqual({
      status: "present",
      lateMinutes: 0,
      earlyMinutes: 0,
      workedMinutes: 430,
      overtimeMinutes: 0,
      firstIn: t("2026-01-14T07:59:00Z"),
      lastOut: t("2026-01-14T16:04:00Z"),
      flags: [],
    });
  });

  test("voided events are ignored", () => {
    const r = status(D, [
      checkIn("2026-01-14T09:00:00+01:00", true),
      checkIn("2026-01-14T09:30:00+01:00"),
      checkOut("2026-01-14T17:00:00+01:00"),
      checkOut("2026-01-14T17:30:00+01:00", true),
    ]);
    expect([r.status, r.lateMinutes, r.workedMinutes, iso(r.firstIn), iso(r.lastOut)]).toEqual(["late", 30, 420, "2026-01-14T08:30:00.000Z", "2026-01-14T16:00:00.000Z"]);
    expect(status(D, [checkIn("2026-01-14T09:00:00+01:00", true)]).status).toBe("absent");
  });

  test("events outside the day's window are ignored", () => {
    const r = status(D, [
      checkIn("2026-01-13T09:00:00+01:00"),
      checkOut("2026-01-13T23:59:00+01:00"),
      checkIn("2026-01-14T09:00:00+01:00"),
      checkOut("2026-01-14T17:00:00+01:00"),
      checkIn("2026-01-15T00:00:00+01:00"),
    ]);
    expect([r.status, r.workedMinutes, iso(r.firstIn), iso(r.lastOut), r.flags]).toEqual(["present", 450, "2026-01-14T08:00:00.000Z", "2026-01-14T16:00:00.000Z", []]);
  });

  test("absent versus not started yet", () => {
    const zero = { lateMinutes: 0, earlyMinutes: 0, workedMinutes: 0, overtimeMinutes: 0, firstIn: null, lastOut: null, flags: [] };
    expect(status(D, [], { now: "2026-01-14T08:00:00+01:00" })).toEqual({ status: "not_started", ...zero });
    expect(status(D, [], { now: "2026-01-14T09:05:00+01:00" })).toEqual({ status: "not_started", ...zero });
    expect(status(D, [], { now: "2026-01-14T09:05:01+01:00" })).toEqual({ status: "absent", ...zero });
    expect(status(D, [])).toEqual({ status: "absent", ...zero });
  });

  test("holiday and leave win over absent; holiday wins over leave", () => {
    expect(status(D, [], { holiday: true }).status).toBe("holiday");
    expect(status(D, [], { leave: true }).status).toBe("on_leave");
    expect(status(D, [], { holiday: true, leave: true }).status).toBe("holiday");
  });

  test("working on a holiday, on leave or on a day off: present, all of it overtime", () => {
    const events = [checkIn("2026-01-14T10:00:00+01:00"), checkOut("2026-01-14T14:00:00+01:00")];
    expect(status(D, events, { holiday: true })).toEqual({
      status: "present",
      lateMinutes: 0,
      earlyMinutes: 0,
      workedMinutes: 240,
      overtimeMinutes: 240,
      firstIn: t("2026-01-14T09:00:00Z"),
      lastOut: t("2026-01-14T13:00:00Z"),
      flags: ["worked_on_holiday"],
    });
    const leave = status(D, events, { leave: true });
    expect([leave.status, leave.overtimeMinutes, leave.flags]).toEqual(["present", 240, ["worked_on_leave"]]);
    // Saturday is a day off: 6 h 30 gross, 30 min break.
    const saturday = status("2026-01-17", [checkIn("2026-01-17T10:00:00+01:00"), checkOut("2026-01-17T16:30:00+01:00")]);
    expect([saturday.status, saturday.workedMinutes, saturday.overtimeMinutes, saturday.flags]).toEqual(["present", 360, 360, ["worked_on_day_off"]]);
    expect(status("2026-01-17", []).status).toBe("day_off");
  });

  test("no schedule: nothing expected, no break, no overtime", () => {
    expect(status(D, [], { schedule: null })).toEqual({
      status: "day_off",
      lateMinutes: 0,
      earlyMinutes: 0,
      workedMinutes: 0,
      overtimeMinutes: 0,
      firstIn: null,
      lastOut: null,
      flags: ["no_schedule"],
    });
    const r = status(D, [checkIn("2026-01-14T09:30:00+01:00"), checkOut("2026-01-14T17:00:00+01:00")], { schedule: null });
    expect([r.status, r.lateMinutes, r.workedMinutes, r.overtimeMinutes, r.flags]).toEqual(["present", 0, 450, 0, ["no_schedule"]]);
    expect(status(D, [], { schedule: null, holiday: true }).status).toBe("holiday");
  });

  test("a check-out without a check-in", () => {
    expect(status(D, [checkOut("2026-01-14T17:00:00+01:00")])).toEqual({
      status: "incomplete",
      lateMinutes: 0,
      earlyMinutes: 0,
      workedMinutes: 0,
      overtimeMinutes: 0,
      firstIn: null,
      lastOut: null,
      flags: ["unmatched_check_out"],
    });
    const r = status(D, [checkOut("2026-01-14T08:00:00+01:00"), checkIn("2026-01-14T09:00:00+01:00"), checkOut("2026-01-14T17:00:00+01:00")]);
    expect([r.status, r.workedMinutes, r.flags]).toEqual(["present", 450, ["unmatched_check_out"]]);
  });

  test("minimum hours", () => {
    const strict = schedule(office.pattern, { minHours: 7.5 });
    const short = status(D, [checkIn("2026-01-14T09:00:00+01:00"), checkOut("2026-01-14T16:00:00+01:00")], { schedule: strict });
    expect([short.status, short.workedMinutes, short.flags]).toEqual(["present", 390, ["under_min_hours"]]);
    const full = status(D, [checkIn("2026-01-14T09:00:00+01:00"), checkOut("2026-01-14T17:00:00+01:00")], { schedule: strict });
    expect([full.workedMinutes, full.flags]).toEqual([450, []]);
    const late = status(D, [checkIn("2026-01-14T09:30:00+01:00"), checkOut("2026-01-14T17:00:00+01:00")], { schedule: strict });
    expect([late.status, late.flags]).toEqual(["late", ["under_min_hours"]]);
    // Still at work: not judged yet.
    const working = status(D, [checkIn("2026-01-14T09:00:00+01:00")], { schedule: strict, now: "2026-01-14T12:00:00+01:00" });
    expect(working.flags).toEqual(["in_progress"]);
    // Not on a day off.
    const saturday = status("2026-01-17", [checkIn("2026-01-17T10:00:00+01:00"), checkOut("2026-01-17T11:00:00+01:00")], { schedule: strict });
    expect(saturday.flags).toEqual(["worked_on_day_off"]);
  });
});

describe("dailyStatus with an open check-in", () => {
  const D = "2026-01-14";
  const open = [checkIn("2026-01-14T09:00:00+01:00")];

  test("still at work: counted up to now", () => {
    expect(status(D, open, { now: "2026-01-14T16:00:00+01:00" })).toEqual({
      status: "present",
      lateMinutes: 0,
      earlyMinutes: 0,
      workedMinutes: 390,
      overtimeMinutes: 0,
      firstIn: t("2026-01-14T08:00:00Z"),
      lastOut: null,
      flags: ["in_progress"],
    });
  });

  test("without automatic check-out: in progress until the day's window ends, then incomplete", () => {
    // 20:00: 11 h gross, 630 worked, 180 over.
    const evening = status(D, open, { now: "2026-01-14T20:00:00+01:00" });
    expect([evening.status, evening.workedMinutes, evening.overtimeMinutes, evening.flags]).toEqual(["present", 630, 180, ["in_progress"]]);
    expect(status(D, open, { now: "2026-01-15T00:00:00+01:00" }).flags).toEqual(["in_progress"]);
    expect(status(D, open, { now: "2026-01-15T00:00:01+01:00" })).toEqual({
      status: "incomplete",
      lateMinutes: 0,
      earlyMinutes: 0,
      workedMinutes: 0,
      overtimeMinutes: 0,
      firstIn: t("2026-01-14T08:00:00Z"),
      lastOut: null,
      flags: [],
    });
    // Closed pairs still count; lateness is still reported.
    const r = status(D, [checkIn("2026-01-14T09:10:00+01:00"), checkOut("2026-01-14T12:00:00+01:00"), checkIn("2026-01-14T13:00:00+01:00")]);
    expect([r.status, r.lateMinutes, r.workedMinutes, r.earlyMinutes, r.lastOut]).toEqual(["incomplete", 10, 170, 0, null]);
  });

  test("with automatic check-out: closed at the shift end once the delay has passed", () => {
    const auto = schedule(office.pattern, { autoCheckoutMinutes: 60 });
    // 17:30: still within the delay, 8 h 30 gross.
    const waiting = status(D, open, { schedule: auto, now: "2026-01-14T17:30:00+01:00" });
    expect([waiting.status, waiting.workedMinutes, waiting.overtimeMinutes, waiting.flags]).toEqual(["present", 480, 30, ["in_progress"]]);
    expect(status(D, open, { schedule: auto, now: "2026-01-14T18:00:00+01:00" }).flags).toEqual(["in_progress"]);
    expect(status(D, open, { schedule: auto, now: "2026-01-14T18:00:01+01:00" })).toEqual({
      status: "present",
      lateMinutes: 0,
      earlyMinutes: 0,
      workedMinutes: 450,
      overtimeMinutes: 0,
      firstIn: t("2026-01-14T08:00:00Z"),
      lastOut: t("2026-01-14T16:00:00Z"),
      flags: ["auto_checkout"],
    });
    // A delay reaching past the day's window is cut at the window end (local midnight here).
    const day = schedule(office.pattern, { autoCheckoutMinutes: 1440 });
    expect(status(D, open, { schedule: day, now: "2026-01-15T00:00:00+01:00" }).flags).toEqual(["in_progress"]);
    const cut = status(D, open, { schedule: day, now: "2026-01-15T00:00:01+01:00" });
    expect([cut.status, cut.workedMinutes, iso(cut.lastOut), cut.flags]).toEqual(["present", 450, "2026-01-14T16:00:00.000Z", ["auto_checkout"]]);
    // A check-in after the shift end cannot be closed at the shift end.
    const back = status(D, [checkIn("2026-01-14T09:00:00+01:00"), checkOut("2026-01-14T17:00:00+01:00"), checkIn("2026-01-14T18:30:00+01:00")], { schedule: auto });
    expect([back.status, back.workedMinutes, back.flags]).toEqual(["incomplete", 450, []]);
    // On a day off there is no shift end either.
    const saturday = status("2026-01-17", [checkIn("2026-01-17T10:00:00+01:00")], { schedule: auto });
    expect([saturday.status, saturday.flags]).toEqual(["incomplete", ["worked_on_day_off"]]);
  });
});

describe("dailyStatus on overnight shifts", () => {
  test("a 22:00–06:00 shift spanning midnight", () => {
    const events = [
      checkOut("2026-01-14T06:05:00+01:00"), // the previous night's check-out
      checkIn("2026-01-14T21:55:00+01:00"),
      checkOut("2026-01-15T06:10:00+01:00"),
      checkIn("2026-01-15T21:58:00+01:00"), // the next night
    ];
    // 21:55 → 06:10 is 495 gross, 465 worked; the shift asks 450.
    expect(status("2026-01-14", events, { schedule: night })).toEqual({
      status: "present",
      lateMinutes: 0,
      earlyMinutes: 0,
      workedMinutes: 465,
      overtimeMinutes: 15,
      firstIn: t("2026-01-14T20:55:00Z"),
      lastOut: t("2026-01-15T05:10:00Z"),
      flags: [],
    });
    const late = status("2026-01-14", [checkIn("2026-01-14T22:30:00+01:00"), checkOut("2026-01-15T06:00:00+01:00")], { schedule: night });
    expect([late.status, late.lateMinutes, late.workedMinutes]).toEqual(["late", 30, 420]);
  });

  test("absent and not started at night", () => {
    expect(status("2026-01-14", [], { schedule: night, now: "2026-01-14T22:05:00+01:00" }).status).toBe("not_started");
    expect(status("2026-01-14", [], { schedule: night, now: "2026-01-14T22:06:00+01:00" }).status).toBe("absent");
  });

  test("automatic check-out of a night shift", () => {
    const auto = schedule(everyDay("22:00", "06:00"), { autoCheckoutMinutes: 30 });
    const events = [checkIn("2026-01-14T22:00:00+01:00")];
    expect(status("2026-01-14", events, { schedule: auto, now: "2026-01-15T06:30:00+01:00" }).flags).toEqual(["in_progress"]);
    const r = status("2026-01-14", events, { schedule: auto, now: "2026-01-15T06:31:00+01:00" });
    expect([r.status, r.workedMinutes, iso(r.lastOut), r.flags]).toEqual(["present", 450, "2026-01-15T05:00:00.000Z", ["auto_checkout"]]);
  });
});

describe("dailyStatus across DST changes (Europe/Berlin)", () => {
  const days = schedule(everyDay("09:00", "17:00"));

  test("spring forward, 09:00–17:00 on Sunday 2026-03-29", () => {
    const r = status("2026-03-29", [checkIn("2026-03-29T09:00:00+02:00"), checkOut("2026-03-29T17:00:00+02:00")], { schedule: days });
    expect([r.status, r.lateMinutes, r.earlyMinutes, r.workedMinutes, r.overtimeMinutes]).toEqual(["present", 0, 0, 450, 0]);
    const late = status("2026-03-29", [checkIn("2026-03-29T09:10:00+02:00"), checkOut("2026-03-29T17:00:00+02:00")], { schedule: days });
    expect([late.status, late.lateMinutes]).toEqual(["late", 10]);
    expect(status("2026-03-29", [], { schedule: days, now: "2026-03-29T09:05:00+02:00" }).status).toBe("not_started");
    expect(status("2026-03-29", [], { schedule: days, now: "2026-03-29T09:06:00+02:00" }).status).toBe("absent");
  });

  test("spring forward, 22:00–06:00 in the night of 28→29 March lasts 7 h", () => {
    const full = status("2026-03-28", [checkIn("2026-03-28T22:00:00+01:00"), checkOut("2026-03-29T06:00:00+02:00")], { schedule: night });
    // 7 h real, minus the break: 390; the shift asks 420 − 30 = 390.
    expect([full.status, full.lateMinutes, full.earlyMinutes, full.workedMinutes, full.overtimeMinutes]).toEqual(["present", 0, 0, 390, 0]);
    const early = status("2026-03-28", [checkIn("2026-03-28T22:00:00+01:00"), checkOut("2026-03-29T05:30:00+02:00")], { schedule: night });
    // 6 h 30 real: 30 minutes past 6 h taken for the break.
    expect([early.earlyMinutes, early.workedMinutes]).toEqual([30, 360]);
    // A wall-clock 01:00 → 05:00 across the gap without any schedule is 3 real hours.
    const free = status("2026-03-29", [checkIn("2026-03-29T01:00:00+01:00"), checkOut("2026-03-29T05:00:00+02:00")], { schedule: null });
    expect(free.workedMinutes).toBe(180);
  });

  test("spring forward, automatic check-out at 06:00 CEST", () => {
    const auto = schedule(everyDay("22:00", "06:00"), { autoCheckoutMinutes: 0 });
    const r = status("2026-03-28", [checkIn("2026-03-28T22:00:00+01:00")], { schedule: auto, now: "2026-03-29T06:01:00+02:00" });
    expect([r.workedMinutes, iso(r.lastOut), r.flags]).toEqual([390, "2026-03-29T04:00:00.000Z", ["auto_checkout"]]);
  });

  test("fall back, 09:00–17:00 on Sunday 2026-10-25", () => {
    const r = status("2026-10-25", [checkIn("2026-10-25T09:00:00+01:00"), checkOut("2026-10-25T17:00:00+01:00")], { schedule: days });
    expect([r.status, r.lateMinutes, r.earlyMinutes, r.workedMinutes, r.overtimeMinutes]).toEqual(["present", 0, 0, 450, 0]);
    const overtime = status("2026-10-25", [checkIn("2026-10-25T08:00:00+01:00"), checkOut("2026-10-25T17:00:00+01:00")], { schedule: days });
    expect([overtime.workedMinutes, overtime.overtimeMinutes]).toEqual([510, 60]);
  });

  test("fall back, 22:00–06:00 in the night of 24→25 October lasts 9 h", () => {
    const full = status("2026-10-24", [checkIn("2026-10-24T22:00:00+02:00"), checkOut("2026-10-25T06:00:00+01:00")], { schedule: night });
    // 9 h real − 30 = 510; the shift asks 540 − 30 = 510.
    expect([full.status, full.earlyMinutes, full.workedMinutes, full.overtimeMinutes]).toEqual(["present", 0, 510, 0]);
    const atFive = status("2026-10-24", [checkIn("2026-10-24T22:00:00+02:00"), checkOut("2026-10-25T05:00:00+01:00")], { schedule: night });
    expect([atFive.earlyMinutes, atFive.workedMinutes]).toEqual([60, 450]);
    // 02:30 happens twice: first at +02:00 (00:30Z), then at +01:00 (01:30Z).
    const first = status("2026-10-24", [checkIn("2026-10-24T22:00:00+02:00"), checkOut("2026-10-25T02:30:00+02:00")], { schedule: night });
    expect([first.earlyMinutes, first.workedMinutes]).toEqual([270, 270]);
    const second = status("2026-10-24", [checkIn("2026-10-24T22:00:00+02:00"), checkOut("2026-10-25T02:30:00+01:00")], { schedule: night });
    expect([second.earlyMinutes, second.workedMinutes]).toEqual([210, 330]);
  });
});

describe("arrivalsHistogram", () => {
  test("a normal day has 96 quarter-hour buckets", () => {
    const h = arrivalsHistogram(
      [
        t("2026-01-14T08:55:00+01:00"),
        t("2026-01-14T09:00:00+01:00"),
        t("2026-01-14T09:05:00+01:00"),
        t("2026-01-14T09:14:59+01:00"),
        t("2026-01-14T00:00:00+01:00"),
        t("2026-01-13T23:59:59+01:00"), // the day before
        t("2026-01-15T00:00:00+01:00"), // the day after
      ],
      "2026-01-14",
      TZ,
    );
    expect(h.start.length).toBe(96);
    expect(h.counts.length).toBe(96);
    expect(h.start[0]).toBe(Date.parse("2026-01-13T23:00:00Z") / 1000);
    expect(h.start[95]).toBe(Date.parse("2026-01-14T22:45:00Z") / 1000);
    expect(h.counts[0]).toBe(1);
    expect(h.counts[35]).toBe(1); // 08:45
    expect(h.counts[36]).toBe(3); // 09:00
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(5);
  });

  test("spring forward: 92 buckets, 09:00 CEST is bucket 32", () => {
    const h = arrivalsHistogram([t("2026-03-29T09:00:00+02:00"), t("2026-03-29T03:00:00+02:00"), t("2026-03-29T01:59:00+01:00")], "2026-03-29", TZ);
    expect(h.start.length).toBe(92);
    expect(h.start[0]).toBe(Date.parse("2026-03-28T23:00:00Z") / 1000);
    // Real quarter hours from local midnight: 01:45 CET is bucket 7, 03:00 CEST directly follows it.
    expect(h.start[8]).toBe(Date.parse("2026-03-29T03:00:00+02:00") / 1000);
    expect(h.start[32]).toBe(Date.parse("2026-03-29T09:00:00+02:00") / 1000);
    expect([h.counts[7], h.counts[8], h.counts[32]]).toEqual([1, 1, 1]);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(3);
    expect(arrivalsHistogram([], "2026-03-29", TZ, 60).start.length).toBe(23);
  });

  test("fall back: 100 buckets, the repeated 02:30 lands in two buckets", () => {
    const h = arrivalsHistogram([t("2026-10-25T02:30:00+02:00"), t("2026-10-25T02:30:00+01:00"), t("2026-10-25T09:00:00+01:00")], "2026-10-25", TZ);
    expect(h.start.length).toBe(100);
    expect(h.start[0]).toBe(Date.parse("2026-10-24T22:00:00Z") / 1000);
    expect(h.start[99]).toBe(Date.parse("2026-10-25T22:45:00Z") / 1000);
    expect([h.counts[10], h.counts[14], h.counts[40]]).toEqual([1, 1, 1]);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(3);
  });

  test("bucket sizes that do not divide the day, and invalid sizes", () => {
    // 1440 / 7 → 205 full buckets and a 5-minute last one.
    const h = arrivalsHistogram([t("2026-01-14T23:58:00+01:00")], "2026-01-14", TZ, 7);
    expect(h.start.length).toBe(206);
    expect(h.start[205]).toBe(Date.parse("2026-01-14T23:55:00+01:00") / 1000);
    expect(h.counts[205]).toBe(1);
    expect(() => arrivalsHistogram([], "2026-01-14", TZ, 0)).toThrow(RangeError);
    expect(() => arrivalsHistogram([], "2026-01-14", TZ, 2.5)).toThrow(RangeError);
  });
});

describe("the day a person is added (Wednesday 2026-01-14, 09:00–17:00, 5 min grace)", () => {
  const D = "2026-01-14";
  const zero = { lateMinutes: 0, earlyMinutes: 0, workedMinutes: 0, overtimeMinutes: 0, firstIn: null, lastOut: null, flags: [] };

  test("isExpectedDay: from the day they were added, not before, not after today, only while active", () => {
    const p = { active: true, addedDay: D };
    expect(isExpectedDay(D, p, D)).toBe(true);
    expect(isExpectedDay(addDays(D, -1), p, D)).toBe(false);
    expect(isExpectedDay(addDays(D, 1), p, addDays(D, 3))).toBe(true);
    expect(isExpectedDay(addDays(D, 1), p, D)).toBe(false);
    expect(isExpectedDay(D, { active: false, addedDay: D }, D)).toBe(false);
  });

  test("added before the shift (or within grace): the day counts as usual", () => {
    for (const addedAt of ["2026-01-14T07:30:00+01:00", "2026-01-14T09:05:00+01:00"]) {
      expect(status(D, [], { addedAt, now: "2026-01-14T09:00:00+01:00" })).toEqual({ status: "not_started", ...zero });
      expect(status(D, [], { addedAt })).toEqual({ status: "absent", ...zero });
      const late = status(D, [checkIn("2026-01-14T09:20:00+01:00"), checkOut("2026-01-14T17:00:00+01:00")], { addedAt });
      expect([late.status, late.lateMinutes]).toEqual(["late", 20]);
    }
  });

  test("added after shift start + grace: never absent, never late that day", () => {
    const addedAt = "2026-01-14T09:05:01+01:00";
    expect(status(D, [], { addedAt, now: "2026-01-14T10:00:00+01:00" })).toEqual({ status: "not_started", ...zero });
    expect(status(D, [], { addedAt })).toEqual({ status: "not_started", ...zero });
    const strict = schedule(office.pattern, { minHours: 7.5 });
    const came = status(D, [checkIn("2026-01-14T11:00:00+01:00"), checkOut("2026-01-14T17:00:00+01:00")], { addedAt: "2026-01-14T10:45:00+01:00", schedule: strict });
    expect([came.status, came.lateMinutes, came.workedMinutes, came.flags]).toEqual(["present", 0, 360, []]);
  });

  test("leave, holidays and days off on the day they were added are what they are", () => {
    const addedAt = "2026-01-14T14:00:00+01:00";
    expect(status(D, [], { addedAt, leave: true })).toEqual({ status: "on_leave", ...zero });
    expect(status(D, [], { addedAt, holiday: true })).toEqual({ status: "holiday", ...zero });
    expect(status("2026-01-17", [], { addedAt: "2026-01-17T14:00:00+01:00" })).toEqual({ status: "day_off", ...zero });
  });
});
