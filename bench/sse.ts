// bun run bench:sse → bench/results/sse.json and a table
// 100 SSE clients on GET /api/v1/events that stop reading (paused sockets) and one that reads, over
// real sockets to the app on Bun.serve (PGlite in memory). Events are published in bursts of 100,
// each read in full by the reading client before the next. Reports the bus's publish time per
// event, the server's RSS and heap growth, when the stalled clients were disconnected (their
// sockets' buffers and the bus's lag limit full) and whether the reader got every event.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/config";
import { createLogger } from "../src/lib/log";
import { attendanceCreated } from "../src/live/events";
import { build } from "../src/server";

const STALLED = 100;
const RUNS = [6000, 30_000];

const dataDir = join(tmpdir(), `clockface-bench-sse-${crypto.randomUUID()}`);
const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: "error", MODELS_DIR: process.env.MODELS_DIR });
const app = await build(config, { log: createLogger("error"), inMemory: true, engine: false });
const { accounts, users, bus } = app.deps.services;
await accounts.createUser({ name: "Bench", email: "bench@test.local", password: "correct-horse-battery", role: "viewer" });
const key = (await accounts.createApiKey((await users.list({ q: "bench@test.local", limit: 1, offset: 0 })).rows[0]!.id, "bench")).key;
const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: app.app.fetch, idleTimeout: 0 });

const open = (onData?: (s: string) => void) =>
  new Promise<Socket>((resolve) => {
    const s = connect(server.port!, "127.0.0.1", () => {
      s.write(`GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: ${key}\r\n\r\n`);
      resolve(s);
    });
    if (onData) s.on("data", (b) => onData(b.toString()));
  });

const gcMB = () => {
  Bun.gc(true);
  const m = process.memoryUsage();
  return { rss: m.rss / 1e6, heap: m.heapUsed / 1e6 };
};

async function run(events: number) {
  let received = 0;
  let partial = "";
  let wanted = 0;
  let wake = () => {};
  const reader = await open((chunk) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop()!;
    for (const l of lines) if (l.startsWith("id: ")) received++;
    if (received >= wanted) wake();
  });
  const stalled: Socket[] = [];
  for (let i = 0; i < STALLED; i++) stalled.push((await open()).pause());
  while (bus.subscribers < STALLED + 1) await Bun.sleep(10);
  await Bun.sleep(200);
  const m0 = gcMB();
  let publishMs = 0;
  let allStalledGoneAt: number | null = null;
  const t0 = performance.now();
  for (let n = 0; n < events; ) {
    const p0 = performance.now();
    for (let k = 0; k < 100; k++, n++)
      bus.publish("attendance.created", attendanceCreated({ id: n, personId: 1, personName: "Ada Lovelace", kind: "check_in", ts: new Date(), source: "camera", cameraId: 1, cameraName: "Front door", similarity: 0.71, evidencePath: `evidence/2026-01-01/${crypto.randomUUID()}.jpg` }));
    publishMs += performance.now() - p0;
    if (allStalledGoneAt === null && bus.subscribers === 1) allStalledGoneAt = n;
    wanted = n;
    if (received < wanted) await new Promise<void>((r) => (wake = r));
  }
  const wallMs = performance.now() - t0;
  const m1 = gcMB();
  const out = {
    events,
    stalledClients: STALLED,
    publishUsPerEvent: Math.round((publishMs / events) * 1000 * 10) / 10,
    wallSeconds: Math.round(wallMs / 100) / 10,
    rssGrowthMB: Math.round(m1.rss - m0.rss),
    heapGrowthMB: Math.round(m1.heap - m0.heap),
    stalledStillSubscribed: bus.subscribers - 1,
    allStalledDisconnectedAfterEvents: allStalledGoneAt,
    readerGotEveryEvent: received === events,
  };
  reader.destroy();
  for (const s of stalled) s.destroy();
  while (bus.subscribers > 0) await Bun.sleep(10);
  return out;
}

const results = [];
for (const n of RUNS) results.push(await run(n));
await server.stop(true);
await app.close();
rmSync(dataDir, { recursive: true, force: true });

const result = { date: new Date().toISOString(), machine: { cpus: cpus().length, model: cpus()[0]?.model ?? "unknown", bun: Bun.version }, lagLimit: bus.lagLimit, results };
mkdirSync(join(import.meta.dir, "results"), { recursive: true });
writeFileSync(join(import.meta.dir, "results", "sse.json"), JSON.stringify(result, null, 2) + "\n");
console.log("events  publish µs/event  RSS +MB  heap +MB  stalled left  all stalled cut after  reader got all");
for (const r of results)
  console.log(
    `${String(r.events).padStart(6)}  ${String(r.publishUsPerEvent).padStart(16)}  ${String(r.rssGrowthMB).padStart(7)}  ${String(r.heapGrowthMB).padStart(8)}  ${String(r.stalledStillSubscribed).padStart(12)}  ${String(r.allStalledDisconnectedAfterEvents ?? "-").padStart(21)}  ${r.readerGotEveryEvent}`,
  );
process.exit(0);
