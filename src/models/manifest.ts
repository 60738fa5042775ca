// The model manifest: which ONNX/TFLite files Clockface uses, where to download them, their checksums
// and pre-processing. The JSON is imported (not read from disk) so a compiled binary embeds it.
import { isImpostorCurve } from "../domain/face/calibration";
import { z } from "zod";
import manifestJson from "../../models/manifest.json";

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, "sha256 must be 64 lowercase hex characters");
const rgbTriple = z.tuple([z.number(), z.number(), z.number()]);

/** Pre-processing: pixel' = (pixel - mean[c]) / std[c], with channels in `channels` order. */
const inputSchema = z.object({
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  channels: z.enum(["RGB", "BGR"]),
  mean: rgbTriple,
  std: rgbTriple.refine((s) => s.every((v) => v > 0), "std values must be positive"),
  layout: z.enum(["NCHW", "NHWC"]),
  dynamic: z.boolean().optional(),
  multipleOf: z.number().int().positive().optional(),
});

const baseModel = z.object({
  id: z.string().regex(/^[a-z0-9_]+$/),
  file: z
    .string()
    .min(1)
    .refine((f) => !f.startsWith("/") && !f.split("/").includes(".."), "file must be a relative path inside MODELS_DIR"),
  sha256,
  size: z.number().int().positive(),
  urls: z.array(z.url({ protocol: /^https?$/ })),
  source: z.string().optional(),
  licence: z.string().min(1),
  licenceNote: z.string().min(1),
  input: inputSchema,
});

const describedOutput = z.object({ layout: z.string().min(1) });

const thresholdsSchema = z.object({
  /**
   * (per-pair false accept rate, score) points of the impostor curve, rate falling: the match
   * threshold is read off it for the number of people enrolled (matchThresholdForGallery).
   */
  matchCurve: z
    .array(z.tuple([z.number().positive().max(1), z.number().min(-1).max(1)]))
    .refine(isImpostorCurve, "matchCurve needs points whose rates fall and thresholds do not"),
  unknown: z.number().min(-1).max(1),
  margin: z.number().min(0).max(2),
  calibrated: z.boolean(),
});

const modelSchema = z.discriminatedUnion("role", [
  baseModel.extend({ role: z.literal("detector"), output: describedOutput }),
  baseModel.extend({ role: z.literal("browser_detector"), output: describedOutput }),
  baseModel.extend({
    role: z.literal("recognizer"),
    output: describedOutput.extend({ dim: z.number().int().positive() }),
    thresholds: thresholdsSchema.refine((t) => t.unknown <= t.matchCurve[0]![1], "unknown threshold must not exceed the lowest match threshold"),
  }),
  baseModel.extend({
    role: z.literal("liveness"),
    output: describedOutput.extend({ cropScale: z.number().positive(), realIndex: z.number().int().min(0) }),
  }),
]);

const defaultsSchema = z.object({
  detector: z.string(),
  recognizer: z.string(),
  liveness: z.array(z.string()).min(1),
  browserDetector: z.string(),
});

/** Role each default slot must point at. */
const defaultRoles = { detector: "detector", recognizer: "recognizer", liveness: "liveness", browserDetector: "browser_detector" } as const;

export const manifestSchema = z
  .object({ version: z.literal(1), defaults: defaultsSchema, models: z.array(modelSchema).min(1) })
  .superRefine((m, ctx) => {
    const byId = new Map<string, ModelEntry>();
    const files = new Set<string>();
    for (const model of m.models) {
      if (byId.has(model.id)) ctx.addIssue({ code: "custom", message: `duplicate model id ${model.id}` });
      if (files.has(model.file)) ctx.addIssue({ code: "custom", message: `duplicate model file ${model.file}` });
      byId.set(model.id, model);
      files.add(model.file);
    }
    for (const slot of Object.keys(defaultRoles) as (keyof typeof defaultRoles)[]) {
      const value = m.defaults[slot];
      for (const id of Array.isArray(value) ? value : [value]) {
        const role = byId.get(id)?.role;
        if (role !== defaultRoles[slot]) {
          ctx.addIssue({ code: "custom", path: ["defaults", slot], message: `default ${slot} "${id}" is not a ${defaultRoles[slot]} in the manifest` });
        }
      }
    }
  });

export type ModelEntry = z.infer<typeof modelSchema>;
export type Manifest = z.infer<typeof manifestSchema>;
export type Role = ModelEntry["role"];
export type ModelOfRole<R extends Role> = Extract<ModelEntry, { role: R }>;

export interface DefaultModels {
  detector: ModelOfRole<"detector">;
  recognizer: ModelOfRole<"recognizer">;
  liveness: ModelOfRole<"liveness">[];
  browserDetector: ModelOfRole<"browser_detector">;
}

let cached: Manifest | undefined;

/** The embedded manifest, validated once. Throws a readable error if the committed JSON is invalid. */
export function loadManifest(): Manifest {
  if (!cached) {
    const parsed = manifestSchema.safeParse(manifestJson);
    if (!parsed.success) throw new Error(`models/manifest.json is invalid:\n${z.prettifyError(parsed.error)}`);
    cached = parsed.data;
  }
  return cached;
}

/** The model with this id; throws for an unknown id (ids come from configuration or the manifest itself). */
export function modelById(id: string, manifest: Manifest = loadManifest()): ModelEntry {
  const model = manifest.models.find((m) => m.id === id);
  if (!model) throw new Error(`unknown model id "${id}" (known: ${manifest.models.map((m) => m.id).join(", ")})`);
  return model;
}

function ofRole<R extends Role>(id: string, role: R, manifest: Manifest): ModelOfRole<R> {
  const model = modelById(id, manifest);
  if (model.role !== role) throw new Error(`model "${id}" is a ${model.role}, expected ${role}`);
  return model as ModelOfRole<R>;
}

/** The default pack: detector, recognizer, liveness models and the in-browser detector. */
export function defaultModels(manifest: Manifest = loadManifest()): DefaultModels {
  const d = manifest.defaults;
  return {
    detector: ofRole(d.detector, "detector", manifest),
    recognizer: ofRole(d.recognizer, "recognizer", manifest),
    liveness: d.liveness.map((id) => ofRole(id, "liveness", manifest)),
    browserDetector: ofRole(d.browserDetector, "browser_detector", manifest),
  };
}

/** The default pack as a flat list (download order: server models first, then the browser detector). */
export function defaultModelList(manifest: Manifest = loadManifest()): ModelEntry[] {
  const d = defaultModels(manifest);
  return [d.detector, d.recognizer, ...d.liveness, d.browserDetector];
}

/** The dynamic-input detector that runs every photo and frame at its own size (the default pack's fixed one is its fallback). */
export const SIZED_DETECTOR_ID = "yunet_n_dynamic";

/**
 * What `bun start` and `bun run models` fetch: the default pack, then the optional models — the
 * sized detector and the alternative recognisers (without them detection is slower, or switching
 * the recogniser is unavailable, but recognition works).
 */
export function startModelList(manifest: Manifest = loadManifest()): { required: ModelEntry[]; optional: ModelEntry[] } {
  const d = defaultModels(manifest);
  const sized = manifest.models.find((x) => x.id === SIZED_DETECTOR_ID && x.role === "detector");
  const alternatives = manifest.models.filter((x) => x.role === "recognizer" && x.id !== d.recognizer.id);
  return { required: defaultModelList(manifest), optional: [...(sized ? [sized] : []), ...alternatives] };
}
