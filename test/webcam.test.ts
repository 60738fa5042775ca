// Webcam enrollment in real Chromium: a fake camera (a y4m clip of several photos of one person)
// feeds getUserMedia; MediaPipe's FaceDetector in the page guides and captures frames; the server
// checks each again and enrols it. MediaPipe's telemetry is blocked by the CSP.
import { setDefaultTimeout } from "bun:test";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { resolveFfmpeg } from "../workers/frame-source";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./support/chromium";
import { slideshow } from "./support/clips";
import { CROPS } from "./helpers";
import { eventually } from "./support/eventually";
import { startServer } from "./support/server";

// Tests here start real processes, engines or browsers (Bun applies a default per file only).
setDefaultTimeout(60_000);

const artifacts = join(import.meta.dir, "artifacts");

describe("webcam enrollment in Chromium", () => {
  let srv: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let dir: string;
  const outside: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), "clockface-webcam-"));
    const photos = ["78964", "78965", "78967", "78968", "78970"].map((n) => join(CROPS, `Matthew_Gray_Gubler_${n}_crop.jpg`));
    const mp4 = await slideshow(photos, { secondsEach: 2, width: 1280, height: 720, out: join(dir, "cam.mp4") });
    const y4m = join(dir, "cam.y4m");
    const ff = Bun.spawnSync([await resolveFfmpeg(), "-hide_banner", "-loglevel", "error", "-y", "-i", mp4, "-pix_fmt", "yuv420p", y4m]);
    if (ff.exitCode !== 0) throw new Error(ff.stderr.toString());
    srv = await startServer({ CLOCKFACE_ADMIN_EMAIL: "boss@example.com", CLOCKFACE_ADMIN_PASSWORD: "boss-password-1" }, { engine: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: [...CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", `--use-file-for-fake-video-capture=${y4m}`],
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await srv?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("the page guides, captures good frames and the server enrols them; nothing leaves the site", async () => {
    const ctx = await browser.newContext({ permissions: ["camera"] });
    const page = await ctx.newPage();
    // Requests that left the site and got an answer (a CSP-blocked one never finishes).
    page.on("requestfinished", (r) => {
      if (!r.url().startsWith(srv.url) && !r.url().startsWith("data:") && !r.url().startsWith("blob:")) outside.push(r.url());
    });
    page.on("pageerror", (e) => problems.push(e.message));
    await page.goto(`${srv.url}/login`);
    await page.fill("#email", "boss@example.com");
    await page.fill("#password", "boss-password-1");
    await page.click("button[type=submit]");
    await page.waitForURL(`${srv.url}/`);
    const created = await page.request.post(`${srv.url}/api/v1/people`, { data: { name: "Matthew Gray Gubler", employeeCode: "MGG", consent: true }, headers: { origin: srv.url } });
    expect(created.status()).toBe(201);
    const id = (await created.json()).id;
    await page.goto(`${srv.url}/people/${id}`);
    await page.click("text=Use the webcam");
    await page.waitForURL(`${srv.url}/people/${id}/webcam`);
    // Guidance appears once the detector runs on the camera frames.
    await eventually(async () => ((await page.locator(".guide").textContent()) ?? "").trim() !== "Starting the camera…", true, 30_000);
    await eventually(async () => (await page.locator("#webcam-enroll.finished").count()) > 0, true, 90_000);
    await page.screenshot({ path: join(artifacts, "webcam-enroll.png"), fullPage: true });
    const results = await page.locator(".results li").allTextContents();
    const enrolled = results.filter((r) => /^Photo \d+: enrolled$/.test(r)).length;
    expect(enrolled).toBeGreaterThanOrEqual(1);
    // Every photo has an answer: enrolled, or the server's reason.
    for (const r of results) expect(r).toMatch(/^Photo \d+: (enrolled|.{10,})$/);
    const faces = await (await page.request.get(`${srv.url}/api/v1/people/${id}/faces`)).json();
    expect(faces.items.length).toBe(enrolled);
    expect(faces.items.every((f: { source: string }) => f.source === "webcam")).toBe(true);
    expect(problems).toEqual([]);
    // MediaPipe would report usage to Google; the page's CSP allows connections to this site only.
    const csp = (await page.request.get(`${srv.url}/people/${id}/webcam`)).headers()["content-security-policy"] ?? "";
    expect(csp).toContain("connect-src 'self'");
    expect(outside).toEqual([]);
    await ctx.close();
  }, 150_000);
});
