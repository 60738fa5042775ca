// Face engine worker: decode → detect (YuNet) → align → quality → liveness (MiniFASNet) → embed.
// One onnxruntime session per model per worker; the maths lives in src/domain/face.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parentPort } from "node:worker_threads";
import * as ort from "onnxruntime-node";

ort.env.logLevel = "error";
import sharp, { type Metadata } from "sharp";
import { alignFace, cropScaled } from "../src/domain/face/align";
import { l2normalize } from "../src/domain/face/matching";
import { letterbox } from "../src/domain/face/letterbox";
import { mergeTiled, ownedByTile, planTiles } from "../src/domain/face/tiling";
import { iou, nms } from "../src/domain/face/nms";
import { faceQuality } from "../src/domain/face/quality";
import type { Detection, RgbImage } from "../src/domain/face/types";
import { decodeYunet } from "../src/domain/face/yunet";
import { MemoryBudget, type Reservation } from "../src/lib/memory-budget";
import { rewriteForCpu } from "./onnx-graph";
import type { AnalyzeRequest, AnalyzeResult, EmbedCropsRequest, EngineInit, FaceResult, ImageErrorCode, WorkerMessage } from "./protocol";

class ImageError extends Error {
  constructor(
    readonly code: ImageErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const FORMATS = new Set(["jpeg", "png", "webp"]);
const MIN_SIDE = 32;

let init: EngineInit;
let memory: MemoryBudget | null = null;
let detector: ort.InferenceSession;
let sizedDetector: ort.InferenceSession | null = null;
const recognizers = new Map<string, ort.InferenceSession>();
const liveness: { session: ort.InferenceSession; model: EngineInit["liveness"][number] }[] = [];

function sessionOptions(): ort.InferenceSession.SessionOptions {
  return { intraOpNumThreads: init.threads, interOpNumThreads: 1, executionMode: "sequential", graphOptimizationLevel: "all", logSeverityLevel: 3 };
}

/** A session on the model rewritten for the CPU kernels (onnx-graph.ts: same outputs, bit for bit); bytes that do not parse go to onnxruntime as they are, for its own error. */
async function session(file: string): Promise<ort.InferenceSession> {
  const bytes = new Uint8Array(await readFile(join(init.modelsDir, file)));
  let model: Uint8Array = bytes;
  try {
    model = rewriteForCpu(bytes).bytes;
  } catch {}
  return ort.InferenceSession.create(model, sessionOptions());
}

async function start(msg: EngineInit) {
  init = msg;
  if (msg.memory) memory = new MemoryBudget(msg.memory.limit, msg.memory.shared);
  detector = await session(init.detector.file);
  if (init.sizedDetector) sizedDetector = await session(init.sizedDetector.file);
  for (const r of init.recognizers) recognizers.set(r.id, await session(r.file));
  for (const l of init.liveness) liveness.push({ session: await session(l.file), model: l });
}

/**
 * Decodes JPEG/PNG/WebP into RGB, honouring EXIF orientation, flattening alpha, converting CMYK/grey.
 * The decoded pixels are counted in the server's memory budget (`held`) before decoding.
 */
async function decode(bytes: Uint8Array, held: Reservation | undefined): Promise<{ img: RgbImage; format: string }> {
  if (bytes.byteLength === 0) throw new ImageError("not_an_image", "The file is empty");
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw new ImageError("not_an_image", "This is not an image Clockface can read (send JPEG, PNG or WebP)");
  }
  if (!meta.format || !FORMATS.has(meta.format)) throw new ImageError("unsupported_format", `Unsupported image format ${meta.format ?? "unknown"}; send JPEG, PNG or WebP`);
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  if (w * h > init.maxPixels) throw new ImageError("too_large", `The image is ${w}x${h} pixels; the limit is ${init.maxPixels.toLocaleString("en")} pixels`);
  if (Math.min(w, h) < MIN_SIDE) throw new ImageError("too_small", `The image is ${w}x${h} pixels; faces need at least ${MIN_SIDE} pixels on each side`);
  held?.add(w * h * 3);
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: init.maxPixels, failOn: "truncated", sequentialRead: true })
      .rotate()
      .flatten({ background: "#808080" })
      .toColourspace("srgb")
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new ImageError("corrupt", `Unexpected ${info.channels} colour channels after decoding`);
    return { img: { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) }, format: meta.format };
  } catch (e) {
    if (e instanceof ImageError) throw e;
    throw new ImageError("corrupt", `The image could not be decoded (${String((e as Error).message).split("\n")[0]})`);
  }
}

