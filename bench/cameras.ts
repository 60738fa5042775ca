// bun run bench:cameras → bench/results/cameras.json
// N simulated door cameras on this machine: each loops a 640x360, 5 fps H.264 clip of people stepping
// up to the door one after another (facescrub photos: three enrolled people, three strangers), read
// by ffmpeg like a real stream. Measured: analysed fps, drops, frame-to-decision and frame-to-SSE
// latency, CPU and memory per camera; the largest N that keeps up (no growing lag).
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/config";
import { createLogger } from "../src/lib/log";
import { isFeedEvent } from "../src/live/events";
import { build } from "../src/server";
import { resolveFfmpeg } from "../workers/frame-source";
import { slideshow } from "../test/support/clips";

const MODELS_DIR = process.env.MODELS_DIR ?? join(import.meta.dir, "../../shared/models");
const COUNTS = (process.env.BENCH_CAMERAS ?? "1,2,4,8,12,16,20,24,28").split(",").map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const WARMUP = 8;
const FPS = 5;

const dir = mkdtempSync(join(tmpdir(), "clockface-bench-cam-"));
const CROPS = join(import.meta.dir, "../../shared/faces/facescrub/cropped");
const ENROLLED: [string, string[], string][] = [
  ["Amaury Nolasco", ["Amaury_Nolasco_4615_crop.jpg", "Amaury_Nolasco_4616_crop.jpg"], "Amaury_Nolasco_4619_crop.jpg"],
  ["Eric Dane", ["Eric_Dane_36367_crop.jpg", "Eric_Dane_36368_crop.jpg"], "Eric_Dane_36377_crop.jpg"],
  ["Matthew Gray Gubler", ["Matthew_Gray_Gubler_78964_crop.jpg", "Matthew_Gray_Gubler_78965_crop.jpg"], "Matthew_Gray_Gubler_78970_crop.jpg"],
];
const STRANGERS = ["Melissa_Benoist_12864_crop.jpg", "Steve_Carell_104543_crop.jpg", "Adam_Brody_360_crop.jpg"];
const sequence = ENROLLED.flatMap(([, , shown], i) => [shown, STRANGERS[i]!]).map((f) => join(CROPS, f));
const full = await slideshow(sequence, { secondsEach: 2, out: join(dir, "door_25fps.mp4") });
// A camera's sub-stream: 640x360 at 5 fps, H.264 with a key frame every second.
const clip = join(dir, "door_640x360_5fps.mp4");
const ff = Bun.spawnSync([await resolveFfmpeg(), "-hide_banner", "-loglevel", "error", "-y", "-i", full, "-vf", "fps=5", "-c:v", "libx264", "-preset", "veryfast", "-g", "5", "-bf", "0", "-an", clip]);
if (ff.exitCode !== 0) throw new Error(ff.stderr.toString());

const TICK = 100; // Linux clock ticks per second (CLK_TCK) for /proc CPU times
/** CPU seconds and RSS of this process and every descendant (ffmpeg children). */
function usage(): { cpu: number; rssMb: number } {
  const procs = new Map<number, { ppid: number; cpu: number; rss: number }>();
  for (const p of readdirSync("/proc")) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      procs.set(Number(p), { ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / TICK, rss: (Number(f[21]) * 4096) / 1024 / 1024 });
    } catch {}
  }
  const mine = new Set([process.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, p] of procs) if (!mine.has(pid) && mine.has(p.ppid)) (mine.add(pid), (grew = true));
  }
  let cpu = 0, rss = 0;
  for (const pid of mine) (cpu += procs.get(pid)?.cpu ?? 0), (rss += procs.get(pid)?.rss ?? 0);
  return { cpu, rssMb: rss };
}

const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))]! : NaN;
};
const r1 = (x: number) => Math.round(x * 10) / 10;

