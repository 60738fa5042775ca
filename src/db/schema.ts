import { sql } from "drizzle-orm";
import {
  bigserial,
  boolean,
  customType,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  serial,
  text,
  timestamp,
} from "drizzle-orm/pg-core";

const tsz = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

/** Raw bytes (embeddings are Float32 little-endian). */
export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => "bytea",
  fromDriver: (v) => (v instanceof Uint8Array ? v : new Uint8Array(v as ArrayBuffer)),
});

// ---------------------------------------------------------------- better-auth
export const user = pgTable("user", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  email: text("email").notNull().unique(),
  emailVerified: boolean("email_verified").notNull().default(false),
  image: text("image"),
  createdAt: tsz("created_at").notNull().defaultNow(),
  updatedAt: tsz("updated_at").notNull().defaultNow(),
  role: text("role"),
  banned: boolean("banned").default(false),
  banReason: text("ban_reason"),
  banExpires: tsz("ban_expires"),
});

export const session = pgTable(
  "session",
  {
    id: text("id").primaryKey(),
    expiresAt: tsz("expires_at").notNull(),
    token: text("token").notNull().unique(),
    createdAt: tsz("created_at").notNull().defaultNow(),
    updatedAt: tsz("updated_at").notNull().defaultNow(),
    ipAddress: text("ip_address"),
    userAgent: text("user_agent"),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    impersonatedBy: text("impersonated_by"),
  },
  (t) => [index("session_user_idx").on(t.userId)],
);

export const account = pgTable("account", {
  id: text("id").primaryKey(),
  accountId: text("account_id").notNull(),
  providerId: text("provider_id").notNull(),
  userId: text("user_id")
    .notNull()
    .references(() => user.id, { onDelete: "cascade" }),
  accessToken: text("access_token"),
  refreshToken: text("refresh_token"),
  idToken: text("id_token"),
  accessTokenExpiresAt: tsz("access_token_expires_at"),
  refreshTokenExpiresAt: tsz("refresh_token_expires_at"),
  scope: text("scope"),
  password: text("password"),
  createdAt: tsz("created_at").notNull().defaultNow(),
  updatedAt: tsz("updated_at").notNull().defaultNow(),
});

export const verification = pgTable("verification", {
  id: text("id").primaryKey(),
  identifier: text("identifier").notNull(),
  value: text("value").notNull(),
  expiresAt: tsz("expires_at").notNull(),
  createdAt: tsz("created_at").notNull().defaultNow(),
  updatedAt: tsz("updated_at").notNull().defaultNow(),
});

