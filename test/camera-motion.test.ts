// Motion-gated cameras with real components: ffmpeg plays a static scene (a still picture encoded as
// a video, so the codec's noise is real) and the bundled crowd video as file:// cameras; the engine
// detects, the gate skips the frames where nothing moved.
import { setDefaultTimeout } from "bun:test";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { json, makeApp, type TestApp } from "./helpers";
import { slideshow } from "./support/clips";
import { eventually } from "./support/eventually";

setDefaultTimeout(120_000);

const CROWD = join(import.meta.dir, "../../shared/video/crowd_walking_1080p.mp4");

describe("motion-gated cameras", () => {
  let t: TestApp;
  let dir: string;
  let still: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "clockface-motion-"));
    // An empty corridor: a wall, a door and a floor, no one in it.
    const scene = join(dir, "scene.png");
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="360"><rect width="640" height="360" fill="#b8b2a6"/><rect x="250" y="60" width="140" height="250" fill="#6b4f35"/><rect y="300" width="640" height="60" fill="#555"/></svg>`;
    await sharp(Buffer.from(svg)).png().toFile(scene);
    still = await slideshow([scene], { secondsEach: 10, out: join(dir, "still.mp4") });
    t = await makeApp("pglite", { CLOCKFACE_ALLOW_FILE_SOURCES: "1", MOTION_FULL_FRAME_MS: "2000" }, { engine: true });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const status = async (id: number) => (await (await t.req(`/api/v1/cameras/${id}`, { as: "viewer" })).json()).status;
  const add = async (name: string, file: string) => {
    const r = await t.req("/api/v1/cameras", { as: "admin", method: "POST", ...json({ name, url: `file://${file}`, direction: "in", fps: 5 }) });
    expect(r.status).toBe(201);
    return (await r.json()).id as number;
  };

  test("a static scene skips detection on most frames (one full frame every 2 s); the camera page shows the count", async () => {
    const id = await add("Corridor", still);
    await eventually(async () => (await status(id)).skippedStill >= 20, true, 60_000);
    const s = await status(id);
    // At 5 fps with a full frame at least every 2 s: about 1 frame in 10 analysed.
    expect(s.processed).toBeGreaterThanOrEqual(1);
    expect(s.skippedStill).toBeGreaterThan(3 * s.processed);
    const page = await (await t.req(`/cameras/${id}`, { as: "viewer" })).text();
    expect(page).toContain("Skipped, nothing moved");
    expect(Number(page.match(/Skipped, nothing moved<\/dt><dd>(\d+)<\/dd>/)?.[1])).toBeGreaterThanOrEqual(s.skippedStill);
    expect(await (await t.req("/cameras", { as: "viewer" })).text()).toContain("Skipped (still)");
    expect((await t.req(`/api/v1/cameras/${id}`, { as: "admin", method: "DELETE" })).status).toBe(204);
  });

  test("people walking in the crowd video are still detected: its frames are analysed, not skipped", async () => {
    const id = await add("Crowd", CROWD);
    await eventually(async () => (await status(id)).processed >= 20, true, 60_000);
    const s = await status(id);
    // The crowd's faces are found on the analysed frames (at 640 px they are under CAMERA_MIN_FACE, so
    // they are counted as too small rather than tracked): several faces per frame.
    expect(s.facesTooSmall).toBeGreaterThan(2 * s.processed);
    // Nearly every frame has motion (the 4.2 s clip loops; a frame or two around the loop may repeat).
    expect(s.skippedStill).toBeLessThanOrEqual(Math.max(2, s.processed / 10));
    expect((await t.req(`/api/v1/cameras/${id}`, { as: "admin", method: "DELETE" })).status).toBe(204);
  });
});
