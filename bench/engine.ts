// bun run bench:engine → bench/results/engine.json
//
// 1. Accuracy on ../shared/faces/facescrub: verification (10-fold accuracy, TAR at FAR 1e-3) on
//    pairs_clean.csv from the aligned crops and end to end from the loose crops; threshold
//    calibration from every cross-identity pair; open-set identification at the shipped thresholds.
//    Every accuracy figure is reported with the labels corrected (bench/lib/facescrub.ts) and, under
//    "…PublishedLabels", with the labels as published.
// 2. Speed per stage, batch 1 vs 8, one vs two workers, one vs two threads.
// 3. The same photos through @vladmandic/human (tfjs, WASM backend), when it is installed.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cpus, tmpdir } from "node:os";
import { configSchema } from "../src/config";
import { crossValidatedAccuracy, impostorCurve, matchThresholdForGallery, tarAtFar, thresholdAtFar, type ImpostorCurve, type ScoredPair } from "../src/domain/face/calibration";
import { Gallery, cosine, decide, l2normalize } from "../src/domain/face/matching";
import type { FaceQuality } from "../src/domain/face/quality";
import { createLogger } from "../src/lib/log";
import { defaultModels, loadManifest, SIZED_DETECTOR_ID, type ModelOfRole } from "../src/models/manifest";
import { EnginePool } from "../src/services/engine";
import { crossValidate, impostorScores, type Embeddings, type Scoring } from "./lib/heldout";
import { alignedPath, croppedPath, LABEL_CORRECTIONS, loadFacescrub, type Pair, type Photo } from "./lib/facescrub";

const MODELS_DIR = process.env.MODELS_DIR ?? join(import.meta.dir, "../../shared/models");
const args = new Set(process.argv.slice(2));
const limit = Number(process.env.BENCH_LIMIT ?? 0) || Infinity;
/** --accuracy-only: the accuracy part alone (no speed runs, no Human). */
const accuracyOnly = args.has("--accuracy-only");
const withHuman = !args.has("--no-human") && !accuracyOnly;
/**
 * --cached: reuse the per-photo embeddings of an earlier run (kept in the system's temp folder, never
 * in the repository), so the identity-disjoint analysis can be re-run without the models.
 */
const CACHE = join(tmpdir(), "clockface-bench-engine-embeddings.json");
// The speed figures come from the embedding pass itself, so a run that skips it can only be --accuracy-only.
if (args.has("--cached") && !accuracyOnly) throw new Error("--cached goes with --accuracy-only (the speed figures need the embeddings computed afresh)");
type CachedFace = { embedding: number[]; quality: FaceQuality } | null;
const log = createLogger("warn");

const manifest = loadManifest();
const m = defaultModels();
const sizedDetector = manifest.models.find((x): x is ModelOfRole<"detector"> => x.id === SIZED_DETECTOR_ID);
const recognizers = manifest.models.filter((x): x is ModelOfRole<"recognizer"> => x.role === "recognizer");

const pool = (size: number, threads: number) =>
  new EnginePool(
    { modelsDir: MODELS_DIR, detector: m.detector, sizedDetector, recognizers, liveness: m.liveness, maxPixels: 40e6, detThreshold: 0.6, threads },
    { size, queueLimit: 100_000, jobTimeoutMs: 120_000, log },
  );

const q = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))]! : NaN;
};
const median = (xs: number[]) => q(xs, 0.5);
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const r1 = (x: number) => Math.round(x * 10) / 10;
const pct = (x: number) => Math.round(x * 10000) / 100;
const read = async (p: string) => new Uint8Array(await Bun.file(p).arrayBuffer());

/** The shipped default: a stranger may be matched to someone with this chance. */
const STRANGER_ACCEPT_RATE = configSchema.shape.STRANGER_ACCEPT_RATE.parse(undefined);
/** Per-pair false accept rates of the match curve written by --calibrate. */
const CURVE_FARS = [1e-4, 5e-5, 2e-5, 1e-5];
/** Identity-disjoint evaluation: folds, fixed seed, enrolment photos per person, gallery sizes. */
const HELD_OUT = { folds: 5, seed: 20, photosPerPerson: [1, 3, 5], galleries: [100, 1000] };
const heldOut = (emb: Embeddings, list: Photo[], margin: number, scoring: Scoring = "template") => crossValidate(emb, list, { ...HELD_OUT, fars: CURVE_FARS, strangerRate: STRANGER_ACCEPT_RATE, margin, scoring });

