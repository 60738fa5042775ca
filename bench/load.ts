// bun run bench:load → bench/results/load.json
// Memory under an upload flood, on loopback only: the real server (src/main.ts, default
// configuration) as a child process; 200 concurrent uploads of a 15 MB photo to /api/v1/recognize.
// The server's RSS (VmRSS of its process, engine worker threads included) is sampled throughout.
// Reported: baseline and peak RSS, answers by status, p50/p95 latency of the 503s and of the 200s,
// total time. (Slow SSE clients are measured by bench/sse.ts.)
// BENCH_SERVER_DIR runs the flood against another checkout (e.g. the code before a change);
// BENCH_OUT names the result file.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";

const MODELS_DIR = process.env.MODELS_DIR ?? join(import.meta.dir, "../../shared/models");
const SERVER_DIR = process.env.BENCH_SERVER_DIR ?? join(import.meta.dir, "..");
const UPLOADS = Number(process.env.BENCH_UPLOADS ?? 200);
const REQUEST_TIMEOUT_MS = 180_000;
const FACE = join(import.meta.dir, "../../shared/faces/facescrub/cropped/Aaron_Eckhart_4_crop.jpg");
const EMAIL = "bench@example.com";
const PASSWORD = "bench-load-password-1";

const dir = mkdtempSync(join(tmpdir(), "clockface-bench-load-"));
const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round(s[Math.min(s.length - 1, Math.floor(p * s.length))]!) : null;
};
const mb = (kb: number) => Math.round(kb / 1024);
function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : 0;
}

/** A 3000x1940 photo of about 15 MB: noise (JPEG quality 100 keeps it big) with a face in the middle. */
async function bigPhoto(): Promise<Uint8Array> {
  const face = await sharp(FACE).resize(500).toBuffer();
  const jpeg = await sharp({ create: { width: 3000, height: 1940, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 40 } } })
    .composite([{ input: face, left: 1250, top: 700 }])
    .jpeg({ quality: 100, chromaSubsampling: "4:4:4" })
    .toBuffer();
  return new Uint8Array(jpeg);
}

async function multipart(image: Uint8Array, name: string): Promise<{ body: Uint8Array<ArrayBuffer>; type: string }> {
  const fd = new FormData();
  fd.set("image", new Blob([image as Uint8Array<ArrayBuffer>], { type: "image/jpeg" }), name);
  const r = new Response(fd);
  const type = r.headers.get("content-type")!;
  return { body: new Uint8Array(await r.arrayBuffer()), type };
}

/** Signs in through the sign-in form (better-auth's own sign-in endpoint is not served). */
async function signIn(base: string): Promise<string> {
  const res = await fetch(`${base}/login`, { method: "POST", headers: { origin: base }, body: new URLSearchParams({ email: EMAIL, password: PASSWORD }), redirect: "manual" });
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  return res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
}

async function flood() {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const base = `http://127.0.0.1:${port}`;
  const child = Bun.spawn([process.execPath, "src/main.ts"], {
    cwd: SERVER_DIR,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), HOST: "127.0.0.1", BASE_URL: base, DATA_DIR: join(dir, "flood"), MODELS_DIR, MODELS_DOWNLOAD: "0", LOG_LEVEL: "error", CLOCKFACE_ADMIN_EMAIL: EMAIL, CLOCKFACE_ADMIN_PASSWORD: PASSWORD },
    stdout: "inherit",
    stderr: "inherit",
  });
  try {
    for (let i = 0; ; i++) {
      const h = await fetch(`${base}/healthz`).then((r) => r.json() as Promise<{ engine?: string }>).catch(() => null);
      if (h?.engine === "ready") break;
      if (i > 600 || child.exitCode !== null) throw new Error("the server did not become ready");
      await Bun.sleep(200);
    }
    const cookie = await signIn(base);
    const headers = (type: string) => ({ cookie, origin: base, "content-type": type });
    const small = await multipart(new Uint8Array(readFileSync(FACE)), "face.jpg");
    const warm = await fetch(`${base}/api/v1/recognize`, { method: "POST", headers: headers(small.type), body: small.body });
    if (warm.status !== 200) throw new Error(`warm-up recognise answered ${warm.status}`);
    const photo = await multipart(await bigPhoto(), "big.jpg");
    // One Blob for every request: the client does not copy the 15 MB 200 times.
    const photoBlob = new Blob([photo.body]);
    await Bun.sleep(2000);
    const baseline = rssKb(child.pid);

    let peak = baseline;
    const samples: [number, number][] = [];
    const t0 = performance.now();
    const sampler = setInterval(() => {
      const kb = rssKb(child.pid);
      peak = Math.max(peak, kb);
      samples.push([Math.round(performance.now() - t0), mb(kb)]);
    }, 25);
    const answers = await Promise.all(
      Array.from({ length: UPLOADS }, async () => {
        const started = performance.now();
        const status = await fetch(`${base}/api/v1/recognize`, { method: "POST", headers: headers(photo.type), body: photoBlob, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })
          .then(async (r) => (await r.arrayBuffer(), r.status))
          .catch((e) => `error ${(e as Error).name}`);
        return { status, ms: performance.now() - started };
      }),
    );
    const totalMs = performance.now() - t0;
    clearInterval(sampler);
    await Bun.sleep(1000);
    const after = rssKb(child.pid);
    const of = (s: number) => answers.filter((a) => a.status === s).map((a) => a.ms);
    const byStatus: Record<string, number> = {};
    for (const a of answers) byStatus[String(a.status)] = (byStatus[String(a.status)] ?? 0) + 1;
    return {
      uploads: UPLOADS,
      uploadBytes: photo.body.length,
      baselineRssMb: mb(baseline),
      peakRssMb: mb(peak),
      rssAfterMb: mb(after),
      answers: byStatus,
      others: answers.filter((a) => a.status !== 200 && a.status !== 503).length,
      latencyMs503: { p50: q(of(503), 0.5), p95: q(of(503), 0.95), max: q(of(503), 1) },
      latencyMs200: { p50: q(of(200), 0.5), p95: q(of(200), 0.95), max: q(of(200), 1) },
      totalMs: Math.round(totalMs),
      rssMbEvery250ms: samples.filter((_, i) => i % 10 === 0),
    };
  } finally {
    child.kill("SIGTERM");
    await child.exited;
  }
}

const floodResult = await flood();
console.log(JSON.stringify({ ...floodResult, rssMbEvery250ms: undefined }));
const out = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, bun: Bun.version },
  server: SERVER_DIR === join(import.meta.dir, "..") ? "this checkout" : SERVER_DIR,
  flood: floodResult,
  target: { peakRssMb: 1536 },
};
mkdirSync(join(import.meta.dir, "results"), { recursive: true });
writeFileSync(join(import.meta.dir, "results", process.env.BENCH_OUT ?? "load.json"), JSON.stringify(out, null, 2) + "\n");
rmSync(dir, { recursive: true, force: true });
