// The Live wall and a camera's page in Chromium, fed by a real camera (ffmpeg looping a slideshow of
// an enrolled person and a stranger): the annotated MJPEG plays in a plain <img>, check-ins and
// unknown faces arrive in the side feed over htmx SSE, and no script fails.
import { setDefaultTimeout } from "bun:test";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext } from "playwright-core";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./support/chromium";
import { slideshow } from "./support/clips";
import { CROPS } from "./helpers";
import { eventually } from "./support/eventually";
import { ADMIN_ENV, cookiesFor, enrollPerson, signIn, startServer, type Session } from "./support/server";

// Tests here start real processes, engines or browsers (Bun applies a default per file only).
setDefaultTimeout(60_000);


describe("live pages in Chromium", () => {
  let srv: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let ctx: BrowserContext;
  let session: Session;
  let dir: string;
  let camId: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "clockface-live-"));
    const clip = await slideshow([join(CROPS, "Amaury_Nolasco_4619_crop.jpg"), join(CROPS, "Melissa_Benoist_12864_crop.jpg")], { secondsEach: 3, out: join(dir, "door.mp4") });
    // No dedupe window: every loop of the clip is a new check-in, so the feed gets one while the page is open.
    srv = await startServer({ ...ADMIN_ENV, CLOCKFACE_ALLOW_FILE_SOURCES: "1", EVENT_DEDUPE_MINUTES: "0" }, { engine: true });
    session = await signIn(srv.url);
    await enrollPerson(session, { name: "Amaury Nolasco", employeeCode: "AN" }, ["Amaury_Nolasco_4615_crop.jpg", "Amaury_Nolasco_4616_crop.jpg"].map((f) => join(CROPS, f)));
    const cam = await session.api("/api/v1/cameras", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "Front door", url: `file://${clip}`, direction: "in", fps: 5 }) });
    expect(cam.status).toBe(201);
    camId = (await cam.json()).id;
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    ctx = await browser.newContext();
    await ctx.addCookies(cookiesFor(session, srv.url));
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await srv?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("the wall plays the camera's MJPEG and the feed shows check-ins and unknown faces as they happen", async () => {
    const page = await ctx.newPage();
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(e.message));
    await page.goto(`${srv.url}/live`);
    const img = page.locator('img[alt="Live view of Front door"]');
    // A multipart/x-mixed-replace image shows its first JPEG as soon as it arrives.
    await eventually(async () => img.evaluate((el: HTMLImageElement) => el.naturalWidth), 640, 20_000);
    // The caption's status follows the camera without a reload (it was "connecting" at first).
    await eventually(async () => ((await page.locator("#cap-" + camId).textContent()) ?? "").includes("live"), true, 15_000);
    const feed = page.locator("#feed .feed-item");
    await eventually(async () => (await page.locator("#feed .feed-item.attendance", { hasText: "Amaury Nolasco — checked in" }).count()) > 0, true, 45_000);
    await eventually(async () => (await page.locator("#feed .feed-item.unknown", { hasText: "Unknown person" }).count()) > 0, true, 45_000);
    // Newest first, each with its evidence photo loaded from /media.
    expect(await feed.count()).toBeGreaterThanOrEqual(2);
    const evidence = page.locator("#feed .feed-item.attendance img").first();
    await eventually(async () => evidence.evaluate((el: HTMLImageElement) => el.naturalWidth > 0), true, 10_000);
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  test("a camera's page shows its annotated stream and status", async () => {
    const page = await ctx.newPage();
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(e.message));
    await page.goto(`${srv.url}/cameras/${camId}`);
    await eventually(async () => page.locator("img.live").evaluate((el: HTMLImageElement) => el.naturalWidth), 640, 20_000);
    expect(await page.locator("body").textContent()).toContain("Front door");
    expect(problems).toEqual([]);
    await page.close();
  });
});