const dataset = async (labels: "published" | "corrected") => {
  const all = await loadFacescrub(labels);
  const photos = all.photos.filter((p) => !p.suspect).slice(0, limit);
  const known = new Set(photos.map((p) => p.aligned));
  return { photos, pairs: all.pairs.filter((p) => known.has(p.a) && known.has(p.b)) };
};
const { photos, pairs } = await dataset("corrected");
const published = await dataset("published");
const relabelled = pairs.filter((p, i) => p.same !== published.pairs[i]!.same).length;
console.log(`facescrub: ${photos.length} clean photos of ${new Set(photos.map((p) => p.identity)).size} identities, ${pairs.length} pairs (${pairs.filter((p) => p.same).length} same; ${relabelled} re-labelled)`);

function verification(emb: Map<string, Float32Array | null>, pairs: Pair[]) {
  const scored: ScoredPair[] = pairs.map((p) => {
    const a = emb.get(p.a), b = emb.get(p.b);
    // A photo whose face was not found counts as a failed comparison: different for every pair.
    return { score: a && b ? cosine(a, b) : -1, same: p.same };
  });
  const cv = crossValidatedAccuracy(scored, 10);
  const tar = tarAtFar(scored, 1e-3);
  return { accuracy: pct(cv.accuracy), accuracyStd: pct(cv.std), tarAtFar1e3: pct(tar.tar), thresholdAtFar1e3: r3(tar.threshold), impostorPairs: tar.impostors };
}

/**
 * Open-set identification: identities with ≥ 2 photos, every other one enrolled with its first
 * photo; queries are the enrolled people's other photos and every photo of the others (strangers).
 */
function openSet(emb: Map<string, Float32Array | null>, dim: number, t: { match: number | ImpostorCurve; unknown: number; margin: number }, list: Photo[] = photos) {
  const byId = new Map<string, Photo[]>();
  for (const p of list) byId.set(p.identity, [...(byId.get(p.identity) ?? []), p]);
  const ids = [...byId.keys()].filter((k) => byId.get(k)!.length >= 2).sort();
  const gallery = new Gallery(dim);
  const enrolled = new Map<string, number>();
  let faceId = 1;
  ids.forEach((id, i) => {
    if (i % 2) return;
    const e = emb.get(byId.get(id)![0]!.aligned);
    if (!e) return;
    enrolled.set(id, i + 1);
    gallery.add(faceId++, i + 1, e);
  });
  // A match curve sets the threshold for the number of people enrolled, as the product does.
  const match = typeof t.match === "number" ? t.match : matchThresholdForGallery(t.match, enrolled.size, STRANGER_ACCEPT_RATE);
  const res = { genuine: 0, correct: 0, wrong: 0, uncertainGenuine: 0, missedGenuine: 0, strangers: 0, falseAccepts: 0, uncertainStrangers: 0 };
  ids.forEach((id) => {
    const pid = enrolled.get(id);
    byId.get(id)!.forEach((p, k) => {
      if (pid && k === 0) return;
      const e = emb.get(p.aligned);
      const d = e ? decide(gallery.search(e, 5), { matchThreshold: match, unknownThreshold: t.unknown, margin: t.margin }) : { decision: "unknown" as const, personId: null };
      if (pid) {
        res.genuine++;
        if (d.decision === "match") d.personId === pid ? res.correct++ : res.wrong++;
        else if (d.decision === "uncertain") res.uncertainGenuine++;
        else res.missedGenuine++;
      } else {
        res.strangers++;
        if (d.decision === "match") res.falseAccepts++;
        else if (d.decision === "uncertain") res.uncertainStrangers++;
      }
    });
  });
  return {
    enrolledPeople: enrolled.size,
    matchThreshold: r3(match),
    ...res,
    correctMatchRate: pct(res.correct / res.genuine),
    wrongMatchRate: pct(res.wrong / res.genuine),
    falseAcceptRate: pct(res.falseAccepts / res.strangers),
    uncertainRate: pct((res.uncertainGenuine + res.uncertainStrangers) / (res.genuine + res.strangers)),
  };
}

