// bun run bench:reports → bench/results/reports.json and a table
// Seeds 5,000 people × 90 days (scripts/seed.ts) into a fresh PGlite folder and into a fresh schema
// on PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test; the schema is
// dropped afterwards), starts the real app on each, signs in as a viewer and times every report page,
// its JSON and its exports in-process (routing, queries and rendering; no network). Target: every
// report page under 1 s on PostgreSQL.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { seedDatabase, type SeedResult } from "../scripts/seed";
import { loadConfig } from "../src/config";
import { openDatabase } from "../src/db/client";
import { addDays } from "../src/domain/time";
import { createLogger } from "../src/lib/log";
import { build } from "../src/server";

const PEOPLE = Number(process.env.BENCH_PEOPLE ?? 5000);
const DAYS = Number(process.env.BENCH_DAYS ?? 90);
const TZ = process.env.BENCH_TZ ?? "Europe/Berlin";
const PG_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const RUNS = 5;
const TARGET_MS = 1000;

interface Case {
  name: string;
  kind: "page" | "json" | "export";
  path: string;
}

function cases(s: SeedResult, personId: number): Case[] {
  const month = addDays(s.to, -30);
  const dept = s.departments.find((d) => d.name === "Assembly") ?? s.departments[0]!;
  return [
    { name: "daily sheet, everyone", kind: "page", path: `/reports/daily?date=${s.to}` },
    { name: "daily sheet, one department", kind: "page", path: `/reports/daily?date=${s.to}&departmentId=${dept.id}` },
    { name: `timesheet, ${s.days} days`, kind: "page", path: `/reports/timesheet?personId=${personId}&from=${s.from}&to=${s.to}` },
    { name: `summary by department, ${s.days} days`, kind: "page", path: `/reports/summary?from=${s.from}&to=${s.to}` },
    { name: `summary of one department by person, ${s.days} days`, kind: "page", path: `/reports/summary?departmentId=${dept.id}&from=${s.from}&to=${s.to}` },
    { name: "matrix, 100 people x 31 days", kind: "page", path: `/reports/matrix?from=${month}&to=${s.to}` },
    { name: `matrix, 100 people x ${s.days} days`, kind: "page", path: `/reports/matrix?from=${s.from}&to=${s.to}` },
    { name: `attendance events, ${s.days} days, first page`, kind: "page", path: `/attendance?from=${s.from}&to=${s.to}` },
    { name: "daily sheet JSON", kind: "json", path: `/api/v1/reports/daily?date=${s.to}` },
    { name: `summary JSON, ${s.days} days`, kind: "json", path: `/api/v1/reports/summary?from=${s.from}&to=${s.to}` },
    { name: "events JSON, 50 newest", kind: "json", path: `/api/v1/attendance?from=${s.from}&to=${s.to}&limit=50` },
    { name: "daily sheet CSV", kind: "export", path: `/api/v1/reports/daily.csv?date=${s.to}` },
    { name: "daily sheet XLSX", kind: "export", path: `/api/v1/reports/daily.xlsx?date=${s.to}` },
    { name: `timesheet XLSX, ${s.days} days`, kind: "export", path: `/api/v1/reports/timesheet.xlsx?personId=${personId}&from=${s.from}&to=${s.to}` },
    { name: `summary XLSX, ${s.days} days`, kind: "export", path: `/api/v1/reports/summary.xlsx?from=${s.from}&to=${s.to}` },
    { name: "matrix CSV, everyone x 31 days", kind: "export", path: `/api/v1/reports/matrix.csv?from=${month}&to=${s.to}` },
  ];
}

interface Timing {
  medianMs: number;
  maxMs: number;
  bytes: number;
}

