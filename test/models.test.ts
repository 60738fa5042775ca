// Model manifest, verifier and downloader. Downloads go to a real local HTTP server that serves the
// shared model files (good, corrupted, truncated, stalled or 404), never to the internet.
import { setDefaultTimeout } from "bun:test";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { chmod, mkdir, mkdtemp, rm, stat, symlink, writeFile } from "node:fs/promises";
import { readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Glob, type Server } from "bun";
import manifestJson from "../models/manifest.json";
import { defaultModelList, defaultModels, loadManifest, manifestSchema, modelById, startModelList } from "../src/models/manifest";

// Written into models/manifest.json by `bun run bench:engine --calibrate` (bench/results/engine.json).
const MBF_CURVE: [number, number][] = [[0.0001, 0.317], [0.00005, 0.333], [0.00002, 0.361], [0.00001, 0.397]];
const MBF_UNKNOWN = 0.265;
const PADDLE_CURVE: [number, number][] = [[0.0001, 0.404], [0.00005, 0.423], [0.00002, 0.448], [0.00001, 0.469]];
const PADDLE_UNKNOWN = 0.333;
import { ensureModels, verifyModel, type ModelFile, type ModelProgress } from "../src/models/store";

// Tests here start real processes, engines or browsers (Bun applies a default per file only).
setDefaultTimeout(60_000);

const SHARED = process.env.MODELS_DIR!;
const ROOT = join(import.meta.dir, "..");
const SMALL_IDS = ["yunet_2023mar", "yunet_n_dynamic", "blazeface_short", "blazeface_full"];

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "clockface-models-"));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

let dirCount = 0;
const freshDir = () => join(scratch, `d${++dirCount}`, "models");

function partFiles(dir: string): string[] {
  try {
    return [...new Glob("**/*.part").scanSync({ cwd: dir, dot: true })];
  } catch {
    return [];
  }
}

