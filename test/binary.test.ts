import { setDefaultTimeout } from "bun:test";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./support/server";
import { spawnChild, waitForHttp, type Child } from "./support/process";
import { eventually } from "./support/eventually";

// Tests here start real processes, engines or browsers (Bun applies a default per file only).
setDefaultTimeout(60_000);

const root = join(import.meta.dir, "..");

describe("single binary", () => {
  let dir: string;
  let child: Child;
  let base: string;

  beforeAll(async () => {
    const build = Bun.spawnSync(["bun", "run", "build"], { cwd: root, stdout: "pipe", stderr: "pipe" });
    if (build.exitCode !== 0) throw new Error(`bun run build failed:\n${build.stdout}\n${build.stderr}`);
    dir = mkdtempSync(join(tmpdir(), "clockface-bin-"));
    copyFileSync(join(root, "dist/clockface"), join(dir, "clockface"));
    const port = freePort();
    base = `http://127.0.0.1:${port}`;
    child = spawnChild([join(dir, "clockface")], {
      cwd: dir,
      env: { PATH: "/usr/bin:/bin", PORT: String(port), BASE_URL: base, MODELS_DIR: process.env.MODELS_DIR, CLOCKFACE_ADMIN_EMAIL: "boss@example.com", CLOCKFACE_ADMIN_PASSWORD: "boss-password-1", CLOCKFACE_NATIVE_DIR: dir },
    });
    await waitForHttp(`${base}/healthz`, 60_000, child);
  }, 180_000);

  afterAll(() => {
    child?.proc.kill("SIGKILL");
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("starts from an empty folder on PGlite and answers /healthz; the face engine starts inside the binary", async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toMatchObject({ status: "ok", db: "pglite" });
    await eventually(async () => (await fetch(`${base}/healthz`)).json(), { status: "ok", db: "pglite", engine: "ready" }, 30_000);
    expect(existsSync(join(dir, "data", "pglite"))).toBe(true);
    expect(existsSync(join(dir, "data", "clockface.lock"))).toBe(true);
  });

  test("serves the login page and embedded assets, and the bootstrapped admin can sign in", async () => {
    const login = await fetch(`${base}/login`);
    expect(login.status).toBe(200);
    expect(await login.text()).toContain("Sign in");
    const css = await fetch(`${base}/assets/css/app.css`);
    expect(css.headers.get("content-type")).toContain("text/css");
    const htmx = await fetch(`${base}/assets/vendor/htmx.min.js`);
    expect((await htmx.text()).length).toBeGreaterThan(10_000);
    const signIn = await fetch(`${base}/login`, { method: "POST", redirect: "manual", headers: { origin: base, "content-type": "application/x-www-form-urlencoded" }, body: "email=boss%40example.com&password=boss-password-1" });
    expect(signIn.status).toBe(303);
    const cookie = signIn.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const dash = await fetch(`${base}/`, { headers: { cookie } });
    expect(dash.status).toBe(200);
    expect(await dash.text()).toContain("Administrator · admin");
    // The engine workers run inside the binary: a photo goes through decode, detect and embed.
    const form = new FormData();
    form.set("image", Bun.file(join(process.env.MODELS_DIR!, "../faces/facescrub/cropped/Aaron_Eckhart_4_crop.jpg")), "a.jpg");
    const rec = await fetch(`${base}/api/v1/recognize`, { method: "POST", headers: { cookie, origin: base }, body: form });
    expect(rec.status).toBe(200);
    expect((await rec.json()).faces).toMatchObject([{ decision: "unknown", match: null }]);
  });

  test("native libraries were unpacked next to the binary's cache, and SIGTERM stops it cleanly", async () => {
    const native = readdirSync(dir).find((f) => f.startsWith("clockface-native-"));
    expect(native).toBeDefined();
    expect(readdirSync(join(dir, native!)).sort()).toEqual(expect.arrayContaining(["libonnxruntime.so.1"]));
    child.proc.kill("SIGTERM");
    expect(await child.exited).toBe(0);
    expect(child.output()).toContain('"msg":"stopped"');
  });
});
