// bun run seed --people 5000 --days 90
// Fills an empty database with a realistic site: departments on office, early, late, night and
// part-time schedules (a few people with a schedule of their own), holidays, vacation and sick leave,
// and camera/kiosk check-ins and check-outs with lateness, absences, early leaving, forgotten
// check-outs and lunch breaks; then computes every stored daily status with the app's own rules.
// It writes to DATABASE_URL, or to the embedded PGlite database in DATA_DIR, through the app's own
// openDatabase (migrations included). Deterministic for a given --seed.
import { sql } from "drizzle-orm";
import { loadConfig } from "../src/config";
import { openDatabase, rowsOf, type Database } from "../src/db/client";
import { AttendanceRepo } from "../src/db/repos/attendance";
import { AuditService, SYSTEM_ACTOR } from "../src/db/repos/audit";
import { DepartmentsRepo, PeopleRepo } from "../src/db/repos/people";
import { HolidaysRepo, LeavesRepo, SchedulesRepo } from "../src/db/repos/schedules";
import { cameras, departments, holidays, leaves, people, schedules } from "../src/db/schema";
import type { WeeklyPattern } from "../src/domain/attendance";
import { daysOf } from "../src/domain/attendance/report";
import { addDays, dayStart, localDay, parseClock, weekday, zonedInstant } from "../src/domain/time";
import { createLogger } from "../src/lib/log";
import { AttendanceService } from "../src/services/attendance";
import { JobRegistry } from "../src/services/jobs";
import { PeopleService } from "../src/services/people";

export interface SeedOptions {
  people: number;
  days: number;
  tz: string;
  seed?: number;
  /** Progress lines; silent when absent. */
  say?: (line: string) => void;
}

export interface SeedResult {
  people: number;
  days: number;
  from: string;
  to: string;
  departments: { id: number; name: string }[];
  events: number;
  statusRows: number;
  seconds: { data: number; statuses: number };
}

