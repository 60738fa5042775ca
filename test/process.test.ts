import { setDefaultTimeout } from "bun:test";
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./support/server";
import { spawnChild, waitForHttp } from "./support/process";
import { eventually } from "./support/eventually";

// Tests here start real processes, engines or browsers (Bun applies a default per file only).
setDefaultTimeout(60_000);

const root = join(import.meta.dir, "..");
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "clockface-proc-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const baseEnv = () => ({ PATH: process.env.PATH, HOME: process.env.HOME, MODELS_DIR: process.env.MODELS_DIR, LOG_LEVEL: "info" });

describe("server process", () => {
  test("a bad configuration stops start-up with exit code 2 and names each variable", async () => {
    const c = spawnChild(["bun", "src/main.ts"], { cwd: root, env: { ...baseEnv(), PORT: "99999", TZ: "Mars/Base", DATA_DIR: tmp() } });
    expect(await c.exited).toBe(2);
    const out = c.output();
    expect(out).toContain("PORT: Too big");
    expect(out).toContain("TZ: must be an IANA time zone");
    expect(out).not.toContain("    at ");
    const pair = spawnChild(["bun", "src/main.ts"], { cwd: root, env: { ...baseEnv(), CLOCKFACE_ADMIN_EMAIL: "admin@example.com", DATA_DIR: tmp() } });
    expect(await pair.exited).toBe(2);
    expect(pair.output()).toContain("CLOCKFACE_ADMIN_PASSWORD");
    const weak = spawnChild(["bun", "src/main.ts"], { cwd: root, env: { ...baseEnv(), CLOCKFACE_ADMIN_EMAIL: "admin@example.com", CLOCKFACE_ADMIN_PASSWORD: "password12", DATA_DIR: tmp() } });
    expect(await weak.exited).toBe(2);
    expect(weak.output()).toContain("CLOCKFACE_ADMIN_PASSWORD: This is a commonly used password; use a longer phrase of several unrelated words");
  });

  test("PGlite in DATA_DIR: a second process on the same folder is refused; SIGTERM stops cleanly", async () => {
    const dataDir = tmp();
    const port = freePort();
    const first = spawnChild(["bun", "src/main.ts"], { cwd: root, env: { ...baseEnv(), PORT: String(port), DATA_DIR: dataDir } });
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, 30_000, first);
    // The server answers while the face engine starts in the background, then reports it ready.
    expect(await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()).toMatchObject({ status: "ok", db: "pglite" });
    await eventually(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).json(), { status: "ok", db: "pglite", engine: "ready" }, 30_000);

    const second = spawnChild(["bun", "src/main.ts"], { cwd: root, env: { ...baseEnv(), PORT: String(freePort()), DATA_DIR: dataDir } });
    expect(await second.exited).toBe(3);
    expect(second.output()).toContain("is in use by another Clockface process");

    first.proc.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('"msg":"stopped"');

    // The lock is released: the folder opens again, and the data survived.
    const third = spawnChild(["bun", "src/main.ts"], { cwd: root, env: { ...baseEnv(), PORT: String(port), DATA_DIR: dataDir } });
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, 30_000, third);
    third.proc.kill("SIGTERM");
    expect(await third.exited).toBe(0);
  }, 90_000);
});