describe("manifest", () => {
  test("validates and lists the ten shared models", () => {
    const m = loadManifest();
    expect(m.models.map((x) => x.id)).toEqual([
      "yunet_2023mar",
      "yunet_n_dynamic",
      "scrfd_500m",
      "retinaface_mnet025",
      "w600k_mbf_int8",
      "mobilefacenet128_paddle",
      "minifasnet_v2",
      "minifasnet_v1se",
      "blazeface_short",
      "blazeface_full",
    ]);
  });

  test("every file/sha256 pair of MODELS.md is in the manifest and vice versa", () => {
    const table = readFileSync(join(SHARED, "MODELS.md"), "utf8")
      .split(/\r?\n/)
      .map((line) => line.split("|").map((c) => c.trim()))
      .filter((cells) => cells.some((c) => /^[0-9a-f]{64}$/.test(c)))
      .map((cells) => `${cells[1]} ${cells.find((c) => /^[0-9a-f]{64}$/.test(c))}`)
      .sort();
    expect(table).toHaveLength(10);
    expect(loadManifest().models.map((m) => `${m.file} ${m.sha256}`).sort()).toEqual(table);
  });

  test("size and sha256 of every entry match the shared file (independent hash and verifyModel)", async () => {
    for (const model of loadManifest().models) {
      const path = join(SHARED, model.file);
      expect(statSync(path).size).toBe(model.size);
      expect(createHash("sha256").update(await Bun.file(path).bytes()).digest("hex")).toBe(model.sha256);
      expect(await verifyModel(SHARED, model)).toEqual({ status: "ok" });
    }
  });

  test("pre-processing and output facts from MODELS.md", () => {
    expect(modelById("retinaface_mnet025").input).toMatchObject({ channels: "BGR", mean: [104, 117, 123], std: [1, 1, 1] });
    expect(modelById("scrfd_500m").input).toMatchObject({ channels: "RGB", mean: [127.5, 127.5, 127.5], std: [128, 128, 128], dynamic: true });
    const mbf = modelById("w600k_mbf_int8");
    const paddle = modelById("mobilefacenet128_paddle");
    if (mbf.role !== "recognizer" || paddle.role !== "recognizer") throw new Error("recognizers expected");
    expect(mbf.output.dim).toBe(512);
    expect(mbf.input.channels).toBe("RGB");
    // From bench:engine --calibrate: match thresholds at per-pair false accept rates 1e-4 … 1e-5.
    expect(mbf.thresholds).toEqual({ matchCurve: MBF_CURVE, unknown: MBF_UNKNOWN, margin: 0.05, calibrated: true });
    expect(paddle.output.dim).toBe(128);
    expect(paddle.input.channels).toBe("BGR");
    expect(paddle.thresholds).toEqual({ matchCurve: PADDLE_CURVE, unknown: PADDLE_UNKNOWN, margin: 0.05, calibrated: true });
    const live = defaultModels().liveness.map((l) => [l.id, l.output.cropScale, l.output.realIndex]);
    expect(live).toEqual([
      ["minifasnet_v2", 2.7, 1],
      ["minifasnet_v1se", 4.0, 1],
    ]);
    expect(modelById("scrfd_500m").licenceNote).toBe("InsightFace weights: non-commercial research use only");
  });

  test("defaults resolve to the expected pack", () => {
    const d = defaultModels();
    expect([d.detector.id, d.recognizer.id, d.browserDetector.id]).toEqual(["yunet_2023mar", "w600k_mbf_int8", "blazeface_short"]);
    expect(defaultModelList().map((m) => m.id)).toEqual(["yunet_2023mar", "w600k_mbf_int8", "minifasnet_v2", "minifasnet_v1se", "blazeface_short"]);
    const start = startModelList();
    expect(start.required).toEqual(defaultModelList());
    expect(start.optional.map((m) => m.id)).toEqual(["yunet_n_dynamic", "mobilefacenet128_paddle"]);
    expect(() => modelById("nope")).toThrow(/unknown model id "nope"/);
  });

  test("schema rejects duplicate ids, wrong default roles, missing thresholds and bad checksums", () => {
    const clone = () => structuredClone(manifestJson) as any;
    const dup = clone();
    dup.models.push({ ...dup.models[0], file: "detection/other.onnx" });
    expect(manifestSchema.safeParse(dup).success).toBe(false);

    const wrongRole = clone();
    wrongRole.defaults.recognizer = "yunet_2023mar";
    expect(manifestSchema.safeParse(wrongRole).success).toBe(false);

    const noThresholds = clone();
    delete noThresholds.models.find((m: any) => m.id === "w600k_mbf_int8").thresholds;
    expect(manifestSchema.safeParse(noThresholds).success).toBe(false);

    const risingCurve = clone();
    risingCurve.models.find((m: any) => m.id === "w600k_mbf_int8").thresholds.matchCurve = [[1e-5, 0.4], [1e-4, 0.3]];
    expect(manifestSchema.safeParse(risingCurve).success).toBe(false);

    const unknownAboveMatch = clone();
    unknownAboveMatch.models.find((m: any) => m.id === "w600k_mbf_int8").thresholds.unknown = 0.9;
    expect(manifestSchema.safeParse(unknownAboveMatch).success).toBe(false);

    const badSha = clone();
    badSha.models[0].sha256 = "ABC";
    expect(manifestSchema.safeParse(badSha).success).toBe(false);

    const escape = clone();
    escape.models[0].file = "../etc/passwd";
    expect(manifestSchema.safeParse(escape).success).toBe(false);

    expect(manifestSchema.safeParse(clone()).success).toBe(true);
  });
});

describe("verifyModel", () => {
  const yunet = () => modelById("yunet_2023mar");

  test("reports missing, wrong size and wrong hash", async () => {
    const dir = freshDir();
    expect(await verifyModel(dir, yunet())).toEqual({ status: "missing" });

    const bytes = await Bun.file(join(SHARED, yunet().file)).bytes();
    await mkdir(join(dir, "detection"), { recursive: true });
    await writeFile(join(dir, yunet().file), bytes.subarray(0, 1000));
    expect(await verifyModel(dir, yunet())).toEqual({ status: "corrupt", reason: "size is 1000 bytes, expected 232589" });

    const flipped = bytes.slice();
    flipped[5000]! ^= 0xff;
    await writeFile(join(dir, yunet().file), flipped);
    const actual = createHash("sha256").update(flipped).digest("hex");
    expect(await verifyModel(dir, yunet())).toEqual({
      status: "corrupt",
      reason: `sha256 mismatch: expected ${yunet().sha256}, got ${actual}`,
    });
  });

  test("progress ends at the file size", async () => {
    const seen: number[] = [];
    await verifyModel(SHARED, modelById("w600k_mbf_int8"), { onProgress: (p) => seen.push(p.received) });
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.at(-1)).toBe(3514509);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });
});