const results: Record<string, unknown>[] = [];
for (const n of COUNTS) {
  const config = loadConfig({ MODELS_DIR, DATA_DIR: join(dir, `data-${n}`), CLOCKFACE_ALLOW_FILE_SOURCES: "1", LOG_LEVEL: "error", EVENT_DEDUPE_MINUTES: "0", ENGINE_WORKERS: String(cpus().length), ENGINE_QUEUE: "64" });
  const app = await build(config, { log: createLogger("error"), inMemory: true });
  await app.engineReady;
  const { cameras, bus, people, faces } = app.deps.services;
  const actor = { id: null, label: "bench" };
  for (const [name, photos] of ENROLLED) {
    const p = await people.create({ name, employeeCode: name.replace(/\W/g, ""), consent: true, active: true }, actor);
    for (const f of photos) await faces.enroll(p.id, new Uint8Array(await Bun.file(join(CROPS, f)).arrayBuffer()), actor);
  }
  // Memory before the cameras start, once start-up and enrolment garbage has settled.
  await Bun.sleep(2000);
  Bun.gc(true);
  const base = usage();
  const ids: number[] = [];
  for (let i = 0; i < n; i++) ids.push((await cameras.create({ name: `cam ${i + 1}`, url: `file://${clip}`, direction: "in", fps: FPS, enabled: true, liveness: false }, actor)).id);
  // Every appearance of an enrolled person is a check-in (no dedupe window), so each loop of the
  // clip yields three attendance events per camera to time.
  // Frame-to-SSE: the time from the deciding frame (the event's ts) to the moment a subscriber
  // receives the event. A check-in is decided early, on the frame that completes the vote; an unknown
  // face only when its track ends (no face for the tracker's maxAgeMs), so it is reported apart.
  const sub = bus.subscribe(isFeedEvent);
  const sse: number[] = [];
  const sseUnknown: number[] = [];
  const ac = new AbortController();
  const reading = (async () => {
    while (!ac.signal.aborted) {
      const e = await sub.next(1000);
      if (e) (e.name === "attendance.created" ? sse : sseUnknown).push(Date.now() - Date.parse(e.data.ts));
    }
  })();
  await Bun.sleep(WARMUP * 1000);
  sse.length = 0;
  sseUnknown.length = 0;
  const u0 = usage();
  const s0 = await Promise.all(ids.map((id) => cameras.get(id).then((c) => c.status)));
  const lat: number[][] = [];
  const t0 = performance.now();
  while (performance.now() - t0 < SECONDS * 1000) {
    await Bun.sleep(2000);
    lat.push((await Promise.all(ids.map((id) => cameras.get(id)))).map((c) => c.status.latencyMs?.p95 ?? NaN));
  }
  const secs = (performance.now() - t0) / 1000;
  Bun.gc(true);
  const u1 = usage();
  const s1 = await Promise.all(ids.map((id) => cameras.get(id).then((c) => c.status)));
  ac.abort();
  sub.close();
  await reading;
  const processed = s1.reduce((a, s, i) => a + s.processed - s0[i]!.processed, 0);
  const framesIn = s1.reduce((a, s, i) => a + s.framesIn - s0[i]!.framesIn, 0);
  const dropped = s1.reduce((a, s, i) => a + s.dropped - s0[i]!.dropped, 0);
  const p95s = s1.map((s) => s.latencyMs?.p95 ?? NaN);
  const p50s = s1.map((s) => s.latencyMs?.p50 ?? NaN);
  // Growing lag: the per-camera p95 latency in the last third is more than 1.5x the first third's.
  const third = Math.max(1, Math.floor(lat.length / 3));
  const early = Math.max(...lat.slice(0, third).flat());
  const late = Math.max(...lat.slice(-third).flat());
  const row = {
    cameras: n,
    fpsOutPerCamera: r1(processed / secs / n),
    dropRate: framesIn ? Math.round((dropped / framesIn) * 1000) / 1000 : 0,
    decisionLatencyMs: { p50: Math.max(...p50s), p95: Math.max(...p95s) },
    sseLatencyMs: sse.length ? { p50: q(sse, 0.5), p95: q(sse, 0.95), events: sse.length } : null,
    unknownSseLatencyMs: sseUnknown.length ? { p50: q(sseUnknown, 0.5), p95: q(sseUnknown, 0.95), events: sseUnknown.length } : null,
    cpuCoresTotal: r1((u1.cpu - u0.cpu) / secs),
    cpuPercentPerCamera: r1(((u1.cpu - u0.cpu) / secs / n) * 100),
    rssMbTotal: Math.round(u1.rssMb),
    rssMbPerCamera: r1((u1.rssMb - base.rssMb) / n),
    facesReusedShare: (() => {
      const reused = s1.reduce((a, s, i) => a + s.facesReused - s0[i]!.facesReused, 0);
      return processed ? Math.round((reused / processed) * 100) / 100 : 0;
    })(),
    growingLag: late > 1.5 * early && late > 500,
  };
  const keepsUp = row.fpsOutPerCamera >= FPS * 0.9 && row.decisionLatencyMs.p95 < 500 && !row.growingLag;
  results.push({ ...row, keepsUp });
  console.log(JSON.stringify({ ...row, keepsUp }));
  await app.close();
}
const best = Math.max(0, ...results.filter((r) => r.keepsUp).map((r) => r.cameras as number));
const out = { date: new Date().toISOString(), machine: { cpus: cpus().length, model: cpus()[0]?.model, bun: Bun.version }, fps: FPS, frame: "640x360", seconds: SECONDS, results, maxCamerasKeepingUp: best, target: { cameras: 8, p95Ms: 500 } };
mkdirSync(join(import.meta.dir, "results"), { recursive: true });
writeFileSync(join(import.meta.dir, "results/cameras.json"), JSON.stringify(out, null, 2) + "\n");
console.log(`max cameras keeping up at ${FPS} fps: ${best}`);
rmSync(dir, { recursive: true, force: true });
