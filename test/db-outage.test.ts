import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { rmSync } from "node:fs";
import { loadConfig } from "../src/config";
import { DatabaseUnavailableError, isDatabaseUnavailable } from "../src/db/client";
import { createLogger } from "../src/lib/log";
import { build, type Built } from "../src/server";
import { ORIGIN, form } from "./helpers";
import { havePgServer, startPgCluster, type PgCluster } from "./support/pg-cluster";

// initdb, two server starts and a frozen server: more than Bun's default 5 s.
setDefaultTimeout(60_000);

const MESSAGE = "The database is unreachable; retrying. Try again in a moment.";

// Runs where PostgreSQL is part of the test setup (TEST_DATABASE_URL, as for dbKinds()); there the
// server binaries must be installed too.
describe.skipIf(!process.env.TEST_DATABASE_URL)("a PostgreSQL outage is an outage, not a logout", () => {
  let pg: PgCluster;
  let app: Built;
  let dataDir: string;
  let cookie: string;
  let key: string;
  const req = (path: string, headers: Record<string, string> = {}, init: RequestInit = {}) => app.app.request(`${ORIGIN}${path}`, { ...init, headers: { ...headers, ...(init.headers as Record<string, string>) } });

  beforeAll(async () => {
    expect(havePgServer()).toBe(true);
    pg = await startPgCluster();
    dataDir = `/tmp/clockface-test-${crypto.randomUUID()}`;
    const config = loadConfig({ DATABASE_URL: pg.url, DATA_DIR: dataDir, LOG_LEVEL: "silent", DATABASE_TIMEOUT_MS: "1500", ENGINE_WORKERS: "1" });
    app = await build(config, { log: createLogger("silent"), inMemory: true, engine: false });
    const s = app.deps.services;
    await s.accounts.createUser({ name: "Ada", email: "ada@test.local", password: "correct-horse-battery", role: "admin" });
    const login = await req("/login", { origin: ORIGIN }, { method: "POST", ...form({ email: "ada@test.local", password: "correct-horse-battery" }) });
    expect(login.status).toBe(303);
    cookie = login.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const ada = (await s.users.list({ q: "ada@", limit: 1, offset: 0 })).rows[0]!;
    key = (await s.accounts.createApiKey(ada.id, "integration")).key;
  });
  afterAll(async () => {
    await pg?.start().catch(() => {});
    await app?.close().catch(() => {});
    await pg?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function expectSignedIn() {
    const page = await req("/", { cookie, accept: "text/html" });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Ada · admin");
    expect((await req("/api/v1/people", { cookie })).status).toBe(200);
    expect((await req("/api/v1/people", { "x-api-key": key })).status).toBe(200);
    expect((await req("/healthz")).status).toBe(200);
  }

  async function expectOutage() {
    const page = await req("/", { cookie, accept: "text/html" });
    expect(page.status).toBe(503);
    expect(page.headers.get("retry-after")).toBe("5");
    expect(page.headers.getSetCookie()).toEqual([]);
    const html = await page.text();
    expect(html).toContain(MESSAGE);
    expect(html).toContain("Temporarily unavailable");
    for (const headers of [{ cookie }, { "x-api-key": key }] as Record<string, string>[]) {
      const api = await req("/api/v1/people", headers);
      expect(api.status).toBe(503);
      expect(api.headers.getSetCookie()).toEqual([]);
      expect(await api.json()).toEqual({ error: MESSAGE });
    }
    const health = await req("/healthz");
    expect(health.status).toBe(503);
    expect((await health.json()).error).toBe("database unreachable");
  }

  test("signed in before the outage", expectSignedIn);

  test("server stopped: pages and API answer 503 with the message, the cookie is kept; back when it returns", async () => {
    await pg.stop();
    await expectOutage();
    // Signing in, better-auth's own endpoints and the public pages say the same, not "wrong password".
    const login = await req("/login", { origin: ORIGIN, accept: "text/html" }, { method: "POST", ...form({ email: "ada@test.local", password: "correct-horse-battery" }) });
    expect(login.status).toBe(503);
    expect(await login.text()).toContain(MESSAGE);
    expect((await req("/login", { accept: "text/html" })).status).toBe(503);
    expect((await req("/api/auth/get-session", { cookie })).status).toBe(503);
    await pg.start();
    await expectSignedIn();
  });

  test("server frozen (connections open, no answers): 503 after DATABASE_TIMEOUT_MS; back when it thaws", async () => {
    await pg.freeze(true);
    try {
      await expectOutage();
    } finally {
      await pg.freeze(false);
    }
    await expectSignedIn();
  });
});

test("what counts as the database being unreachable", () => {
  const wrapped = (code: string) => Object.assign(new Error("Failed query"), { cause: Object.assign(new Error("x"), { code }) });
  for (const code of ["ECONNREFUSED", "ECONNRESET", "CONNECT_TIMEOUT", "CONNECTION_CLOSED", "08006", "08001", "57P01", "57P03"]) expect([code, isDatabaseUnavailable(wrapped(code))]).toEqual([code, true]);
  for (const code of ["23505", "42P01", "22P02", "57014"]) expect([code, isDatabaseUnavailable(wrapped(code))]).toEqual([code, false]);
  expect(isDatabaseUnavailable(new Error("boom"))).toBe(false);
  expect(isDatabaseUnavailable(null)).toBe(false);
  expect(isDatabaseUnavailable({ statusCode: 500, cause: new DatabaseUnavailableError() })).toBe(true);
});
