import { z } from "zod";
import os from "node:os";
import { PASSWORD_MAX, PASSWORD_MIN, passwordProblem } from "./domain/password";

const bool = z
  .enum(["1", "0", "true", "false", "yes", "no", ""])
  .transform((v) => v === "1" || v === "true" || v === "yes");

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Every setting Clockface reads from the environment: default, bounds and a description each. */
export const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000).describe("HTTP port to listen on (0 picks a free port)"),
  HOST: z.string().min(1).default("0.0.0.0").describe("Interface to bind"),
  BASE_URL: z.url().optional().describe("Public URL of the app, used for auth callbacks and origin checks (default http://localhost:PORT)"),
  DATA_DIR: z.string().min(1).default("./data").describe("Folder for the embedded database, enrolled face crops, and evidence photos unless S3_BUCKET is set"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/.+/, "must be a postgres:// or postgresql:// URL")
    .optional()
    .describe("PostgreSQL server to use instead of the embedded PGlite database"),
  DATABASE_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(200)
    .max(60_000)
    .default(4000)
    .describe("How long a request waits for PostgreSQL to connect or to look up its session before it is answered 503 (database unreachable)"),
  MODELS_DIR: z.string().min(1).default("./models").describe("Folder holding the ONNX models (downloaded there on first start)"),
  MODELS_DOWNLOAD: bool.default(true).describe("Download missing models on start (set 0 on air-gapped sites)"),
  TZ: z
    .string()
    .default("UTC")
    .refine(validTimeZone, "must be an IANA time zone such as Europe/Berlin")
    .describe("Time zone of the site; attendance days and schedules use it"),
  CLOCKFACE_SECRET: z
    .string()
    .min(32, "must be at least 32 characters")
    .optional()
    .describe("Secret for sessions and API keys, and the key of the face data encrypted at rest (keep it: without it the faces cannot be read); generated into DATA_DIR/secret when not set"),
  CLOCKFACE_ADMIN_EMAIL: z.email().optional().describe("E-mail of the first admin, created on first start"),
  CLOCKFACE_ADMIN_PASSWORD: z
    .string()
    .min(PASSWORD_MIN, `must be at least ${PASSWORD_MIN} characters`)
    .max(PASSWORD_MAX)
    .optional()
    .describe("Password of the first admin (with CLOCKFACE_ADMIN_EMAIL); common, repeated or sequential passwords are refused at start"),
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(512 * 1024 * 1024)
    .default(16 * 1024 * 1024)
    .describe("Largest request body accepted; larger ones get 413"),
  UPLOAD_MEMORY_BUDGET_BYTES: z.coerce
    .number()
    .int()
    .min(1024 * 1024)
    .max(64 * 1024 * 1024 * 1024)
    .default(256 * 1024 * 1024)
    .describe("Request bodies and decoded images held in memory at once; a body that does not fit gets 503 with Retry-After before it is read (at least MAX_BODY_BYTES)"),
  MAX_IMAGE_PIXELS: z.coerce
    .number()
    .int()
    .min(10_000)
    .max(200_000_000)
    .default(40_000_000)
    .describe("Largest image (width x height) accepted, checked before decoding"),
  ENGINE_WORKERS: z.coerce
    .number()
    .int()
    .min(1)
    .max(64)
    .default(Math.max(1, os.cpus().length))
    .describe("Face engine worker threads"),
  STRANGER_ACCEPT_RATE: z.coerce
    .number()
    .min(0.0001)
    .max(0.05)
    .default(0.01)
    .describe("Chance a stranger may be matched to someone enrolled: the calibrated match threshold rises with the number of people so this holds"),
  RECOGNIZE_MAX_FACES: z.coerce
    .number()
    .int()
    .min(1)
    .max(2000)
    .default(500)
    .describe("Most faces POST /api/v1/recognize returns for one photo (those with the best detector scores); when a photo has more, the answer says truncated: true and how many were found"),
  ENGINE_QUEUE: z.coerce.number().int().min(1).max(10_000).default(32).describe("Images waiting for a worker before callers get 503"),
  LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).max(10_000).default(10).describe("Sign-in attempts per minute per address"),
  API_KEY_RATE_LIMIT: z.coerce.number().int().min(1).max(1_000_000).default(600).describe("Requests per minute per API key"),
  KIOSK_PAIRING_MINUTES: z.coerce.number().int().min(1).max(10_080).default(60).describe("A kiosk pairing link (Kiosks page) works once, for this many minutes"),
  CLOCKFACE_ALLOW_FILE_SOURCES: bool.default(false).describe("Allow file:// camera sources (demos and tests)"),
  CAMERA_WIDTH: z.coerce.number().int().min(160).max(1920).multipleOf(2).default(640).describe("Width camera frames are scaled to before detection (height keeps the aspect ratio)"),
  CAMERA_MIN_FACE: z.coerce.number().int().min(16).max(400).default(40).describe("Faces smaller than this many pixels (shorter side, in the scaled camera frame) are not analysed; too small to recognise reliably"),
  MOTION_THRESHOLD: z.coerce
    .number()
    .int()
    .min(0)
    .max(255)
    .default(12)
    .describe("Motion gating of cameras: grey-level change (0-255, on a 64 px wide thumbnail of the frame) that counts as movement; frames where nothing moved since the last analysed one skip face detection. 0 analyses every frame"),
  MOTION_FULL_FRAME_MS: z.coerce
    .number()
    .int()
    .min(200)
    .max(60_000)
    .default(2000)
    .describe("With motion gating, a camera frame is analysed at least this often (ms) even when nothing moved, so someone standing still is found"),
  LIVE_FPS: z.coerce.number().min(0.5).max(15).default(4).describe("Frames per second of the annotated live view (MJPEG), per camera"),
  EVENT_DEDUPE_MINUTES: z.coerce.number().int().min(0).max(720).default(5).describe("A person seen again within this many minutes makes no new event of the same kind"),
  BOTH_MIN_INTERVAL_MINUTES: z.coerce.number().int().min(0).max(720).default(15).describe("On an in-and-out camera, minutes after a check-in before a sighting counts as the check-out"),
  RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90).describe("Evidence photos and unknown faces older than this are purged (daily)"),
  S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)").optional().describe("Bucket for evidence photos and unknown faces instead of DATA_DIR/media; needs S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY"),
  S3_ENDPOINT: z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }).optional().describe("S3-compatible endpoint (MinIO, R2, ...); AWS S3 of S3_REGION when not set"),
  S3_REGION: z.string().regex(/^[a-z0-9-]+$/, "must be a region name such as eu-central-1").default("us-east-1").describe("Region of the bucket"),
  S3_ACCESS_KEY_ID: z.string().min(1).optional().describe("Access key for the bucket"),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional().describe("Secret key for the bucket"),
  S3_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*\/?$/, "must be key segments of letters, digits, . _ - separated by /")
    .optional()
    .describe("Key prefix for the media objects in the bucket (e.g. clockface/site-a)"),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info").describe("Least severe log level written"),
  LOG_FORMAT: z
    .enum(["auto", "pretty", "json"])
    .default("auto")
    .describe("Log lines as readable text (pretty: time, level, message, key=value) or one JSON object per line (json); auto is pretty when stdout is a terminal"),
});