const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, bun: Bun.version },
  dataset: { photos: photos.length, pairs: pairs.length, labelCorrections: LABEL_CORRECTIONS, pairsRelabelled: relabelled },
};

// ---------------------------------------------------------------- accuracy (2 workers)
const main = pool(2, 1);
let mainStarted: Promise<void> | undefined;
const accuracy: Record<string, unknown> = {};
const calibration: Record<string, { matchCurve: [number, number][]; unknown: number; margin: number }> = {};
const stage: Record<string, number[]> = { decode: [], detect: [], align: [], liveness: [], embed: [], total: [] };
/** Per-photo embeddings of one recogniser: from the aligned crops, and end to end (largest face) with its quality. */
async function embedAll(rec: ModelOfRole<"recognizer">) {
  await (mainStarted ??= main.start());
  const aligned = new Map<string, Float32Array | null>();
  for (let i = 0; i < photos.length; i += 8) {
    const batch = photos.slice(i, i + 8);
    const r = await main.embedCrops(await Promise.all(batch.map((p) => read(alignedPath(p.aligned)))), rec.id);
    batch.forEach((p, k) => aligned.set(p.aligned, r.embeddings[k]!));
  }
  const end = new Map<string, Float32Array | null>();
  const quality = new Map<string, FaceQuality>();
  await Promise.all(
    photos.map(async (p) => {
      const r = await main.analyze(await read(croppedPath(p.cropped)), { recognizer: rec.id, liveness: rec.id === m.recognizer.id });
      const face = [...r.faces].sort((a, b) => b.quality.faceSize - a.quality.faceSize)[0];
      end.set(p.aligned, face?.embedding ?? null);
      if (face) quality.set(p.aligned, face.quality);
      if (rec.id === m.recognizer.id) {
        for (const [k, v] of Object.entries(r.timingsMs)) stage[k]!.push(v);
        stage.total!.push(Object.values(r.timingsMs).reduce((a, b) => a + b, 0));
      }
    }),
  );
  return { aligned, end, quality };
}
type Embedded = Awaited<ReturnType<typeof embedAll>>;
const toCache = (e: Embedded) => ({
  aligned: Object.fromEntries([...e.aligned].map(([k, v]) => [k, v && Array.from(v)])),
  end: Object.fromEntries([...e.end].map(([k, v]): [string, CachedFace] => [k, v && { embedding: Array.from(v), quality: e.quality.get(k)! }])),
});
const fromCache = (c: ReturnType<typeof toCache>): Embedded => ({
  aligned: new Map(Object.entries(c.aligned).map(([k, v]) => [k, v && Float32Array.from(v)])),
  end: new Map(Object.entries(c.end).map(([k, v]) => [k, v && Float32Array.from(v.embedding)])),
  quality: new Map(Object.entries(c.end).flatMap(([k, v]) => (v ? [[k, v.quality] as const] : []))),
});
const cached: Record<string, ReturnType<typeof toCache>> = args.has("--cached") && existsSync(CACHE) ? JSON.parse(readFileSync(CACHE, "utf8")) : {};
const embedded = new Map<string, Embedded>();
for (const rec of recognizers) {
  const t0 = performance.now();
  const hit = cached[rec.id];
  const usable = hit && photos.every((p) => p.aligned in hit.end);
  const e = usable ? fromCache(hit) : await embedAll(rec);
  if (!usable) cached[rec.id] = toCache(e);
  embedded.set(rec.id, e);
  const { aligned, end } = e;
  const imp = impostorScores(end, photos);
  // Shipped thresholds come from the identity-disjoint folds (corrected labels): each point of the
  // match curve, and the unknown threshold (1 impostor pair in 1,000), is the mean over the folds of
  // the value calibrated on the other folds' people, i.e. the thresholds whose held-out figures are
  // reported under heldOut. The match threshold is read off the curve for the gallery's size (a
  // stranger is compared with every enrolled person, so N people multiply the per-pair rate by N).
  const cv = heldOut(end, photos, rec.thresholds.margin);
  const meanOf = (xs: number[]) => r3(xs.reduce((a, b) => a + b, 0) / xs.length);
  const calibrated = {
    matchCurve: CURVE_FARS.map((f, i) => [f, meanOf(cv.foldCurves.map((c) => c[i]![1]))] as [number, number]),
    unknown: meanOf(cv.foldUnknown),
    margin: rec.thresholds.margin,
  };
  calibration[rec.id] = calibrated;
  const shipped = { match: rec.thresholds.matchCurve, unknown: rec.thresholds.unknown, margin: rec.thresholds.margin };
  accuracy[rec.id] = {
    aligned: verification(aligned, pairs),
    alignedPublishedLabels: verification(aligned, published.pairs),
    endToEnd: verification(end, pairs),
    endToEndPublishedLabels: verification(end, published.pairs),
    calibration: { impostorPairs: imp.length, ...calibrated, allIdentitiesCurve: impostorCurve(imp, CURVE_FARS).map(([f, t]) => [f, r3(t)]), shipped: rec.thresholds },
    openSetShipped: openSet(end, rec.output.dim, shipped),
    openSetShippedPublishedLabels: openSet(end, rec.output.dim, shipped, published.photos),
    openSetCalibrated: openSet(end, rec.output.dim, { ...calibrated, match: calibrated.matchCurve }),
    // At the curve's strictest point (what galleries of 1,000 people or more get), for comparison.
    openSetStrictest: openSet(end, rec.output.dim, { ...shipped, match: shipped.match[shipped.match.length - 1]![1] }),
    heldOut: cv,
    heldOutPublishedLabels: heldOut(end, published.photos, rec.thresholds.margin),
    seconds: r1((performance.now() - t0) / 1000),
  };
  console.log(rec.id, JSON.stringify(accuracy[rec.id], null, 1));
}
results.accuracy = accuracy;
results.detectionMisses = [...embedded.get(m.recognizer.id)!.end.values()].filter((e) => !e).length;
writeFileSync(CACHE, JSON.stringify(cached));

