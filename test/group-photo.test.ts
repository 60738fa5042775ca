// Every face in a photo: a synthetic group photo of many small real faces (facescrub crops composited
// onto one large canvas at known places) through POST /api/v1/recognize with the real engine; the
// RECOGNIZE_MAX_FACES cut; and ordinary photos whose result tiling must not change.
import { setDefaultTimeout } from "bun:test";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { CROPS, dbKinds, makeApp, type TestApp } from "./helpers";

setDefaultTimeout(120_000);

const GROUP = join(import.meta.dir, "../../shared/faces/group");
const FACES = 120;
const LIMIT = 100;

/** FACES crops about 60 px high on a 4000x3000 canvas (a 640 px detector sees them at about 10 px), and their centres. */
async function groupPhoto(): Promise<{ jpeg: Uint8Array; centres: [number, number][] }> {
  const files = readdirSync(CROPS).filter((f) => f.endsWith(".jpg")).sort();
  const [W, H, cols] = [4000, 3000, 13];
  const rows = Math.ceil(FACES / cols);
  const comps: { input: Buffer; left: number; top: number }[] = [];
  const centres: [number, number][] = [];
  for (let i = 0; i < FACES; i++) {
    const h = Math.round(60 * (0.8 + (0.4 * ((i * 37) % 10)) / 10));
    const { data, info } = await sharp(join(CROPS, files[(i * 9) % files.length]!)).resize({ height: h }).toBuffer({ resolveWithObject: true });
    const left = Math.round((i % cols) * (W / cols) + (W / cols - info.width) * (((i * 13) % 7) / 7));
    const top = Math.round(Math.floor(i / cols) * (H / rows) + (H / rows - h) * (((i * 29) % 5) / 5));
    comps.push({ input: data, left, top });
    centres.push([left + info.width / 2, top + h / 2]);
  }
  const jpeg = await sharp({ create: { width: W, height: H, channels: 3, background: "#7a8088" } }).composite(comps).jpeg({ quality: 90 }).toBuffer();
  return { jpeg: new Uint8Array(jpeg), centres };
}

type Face = { box: [number, number, number, number] };
const inside = ([x, y]: [number, number], f: Face) => x >= f.box[0] && x <= f.box[0] + f.box[2] && y >= f.box[1] && y <= f.box[1] + f.box[3];

for (const kind of dbKinds()) {
  describe(`every face in a photo on ${kind}`, () => {
    let t: TestApp;
    let group: Awaited<ReturnType<typeof groupPhoto>>;
    const upload = (bytes: Uint8Array, name: string) => {
      const fd = new FormData();
      fd.set("image", new File([new Uint8Array(bytes)], name, { type: "image/jpeg" }));
      return fd;
    };

    beforeAll(async () => {
      t = await makeApp(kind, { RECOGNIZE_MAX_FACES: String(LIMIT) }, { engine: true });
      group = await groupPhoto();
    }, 120_000);
    afterAll(() => t?.close());

    test("the small faces of a large group photo are found: the tiles find what the whole-image pass misses", async () => {
      const all = await t.deps.services.faces.recognize(group.jpeg, { maxFaces: 500, tile: true, liveness: false });
      const found = group.centres.filter((c) => all.faces.some((f) => inside(c, f))).length;
      expect(found).toBeGreaterThanOrEqual(Math.ceil(FACES * 0.9));
      // No face twice (a face seen by two tiles, or by a tile and the whole image) and nothing else.
      expect(all.faces.filter((f) => !group.centres.some((c) => inside(c, f))).length).toBeLessThanOrEqual(1);
      expect(group.centres.filter((c) => all.faces.filter((f) => inside(c, f)).length > 1)).toEqual([]);
      expect(all.facesFound).toBe(all.faces.length);
      // The enlarged copy the tiles are cut from counts in the memory budget with the decoded photo
      // (the whole-image pass sees 4000x3000 at 640 px, the tiles at 4x that: 2560x1920).
      expect(t.deps.services.memory.peak).toBeGreaterThanOrEqual((4000 * 3000 + 2560 * 1920) * 3);
      const whole = await t.deps.services.faces.recognize(group.jpeg, { maxFaces: 500, tile: false, liveness: false });
      expect(whole.faces.length).toBeLessThan(FACES * 0.8);
    });

    test("POST /api/v1/recognize cuts at RECOGNIZE_MAX_FACES and says so", async () => {
      const res = await t.req("/api/v1/recognize", { as: "viewer", method: "POST", body: upload(group.jpeg, "group.jpg") });
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.truncated).toBe(true);
      expect(body.faces.length).toBe(LIMIT);
      expect(body.facesFound).toBeGreaterThanOrEqual(Math.ceil(FACES * 0.9));
      // The faces kept are the ones with the best detector scores.
      const scores = body.faces.map((f: { detScore: number }) => f.detScore);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
      for (const f of body.faces) expect(group.centres.some((c) => inside(c, f))).toBe(true);
      const doc = await (await t.req("/api/v1/openapi.json", { as: "viewer" })).json();
      const op = doc.paths["/api/v1/recognize"].post;
      expect(op.summary).toContain("RECOGNIZE_MAX_FACES");
      expect(Object.keys(op.responses["200"].content["application/json"].schema.properties)).toEqual(expect.arrayContaining(["facesFound", "truncated"]));
    });

    test("ordinary photos, tiled or not, come back exactly as without tiling", async () => {
      for (const name of ["multiface.jpg", "two_people.jpg", "couple.jpg", "obama_and_biden.jpg"]) {
        const bytes = new Uint8Array(await Bun.file(join(GROUP, name)).arrayBuffer());
        const res = await t.req("/api/v1/recognize", { as: "viewer", method: "POST", body: upload(bytes, name) });
        expect(res.status).toBe(200);
        const body = await res.json();
        const plain = await t.deps.services.faces.recognize(bytes, { maxFaces: 20 });
        expect(body.truncated).toBe(false);
        expect(body.facesFound).toBe(plain.faces.length);
        expect(body.faces).toEqual(plain.faces.map(({ best: _b, ...f }) => f));
      }
    });
  });
}