/** A camera frame that is already RGB24 (from ffmpeg): checked, not decoded. */
function rawFrame(data: Uint8Array, size: { width: number; height: number }): { img: RgbImage; format: string } {
  const { width, height } = size;
  if (!(width >= MIN_SIDE && height >= MIN_SIDE) || width * height > init.maxPixels || data.byteLength !== width * height * 3)
    throw new ImageError("corrupt", `A raw frame of ${data.byteLength} bytes does not fit ${width}x${height} RGB`);
  return { img: { width, height, data }, format: "rgb24" };
}

/**
 * Detection input: a fixed-size model gets its size. A dynamic one gets the image at its own size,
 * padded up to the model's multiple: a camera frame is scaled into the model's nominal size (640x360
 * runs at 640x384 instead of padded to 640x640); a photo is only ever scaled down to fit it, or up
 * until its longer side reaches STILL_MIN_SIDE, because a face that fills a small photo is found
 * and landmarked best near the face sizes the detector was trained on. Most photos need no resize.
 */
const STILL_MIN_SIDE = 224;
function detectorInput(model: EngineInit["detector"], img: RgbImage, camera: boolean): { W: number; H: number; scale: number } {
  const { width, height, dynamic, multipleOf = 32 } = model.input;
  const fit = Math.min(width / img.width, height / img.height);
  if (!dynamic) return { W: width, H: height, scale: fit };
  const scale = camera ? fit : Math.min(fit, Math.max(1, STILL_MIN_SIDE / Math.max(img.width, img.height)));
  return { W: Math.ceil((img.width * scale) / multipleOf) * multipleOf, H: Math.ceil((img.height * scale) / multipleOf) * multipleOf, scale };
}

/** The image resized to width x height (itself when it already has that size). */
async function resized(img: RgbImage, width: number, height: number): Promise<Uint8Array> {
  if (width === img.width && height === img.height) return img.data;
  return new Uint8Array(
    await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
      .resize(width, height, { fit: "fill", kernel: "linear" })
      .raw()
      .toBuffer(),
  );
}

/**
 * Runs the detector on the region (x, y, w, h) of an RGB image `stride` pixels wide that was scaled
 * by `scale` from the original, in a W x H input; detections come back in original-image pixels.
 */
async function detectRegion(session: ort.InferenceSession, pixels: Uint8Array, stride: number, region: { x: number; y: number; width: number; height: number }, W: number, H: number, scale: number): Promise<Detection[]> {
  // NCHW, BGR, 0–255 (YuNet has no normalisation); the region sits top-left, padding stays 0.
  const plane = W * H;
  const t = new Float32Array(3 * plane);
  const b = t.subarray(0, plane), g = t.subarray(plane, 2 * plane), r = t.subarray(2 * plane);
  for (let y = 0; y < region.height; y++) {
    let s = ((region.y + y) * stride + region.x) * 3;
    for (let d = y * W, end = d + region.width; d < end; d++, s += 3) {
      b[d] = pixels[s + 2]!;
      g[d] = pixels[s + 1]!;
      r[d] = pixels[s]!;
    }
  }
  const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor("float32", t, [1, 3, H, W]) });
  const outputs: Record<string, { data: Float32Array; dims: readonly number[] }> = {};
  for (const [k, v] of Object.entries(out)) outputs[k] = { data: v.data as Float32Array, dims: v.dims };
  return decodeYunet(outputs, { inputWidth: W, inputHeight: H, scoreThreshold: init.detThreshold, scaleX: scale, scaleY: scale, padX: -region.x, padY: -region.y });
}

/**
 * Every face, best detector score first. With `tile`, a photo that the whole-image pass shrinks a
 * lot is also searched in overlapping tiles at a higher resolution (src/domain/face/tiling.ts); the
 * whole-image faces stay exactly as they are and the tiles only add faces too small for that pass.
 * The enlarged copy the tiles are cut from is counted in the memory budget (`held`) like the decode.
 */