// What each step contributes on held-out identities (default recogniser, corrected labels, end to end).
const brief = (r: ReturnType<typeof heldOut>) =>
  r.results.map((x) => ({ photosPerPerson: x.photosPerPerson, galleryPeople: x.galleryPeople, correctMatchRate: x.correctMatchRate, wrongMatchRate: x.wrongMatchRate, strangerAcceptRateExtrapolated: x.strangerAcceptRateExtrapolated }));
/** Both recognisers' normalised embeddings side by side: cosine = mean of the two cosines. */
const fused: Embeddings = new Map(
  photos.map((p) => {
    const es = recognizers.map((r) => embedded.get(r.id)!.end.get(p.aligned));
    if (es.some((e) => !e)) return [p.aligned, null];
    const parts = es.map((e) => l2normalize(e!));
    const v = new Float32Array(parts.reduce((a, e) => a + e.length, 0));
    parts.reduce((at, e) => (v.set(e, at), at + e.length), 0);
    return [p.aligned, v];
  }),
);
const defaultEnd = embedded.get(m.recognizer.id)!.end;
/** Each person's photos most frontal first (cos yaw · cos pitch), so enrolment takes the best-posed ones. */
const frontal = (p: Photo) => {
  const x = embedded.get(m.recognizer.id)!.quality.get(p.aligned);
  return x ? Math.cos((x.yaw * Math.PI) / 180) * Math.cos((x.pitch * Math.PI) / 180) : -1;
};
const frontalFirst = [...photos].sort((a, b) => a.identity.localeCompare(b.identity) || frontal(b) - frontal(a));
results.heldOutAblation = {
  note: "identity-disjoint 5-fold figures, default recogniser unless said; strangers extrapolated to the gallery size from the per-comparison rate. bestPhoto: a person scores their best photo (before); renormalisedMean: cosine to the re-normalised mean of their photos; meanTemplate: mean cosine to their photos (shipped); MostFrontalEnrolled: each person enrolled with their most frontal photos; bothRecognisers: both recognisers' embeddings side by side (mean of the two cosines), not in the product",
  bestPhotoPerPerson: brief(heldOut(defaultEnd, photos, m.recognizer.thresholds.margin, "bestPhoto")),
  renormalisedMeanPerPerson: brief(heldOut(defaultEnd, photos, m.recognizer.thresholds.margin, "renormalised")),
  meanTemplatePerPerson: brief((accuracy[m.recognizer.id] as { heldOut: ReturnType<typeof heldOut> }).heldOut),
  meanTemplateMostFrontalEnrolled: brief(heldOut(defaultEnd, frontalFirst, m.recognizer.thresholds.margin)),
  ...(recognizers.length > 1 ? { bothRecognisersMeanTemplate: brief(heldOut(fused, photos, m.recognizer.thresholds.margin)) } : {}),
};
console.log("held-out ablation", JSON.stringify(results.heldOutAblation, null, 1));
if (accuracyOnly) {
  await main.close();
  finish(true);
  process.exit(0);
}

