// Start-up of the face engine: make sure the models are there (download or verify), then start the
// worker pool. A missing or corrupt model never stops the server: recognition is disabled with a
// reason that the UI shows as a banner.
import { EnginePool } from "./engine";
import type { Config } from "../config";
import type { Logger } from "../lib/log";
import { defaultModels, modelById, SIZED_DETECTOR_ID, startModelList, type ModelOfRole } from "../models/manifest";
import { ensureModels } from "../models/store";
import type { FaceService } from "./faces";
import type { MemoryBudget } from "../lib/memory-budget";

export async function startEngine(config: Config, faces: FaceService, log: Logger, memory?: MemoryBudget): Promise<EnginePool | null> {
  const m = defaultModels();
  const { required, optional } = startModelList();
  // The alternative recognisers are optional: without them only switching to them is unavailable.
  const alternatives = optional.filter((x): x is ModelOfRole<"recognizer"> => x.role === "recognizer");
  // Photos and camera frames use the dynamic-size YuNet (run at each image's own size) when it is
  // there; the fixed 640x640 detector of the default pack is the fallback.
  const sizedDetector = modelById(SIZED_DETECTOR_ID) as ModelOfRole<"detector">;
  // The in-browser detector is not the server's concern here (the webcam pages report it).
  const needed = [...required.filter((x) => x.role !== "browser_detector"), ...optional];
  let lastLogged = new Map<string, number>();
  const results = await ensureModels(config.MODELS_DIR, needed, {
    download: config.MODELS_DOWNLOAD,
    log,
    onProgress: (p) => {
      const pct = p.total ? Math.floor((p.received / p.total) * 10) * 10 : 0;
      if (p.phase === "download" && lastLogged.get(p.id) !== pct) {
        lastLogged.set(p.id, pct);
        log.info("downloading model", { id: p.id, percent: pct, url: p.url });
      }
    },
  });
  lastLogged = new Map();
  const usable = (id: string) => results[id]?.status === "ok" || results[id]?.status === "downloaded";
  for (const a of alternatives.filter((x) => !usable(x.id))) log.warn("optional recogniser unavailable", { id: a.id, status: results[a.id]?.status, reason: results[a.id]?.reason });
  if (!usable(sizedDetector.id)) log.warn("detection falls back to the fixed 640x640 detector (slower on small photos)", { id: sizedDetector.id, status: results[sizedDetector.id]?.status });
  const bad = Object.entries(results).filter(([id]) => !usable(id) && !optional.some((o) => o.id === id));
  if (bad.length) {
    const reason = bad.map(([id, r]) => `model ${id} is ${r.status}${r.reason ? ` (${r.reason})` : ""}`).join("; ") + ` in ${config.MODELS_DIR}; run \`bun run models\``;
    log.error("face recognition disabled", { reason });
    faces.attach(null, reason);
    return null;
  }
  const pool = new EnginePool(
    { modelsDir: config.MODELS_DIR, detector: m.detector, sizedDetector: usable(sizedDetector.id) ? sizedDetector : undefined, recognizers: [m.recognizer, ...alternatives.filter((x) => usable(x.id))], liveness: m.liveness, maxPixels: config.MAX_IMAGE_PIXELS, memory: memory && { limit: memory.limit, shared: memory.shared }, detThreshold: 0.6, threads: 1 },
    { size: config.ENGINE_WORKERS, queueLimit: config.ENGINE_QUEUE, jobTimeoutMs: 30_000, log },
  );
  try {
    await pool.start();
  } catch (e) {
    await pool.close();
    const reason = `the engine could not start (${(e as Error).message})`;
    log.error("face recognition disabled", { reason });
    faces.attach(null, reason);
    return null;
  }
  await faces.load(pool.recognizerIds());
  faces.attach(pool);
  log.info("face engine ready", { workers: config.ENGINE_WORKERS, detector: usable(sizedDetector.id) ? sizedDetector.id : m.detector.id, recognizer: faces.recognizerId, recognizers: pool.recognizerIds() });
  return pool;
}
