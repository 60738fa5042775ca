// A face's embedding does not depend on the other faces sent with it: the int8 recogniser quantises
// its input dynamically, so the engine embeds one face per run (a real pool on the shared models).
import { setDefaultTimeout } from "bun:test";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { createLogger } from "../src/lib/log";
import { defaultModels, loadManifest, type ModelOfRole } from "../src/models/manifest";
import { EnginePool } from "../src/services/engine";

// Tests here start real processes, engines or browsers (Bun applies a default per file only).
setDefaultTimeout(60_000);

const ALIGNED = join(import.meta.dir, "../../shared/faces/facescrub/aligned_112");
const crop = async (f: string) => new Uint8Array(await Bun.file(join(ALIGNED, f)).arrayBuffer());
const m = defaultModels();
const recognizers = loadManifest().models.filter((x): x is ModelOfRole<"recognizer"> => x.role === "recognizer");
let pool: EnginePool;

beforeAll(async () => {
  pool = new EnginePool(
    { modelsDir: process.env.MODELS_DIR!, detector: m.detector, recognizers, liveness: m.liveness, maxPixels: 40e6, detThreshold: 0.6, threads: 1 },
    { size: 1, queueLimit: 10, jobTimeoutMs: 60_000, log: createLogger("silent") },
  );
  await pool.start();
});
afterAll(() => pool.close());

test.each(recognizers.map((r) => r.id))("%s: the same face alone and among others gets the same embedding", async (id) => {
  const face = await crop("Aaron_Eckhart_4_aligned.jpg");
  const others = await Promise.all(["Adam_Brody_355_aligned.jpg", "Eric_Dane_36367_aligned.jpg", "Melissa_Benoist_12864_aligned.jpg"].map(crop));
  const alone = (await pool.embedCrops([face], id)).embeddings[0]!;
  const among = (await pool.embedCrops([...others, face], id)).embeddings;
  expect(among.length).toBe(4);
  expect(Array.from(among[3]!)).toEqual(Array.from(alone));
  // And the others are embedded as themselves, not as copies.
  expect(Array.from(among[0]!)).not.toEqual(Array.from(alone));
});
