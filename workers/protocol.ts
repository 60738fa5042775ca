// Messages between the engine pool (src/services/engine.ts) and its workers (workers/engine.worker.ts).
import type { ModelOfRole } from "../src/models/manifest";
import type { FaceQuality } from "../src/domain/face/quality";
import type { Point } from "../src/domain/face/types";

export interface EngineInit {
  modelsDir: string;
  detector: ModelOfRole<"detector">;
  /**
   * Dynamic-input detector run at each image's own size (photos and camera frames); `detector`,
   * whose input is a fixed square, is the fallback when this one is missing or corrupt.
   */
  sizedDetector?: ModelOfRole<"detector">;
  recognizers: ModelOfRole<"recognizer">[];
  liveness: ModelOfRole<"liveness">[];
  maxPixels: number;
  /** The server's memory budget (src/lib/memory-budget.ts): decoded images are reserved in it before decoding. */
  memory?: { limit: number; shared: SharedArrayBuffer };
  /** Minimum detector score (YuNet scores on real faces sit around 0.85–0.92). */
  detThreshold: number;
  /** onnxruntime intra-op threads per worker. */
  threads: number;
}

export type ImageErrorCode = "not_an_image" | "unsupported_format" | "corrupt" | "too_large" | "too_small";

export interface AnalyzeRequest {
  op: "analyze";
  /** Encoded JPEG/PNG/WebP bytes, or packed RGB24 pixels when `raw` gives their size (camera frames). */
  image: Uint8Array;
  raw?: { width: number; height: number };
  recognizer: string;
  /** Faces returned at most: the ones with the best detector scores (see `facesFound`). */
  maxFaces: number;
  /**
   * Also search a large photo in overlapping tiles at a higher resolution, for faces too small for
   * the whole-image pass (src/domain/face/tiling.ts). Photos only, not camera frames.
   */
  tile?: boolean;
  liveness: boolean;
  /** Return the aligned 112x112 crop of each face as JPEG. */
  crops: boolean;
  /** Faces whose shorter box side is below this (pixels) are left out (counted in `tooSmall`). */
  minFaceSize?: number;
  /**
   * Boxes of faces already identified (a camera's decided tracks, from the previous frame): a face
   * overlapping one of them (IoU ≥ 0.5) is not embedded again; its `reused` names that box.
   */
  reuse?: [number, number, number, number][];
}

export interface EmbedCropsRequest {
  op: "embed_crops";
  /** Aligned 112x112 JPEG crops (the stored gallery faces). */
  crops: Uint8Array[];
  recognizer: string;
}

export type EngineRequest = AnalyzeRequest | EmbedCropsRequest;

export interface FaceResult {
  box: [number, number, number, number];
  landmarks: Point[];
  detScore: number;
  quality: FaceQuality;
  /** Probability the face is live (not a photo or screen), or null when not checked. */
  liveness: number | null;
  /** L2-normalised; empty when `reused` is set. */
  embedding: Float32Array;
  /** Index into the request's `reuse` boxes when this face was not embedded again. */
  reused?: number;
  crop?: Uint8Array;
}

export interface AnalyzeResult {
  width: number;
  height: number;
  format: string;
  faces: FaceResult[];
  /** Faces the detector found, before the `maxFaces` cut (more than `faces` when it cut). */
  facesFound: number;
  /** Faces left out for being smaller than `minFaceSize`. */
  tooSmall: number;
  timingsMs: { decode: number; detect: number; align: number; liveness: number; embed: number };
}

export interface EmbedCropsResult {
  embeddings: Float32Array[];
  timingsMs: { decode: number; embed: number };
}

export type WorkerMessage =
  | { type: "ready" }
  | { type: "init_error"; message: string }
  | { type: "result"; id: number; result: AnalyzeResult | EmbedCropsResult }
  | { type: "error"; id: number; code: ImageErrorCode | "internal"; message: string };