async function detect(img: RgbImage, camera: boolean, tile: boolean, held: Reservation | undefined): Promise<Detection[]> {
  const model = sizedDetector ? init.sizedDetector! : init.detector;
  const session = sizedDetector ?? detector;
  const { W, H, scale } = detectorInput(model, img, camera);
  const lb = letterbox(img.width, img.height, W, H, scale);
  const small = await resized(img, lb.width, lb.height);
  const whole = nms(await detectRegion(session, small, lb.width, { x: 0, y: 0, width: lb.width, height: lb.height }, W, H, lb.scale), 0.3);
  const plan = tile ? planTiles(img.width, img.height, lb.scale, model.input.width, model.input.height) : null;
  if (!plan) return whole;
  if (plan.scale < 1) held?.add(plan.width * plan.height * 3); // at scale 1 the tiles are cut from `img` itself
  const big = await resized(img, plan.width, plan.height);
  const { dynamic, multipleOf = 32 } = model.input;
  const tiled: Detection[] = [];
  for (const t of plan.tiles) {
    const tw = dynamic ? Math.ceil(t.width / multipleOf) * multipleOf : model.input.width;
    const th = dynamic ? Math.ceil(t.height / multipleOf) * multipleOf : model.input.height;
    for (const d of nms(await detectRegion(session, big, plan.width, t, tw, th, plan.scale), 0.3)) if (ownedByTile(d.box, t, plan)) tiled.push(d);
  }
  return mergeTiled(whole, tiled);
}

/** One image as a [1, 3, H, W] tensor in the model's channel order and normalisation. */
function toTensor(im: RgbImage, model: { input: { width: number; height: number; channels: "RGB" | "BGR"; mean: number[]; std: number[] } }): ort.Tensor {
  const { width: W, height: H, channels, mean, std } = model.input;
  const plane = W * H;
  const t = new Float32Array(3 * plane);
  const order = channels === "RGB" ? [0, 1, 2] : [2, 1, 0];
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) t[c * plane + i] = (im.data[i * 3 + order[c]!]! - mean[c]!) / std[c]!;
  }
  return new ort.Tensor("float32", t, [1, 3, H, W]);
}

/**
 * One face per run: the int8 recogniser quantises its input tensor dynamically (one scale for the
 * whole batch), so in a batch a face's embedding would depend on the other faces in it. Batching
 * brings no speed on CPU here either (bench:engine, batch 1 vs 8).
 */
async function embed(aligned: RgbImage[], recognizerId: string): Promise<Float32Array[]> {
  const session = recognizers.get(recognizerId);
  const model = init.recognizers.find((r) => r.id === recognizerId);
  if (!session || !model) throw new Error(`recognizer ${recognizerId} is not loaded`);
  const out: Float32Array[] = [];
  for (const face of aligned) {
    const r = await session.run({ [session.inputNames[0]!]: toTensor(face, model) });
    out.push(l2normalize((r[session.outputNames[0]!]!.data as Float32Array).slice()));
  }
  return out;
}

async function livenessScore(img: RgbImage, det: Detection): Promise<number> {
  let sum = 0;
  for (const { session, model } of liveness) {
    const crop = cropScaled(img, det.box, model.output.cropScale, model.input.width, model.input.height);
    const out = await session.run({ [session.inputNames[0]!]: toTensor(crop, model) });
    const logits = Array.from(out[session.outputNames[0]!]!.data as Float32Array);
    const m = Math.max(...logits);
    const exps = logits.map((l) => Math.exp(l - m));
    sum += exps[model.output.realIndex]! / exps.reduce((a, b) => a + b, 0);
  }
  return liveness.length ? sum / liveness.length : 1;
}

async function analyze(req: AnalyzeRequest): Promise<AnalyzeResult> {
  const held = memory?.open();
  try {
    return await analyzeHeld(req, held);
  } finally {
    held?.release();
  }
}

