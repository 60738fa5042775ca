/**
 * @vladmandic/human face pipeline (TensorFlow.js on the WASM backend) for the engine benchmark (issue 3):
 * BlazeFace detector → FaceMesh box/score refinement → FaceRes 1024-d descriptor, run on the same
 * decoded RGB pixels as the onnxruntime pipeline so the two can be compared side by side.
 */
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import sharp from "sharp";
import type { Config } from "@vladmandic/human";

/** Every Human bundle (dist/human.node-wasm.d.ts included) re-exports the package's types/human.d.ts. */
type HumanModule = typeof import("@vladmandic/human");

export interface HumanFace {
  /** [x, y, width, height] in pixels of the decoded (EXIF-rotated) image. */
  box: [number, number, number, number];
  /** BlazeFace detector confidence (0..1, Human rounds it to two decimals). */
  score: number;
  /** FaceRes descriptor scaled to unit length. */
  embedding: Float32Array;
}

export interface HumanEngine {
  version: string;
  backend: string;
  /** XNNPACK threads actually in use (1 under Bun: see createHuman). */
  threads: number;
  /** Detect all faces and compute their descriptors for one encoded image (JPEG/PNG bytes). */
  analyze(image: Uint8Array): Promise<{ faces: HumanFace[]; ms: { decode: number; total: number } }>;
  close(): Promise<void>;
}

/** Models Human must have loaded for detection plus description; anything missing is a setup error. */
const REQUIRED_MODELS = ["blazeface", "facemesh", "faceres"];

const config: Partial<Config> = {
  backend: "wasm",
  debug: false,
  warmup: "none",
  // Human skips detection on frames it considers unchanged (video use); every benchmark image is new.
  cacheSensitivity: 0,
  // Filters only apply to canvas inputs; tensor inputs bypass them, disabled for clarity.
  filter: { enabled: false },
  face: {
    enabled: true,
    detector: { rotation: false, maxDetected: 20, minConfidence: 0.3, iouThreshold: 0.1, return: false },
    // Human's default pipeline: FaceMesh re-scores each detector box (faces under minConfidence are dropped)
    // and FaceRes gets the 192 px mesh-input crop rather than BlazeFace's 256 px one.
    mesh: { enabled: true },
    description: { enabled: true },
    iris: { enabled: false },
    attention: { enabled: false },
    emotion: { enabled: false },
    antispoof: { enabled: false },
    liveness: { enabled: false },
    gear: { enabled: false },
  },
  body: { enabled: false },
  hand: { enabled: false },
  object: { enabled: false },
  gesture: { enabled: false },
  segmentation: { enabled: false },
};

/**
 * Bun refuses `import "@vladmandic/human/dist/human.node-wasm.js"`: the package's `exports` keys lack
 * the "./" prefix, so they read as conditions and no subpath is exported. Resolve the package's
 * main file instead and load its sibling bundle by absolute path.
 */
async function loadHumanModule(): Promise<{ mod: HumanModule; modelsDir: string }> {
  const pkgDir = dirname(dirname(fileURLToPath(import.meta.resolve("@vladmandic/human"))));
  const mod = (await import(join(pkgDir, "dist", "human.node-wasm.js"))) as HumanModule;
  return { mod, modelsDir: join(pkgDir, "models") };
}

/**
 * Threads: tfjs-backend-wasm 4.22 reports WASM_HAS_MULTITHREAD_SUPPORT = false whenever
 * process.versions.node exists (Bun sets it), so the single-threaded SIMD binary is used and
 * `threads` has no effect; forcing the flag fails because Bun's node:worker_threads rejects the
 * blob: URL the threaded build spawns its pthread workers from.
 */
export async function createHuman(opts?: { threads?: number }): Promise<HumanEngine> {
  const { mod, modelsDir } = await loadHumanModule();
  const human = new mod.Human({
    ...config,
    wasmPath: dirname(fileURLToPath(import.meta.resolve("@tensorflow/tfjs-backend-wasm"))) + "/",
    // Human's node build loads models with fetch(); Bun's fetch reads file:// URLs.
    modelBasePath: pathToFileURL(modelsDir).href + "/",
  });
  const tf = human.tf;
  if (opts?.threads) tf.setThreadsCount(opts.threads);
  await human.init();
  if (tf.getBackend() !== "wasm") throw new Error(`Human: wasm backend did not initialise (got ${tf.getBackend()})`);
  await human.load();
  const loaded = human.models.loaded();
  const missing = REQUIRED_MODELS.filter((m) => !loaded.includes(m));
  if (missing.length > 0) throw new Error(`Human: models not loaded from ${modelsDir}: ${missing.join(", ")}`);
  const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");

  return {
    version: human.version,
    backend: `wasm${simd ? "-simd" : ""}`,
    threads: tf.getThreadsCount(),

    async analyze(image) {
      const t0 = performance.now();
      const { data, info } = await sharp(image)
        .rotate()
        .flatten({ background: "#808080" })
        .toColourspace("srgb")
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      if (info.channels !== 3) throw new Error(`Human: unexpected ${info.channels} channels after decoding`);
      const input = tf.tensor3d(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), [info.height, info.width, 3], "int32");
      const decode = performance.now() - t0;
      try {
        const result = await human.detect(input);
        if (result.error) throw new Error(`Human: ${result.error}`);
        const faces = result.face.map((f) => {
          if (!f.embedding?.length) throw new Error("Human: face without a descriptor");
          return { box: f.box, score: f.boxScore, embedding: unitLength(f.embedding) };
        });
        return { faces, ms: { decode, total: performance.now() - t0 } };
      } finally {
        tf.dispose(input);
      }
    },

    async close() {
      for (const model of Object.values(human.models.models)) model?.dispose();
      human.models.reset();
      // Human's model modules cache their GraphModel in module scope and only drop it while
      // env.initial is set; reset() sets it, so a later createHuman reloads instead of reusing
      // the weights disposed above. Consequence: one live engine per process.
      human.reset();
    },
  };
}

function unitLength(v: ArrayLike<number>): Float32Array {
  const out = Float32Array.from(v);
  let sq = 0;
  for (const x of out) sq += x * x;
  const norm = Math.sqrt(sq);
  if (norm > 0) for (let i = 0; i < out.length; i++) out[i]! /= norm;
  return out;
}

/** Cosine similarity of two descriptors (a plain dot product when both are unit length, as analyze returns them). */
export function humanSimilarity(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`descriptor lengths differ: ${a.length} vs ${b.length}`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}