async function runKind(kind: "pglite" | "postgres"): Promise<{ seed: SeedResult; timings: Record<string, Timing>; cases: Case[] }> {
  const dataDir = mkdtempSync(join(tmpdir(), "clockface-bench-"));
  const pgSchema = kind === "postgres" ? `bench_reports_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}` : undefined;
  try {
    const url = kind === "postgres" ? PG_URL : undefined;
    const database = await openDatabase({ url, dataDir: url ? undefined : dataDir, pgSchema });
    console.log(`${kind}: seeding ${PEOPLE} people x ${DAYS} days`);
    let seed: SeedResult;
    try {
      seed = await seedDatabase(database, { people: PEOPLE, days: DAYS, tz: TZ, say: (l) => console.log(`  ${l}`) });
    } finally {
      await database.close();
    }

    const config = loadConfig({ DATA_DIR: dataDir, TZ, LOG_LEVEL: "silent", MODELS_DOWNLOAD: "0", CLOCKFACE_SECRET: "bench-secret-".padEnd(40, "x"), ...(url ? { DATABASE_URL: url } : {}) });
    const app = await build(config, { log: createLogger("silent"), pgSchema, engine: false });
    try {
      // Let the start-up sweep (today's statuses) finish so it does not run during the timings.
      await app.deps.services.attendance.stopSettling();
      const email = "bench-viewer@example.com";
      await app.deps.services.accounts.createUser({ name: "Bench viewer", email, password: "correct-horse-battery", role: "viewer" });
      const signIn = await app.deps.auth.api.signInEmail({ body: { email, password: "correct-horse-battery" }, asResponse: true });
      const cookie = signIn.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
      const someone = (await app.deps.services.people.list({ limit: 1, offset: 0, departmentId: seed.departments[0]!.id, active: true })).rows[0]!;
      const list = cases(seed, someone.id);
      const timings: Record<string, Timing> = {};
      for (const c of list) {
        const once = async () => {
          const t0 = performance.now();
          const res = await app.app.request(`http://localhost:3000${c.path}`, { headers: { cookie, accept: c.kind === "page" ? "text/html" : "*/*" } });
          const body = await res.arrayBuffer();
          const ms = performance.now() - t0;
          if (res.status !== 200) throw new Error(`${c.path} answered ${res.status}: ${new TextDecoder().decode(body).slice(0, 300)}`);
          return { ms, bytes: body.byteLength };
        };
        await once(); // warm-up: JIT, caches, the planner
        const runs = [];
        for (let i = 0; i < RUNS; i++) runs.push(await once());
        const ms = runs.map((r) => r.ms).sort((a, b) => a - b);
        timings[c.name] = { medianMs: Math.round(ms[Math.floor(ms.length / 2)]! * 10) / 10, maxMs: Math.round(ms.at(-1)! * 10) / 10, bytes: runs[0]!.bytes };
        console.log(`  ${c.name}: ${timings[c.name]!.medianMs} ms (max ${timings[c.name]!.maxMs})`);
      }
      return { seed, timings, cases: list };
    } finally {
      await app.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    if (pgSchema) {
      const { default: postgres } = await import("postgres");
      const c = postgres(PG_URL, { onnotice: () => {} });
      await c.unsafe(`drop schema if exists "${pgSchema}" cascade`);
      await c.end();
    }
  }
}

const pglite = await runKind("pglite");
const pg = await runKind("postgres");

const rows = pglite.cases.map((c) => ({ name: c.name, kind: c.kind, path: c.path.replace(/\d{4}-\d{2}-\d{2}/g, "YYYY-MM-DD"), pglite: pglite.timings[c.name]!, postgres: pg.timings[c.name]! }));
const pagesOverTarget = rows.filter((r) => r.kind === "page" && r.postgres.maxMs >= TARGET_MS).map((r) => r.name);
const result = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model ?? "unknown", bun: Bun.version },
  dataset: { people: PEOPLE, days: DAYS, tz: TZ, events: pg.seed.events, dailyStatuses: pg.seed.statusRows },
  seedSeconds: { pglite: pglite.seed.seconds, postgres: pg.seed.seconds },
  runs: RUNS,
  targetMs: TARGET_MS,
  allPagesUnderTargetOnPostgres: pagesOverTarget.length === 0,
  results: rows,
};
mkdirSync(join(import.meta.dir, "results"), { recursive: true });
writeFileSync(join(import.meta.dir, "results", "reports.json"), JSON.stringify(result, null, 2) + "\n");

const pad = (s: string, n: number) => s.padEnd(n);
const num = (t: Timing) => `${t.medianMs.toFixed(1)} / ${t.maxMs.toFixed(1)}`.padStart(17);
console.log(`\n${PEOPLE} people x ${DAYS} days: ${pg.seed.events} events, ${pg.seed.statusRows} daily statuses; ms median / max of ${RUNS}`);
console.log(`${pad("report", 52)} ${pad("kind", 7)} ${"PGlite".padStart(17)} ${"PostgreSQL".padStart(17)}`);
for (const r of rows) console.log(`${pad(r.name, 52)} ${pad(r.kind, 7)} ${num(r.pglite)} ${num(r.postgres)}`);
console.log(pagesOverTarget.length ? `\nOver ${TARGET_MS} ms on PostgreSQL: ${pagesOverTarget.join(", ")}` : `\nEvery report page is under ${TARGET_MS} ms on PostgreSQL.`);
