// The kiosk in real Chromium with a fake camera showing an enrolled person: paired from the Kiosks
// page's one-time link, welcomed, sent back to its pairing screen when revoked (and after a reload);
// plus the punch API's other answers (stranger, photo of a photo, no face, bad key).
import { setDefaultTimeout } from "bun:test";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import sharp from "sharp";
import { resolveFfmpeg } from "../workers/frame-source";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./support/chromium";
import { slideshow } from "./support/clips";
import { CROPS } from "./helpers";
import { eventually } from "./support/eventually";
import { ADMIN_ENV, cookiesFor, enrollPerson, signIn, startServer, type Session } from "./support/server";

// Tests here start real processes, engines or browsers (Bun applies a default per file only).
setDefaultTimeout(60_000);

const artifacts = join(import.meta.dir, "artifacts");

describe("kiosk", () => {
  let srv: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let dir: string;
  let key: string;
  let session: Session;
  const punch = async (file: string | Uint8Array, k = key) => {
    const fd = new FormData();
    fd.set("image", typeof file === "string" ? Bun.file(join(CROPS, file)) : new Blob([file as Uint8Array<ArrayBuffer>]), "k.jpg");
    return fetch(`${srv.url}/api/v1/kiosk/punch`, { method: "POST", body: fd, headers: { "x-api-key": k } });
  };

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), "clockface-kiosk-"));
    const mp4 = await slideshow([join(CROPS, "Amaury_Nolasco_4617_crop.jpg")], { secondsEach: 3, width: 1280, height: 720, out: join(dir, "k.mp4") });
    const y4m = join(dir, "k.y4m");
    const ff = Bun.spawnSync([await resolveFfmpeg(), "-hide_banner", "-loglevel", "error", "-y", "-i", mp4, "-pix_fmt", "yuv420p", y4m]);
    if (ff.exitCode !== 0) throw new Error(ff.stderr.toString());
    srv = await startServer(ADMIN_ENV, { engine: true });
    session = await signIn(srv.url);
    await enrollPerson(session, { name: "Amaury Nolasco", employeeCode: "AN" }, ["Amaury_Nolasco_4615_crop.jpg", "Amaury_Nolasco_4616_crop.jpg"].map((f) => join(CROPS, f)));
    key = await makeKey();
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", `--use-file-for-fake-video-capture=${y4m}`] });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await srv?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The tablet's key: a dedicated operator user with one API key, as the API-keys page makes them. */
  async function makeKey(): Promise<string> {
    const { accounts } = srv.built.deps.services;
    const u = await accounts.createUser({ name: "Entrance kiosk", email: "kiosk@example.com", password: "kiosk-password-1", role: "operator" });
    return (await accounts.createApiKey(u.id, "Entrance kiosk")).key;
  }

  const message = async (page: Page) => (await page.locator(".kiosk-message").textContent()) ?? "";
  const pairingError = async (page: Page) => ((await page.locator(".kiosk-setup").isVisible()) ? await page.locator(".kiosk-error").textContent() : null);
  let link: string;
  let tablet: BrowserContext;
  let admin: BrowserContext;

  test("an admin adds the kiosk; the tablet pairs from the link, welcomes a known face and checks them in; then 'already checked in'", async () => {
    admin = await browser.newContext();
    await admin.addCookies(cookiesFor(session, srv.url));
    const kiosks = await admin.newPage();
    await kiosks.goto(`${srv.url}/kiosks`);
    await kiosks.fill("#kiosk-name", "Entrance tablet");
    await kiosks.fill("#kiosk-location", "Main door");
    await kiosks.click("text=Add and get a pairing link");
    link = (await kiosks.locator("#pairing-link").textContent())!.trim();
    expect(link).toStartWith(`${srv.url}/kiosk#pair=`);
    expect(await kiosks.locator(".qr svg").isVisible()).toBe(true);
    await kiosks.screenshot({ path: join(artifacts, "kiosks-pairing.png") });

    tablet = await browser.newContext();
    const page = await tablet.newPage();
    await page.goto(link);
    expect(page.url()).toBe(`${srv.url}/kiosk`); // the code leaves the address bar
    await eventually(async () => /Welcome, Amaury Nolasco — checked in \d\d:\d\d/.test(await message(page)), true, 40_000);
    expect(await page.title()).toBe("Clockface kiosk · Entrance tablet");
    await page.screenshot({ path: join(artifacts, "kiosk.png") });
    await eventually(async () => /Amaury Nolasco, you are already checked in/.test(await message(page)), true, 30_000);
    const events = await (await session.api("/api/v1/attendance?limit=10")).json();
    expect(events.items.filter((e: { source: string; evidenceUrl: string | null }) => e.source === "kiosk" && e.evidenceUrl).length).toBe(1);
    await kiosks.goto(`${srv.url}/kiosks`);
    expect(await kiosks.locator("#kiosks-page tbody tr").first().textContent()).toContain("paired");
  }, 90_000);

  test("the used link does not pair a second tablet: it stays on the pairing screen and says why", async () => {
    const other = await browser.newContext();
    const page = await other.newPage();
    await page.goto(link);
    await eventually(() => pairingError(page), "This pairing link does not work any more: it was already used, it expired, or the kiosk was revoked. Ask an admin for a new link on the Kiosks page.", 10_000);
    // A made-up credential on the device is checked before use: back to pairing, also after a reload.
    await page.evaluate(() => localStorage.setItem("clockface-kiosk-token", "cfk_made-up"));
    await page.reload();
    await eventually(async () => (await pairingError(page))?.startsWith("This kiosk is not paired any more"), true, 10_000);
    await page.reload();
    await eventually(async () => page.locator(".kiosk-setup").isVisible(), true, 10_000);
    await page.screenshot({ path: join(artifacts, "kiosk-pairing.png") });
    await other.close();
  });

  test("revoked on the Kiosks page, the tablet goes back to its pairing screen and stays there after a reload", async () => {
    const kiosks = await admin.newPage();
    await kiosks.goto(`${srv.url}/kiosks`);
    kiosks.on("dialog", (d) => d.accept());
    await kiosks.click("#kiosks-page button.danger");
    await eventually(async () => (await kiosks.locator("#kiosks-page tbody tr").first().textContent())?.includes("revoked"), true, 10_000);
    const [page] = tablet.pages();
    await eventually(async () => (await pairingError(page!))?.startsWith("This kiosk is not paired any more"), true, 30_000);
    await page!.reload();
    await eventually(async () => page!.locator(".kiosk-setup").isVisible(), true, 10_000);
    expect(await page!.evaluate(() => localStorage.getItem("clockface-kiosk-token"))).toBeNull();
    const audit = await srv.built.deps.services.audit.list({ entity: "kiosk" });
    expect(audit.map((a) => `${a.action} by ${a.actorLabel}`).reverse()).toEqual(["create by boss@example.com", "pair by kiosk Entrance tablet", "revoke by boss@example.com"]);
    await tablet.close();
    await admin.close();
  }, 60_000);

  test("strangers, photos of photos, empty frames and bad keys get plain answers", async () => {
    expect(await (await punch("Melissa_Benoist_12864_crop.jpg")).json()).toMatchObject({ result: "not_recognised", message: "Not recognised, please see reception" });
    expect(await (await punch("Jack_Nicholson_46805_crop.jpg")).json()).toMatchObject({ result: "spoof" });
    const blank = new Uint8Array(await sharp({ create: { width: 320, height: 240, channels: 3, background: "#345" } }).jpeg().toBuffer());
    expect(await (await punch(blank)).json()).toMatchObject({ result: "no_face" });
    expect((await punch("Amaury_Nolasco_4617_crop.jpg", "not-a-key")).status).toBe(401);
    expect((await punch(new TextEncoder().encode("garbage"))).status).toBe(415);
  });
});