const FIRST = ["Ada", "Alan", "Amara", "Ana", "Ben", "Bruno", "Chen", "Chloe", "Dara", "David", "Elif", "Emma", "Farid", "Fatima", "Gita", "Hana", "Hugo", "Ines", "Ivan", "Jana", "Jonas", "Kai", "Kemal", "Lena", "Liam", "Lucia", "Malik", "Maria", "Mateo", "Mia", "Nadia", "Noah", "Olga", "Omar", "Paula", "Pedro", "Priya", "Rafael", "Rosa", "Sami", "Sara", "Sofia", "Tariq", "Tom", "Uma", "Vera", "Wei", "Yara", "Yusuf", "Zoe"];
const LAST = ["Adler", "Baker", "Berg", "Costa", "Demir", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Hansen", "Ito", "Jansen", "Kaya", "Kowalski", "Larsen", "Lopez", "Meyer", "Moreau", "Nakamura", "Novak", "Okafor", "Olsen", "Patel", "Petrov", "Quinn", "Rossi", "Schmidt", "Silva", "Singh", "Tanaka", "Tran", "Urban", "Vogel", "Wagner", "Weber", "Wolf", "Yilmaz", "Zhang", "Zimmer"];

const shift = (start: string, end: string) => ({ start, end });
const days = (on: number[], start: string, end: string): WeeklyPattern => Array.from({ length: 7 }, (_, i) => (on.includes(i) ? shift(start, end) : null)) as WeeklyPattern;
const MON_FRI = [1, 2, 3, 4, 5];

const SCHEDULES = [
  { key: "office", name: "Office 09:00–17:30", pattern: days(MON_FRI, "09:00", "17:30"), graceMinutes: 5, breakMinutes: 30, minHours: 6, autoCheckoutMinutes: null },
  { key: "early", name: "Early shift 06:00–14:00", pattern: days([1, 2, 3, 4, 5, 6], "06:00", "14:00"), graceMinutes: 3, breakMinutes: 30, minHours: 7, autoCheckoutMinutes: 60 },
  { key: "late", name: "Late shift 14:00–22:00", pattern: days(MON_FRI, "14:00", "22:00"), graceMinutes: 3, breakMinutes: 30, minHours: 7, autoCheckoutMinutes: 60 },
  // Sunday to Thursday nights, each ending the next morning.
  { key: "night", name: "Night shift 22:00–06:00", pattern: days([0, 1, 2, 3, 4], "22:00", "06:00"), graceMinutes: 5, breakMinutes: 45, minHours: 7, autoCheckoutMinutes: 120 },
  { key: "part", name: "Part-time mornings", pattern: days(MON_FRI, "08:00", "12:00"), graceMinutes: 5, breakMinutes: 0, minHours: 3.5, autoCheckoutMinutes: 60 },
] as const;

const DEPARTMENTS: { name: string; schedule: (typeof SCHEDULES)[number]["key"]; weight: number }[] = [
  { name: "Assembly", schedule: "early", weight: 22 },
  { name: "Packing", schedule: "late", weight: 14 },
  { name: "Warehouse", schedule: "early", weight: 12 },
  { name: "Security", schedule: "night", weight: 5 },
  { name: "Maintenance", schedule: "night", weight: 5 },
  { name: "Quality", schedule: "office", weight: 7 },
  { name: "Logistics", schedule: "late", weight: 8 },
  { name: "Customer service", schedule: "office", weight: 9 },
  { name: "Engineering", schedule: "office", weight: 8 },
  { name: "Finance", schedule: "office", weight: 4 },
  { name: "HR", schedule: "office", weight: 3 },
  { name: "Cleaning", schedule: "late", weight: 3 },
];

/** mulberry32: small, fast, deterministic. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface EventRow {
  person_id: number;
  kind: "check_in" | "check_out";
  ts: string;
  source: "camera" | "kiosk";
  camera_id: number | null;
  similarity: number | null;
  created_by: string;
}

/** Inserts many events in one statement per batch: the rows travel as one JSON parameter. */
async function insertEvents(database: Database, rows: EventRow[]) {
  for (let i = 0; i < rows.length; i += 20_000) {
    const batch = JSON.stringify(rows.slice(i, i + 20_000));
    await database.db.execute(sql`
      insert into attendance_events (person_id, kind, ts, source, camera_id, similarity, created_by)
      select person_id, kind, ts, source, camera_id, similarity, created_by
      from json_to_recordset(${batch}::json) as x(person_id int, kind text, ts timestamptz, source text, camera_id int, similarity real, created_by text)`);
  }
}

/** Seeds `database`, which must hold no people yet. The seeded days end yesterday (site time zone). */
export async function seedDatabase(database: Database, opts: SeedOptions): Promise<SeedResult> {
  const say = opts.say ?? (() => {});
  const { db } = database;
  const existing = Number(rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from people`))[0]?.n ?? 0);
  if (existing > 0) throw new Error(`The database already has ${existing} people; seed an empty database (a new DATA_DIR or PostgreSQL database)`);
  const rand = rng(opts.seed ?? 20260105);
  const pick = <T>(a: readonly T[]) => a[Math.floor(rand() * a.length)]!;
  const between = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const tz = opts.tz;
  const today = localDay(new Date(), tz);
  const to = addDays(today, -1);
  const from = addDays(to, -(opts.days - 1));
  const started = performance.now();

  const scheduleRows = await db
    .insert(schedules)
    .values(SCHEDULES.map(({ key: _key, ...s }) => s))
    .returning();
  const scheduleId = Object.fromEntries(SCHEDULES.map((s, i) => [s.key, scheduleRows[i]!.id])) as Record<(typeof SCHEDULES)[number]["key"], number>;
  const patternOf = new Map(SCHEDULES.map((s, i) => [scheduleRows[i]!.id, s.pattern as WeeklyPattern]));
  const deptRows = await db
    .insert(departments)
    .values(DEPARTMENTS.map((d) => ({ name: d.name, scheduleId: scheduleId[d.schedule], description: `Seeded (${d.schedule} schedule)` })))
    .returning();
  const cams = await db
    .insert(cameras)
    .values([
      { name: "Main entrance", url: "rtsp://main-entrance.invalid/stream", direction: "both", enabled: false },
      { name: "Gate B", url: "rtsp://gate-b.invalid/stream", direction: "both", enabled: false },
      { name: "Office door", url: "rtsp://office-door.invalid/stream", direction: "both", enabled: false },
    ])
    .returning();

  // People: departments by weight, 3 % on the part-time schedule of their own, 1 % inactive.
  const totalWeight = DEPARTMENTS.reduce((s, d) => s + d.weight, 0);
  const createdAt = dayStart(addDays(from, -60), tz);
  const personValues = Array.from({ length: opts.people }, (_, i) => {
    let w = rand() * totalWeight;
    let d = 0;
    while (w >= DEPARTMENTS[d]!.weight) w -= DEPARTMENTS[d++]!.weight;
    return {
      name: `${pick(FIRST)} ${pick(LAST)}`,
      employeeCode: `E-${String(i + 1).padStart(5, "0")}`,
      departmentId: deptRows[d]!.id,
      scheduleId: rand() < 0.03 ? scheduleId.part : null,
      active: rand() >= 0.01,
      createdAt,
    };
  });
  const personRows: { id: number; departmentId: number | null; scheduleId: number | null; active: boolean }[] = [];
  for (let i = 0; i < personValues.length; i += 1000)
    personRows.push(...(await db.insert(people).values(personValues.slice(i, i + 1000)).returning({ id: people.id, departmentId: people.departmentId, scheduleId: people.scheduleId, active: people.active })));
  say(`${personRows.length} people in ${deptRows.length} departments, ${scheduleRows.length} schedules`);

  // Two holidays inside the range, and vacation (8 %) or sick leave (3 %) for some people.
  const range = daysOf(from, to);
  const holidayDays = [range[Math.floor(range.length * 0.3)], range[Math.floor(range.length * 0.7)]].filter((d): d is string => !!d && d >= from);
  if (holidayDays.length) await db.insert(holidays).values(holidayDays.map((day, i) => ({ day, name: i === 0 ? "Spring holiday" : "Regional holiday" })));
  const holidaySet = new Set(holidayDays);
  const leaveOf = new Map<number, { from: string; to: string }>();
  const leaveValues: (typeof leaves.$inferInsert)[] = [];
  for (const p of personRows) {
    const r = rand();
    if (r >= 0.11) continue;
    const vacation = r < 0.08;
    const start = range[between(0, range.length - 1)]!;
    const end = addDays(start, vacation ? between(2, 12) : between(0, 2));
    leaveOf.set(p.id, { from: start, to: end });
    leaveValues.push({ personId: p.id, fromDay: start, toDay: end, kind: vacation ? "vacation" : "sick", note: vacation ? null : "Called in sick" });
  }
  for (let i = 0; i < leaveValues.length; i += 1000) await db.insert(leaves).values(leaveValues.slice(i, i + 1000));

  // Events. zonedInstant is memoised: arrivals cluster on few (day, minute) pairs.
  const deptSchedule = new Map(deptRows.map((d) => [d.id, d.scheduleId]));
  const instants = new Map<string, number>();
  const at = (day: string, minute: number, second: number) => {
    const key = `${day}|${minute}`;
    let ms = instants.get(key);
    if (ms === undefined) instants.set(key, (ms = zonedInstant(day, minute, tz).getTime()));
    return new Date(ms + second * 1000).toISOString();
  };
  const events: EventRow[] = [];
  for (const p of personRows) {
    if (!p.active) continue;
    const sid = p.scheduleId ?? deptSchedule.get(p.departmentId!) ?? null;
    const pattern = sid === null ? null : patternOf.get(sid)!;
    const leave = leaveOf.get(p.id);
    const lunchTaker = sid === scheduleId.office && rand() < 0.3;
    const punctuality = rand(); // some people are late more often than others
    const add = (kind: EventRow["kind"], day: string, minute: number) => {
      const viaKiosk = rand() < 0.08;
      events.push({
        person_id: p.id,
        kind,
        ts: at(day, minute, between(0, 59)),
        source: viaKiosk ? "kiosk" : "camera",
        camera_id: viaKiosk ? null : pick(cams).id,
        similarity: viaKiosk ? null : Math.round((0.45 + rand() * 0.35) * 1000) / 1000,
        created_by: viaKiosk ? "kiosk" : "camera",
      });
    };
    for (const day of range) {
      const s = pattern?.[weekday(day)];
      if (!s || holidaySet.has(day) || (leave && leave.from <= day && day <= leave.to)) continue;
      if (rand() < 0.03) continue; // absent
      const start = parseClock(s.start);
      const endClock = parseClock(s.end);
      const end = endClock <= start ? endClock + 1440 : endClock;
      const r = rand();
      const lateChance = 0.04 + punctuality * 0.16;
      const arrive = r < lateChance ? start + between(6, 25) + (rand() < 0.3 ? between(10, 60) : 0) : r < lateChance + 0.05 ? start + between(1, 5) : start - between(0, 20);
      add("check_in", day, arrive);
      if (lunchTaker && rand() < 0.8) {
        const out = 12 * 60 + between(0, 30);
        add("check_out", day, out);
        add("check_in", day, out + between(25, 50));
      }
      if (rand() < 0.015) continue; // forgot to check out
      const leaveAt = rand() < 0.05 ? end - between(10, 120) : end + between(0, 25) + (rand() < 0.1 ? between(30, 120) : 0);
      add("check_out", day, leaveAt);
    }
  }
  await insertEvents(database, events);
  const dataSeconds = (performance.now() - started) / 1000;
  say(`${events.length} events, ${leaveValues.length} leaves, ${holidayDays.length} holidays in ${dataSeconds.toFixed(1)} s`);

  // Daily statuses with the app's own service (a background job for this size), with progress.
  const log = createLogger("silent");
  const audit = new AuditService(db);
  const jobs = new JobRegistry();
  const attendance = new AttendanceService({
    repo: new AttendanceRepo(db),
    schedules: new SchedulesRepo(db),
    holidays: new HolidaysRepo(db),
    leaves: new LeavesRepo(db),
    people: new PeopleService(new PeopleRepo(db), new DepartmentsRepo(db), audit),
    audit,
    jobs,
    tz,
    log,
  });
  const t0 = performance.now();
  const outcome = await attendance.recompute(null, range, SYSTEM_ACTOR);
  if ("job" in outcome) {
    const timer = setInterval(() => {
      const j = jobs.get<number>(outcome.job, "system");
      if (j) say(`daily statuses: ${j.done} of ${j.total} person-days`);
    }, 5000);
    await jobs.idle();
    clearInterval(timer);
    const j = jobs.get<number>(outcome.job, "system")!;
    if (j.error) throw new Error(`Computing the daily statuses failed: ${j.error}`);
  }
  // Fresh planner statistics, as autovacuum would gather them after a while on a live site.
  await db.execute(sql`analyze people, departments, schedules, attendance_events, daily_status, leaves, holidays`);
  const statusRows = Number(rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from daily_status`))[0]?.n ?? 0);
  const statusSeconds = (performance.now() - t0) / 1000;
  say(`${statusRows} daily statuses in ${statusSeconds.toFixed(1)} s`);
  return {
    people: personRows.length,
    days: range.length,
    from,
    to,
    departments: deptRows.map((d) => ({ id: d.id, name: d.name })),
    events: events.length,
    statusRows,
    seconds: { data: dataSeconds, statuses: statusSeconds },
  };
}

function argValue(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 1) {
    console.error(`--${name} needs a positive whole number`);
    process.exit(2);
  }
  return v;
}

if (import.meta.main) {
  const config = loadConfig(process.env);
  const n = argValue("people", 5000);
  const d = argValue("days", 90);
  if (d > 366) {
    console.error("--days can be at most 366");
    process.exit(2);
  }
  const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATABASE_URL ? undefined : config.DATA_DIR });
  console.log(`seeding ${database.kind === "postgres" ? "PostgreSQL (DATABASE_URL)" : `PGlite in ${config.DATA_DIR}`}: ${n} people, ${d} days, time zone ${config.TZ}`);
  try {
    const r = await seedDatabase(database, { people: n, days: d, tz: config.TZ, seed: argValue("seed", 20260105), say: (l) => console.log(l) });
    console.log(`done: ${r.from} to ${r.to}, ${r.events} events, ${r.statusRows} daily statuses`);
  } catch (e) {
    console.error((e as Error).message);
    process.exitCode = 1;
  } finally {
    await database.close();
  }
}