// ---------------------------------------------------------------- speed
const speedPhotos = photos.slice(0, Math.min(photos.length, 200));
const speedBytes = await Promise.all(speedPhotos.map((p) => read(croppedPath(p.cropped))));
const crops = await Promise.all(speedPhotos.slice(0, 64).map((p) => read(alignedPath(p.aligned))));
const speed: Record<string, unknown> = {
  stagesMsMedian: Object.fromEntries(Object.entries(stage).map(([k, v]) => [k, r1(median(v))])),
  stagesMsP95: Object.fromEntries(Object.entries(stage).map(([k, v]) => [k, r1(q(v, 0.95))])),
};
await main.close();

async function throughput(workers: number, threads: number, liveness: boolean, recognizer = m.recognizer.id) {
  const p = pool(workers, threads);
  await p.start();
  for (const b of speedBytes.slice(0, 10)) await p.analyze(b, { recognizer, liveness });
  const t0 = performance.now();
  const inside: number[] = [];
  const counts = await Promise.all(
    speedBytes.map(async (b) => {
      const r = await p.analyze(b, { recognizer, liveness });
      inside.push(Object.values(r.timingsMs).reduce((a, c) => a + c, 0));
      return r.faces.length;
    }),
  );
  const faces = counts.reduce((a, b) => a + b, 0);
  const s = (performance.now() - t0) / 1000;
  // Embedding at batch 1 and 8 (decode of the stored crop excluded).
  const one: number[] = [];
  for (const c of crops) one.push((await p.embedCrops([c], recognizer)).timingsMs.embed);
  const eight: number[] = [];
  for (let i = 0; i + 8 <= crops.length; i += 8) eight.push((await p.embedCrops(crops.slice(i, i + 8), recognizer)).timingsMs.embed / 8);
  await p.close();
  return { recognizer, workers, threads, liveness, imagesPerSecond: r1(speedBytes.length / s), msPerImage: r1((s * 1000) / speedBytes.length), msPerImageMedian: r1(median(inside)), facesPerSecond: r1(faces / s), facesPerSecondPerCore: r1(faces / s / Math.min(cpus().length, workers * threads)), embedMsPerFaceBatch1: r1(median(one)), embedMsPerFaceBatch8: r1(median(eight)) };
}
const alternative = recognizers.find((r) => r.id !== m.recognizer.id)?.id;
speed.configs = [
  await throughput(1, 1, true),
  await throughput(1, 1, false),
  await throughput(1, 2, false),
  await throughput(2, 1, false),
  await throughput(2, 1, true),
  ...(alternative ? [await throughput(1, 1, false, alternative)] : []),
];
results.speed = speed;
console.log(JSON.stringify(speed, null, 1));

