import { rmSync } from "node:fs";
import { join } from "node:path";
import type { SQL } from "drizzle-orm";
import { loadConfig, type Config } from "../src/config";
import { build, type Built } from "../src/server";
import type { UserRole } from "../src/services/auth";
import { createLogger, type Logger } from "../src/lib/log";
import { needModels } from "./support/needs";

export type DbKind = "pglite" | "postgres";

/** PGlite always; PostgreSQL too when TEST_DATABASE_URL is set (CI sets it). */
export function dbKinds(): DbKind[] {
  return process.env.TEST_DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
}

export const ORIGIN = "http://localhost:3000";

export interface TestApp extends Built {
  config: Config;
  kind: DbKind;
  /** Sends a request; `as` signs in with that role first (cached cookie). */
  req(path: string, init?: RequestInit & { as?: UserRole | string }): Promise<Response>;
  cookieFor(role: UserRole): Promise<string>;
  /** Runs raw SQL on the app's database (PGlite or PostgreSQL alike) and returns the rows. */
  rows(q: SQL): Promise<Record<string, unknown>[]>;
  apiKeyFor(role: UserRole): Promise<string>;
}

/** The real app on a fresh database: in-memory PGlite, or a throwaway schema on PostgreSQL. */
export async function makeApp(kind: DbKind, env: Record<string, string> = {}, opts: { engine?: boolean; log?: Logger } = {}): Promise<TestApp> {
  if (opts.engine) needModels();
  const pgSchema = kind === "postgres" ? `t_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}` : undefined;
  const config = loadConfig({
    LOG_LEVEL: "silent",
    MODELS_DIR: process.env.MODELS_DIR,
    DATA_DIR: `/tmp/clockface-test-${crypto.randomUUID()}`,
    ENGINE_WORKERS: "1",
    ...(kind === "postgres" ? { DATABASE_URL: process.env.TEST_DATABASE_URL } : {}),
    ...env,
  });
  const built = await build(config, { log: opts.log ?? createLogger("silent"), pgSchema, inMemory: true, engine: opts.engine ?? false });
  await built.engineReady;
  const cookies = new Map<string, string>();
  const keys = new Map<string, string>();

  async function ensureUser(role: UserRole) {
    const email = `${role}@test.local`;
    if (!cookies.has(role)) {
      await built.deps.services.accounts.createUser({ name: `Test ${role}`, email, password: "correct-horse-battery", role });
      const res = await built.deps.auth.api.signInEmail({ body: { email, password: "correct-horse-battery" }, asResponse: true });
      cookies.set(role, res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; "));
    }
    return email;
  }

  const t: TestApp = {
    ...built,
    config,
    kind,
    async cookieFor(role) {
      await ensureUser(role);
      return cookies.get(role)!;
    },
    async apiKeyFor(role) {
      if (!keys.has(role)) {
        await ensureUser(role);
        const u = (await built.deps.services.users.list({ q: `${role}@test.local`, limit: 1, offset: 0 })).rows[0]!;
        const k = await built.deps.services.accounts.createApiKey(u.id, `test-${role}`);
        keys.set(role, k.key);
      }
      return keys.get(role)!;
    },
    async rows(q) {
      const r = await built.deps.database.db.execute(q);
      return (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows) as Record<string, unknown>[];
    },
    async req(path, init = {}) {
      const headers = new Headers(init.headers);
      if (init.as) headers.set("cookie", await t.cookieFor(init.as as UserRole));
      if (!headers.has("origin") && init.method && init.method !== "GET") headers.set("origin", ORIGIN);
      return built.app.request(`${ORIGIN}${path}`, { ...init, headers });
    },
    async close() {
      await built.close().catch(() => {});
      rmSync(config.DATA_DIR, { recursive: true, force: true });
      if (pgSchema) {
        const { default: postgres } = await import("postgres");
        const c = postgres(process.env.TEST_DATABASE_URL!, { onnotice: () => {} });
        await c.unsafe(`drop schema if exists "${pgSchema}" cascade`);
        await c.end();
      }
    },
  };
  return t;
}

export function form(data: Record<string, string>): { body: URLSearchParams; headers: Record<string, string> } {
  return { body: new URLSearchParams(data), headers: { "content-type": "application/x-www-form-urlencoded" } };
}

export function json(data: unknown): { body: string; headers: Record<string, string> } {
  return { body: JSON.stringify(data), headers: { "content-type": "application/json" } };
}


/** The facescrub loose crops in ../shared (tests and benches may read it; the product never does). */
export const CROPS = join(import.meta.dir, "../../shared/faces/facescrub/cropped");

/** A multipart body with one facescrub crop as the `image` field (the face upload APIs). */
export function cropUpload(file: string): FormData {
  const fd = new FormData();
  fd.set("image", Bun.file(join(CROPS, file)), file);
  return fd;
}
