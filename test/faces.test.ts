import { setDefaultTimeout } from "bun:test";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { dbKinds, json, makeApp, type TestApp } from "./helpers";

// Tests here start real processes, engines or browsers (Bun applies a default per file only).
setDefaultTimeout(60_000);

const FACES = join(import.meta.dir, "../../shared/faces");
const crop = (name: string) => Bun.file(join(FACES, "facescrub/cropped", name));
const upload = async (bytes: Blob | Uint8Array, name = "photo.jpg") => {
  const fd = new FormData();
  fd.set("image", bytes instanceof Blob ? bytes : new Blob([bytes as Uint8Array<ArrayBuffer>]), name);
  return fd;
};

for (const kind of dbKinds()) {
  describe(`face engine on ${kind}`, () => {
    let t: TestApp;
    let aaron: number;
    let other: number;
    const post = async (path: string, body: FormData, as = "operator") => t.req(path, { as, method: "POST", body });

    beforeAll(async () => {
      t = await makeApp(kind, {}, { engine: true });
      const mk = async (name: string, code: string, consent: boolean) =>
        (await (await t.req("/api/v1/people", { as: "operator", method: "POST", ...json({ name, employeeCode: code, consent }) })).json()).id as number;
      aaron = await mk("Aaron Eckhart", "AE-1", false);
      other = await mk("Adam Brody", "AB-1", true);
    }, 60_000);
    afterAll(() => t.close());

    test("the engine is ready and the banner is gone", async () => {
      expect(t.deps.services.faces.status()).toMatchObject({ ready: true, recognizer: "w600k_mbf_int8" });
      expect(await (await t.req("/people", { as: "viewer" })).text()).not.toContain("Face recognition is disabled");
    });

    test("enrolling needs recorded consent", async () => {
      const r = await post(`/api/v1/people/${aaron}/faces`, await upload(crop("Aaron_Eckhart_4_crop.jpg")));
      expect(r.status).toBe(422);
      expect(await r.json()).toMatchObject({ reason: "no_consent" });
      await t.req(`/api/v1/people/${aaron}`, { as: "operator", method: "PATCH", ...json({ consent: true }) });
    });

    test("a clear photo is enrolled with its quality; the crop is kept on disk; the same photo again is a near-duplicate", async () => {
      const r = await post(`/api/v1/people/${aaron}/faces`, await upload(crop("Aaron_Eckhart_4_crop.jpg")));
      expect(r.status).toBe(201);
      const body = await r.json();
      expect(body.id).toBeGreaterThan(0);
      expect(body.quality.faceSize).toBeGreaterThan(48);
      const list = await (await t.req(`/api/v1/people/${aaron}/faces`, { as: "viewer" })).json();
      expect(list.items.map((f: { id: number }) => f.id)).toEqual([body.id]);
      const thumb = await t.req(list.items[0].url, { as: "viewer" });
      expect(thumb.headers.get("content-type")).toBe("image/jpeg");
      expect((await sharp(new Uint8Array(await thumb.arrayBuffer())).metadata()).width).toBe(112);
      const again = await post(`/api/v1/people/${aaron}/faces`, await upload(crop("Aaron_Eckhart_4_crop.jpg")));
      expect(again.status).toBe(422);
      expect((await again.json()).reason).toBe("near_duplicate");
      expect((await post(`/api/v1/people/${aaron}/faces`, await upload(crop("Aaron_Eckhart_7_crop.jpg")))).status).toBe(201);
      expect((await post(`/api/v1/people/${other}/faces`, await upload(crop("Adam_Brody_355_crop.jpg")))).status).toBe(201);
      expect(t.deps.services.faces.gallery.size).toBe(3);
    });

    test("enrollment rejects group photos, faceless images, tiny faces and blur, with the reason", async () => {
      const group = await post(`/api/v1/people/${other}/faces`, await upload(Bun.file(join(FACES, "group/two_people.jpg"))));
      expect(group.status).toBe(422);
      expect(await group.json()).toMatchObject({ reason: "several_faces" });
      const blank = await sharp({ create: { width: 400, height: 300, channels: 3, background: "#7a8" } }).png().toBuffer();
      const none = await post(`/api/v1/people/${other}/faces`, await upload(new Uint8Array(blank), "blank.png"));
      expect(await none.json()).toMatchObject({ reason: "no_face" });
      const src = await crop("Adam_Brody_360_crop.jpg").arrayBuffer();
      const small = await sharp(new Uint8Array(src)).resize({ width: 48 }).extend({ top: 100, bottom: 100, left: 100, right: 100, background: "#888" }).jpeg().toBuffer();
      const tiny = await post(`/api/v1/people/${other}/faces`, await upload(new Uint8Array(small)));
      expect(tiny.status).toBe(422);
      expect(["too_small", "no_face"]).toContain((await tiny.json()).reason);
      const blurred = await sharp(new Uint8Array(src)).blur(12).jpeg().toBuffer();
      const blurry = await post(`/api/v1/people/${other}/faces`, await upload(new Uint8Array(blurred)));
      expect(blurry.status).toBe(422);
      expect(["blurry", "no_face"]).toContain((await blurry.json()).reason);
    });

    test("bad uploads get clear 4xx answers and the engine stays healthy", async () => {
      const cases: [string, Uint8Array | Blob, number, string][] = [
        ["text", new TextEncoder().encode("hello, I am not an image"), 415, "not_an_image"],
        ["1x1 png", new Uint8Array(await sharp({ create: { width: 1, height: 1, channels: 3, background: "#000" } }).png().toBuffer()), 422, "too_small"],
        ["truncated jpeg", new Uint8Array(await crop("Aaron_Eckhart_6_crop.jpg").arrayBuffer()).slice(0, 3000), 422, "corrupt"],
        ["bomb png", new Uint8Array(await sharp({ create: { width: 12000, height: 12000, channels: 3, background: "#fff" } }).png({ compressionLevel: 9 }).toBuffer()), 413, "too_large"],
        ["gif", new Uint8Array(await sharp({ create: { width: 64, height: 64, channels: 3, background: "#fff" } }).gif().toBuffer()), 415, "unsupported_format"],
      ];
      for (const [label, bytes, status, reason] of cases) {
        const r = await post("/api/v1/recognize", await upload(bytes), "viewer");
        expect({ label, status: r.status }).toEqual({ label, status });
        expect({ label, reason: (await r.json()).reason }).toEqual({ label, reason });
      }
      const empty = await post("/api/v1/recognize", await upload(new Uint8Array(0)), "viewer");
      expect(empty.status).toBe(422);
      const noField = new FormData();
      noField.set("photo", new Blob([new Uint8Array(10)]), "x.jpg");
      expect((await post("/api/v1/recognize", noField, "viewer")).status).toBe(422);
      expect((await t.req("/api/v1/recognize", { as: "viewer", method: "POST", ...json({ image: "x" }) })).status).toBe(415);
      const stats = t.deps.services.faces.engineStats()!;
      expect(stats.ready).toBe(stats.workers);
      expect(stats.restarts).toBe(0);
    });

    test("recognize: enrolled people match, strangers do not; grey-scale, EXIF-rotated, CMYK, alpha, huge-EXIF and WebP-in-.jpg photos work", async () => {
      const r = await post("/api/v1/recognize", await upload(crop("Aaron_Eckhart_6_crop.jpg")), "viewer");
      expect(r.status).toBe(200);
      const body = await r.json();
      expect(body.faces.length).toBe(1);
      expect(body.faces[0]).toMatchObject({ decision: "match", match: { personId: aaron, name: "Aaron Eckhart" } });
      expect(body.faces[0].box.length).toBe(4);
      expect(body.faces[0].landmarks.length).toBe(5);
      expect(body.timingsMs.total).toBeGreaterThan(0);
      const stranger = await (await post("/api/v1/recognize", await upload(crop("Adrien_Brody_1438_crop.jpg")), "viewer")).json();
      for (const f of stranger.faces) expect(f.match?.personId ?? null).not.toBe(aaron);
      const grey = await sharp(new Uint8Array(await crop("Aaron_Eckhart_6_crop.jpg").arrayBuffer())).greyscale().jpeg().toBuffer();
      const g = await (await post("/api/v1/recognize", await upload(new Uint8Array(grey)), "viewer")).json();
      expect(g.faces[0]?.match?.personId).toBe(aaron);
      // rotated pixels + EXIF orientation 6 ("rotate 90° clockwise to display") must come out upright
      const rotated = await sharp(new Uint8Array(await crop("Aaron_Eckhart_6_crop.jpg").arrayBuffer())).rotate(-90).withMetadata({ orientation: 6 }).jpeg().toBuffer();
      const rot = await (await post("/api/v1/recognize", await upload(new Uint8Array(rotated)), "viewer")).json();
      expect(rot.faces[0]?.match?.personId).toBe(aaron);
      // CMYK JPEG, PNG with an alpha channel, and a JPEG carrying a 60 kB EXIF comment.
      const src = new Uint8Array(await crop("Aaron_Eckhart_6_crop.jpg").arrayBuffer());
      const cmyk = await sharp(src).toColourspace("cmyk").jpeg().toBuffer();
      expect((await sharp(cmyk).metadata()).space).toBe("cmyk");
      const alpha = await sharp(src).ensureAlpha(0.6).png().toBuffer();
      const exif = await sharp(src).withExif({ IFD0: { ImageDescription: "x".repeat(60_000) } }).jpeg().toBuffer();
      for (const [label, bytes] of [["cmyk", cmyk], ["alpha", alpha], ["huge exif", exif]] as const) {
        const res = await post("/api/v1/recognize", await upload(new Uint8Array(bytes)), "viewer");
        expect({ label, status: res.status }).toEqual({ label, status: 200 });
        expect({ label, person: (await res.json()).faces[0]?.match?.personId }).toEqual({ label, person: aaron });
      }
      const webp = await post("/api/v1/recognize", await upload(Bun.file(join(FACES, "deepface/img47.jpg")), "img47.jpg"), "viewer");
      expect(webp.status).toBe(200);
      expect((await webp.json()).faces.length).toBeGreaterThanOrEqual(1);
      const key = await t.apiKeyFor("viewer");
      const viaKey = await t.req("/api/v1/recognize", { method: "POST", body: await upload(crop("Aaron_Eckhart_6_crop.jpg")), headers: { "x-api-key": key } });
      expect(viaKey.status).toBe(200);
    });

    test("'not this person' blocks that match from then on", async () => {
      const before = await (await post("/api/v1/recognize", await upload(crop("Aaron_Eckhart_6_crop.jpg")), "viewer")).json();
      expect(before.faces[0].match.personId).toBe(aaron);
      const neg = await post(`/api/v1/people/${aaron}/negatives`, await upload(crop("Aaron_Eckhart_6_crop.jpg")));
      expect(neg.status).toBe(201);
      const after = await (await post("/api/v1/recognize", await upload(crop("Aaron_Eckhart_6_crop.jpg")), "viewer")).json();
      expect(after.faces[0].match?.personId ?? null).not.toBe(aaron);
    });

    test("an inactive person is not recognised until reactivated", async () => {
      await t.req(`/api/v1/people/${other}`, { as: "operator", method: "PATCH", ...json({ active: false }) });
      const off = await (await post("/api/v1/recognize", await upload(crop("Adam_Brody_355_crop.jpg")), "viewer")).json();
      expect(off.faces[0].match).toBeNull();
      await t.req(`/api/v1/people/${other}`, { as: "operator", method: "PATCH", ...json({ active: true }) });
      const on = await (await post("/api/v1/recognize", await upload(crop("Adam_Brody_355_crop.jpg")), "viewer")).json();
      expect(on.faces[0].match.personId).toBe(other);
    });

    test("deleting a face and a person erases crops and embeddings for good", async () => {
      const faces = (await (await t.req(`/api/v1/people/${aaron}/faces`, { as: "viewer" })).json()).items;
      const media = join(t.config.DATA_DIR, "media/faces", String(aaron));
      expect(readdirSync(media).length).toBe(2);
      expect((await t.req(`/api/v1/people/${aaron}/faces/${faces[0].id}`, { as: "operator", method: "DELETE" })).status).toBe(204);
      expect(readdirSync(media).length).toBe(1);
      expect((await t.req(`/api/v1/people/${aaron}/faces/${faces[0].id}`, { as: "operator", method: "DELETE" })).status).toBe(404);
      expect((await t.req(`/api/v1/people/${aaron}`, { as: "operator", method: "DELETE" })).status).toBe(200);
      expect(existsSync(media)).toBe(false);
      const { sql } = await import("drizzle-orm");
      const rows = async (q: ReturnType<typeof sql>) => (await t.rows(q)).length;
      expect(await rows(sql`select 1 from faces where person_id = ${aaron}`)).toBe(0);
      expect(await rows(sql`select 1 from face_embeddings e join faces f on f.id = e.face_id where f.person_id = ${aaron}`)).toBe(0);
      expect(await rows(sql`select 1 from negative_examples where person_id = ${aaron}`)).toBe(0);
      const gone = await (await post("/api/v1/recognize", await upload(crop("Aaron_Eckhart_6_crop.jpg")), "viewer")).json();
      expect(gone.faces[0].match?.personId ?? null).not.toBe(aaron);
      expect(t.deps.services.faces.gallery.size).toBe(1);
    });

    test("the person page uploads several photos at once and reports each", async () => {
      const fd = new FormData();
      fd.append("image", crop("Adam_Brody_355_crop.jpg"), "again.jpg");
      fd.append("image", Bun.file(join(FACES, "group/two_people.jpg")), "group.jpg");
      fd.append("image", new Blob([new TextEncoder().encode("nope")]), "notes.txt");
      const r = await t.req(`/people/${other}/faces`, { as: "operator", method: "POST", body: fd });
      expect(r.status).toBe(200);
      const html = await r.text();
      expect(html).toContain("<strong>again.jpg</strong>: This photo is almost identical");
      expect(html).toContain("<strong>group.jpg</strong>: This photo shows 2 faces");
      expect(html).toContain("<strong>notes.txt</strong>: This is not an image");
      expect(html).toContain(`/people/${other}/faces/`);
    });
  });
}