async function analyzeHeld(req: AnalyzeRequest, held: Reservation | undefined): Promise<AnalyzeResult> {
  const t0 = performance.now();
  const { img, format } = req.raw ? rawFrame(req.image, req.raw) : await decode(req.image, held);
  const t1 = performance.now();
  const all = await detect(img, !!req.raw, !!req.tile, held);
  const found = all.slice(0, req.maxFaces);
  const dets = req.minFaceSize ? found.filter((d) => Math.min(d.box[2], d.box[3]) >= req.minFaceSize!) : found;
  const reusedOf = dets.map((d) => {
    let best = -1, bestIou = 0.5;
    (req.reuse ?? []).forEach((b, k) => {
      const v = iou(d.box, b);
      if (v >= bestIou) (bestIou = v), (best = k);
    });
    return best;
  });
  const t2 = performance.now();
  const insides = dets.map(() => new Uint8Array(112 * 112));
  const aligned = dets.map((d, i) => alignFace(img, d.landmarks, 112, insides[i]));
  const t3 = performance.now();
  const live = req.liveness ? await Promise.all(dets.map((d, i) => (reusedOf[i]! >= 0 ? null : livenessScore(img, d)))) : dets.map(() => null);
  const t4 = performance.now();
  const fresh = dets.map((_, i) => i).filter((i) => reusedOf[i]! < 0);
  const freshEmbeddings = await embed(fresh.map((i) => aligned[i]!), req.recognizer);
  const embeddings: Float32Array[] = dets.map(() => new Float32Array(0));
  fresh.forEach((i, k) => (embeddings[i] = freshEmbeddings[k]!));
  const t5 = performance.now();
  const faces: FaceResult[] = [];
  for (let i = 0; i < dets.length; i++) {
    const d = dets[i]!;
    const a = aligned[i]!;
    faces.push({
      box: d.box.map((v) => Math.round(v * 10) / 10) as FaceResult["box"],
      landmarks: d.landmarks,
      detScore: d.score,
      quality: faceQuality(a, d, insides[i]),
      liveness: live[i] ?? null,
      embedding: embeddings[i]!,
      ...(reusedOf[i]! >= 0 ? { reused: reusedOf[i]! } : {}),
      crop: req.crops ? new Uint8Array(await sharp(a.data, { raw: { width: a.width, height: a.height, channels: 3 } }).jpeg({ quality: 92 }).toBuffer()) : undefined,
    });
  }
  const r = (x: number) => Math.round(x * 100) / 100;
  return { width: img.width, height: img.height, format, faces, facesFound: all.length, tooSmall: found.length - dets.length, timingsMs: { decode: r(t1 - t0), detect: r(t2 - t1), align: r(t3 - t2), liveness: r(t4 - t3), embed: r(t5 - t4) } };
}

async function embedCrops(req: EmbedCropsRequest) {
  const t0 = performance.now();
  const images: RgbImage[] = [];
  for (const c of req.crops) {
    const { data, info } = await sharp(c).resize(112, 112, { fit: "fill" }).toColourspace("srgb").removeAlpha().raw().toBuffer({ resolveWithObject: true });
    images.push({ width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
  }
  const t1 = performance.now();
  const embeddings = await embed(images, req.recognizer);
  const r = (x: number) => Math.round(x * 100) / 100;
  return { embeddings, timingsMs: { decode: r(t1 - t0), embed: r(performance.now() - t1) } };
}

const post = (m: WorkerMessage, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(m, transfer);

parentPort!.on("message", async (msg: { type: "init"; init: EngineInit } | { type: "job"; id: number; req: AnalyzeRequest | EmbedCropsRequest }) => {
  if (msg.type === "init") {
    try {
      await start(msg.init);
      post({ type: "ready" });
    } catch (e) {
      post({ type: "init_error", message: (e as Error).message });
    }
    return;
  }
  const { id, req } = msg;
  try {
    if (req.op === "analyze") {
      const result = await analyze(req);
      post({ type: "result", id, result }, result.faces.map((f) => f.embedding.buffer as ArrayBuffer));
    } else {
      post({ type: "result", id, result: await embedCrops(req) });
    }
  } catch (e) {
    if (e instanceof ImageError) post({ type: "error", id, code: e.code, message: e.message });
    else post({ type: "error", id, code: "internal", message: (e as Error).message });
  }
});