export type Config = z.infer<typeof configSchema> & { BASE_URL: string };

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

/** Parse the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const input: Record<string, string> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== "") input[key] = v;
  }
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  }
  const c = parsed.data;
  if (!!c.CLOCKFACE_ADMIN_EMAIL !== !!c.CLOCKFACE_ADMIN_PASSWORD) {
    throw new ConfigError(["CLOCKFACE_ADMIN_EMAIL and CLOCKFACE_ADMIN_PASSWORD must be set together"]);
  }
  if (c.UPLOAD_MEMORY_BUDGET_BYTES < c.MAX_BODY_BYTES) {
    throw new ConfigError([`UPLOAD_MEMORY_BUDGET_BYTES (${c.UPLOAD_MEMORY_BUDGET_BYTES}) must be at least MAX_BODY_BYTES (${c.MAX_BODY_BYTES}), or the largest upload could never be admitted`]);
  }
  const weak = c.CLOCKFACE_ADMIN_PASSWORD && passwordProblem(c.CLOCKFACE_ADMIN_PASSWORD, [c.CLOCKFACE_ADMIN_EMAIL ?? ""]);
  if (weak) throw new ConfigError([`CLOCKFACE_ADMIN_PASSWORD: ${weak} (it is only read to create the first admin)`]);
  const s3Given = (["S3_BUCKET", "S3_ENDPOINT", "S3_REGION", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "S3_PREFIX"] as const).filter((k) => input[k] !== undefined);
  const s3Missing = (["S3_BUCKET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"] as const).filter((k) => input[k] === undefined);
  if (s3Given.length && s3Missing.length) {
    throw new ConfigError([`S3 media storage needs S3_BUCKET, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY together: ${s3Given.join(", ")} ${s3Given.length > 1 ? "are" : "is"} set but ${s3Missing.join(", ")} ${s3Missing.length > 1 ? "are" : "is"} missing`]);
  }
  return { ...c, BASE_URL: c.BASE_URL ?? `http://localhost:${c.PORT}` };
}

/** Rows for the README configuration table. */
export function configDocs(): { name: string; default: string; description: string }[] {
  return Object.entries(configSchema.shape).map(([name, s]) => {
    const def = s instanceof z.ZodDefault ? String((s as z.ZodDefault<z.ZodTypeAny>).def.defaultValue) : "";
    return { name, default: name === "ENGINE_WORKERS" ? "CPU cores" : def, description: s.description ?? "" };
  });
}