// ---------------------------------------------------------------- @vladmandic/human, same photos
if (withHuman) {
  const { createHuman } = await import("./lib/human");
  const human = await createHuman({ threads: 1 });
  const emb = new Map<string, Float32Array | null>();
  const ms: number[] = [];
  let misses = 0;
  for (const p of photos) {
    const r = await human.analyze(await read(croppedPath(p.cropped)));
    ms.push(r.ms.total);
    const face = [...r.faces].sort((a, b) => b.box[2] * b.box[3] - a.box[2] * a.box[3])[0];
    if (!face) misses++;
    emb.set(p.aligned, face?.embedding ?? null);
  }
  await human.close();
  const theirs = verification(emb, pairs);
  // Speed on the same photos as ours (the first 200), against one worker with one thread and no
  // liveness: Human runs on one thread and has no liveness step here. Ratios of means (our
  // throughput) and of medians (time inside the engine per image, like Human's own timing).
  const humanSpeed = ms.slice(0, speedPhotos.length);
  const humanMean = humanSpeed.reduce((a, b) => a + b, 0) / humanSpeed.length;
  type Config = { recognizer: string; workers: number; threads: number; liveness: boolean; msPerImage: number; msPerImageMedian: number };
  const single = (id: string) => (speed.configs as Config[]).find((c) => c.recognizer === id && c.workers === 1 && c.threads === 1 && !c.liveness);
  const versus = (c: Config) => ({ recognizer: c.recognizer, msPerImage: c.msPerImage, msPerImageMedian: c.msPerImageMedian, speedRatio: r1(humanMean / c.msPerImage), speedRatioMedian: r1(median(humanSpeed) / c.msPerImageMedian), endToEnd: (accuracy[c.recognizer] as { endToEnd: ReturnType<typeof verification> }).endToEnd });
  const altConfig = alternative ? single(alternative) : undefined;
  const imp = impostorScores(emb, photos);
  results.human = {
    version: human.version,
    backend: human.backend,
    endToEnd: theirs,
    endToEndPublishedLabels: verification(emb, published.pairs),
    detectionMisses: misses,
    msPerImageMean: r1(humanMean),
    msPerImageMedian: r1(median(humanSpeed)),
    msPerImageMedianAllPhotos: r1(median(ms)),
    openSetAtFar1e3: openSet(emb, [...emb.values()].find(Boolean)!.length, { match: thresholdAtFar(imp, 1e-3), unknown: thresholdAtFar(imp, 1e-2), margin: 0.05 }),
    comparedWith: versus(single(m.recognizer.id)!),
    ...(altConfig ? { alternative: versus(altConfig) } : {}),
  };
  console.log(JSON.stringify(results.human, null, 1));
}

finish(false);

/**
 * --calibrate writes the thresholds into models/manifest.json (only from a full run); then the
 * results file (an --accuracy-only run keeps the previous run's speed and Human figures).
 */
function finish(keepSpeed: boolean) {
  if (args.has("--calibrate")) {
    if (limit !== Infinity) throw new Error("--calibrate needs the full data set (unset BENCH_LIMIT)");
    const path = join(import.meta.dir, "../models/manifest.json");
    // Rewrites only each recogniser's one-line "thresholds" entry, keeping the file's layout.
    let text = readFileSync(path, "utf8");
    for (const [id, t] of Object.entries(calibration)) {
      const at = text.indexOf(`"id": "${id}"`);
      const line = /"thresholds": \{[^}]*\}/.exec(text.slice(at));
      if (at < 0 || !line) throw new Error(`no thresholds entry for ${id} in the manifest`);
      const start = at + line.index;
      text = text.slice(0, start) + `"thresholds": ${JSON.stringify({ ...t, calibrated: true }).replaceAll(",", ", ").replaceAll(":", ": ").replace("{", "{ ").replace(/}$/, " }")}` + text.slice(start + line[0].length);
    }
    writeFileSync(path, text);
    console.log("calibrated thresholds written to models/manifest.json", calibration);
  }

  const out = join(import.meta.dir, "results/engine.json");
  if (keepSpeed && existsSync(out)) {
    const previous = JSON.parse(readFileSync(out, "utf8"));
    Object.assign(results, { speed: previous.speed, human: previous.human, speedAndHumanFrom: previous.speedAndHumanFrom ?? previous.date });
  }
  mkdirSync(join(import.meta.dir, "results"), { recursive: true });
  writeFileSync(out, JSON.stringify(results, null, 2) + "\n");
  console.log(`wrote ${out}`);
}