export const apikey = pgTable(
  "apikey",
  {
    id: text("id").primaryKey(),
    configId: text("config_id").notNull().default("default"),
    name: text("name"),
    start: text("start"),
    referenceId: text("reference_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    prefix: text("prefix"),
    key: text("key").notNull(),
    refillInterval: integer("refill_interval"),
    refillAmount: integer("refill_amount"),
    lastRefillAt: tsz("last_refill_at"),
    enabled: boolean("enabled").default(true),
    rateLimitEnabled: boolean("rate_limit_enabled").default(true),
    rateLimitTimeWindow: integer("rate_limit_time_window"),
    rateLimitMax: integer("rate_limit_max"),
    requestCount: integer("request_count").default(0),
    remaining: integer("remaining"),
    lastRequest: tsz("last_request"),
    expiresAt: tsz("expires_at"),
    createdAt: tsz("created_at").notNull().defaultNow(),
    updatedAt: tsz("updated_at").notNull().defaultNow(),
    permissions: text("permissions"),
    metadata: text("metadata"),
  },
  (t) => [index("apikey_key_idx").on(t.key), index("apikey_ref_idx").on(t.referenceId)],
);

// ---------------------------------------------------------------- organisation
export const schedules = pgTable("schedules", {
  id: serial("id").primaryKey(),
  name: text("name").notNull().unique(),
  /** WeeklyPattern from src/domain/attendance: per weekday start/end "HH:MM", or null for a day off. */
  pattern: jsonb("pattern").notNull(),
  graceMinutes: integer("grace_minutes").notNull().default(5),
  breakMinutes: integer("break_minutes").notNull().default(30),
  minHours: real("min_hours").notNull().default(0),
  autoCheckoutMinutes: integer("auto_checkout_minutes"),
  createdAt: tsz("created_at").notNull().defaultNow(),
  updatedAt: tsz("updated_at").notNull().defaultNow(),
});

export const departments = pgTable("departments", {
  id: serial("id").primaryKey(),
  name: text("name").notNull().unique(),
  description: text("description"),
  scheduleId: integer("schedule_id").references(() => schedules.id, { onDelete: "set null" }),
  createdAt: tsz("created_at").notNull().defaultNow(),
  updatedAt: tsz("updated_at").notNull().defaultNow(),
});

export const people = pgTable(
  "people",
  {
    id: serial("id").primaryKey(),
    name: text("name").notNull(),
    employeeCode: text("employee_code").notNull().unique(),
    departmentId: integer("department_id").references(() => departments.id, { onDelete: "set null" }),
    email: text("email"),
    active: boolean("active").notNull().default(true),
    consentAt: tsz("consent_at"),
    consentBy: text("consent_by"),
    notes: text("notes"),
    scheduleId: integer("schedule_id").references(() => schedules.id, { onDelete: "set null" }),
    createdAt: tsz("created_at").notNull().defaultNow(),
    updatedAt: tsz("updated_at").notNull().defaultNow(),
  },
  (t) => [index("people_department_idx").on(t.departmentId), index("people_name_idx").on(sql`lower(${t.name})`)],
);

// ---------------------------------------------------------------- faces
export const faces = pgTable(
  "faces",
  {
    id: serial("id").primaryKey(),
    personId: integer("person_id")
      .notNull()
      .references(() => people.id, { onDelete: "cascade" }),
    /** Aligned 112x112 crop, path relative to DATA_DIR/media. */
    cropPath: text("crop_path").notNull(),
    quality: jsonb("quality").notNull(),
    source: text("source").notNull().default("upload"),
    createdAt: tsz("created_at").notNull().defaultNow(),
  },
  (t) => [index("faces_person_idx").on(t.personId)],
);

export const faceEmbeddings = pgTable(
  "face_embeddings",
  {
    faceId: integer("face_id")
      .notNull()
      .references(() => faces.id, { onDelete: "cascade" }),
    modelId: text("model_id").notNull(),
    embedding: bytea("embedding").notNull(),
  },
  (t) => [primaryKey({ columns: [t.faceId, t.modelId] })],
);

/** "Not this person": embeddings an operator said are not this person. */
export const negativeExamples = pgTable(
  "negative_examples",
  {
    id: serial("id").primaryKey(),
    personId: integer("person_id")
      .notNull()
      .references(() => people.id, { onDelete: "cascade" }),
    modelId: text("model_id").notNull(),
    embedding: bytea("embedding").notNull(),
    createdBy: text("created_by"),
    createdAt: tsz("created_at").notNull().defaultNow(),
  },
  (t) => [index("negative_person_idx").on(t.personId)],
);

// ---------------------------------------------------------------- cameras and events
export const cameras = pgTable("cameras", {
  id: serial("id").primaryKey(),
  name: text("name").notNull().unique(),
  url: text("url").notNull(),
  direction: text("direction", { enum: ["in", "out", "both"] }).notNull().default("in"),
  fps: real("fps").notNull().default(5),
  enabled: boolean("enabled").notNull().default(true),
  liveness: boolean("liveness").notNull().default(false),
  createdAt: tsz("created_at").notNull().defaultNow(),
  updatedAt: tsz("updated_at").notNull().defaultNow(),
});

/**
 * Kiosk devices (tablets at the entrance). A device is paired once through a one-time link; its
 * credential (only its sha256 is stored) may punch and read the device's own settings, nothing else.
 */
export const kiosks = pgTable("kiosks", {
  id: serial("id").primaryKey(),
  name: text("name").notNull().unique(),
  location: text("location").notNull().default(""),
  /** sha256 (hex) of the device credential; null until paired. */
  tokenHash: text("token_hash").unique(),
  /** sha256 (hex) of the pending pairing code; null once used or when none was issued. */
  pairingHash: text("pairing_hash").unique(),
  pairingExpiresAt: tsz("pairing_expires_at"),
  pairedAt: tsz("paired_at"),
  lastSeenAt: tsz("last_seen_at"),
  revokedAt: tsz("revoked_at"),
  createdAt: tsz("created_at").notNull().defaultNow(),
});

export const attendanceEvents = pgTable(
  "attendance_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    personId: integer("person_id")
      .notNull()
      .references(() => people.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ["check_in", "check_out"] }).notNull(),
    ts: tsz("ts").notNull(),
    source: text("source", { enum: ["camera", "kiosk", "manual"] }).notNull(),
    cameraId: integer("camera_id").references(() => cameras.id, { onDelete: "set null" }),
    similarity: real("similarity"),
    evidencePath: text("evidence_path"),
    /** The camera track that produced the event (camera events). */
    trackId: text("track_id"),
    reason: text("reason"),
    createdBy: text("created_by"),
    voidedAt: tsz("voided_at"),
    voidedBy: text("voided_by"),
    voidReason: text("void_reason"),
    createdAt: tsz("created_at").notNull().defaultNow(),
    updatedAt: tsz("updated_at").notNull().defaultNow(),
  },
  (t) => [index("events_person_ts_idx").on(t.personId, t.ts), index("events_ts_idx").on(t.ts)],
);

