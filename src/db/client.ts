import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join, resolve } from "node:path";
import { sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import * as schema from "./schema";
import { migrations } from "./migrations.gen";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export { schema };

export interface Database {
  db: Db;
  kind: "pglite" | "postgres";
  close(): Promise<void>;
}

export class DatabaseLockedError extends Error {}

/** A pid lock file: PGlite has no locking of its own and two processes on one data dir corrupt it. */
function acquireLock(dir: string): () => void {
  const path = join(dir, "clockface.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(path, "utf8") === String(process.pid)) rmSync(path);
        } catch {
          /* already gone */
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const pid = Number(readFileSync(path, "utf8").trim());
      let alive = false;
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid) {
        try {
          process.kill(pid, 0);
          alive = true;
        } catch (err) {
          alive = (err as NodeJS.ErrnoException).code === "EPERM";
        }
      }
      if (alive || pid === process.pid) {
        throw new DatabaseLockedError(
          `The data folder ${dir} is in use by another Clockface process (pid ${pid}). ` +
            `Stop it first, or start this one with a different DATA_DIR.`,
        );
      }
      rmSync(path, { force: true }); // stale lock from a process that died
    }
  }
  throw new DatabaseLockedError(`Could not lock ${dir}`);
}

export interface OpenOptions {
  /** postgres:// URL; when absent the embedded PGlite database is used. */
  url?: string;
  /** Folder for PGlite's files; absent = in memory (tests). */
  dataDir?: string;
  /** PostgreSQL schema to use (tests isolate themselves with one per run). */
  pgSchema?: string;
  /** Loaded PGlite assets, needed inside the compiled binary. */
  pgliteAssets?: () => Promise<Record<string, unknown>>;
  /** PostgreSQL: give up connecting after this long (the request then gets a 503, not a long wait). */
  connectTimeoutMs?: number;
}

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.url) {
    const { default: postgres } = await import("postgres");
    const { drizzle } = await import("drizzle-orm/postgres-js");
    const client = postgres(opts.url, {
      max: 10,
      connect_timeout: (opts.connectTimeoutMs ?? 5000) / 1000,
      // Seconds before reconnecting after failed attempts. postgres.js' default grows to 20 s, so the
      // first requests after an outage waited that long; capped at 1 s the app is back within a second.
      backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 1),
      onnotice: () => {},
      connection: opts.pgSchema ? { search_path: opts.pgSchema } : undefined,
    });
    if (opts.pgSchema) await client.unsafe(`create schema if not exists "${opts.pgSchema.replace(/"/g, "")}"`);
    const db = drizzle(client, { schema }) as unknown as Db;
    await migrate(db, "postgres");
    return { db, kind: "postgres", close: () => client.end({ timeout: 5 }) };
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  let release = () => {};
  let dataDir: string | undefined;
  if (opts.dataDir) {
    const root = resolve(opts.dataDir);
    mkdirSync(root, { recursive: true });
    release = acquireLock(root);
    dataDir = join(root, "pglite");
    if (!existsSync(dataDir)) mkdirSync(dataDir, { recursive: true });
  }
  try {
    const extra = opts.pgliteAssets ? await opts.pgliteAssets() : {};
    const client = await PGlite.create({ dataDir, ...extra });
    const db = drizzle(client, { schema }) as unknown as Db;
    await migrate(db, "pglite");
    return {
      db,
      kind: "pglite",
      close: async () => {
        await client.close();
        release();
      },
    };
  } catch (e) {
    release();
    throw e;
  }
}

/** Applies drizzle-kit's generated SQL (embedded at build time) once each, in order. */
async function migrate(db: Db, kind: "pglite" | "postgres"): Promise<void> {
  await db.transaction(async (tx) => {
    if (kind === "postgres") await tx.execute(sql`select pg_advisory_xact_lock(7205119)`);
    await tx.execute(
      sql`create table if not exists clockface_migrations (tag text primary key, applied_at timestamptz not null default now())`,
    );
    const done = new Set(rowsOf<{ tag: string }>(await tx.execute(sql`select tag from clockface_migrations`)).map((r) => r.tag));
    for (const m of migrations) {
      if (done.has(m.tag)) continue;
      for (const stmt of m.sql.split("--> statement-breakpoint")) {
        // Unqualified names so a PostgreSQL schema chosen by search_path works.
        if (stmt.trim()) await tx.execute(sql.raw(stmt.replaceAll('"public".', "")));
      }
      await tx.execute(sql`insert into clockface_migrations (tag) values (${m.tag})`);
    }
  });
}

/** Rows of a raw query on either driver (PGlite returns {rows}, postgres.js an array). */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/** The database cannot be reached; requests get 503 and a "try again" message, sessions stay valid. */
export class DatabaseUnavailableError extends Error {
  constructor(cause?: unknown) {
    super("The database is unreachable; retrying. Try again in a moment.", { cause });
  }
}

// Socket errors and postgres.js' own connection errors (its codes are strings like CONNECT_TIMEOUT).
const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  // SQLSTATE: admin/crash shutdown, cannot connect now (starting or stopping), too many connections.
  "57P01",
  "57P02",
  "57P03",
  "53300",
]);

/**
 * True when an error (possibly wrapped by drizzle or better-auth in `cause`) means the database
 * server could not be reached or went away, as opposed to a query that failed. SQLSTATE class 08 is
 * "connection exception". PGlite runs in-process and never produces these.
 */
export function isDatabaseUnavailable(e: unknown): boolean {
  for (let err = e as { code?: unknown; cause?: unknown } | undefined, depth = 0; err && typeof err === "object" && depth < 5; depth++) {
    if (err instanceof DatabaseUnavailableError) return true;
    const code = typeof err.code === "string" ? err.code : "";
    if (UNREACHABLE_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return true;
    err = err.cause as typeof err;
  }
  return false;
}

/** Whether a database error (postgres.js, PGlite, or drizzle's wrapper around them) has this SQLSTATE. */
function hasSqlState(e: unknown, state: string): boolean {
  for (let err = e as { code?: string; cause?: unknown } | undefined, depth = 0; err && depth < 4; depth++) {
    if (err.code === state) return true;
    err = err.cause as typeof err;
  }
  return false;
}

/** True when a database error is a unique-key violation. */
export function isUniqueViolation(e: unknown): boolean {
  return hasSqlState(e, "23505");
}

/** True when a database error is a foreign-key violation (a row refers to one deleted meanwhile). */
export function isForeignKeyViolation(e: unknown): boolean {
  return hasSqlState(e, "23503");
}