describe("ensureModels against a local HTTP server", () => {
  let server: Server<undefined>;
  const hits: string[] = [];
  let base: string;
  const small = () => SMALL_IDS.map((id) => modelById(id));
  /** The small subset with each model's URLs rewritten to `modes` on the local server. */
  const via = (...modes: string[]): ModelFile[] => small().map((m) => ({ ...m, urls: modes.map((mode) => `${base}/${mode}/${m.file}`) }));
  const hitsFor = (mode: string) => hits.filter((h) => h.startsWith(`/${mode}/`)).length;

  beforeAll(() => {
    server = Bun.serve({
      port: 0,
      async fetch(req) {
        const path = new URL(req.url).pathname;
        hits.push(path);
        const [, mode, ...rest] = path.split("/");
        const src = Bun.file(join(SHARED, rest.join("/")));
        if (mode === "missing" || !(await src.exists())) return new Response("not found", { status: 404 });
        const bytes = new Uint8Array(await src.arrayBuffer());
        const half = bytes.subarray(0, bytes.length >> 1);
        switch (mode) {
          case "good":
            return new Response(bytes);
          case "corrupt": {
            const copy = bytes.slice();
            copy[copy.length >> 1]! ^= 0xff;
            return new Response(copy);
          }
          case "half":
            return new Response(half);
          case "chunked-short":
            return new Response(
              new ReadableStream({
                async pull(c) {
                  await Bun.sleep(5);
                  c.enqueue(half);
                  c.close();
                },
              }),
            );
          case "stall":
            return new Response(
              new ReadableStream({
                start(c) {
                  c.enqueue(bytes.subarray(0, 1000));
                },
              }),
            );
          default:
            return new Response("bad mode", { status: 400 });
        }
      },
    });
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(() => server.stop(true));

  test("downloads the subset into a new nested folder, then verifies without any request", async () => {
    const dir = freshDir();
    const progress: ModelProgress[] = [];
    const res = await ensureModels(dir, via("good"), { download: true, onProgress: (p) => progress.push(p) });
    expect(res).toEqual(Object.fromEntries(SMALL_IDS.map((id) => [id, { status: "downloaded" }])));
    for (const m of small()) expect(await verifyModel(dir, m)).toEqual({ status: "ok" });
    expect(partFiles(dir)).toEqual([]);

    const lastDownload = progress.filter((p) => p.id === "yunet_2023mar" && p.phase === "download").at(-1);
    expect(lastDownload).toEqual({
      id: "yunet_2023mar",
      file: "detection/face_detection_yunet_2023mar.onnx",
      phase: "download",
      url: `${base}/good/detection/face_detection_yunet_2023mar.onnx`,
      received: 232589,
      total: 232589,
    });

    const before = hits.length;
    const again = await ensureModels(dir, via("good"), { download: true });
    expect(again).toEqual(Object.fromEntries(SMALL_IDS.map((id) => [id, { status: "ok" }])));
    expect(hits.length).toBe(before);
  });

  test("a corrupted first URL falls through to the second", async () => {
    const dir = freshDir();
    const warnings: unknown[] = [];
    const corruptBefore = hitsFor("corrupt");
    const goodBefore = hitsFor("good");
    const res = await ensureModels(dir, via("corrupt", "good"), { download: true, log: { warn: (_m, f) => warnings.push(f) } });
    expect(Object.values(res)).toEqual(SMALL_IDS.map(() => ({ status: "downloaded" })));
    expect(hitsFor("corrupt") - corruptBefore).toBe(4);
    expect(hitsFor("good") - goodBefore).toBe(4);
    expect(warnings).toHaveLength(4);
    expect(String((warnings[0] as { reason: string }).reason)).toStartWith(`sha256 mismatch: expected ${modelById("yunet_2023mar").sha256}, got `);
    for (const m of small()) expect(await verifyModel(dir, m)).toEqual({ status: "ok" });
    expect(partFiles(dir)).toEqual([]);
  });

  test("404 everywhere fails with the status and leaves nothing behind", async () => {
    const dir = freshDir();
    const [model] = via("missing", "missing");
    const res = await ensureModels(dir, [model!], { download: true });
    expect(res.yunet_2023mar!.status).toBe("failed");
    expect(res.yunet_2023mar!.reason).toBe(
      `file missing; ${model!.urls[0]}: HTTP 404 Not Found; ${model!.urls[1]}: HTTP 404 Not Found`,
    );
    expect(await Bun.file(join(dir, model!.file)).exists()).toBe(false);
    expect(partFiles(dir)).toEqual([]);
  });

  test("a truncated chunked body and a short announced length both fail without leftovers", async () => {
    const dir = freshDir();
    const [model] = via("chunked-short");
    const res = await ensureModels(dir, [model!], { download: true });
    expect(res.yunet_2023mar).toEqual({
      status: "failed",
      reason: `file missing; ${model!.urls[0]}: truncated body: received 116294 bytes, expected 232589`,
    });
    const [announced] = via("half");
    const res2 = await ensureModels(dir, [announced!], { download: true });
    expect(res2.yunet_2023mar!.reason).toBe(`file missing; ${announced!.urls[0]}: server announced 116294 bytes, expected 232589`);
    expect(await Bun.file(join(dir, model!.file)).exists()).toBe(false);
    expect(partFiles(dir)).toEqual([]);
  });

  test("a stalled body times out", async () => {
    const dir = freshDir();
    const [model] = via("stall");
    const started = performance.now();
    const res = await ensureModels(dir, [model!], { download: true, idleTimeoutMs: 200 });
    expect(res.yunet_2023mar!.reason).toBe(`file missing; ${model!.urls[0]}: timeout: no data for 200 ms`);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(await Bun.file(join(dir, model!.file)).exists()).toBe(false);
    expect(partFiles(dir)).toEqual([]);
  });

  test("a refused connection is a network error, not an exception", async () => {
    const closed = Bun.serve({ port: 0, fetch: () => new Response("") });
    const url = `http://127.0.0.1:${closed.port}/x.onnx`;
    await closed.stop(true);
    const [model] = small();
    const res = await ensureModels(freshDir(), [{ ...model!, urls: [url] }], { download: true });
    expect(res.yunet_2023mar!.status).toBe("failed");
    expect(res.yunet_2023mar!.reason).toStartWith(`file missing; ${url}: network error: `);
  });

  test("a file-system failure is reported as a disk error", async () => {
    const dir = freshDir();
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "detection"), "a file where the subfolder should be");
    const [model] = via("good");
    const res = await ensureModels(dir, [model!], { download: true });
    expect(res.yunet_2023mar!.status).toBe("failed");
    expect(res.yunet_2023mar!.reason).toStartWith(`file missing; ${model!.urls[0]}: disk error: `);
  });

  test("an unreadable model path (symlink loop) is reported, not thrown", async () => {
    const dir = freshDir();
    const [model] = via("good");
    const path = join(dir, model!.file);
    await mkdir(join(dir, "detection"), { recursive: true });
    await symlink(path, path);
    const res = await ensureModels(dir, [model!], { download: false });
    expect(res.yunet_2023mar!.status).toBe("failed");
    expect(res.yunet_2023mar!.reason).toStartWith(`cannot read ${path}: ELOOP`);
  });

  test("a model without URLs fails with a hand-placement hint", async () => {
    const dir = freshDir();
    const short = modelById("blazeface_short");
    const res = await ensureModels(dir, [short], { download: true });
    expect(res.blazeface_short).toEqual({
      status: "failed",
      reason: `file missing; no download URL in the manifest, place browser/blaze_face_short_range_meta.tflite in ${dir} by hand`,
    });
  });

  test("an existing corrupt file is reported, then replaced", async () => {
    const dir = freshDir();
    const [model] = via("good");
    await mkdir(join(dir, "detection"), { recursive: true });
    await writeFile(join(dir, model!.file), "garbage");
    const reported = await ensureModels(dir, [model!], { download: false });
    expect(reported.yunet_2023mar).toEqual({ status: "corrupt", reason: "size is 7 bytes, expected 232589" });
    const replaced = await ensureModels(dir, [model!], { download: true });
    expect(replaced.yunet_2023mar).toEqual({ status: "downloaded" });
    expect(await verifyModel(dir, model!)).toEqual({ status: "ok" });
  });

  test("download: false only reports and creates nothing", async () => {
    const dir = freshDir();
    const before = hits.length;
    const res = await ensureModels(dir, via("good"), { download: false });
    expect(Object.values(res)).toEqual(SMALL_IDS.map(() => ({ status: "missing" })));
    expect(hits.length).toBe(before);
    expect(await Bun.file(dir).exists()).toBe(false);
    expect(await stat(dir).catch(() => null)).toBeNull();
  });

  test("concurrent callers on the same folder both succeed with intact files", async () => {
    const dir = freshDir();
    const [a, b] = await Promise.all([ensureModels(dir, via("good"), { download: true }), ensureModels(dir, via("good"), { download: true })]);
    // Both callers find the first file missing and download it at the same time; for later files the
    // slower caller may find the other's finished file already in place.
    expect([a.yunet_2023mar, b.yunet_2023mar]).toEqual([{ status: "downloaded" }, { status: "downloaded" }]);
    for (const r of [...Object.values(a), ...Object.values(b)]) expect(["downloaded", "ok"]).toContain(r.status);
    for (const m of small()) expect(await verifyModel(dir, m)).toEqual({ status: "ok" });
    expect(partFiles(dir)).toEqual([]);
  });

  test("a read-only complete folder verifies without writing anything", async () => {
    const dir = freshDir();
    for (const m of small()) await Bun.write(join(dir, m.file), Bun.file(join(SHARED, m.file)));
    const snapshot = async () => {
      const entries = [...new Glob("**").scanSync({ cwd: dir, dot: true, onlyFiles: false })].sort();
      const times = await Promise.all([dir, ...entries.map((e) => join(dir, e))].map(async (p) => (await stat(p)).mtimeMs));
      return { entries, times };
    };
    await chmod(dir, 0o555);
    const before = await snapshot();
    const requests = hits.length;
    await Bun.sleep(20);
    const res = await ensureModels(dir, via("good"), { download: true });
    expect(Object.values(res)).toEqual(SMALL_IDS.map(() => ({ status: "ok" })));
    expect(hits.length).toBe(requests);
    expect(await snapshot()).toEqual(before);
    await chmod(dir, 0o755);
  });
});

describe("bun run models", () => {
  test("checks the default pack in the shared folder and exits 0", async () => {
    const proc = Bun.spawn(["bun", "run", "scripts/models.ts"], {
      cwd: ROOT,
      env: { ...process.env, MODELS_DIR: SHARED },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    expect(code).toBe(0);
    // What `bun start` fetches: the default pack, the sized detector and the alternative recogniser.
    for (const id of [...defaultModelList().map((m) => m.id), "yunet_n_dynamic", "mobilefacenet128_paddle"]) expect(out).toMatch(new RegExp(`^${id}\\s+\\S+\\s+ok\\s`, "m"));
    expect(out).not.toContain("scrfd_500m");
    expect(out).not.toContain("note: optional");
    expect(err).toContain("verify   w600k_mbf_int8           100%  3.5/3.5 MB");
  });

  test("rejects unknown arguments with exit 2", async () => {
    const proc = Bun.spawn(["bun", "run", "scripts/models.ts", "--bogus"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
    expect(await proc.exited).toBe(2);
    expect(await new Response(proc.stderr).text()).toContain("usage: bun run models [--all]");
  });
});