export const unknownFaces = pgTable(
  "unknown_faces",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    cameraId: integer("camera_id").references(() => cameras.id, { onDelete: "set null" }),
    ts: tsz("ts").notNull(),
    cropPath: text("crop_path").notNull(),
    modelId: text("model_id").notNull(),
    embedding: bytea("embedding").notNull(),
    groupId: integer("group_id"),
    /** unknown: nobody close; uncertain: close to `personId` but not a sure match (goes to review). */
    kind: text("kind", { enum: ["unknown", "uncertain"] }).notNull().default("unknown"),
    personId: integer("person_id").references(() => people.id, { onDelete: "set null" }),
    similarity: real("similarity"),
    trackId: text("track_id"),
    status: text("status", { enum: ["open", "enrolled", "assigned", "dismissed"] }).notNull().default("open"),
    createdAt: tsz("created_at").notNull().defaultNow(),
  },
  (t) => [index("unknown_status_idx").on(t.status, t.ts)],
);

// ---------------------------------------------------------------- attendance rules
export const holidays = pgTable("holidays", {
  id: serial("id").primaryKey(),
  day: date("day", { mode: "string" }).notNull().unique(),
  name: text("name").notNull(),
});

export const leaves = pgTable(
  "leaves",
  {
    id: serial("id").primaryKey(),
    personId: integer("person_id")
      .notNull()
      .references(() => people.id, { onDelete: "cascade" }),
    fromDay: date("from_day", { mode: "string" }).notNull(),
    toDay: date("to_day", { mode: "string" }).notNull(),
    kind: text("kind").notNull().default("leave"),
    note: text("note"),
  },
  (t) => [index("leaves_person_idx").on(t.personId, t.fromDay)],
);

export const dailyStatus = pgTable(
  "daily_status",
  {
    personId: integer("person_id")
      .notNull()
      .references(() => people.id, { onDelete: "cascade" }),
    day: date("day", { mode: "string" }).notNull(),
    status: text("status").notNull(),
    lateMinutes: integer("late_minutes").notNull().default(0),
    earlyMinutes: integer("early_minutes").notNull().default(0),
    workedMinutes: integer("worked_minutes").notNull().default(0),
    overtimeMinutes: integer("overtime_minutes").notNull().default(0),
    /** Notes from the rules (auto_checkout, under_min_hours, worked_on_leave, …). */
    flags: jsonb("flags").notNull().default([]),
    firstIn: tsz("first_in"),
    lastOut: tsz("last_out"),
    computedAt: tsz("computed_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.personId, t.day] }), index("daily_day_idx").on(t.day)],
);

// ---------------------------------------------------------------- audit and settings
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: tsz("at").notNull().defaultNow(),
    actorId: text("actor_id"),
    actorLabel: text("actor_label"),
    action: text("action").notNull(),
    entity: text("entity").notNull(),
    entityId: text("entity_id"),
    before: jsonb("before"),
    after: jsonb("after"),
    requestId: text("request_id"),
  },
  (t) => [index("audit_at_idx").on(t.at), index("audit_entity_idx").on(t.entity, t.entityId)],
);

export const settings = pgTable("settings", {
  key: text("key").primaryKey(),
  value: jsonb("value").notNull(),
  updatedAt: tsz("updated_at").notNull().defaultNow(),
  updatedBy: text("updated_by"),
});

// ---------------------------------------------------------------- erasure
/**
 * Files to delete, durable across crashes. An erasure (or a face deletion) queues its files in its
 * own transaction and deletes them after commit; a file being written before its row commits (or
 * rewritten by the at-rest migration) is queued first as `pending`. At start-up every queued file
 * is deleted, except a pending one that a row references.
 */
export const fileQueue = pgTable(
  "file_queue",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    /** faces: DATA_DIR/media (enrolled crops); media: the media store (evidence, unknown crops). */
    store: text("store", { enum: ["faces", "media"] }).notNull(),
    path: text("path").notNull(),
    pending: boolean("pending").notNull().default(false),
    erasureId: integer("erasure_id"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    createdAt: tsz("created_at").notNull().defaultNow(),
  },
  (t) => [index("file_queue_erasure_idx").on(t.erasureId)],
);

/** What erasing a person removed (counts per kind), under a pseudonym. */
export const erasures = pgTable("erasures", {
  id: serial("id").primaryKey(),
  pseudonym: text("pseudonym").notNull(),
  /** The erased person's former id (numbers are not reused). */
  personId: integer("person_id").notNull(),
  erasedAt: tsz("erased_at").notNull().defaultNow(),
  erasedBy: text("erased_by"),
  counts: jsonb("counts").notNull(),
  filesQueued: integer("files_queued").notNull(),
  /** When the last queued file was deleted (null while some are left). */
  filesDoneAt: tsz("files_done_at"),
});
