// Uploads refused only as "photo of a photo": an operator accepts one with a click on the person page
// (or ?accept=spoof in the API), recorded in the audit log; webcam captures and kiosks keep refusing.
// Several `image` parts in one API upload are each enrolled or refused by name.
import { setDefaultTimeout } from "bun:test";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { mkdirSync } from "node:fs";
import { sql } from "drizzle-orm";
import { chromium } from "playwright-core";
import { CROPS, dbKinds, form, json, makeApp, type TestApp } from "./helpers";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./support/chromium";
import { eventually } from "./support/eventually";
import { ADMIN_ENV, cookiesFor, enrollPerson, signIn, startServer } from "./support/server";

setDefaultTimeout(120_000);

// Genuine press photos the liveness model scores under the upload bound (0.01): found with
// /api/v1/recognize over the facescrub crops. 30340 and 30344 pass every check.
const SPOOFED = ["David_Wenham_30341_crop.jpg", "David_Wenham_30343_crop.jpg", "David_Wenham_30346_crop.jpg"];
const GOOD = ["David_Wenham_30340_crop.jpg", "David_Wenham_30344_crop.jpg"];

function photos(...files: string[]): FormData {
  const fd = new FormData();
  for (const f of files) fd.append("image", Bun.file(join(CROPS, f)), f);
  return fd;
}

for (const kind of dbKinds()) {
  describe(`accepting refused uploads on ${kind}`, () => {
    let t: TestApp;
    let david: number;
    let adrien: number;
    const audit = async (action: string) => (await t.rows(sql`select actor_label, entity, after from audit_log where action = ${action} order by id`)) as { actor_label: string; entity: string; after: { personId: number; liveness: number; minLiveness: number } }[];
    const faceCount = async (id: number) => ((await (await t.req(`/api/v1/people/${id}/faces`, { as: "viewer" })).json()).items as unknown[]).length;

    beforeAll(async () => {
      t = await makeApp(kind, {}, { engine: true });
      const mk = async (name: string, code: string) => (await (await t.req("/api/v1/people", { as: "operator", method: "POST", ...json({ name, employeeCode: code, consent: true }) })).json()).id as number;
      david = await mk("David Wenham", "DW-1");
      adrien = await mk("Adrien Brody", "AB-1");
    }, 60_000);
    afterAll(() => t.close());

    test("the API says a photo refused only as a photo of a photo can be accepted; a webcam capture cannot", async () => {
      const r = await t.req(`/api/v1/people/${david}/faces`, { as: "operator", method: "POST", body: photos(SPOOFED[0]!) });
      expect(r.status).toBe(422);
      expect(await r.json()).toMatchObject({ reason: "spoof", acceptable: true });
      const cam = await t.req(`/people/${david}/faces/webcam`, { as: "operator", method: "POST", body: photos(SPOOFED[0]!) });
      expect(cam.status).toBe(422);
      const body = await cam.json();
      expect(body.reason).toBe("spoof");
      expect(body.acceptable).toBeUndefined();
      const badQuery = await t.req(`/api/v1/people/${david}/faces?accept=everything`, { as: "operator", method: "POST", body: photos(SPOOFED[0]!) });
      expect(badQuery.status).toBe(422);
      expect(await faceCount(david)).toBe(0);
    });

    test("on the person page the refused photo gets an 'Accept anyway' button with a confirmation; one click enrols it, audited", async () => {
      const res = await t.req(`/people/${david}/faces`, { as: "operator", method: "POST", body: photos(GOOD[0]!, SPOOFED[0]!), headers: { "HX-Request": "true" } });
      const html = await res.text();
      expect(html).toContain(`<strong>${GOOD[0]}</strong>: enrolled`);
      expect(html).toContain(`<strong>${SPOOFED[0]}</strong>: This looks like a photo of a photo`);
      expect(html).toMatch(/hx-confirm="Accept David_Wenham_30341_crop.jpg anyway\?[^"]*recorded in the audit log/);
      const held = /name="held" value="([^"]+)"/.exec(html)![1]!;
      expect(html.match(/Accept anyway/g)?.length).toBe(1); // only the refused photo has one
      // Only the operator who uploaded it, for this person, and operators at all.
      expect((await t.req(`/people/${david}/faces/accept`, { as: "viewer", method: "POST", ...form({ held }) })).status).toBe(403);
      expect(await (await t.req(`/people/${adrien}/faces/accept`, { as: "operator", method: "POST", ...form({ held }) })).text()).toContain("no longer held");
      const ok = await t.req(`/people/${david}/faces/accept`, { as: "operator", method: "POST", ...form({ held }), headers: { "HX-Request": "true", "content-type": "application/x-www-form-urlencoded" } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain(`<strong>${SPOOFED[0]}</strong>: accepted by you and enrolled`);
      expect(await faceCount(david)).toBe(2);
      const rows = await audit("accept_spoof");
      expect(rows.map((r) => [r.actor_label, r.entity, r.after.personId])).toEqual([["operator@test.local", "face", david]]);
      expect(rows[0]!.after.liveness).toBeLessThan(rows[0]!.after.minLiveness);
      // Once: the held photo is gone after use.
      expect(await (await t.req(`/people/${david}/faces/accept`, { as: "operator", method: "POST", ...form({ held }) })).text()).toContain("no longer held");
      // Sent again, it is a near-duplicate now: refused for that, with nothing to accept.
      const again = await t.req(`/api/v1/people/${david}/faces`, { as: "operator", method: "POST", body: photos(SPOOFED[0]!) });
      expect(await again.json()).toMatchObject({ reason: "near_duplicate" });
    });

    test("kiosks keep refusing a photo of a photo, also of someone whose refused upload was accepted", async () => {
      const key = await t.apiKeyFor("operator");
      const punch = await t.req("/api/v1/kiosk/punch", { method: "POST", body: photos(SPOOFED[0]!), headers: { "x-api-key": key } });
      expect(await punch.json()).toMatchObject({ result: "spoof" });
    });

    test("several image parts: each is enrolled, or the 422 names the refused ones and says the others were enrolled", async () => {
      const both = await t.req(`/api/v1/people/${adrien}/faces`, { as: "operator", method: "POST", body: photos("Adrien_Brody_1438_crop.jpg", "Adrien_Brody_1443_crop.jpg") });
      expect(both.status).toBe(201);
      const { items } = await both.json();
      expect(items.map((i: { file: string; enrolled: boolean }) => [i.file, i.enrolled])).toEqual([
        ["Adrien_Brody_1438_crop.jpg", true],
        ["Adrien_Brody_1443_crop.jpg", true],
      ]);
      expect(await faceCount(adrien)).toBe(2);

      const mixed = await t.req(`/api/v1/people/${david}/faces`, { as: "operator", method: "POST", body: photos(GOOD[1]!, SPOOFED[1]!, SPOOFED[2]!) });
      expect(mixed.status).toBe(422);
      const m = await mixed.json();
      expect(m.error).toStartWith(`2 of 3 photos not enrolled — photo 2 (${SPOOFED[1]}): This looks like a photo of a photo`);
      expect(m.error).toContain(`photo 3 (${SPOOFED[2]}):`);
      expect(m.error).toEndWith("The other one was enrolled.");
      expect(m.items.map((i: { enrolled: boolean; reason?: string; acceptable?: boolean }) => [i.enrolled, i.reason ?? null, i.acceptable ?? false])).toEqual([
        [true, null, false],
        [false, "spoof", true],
        [false, "spoof", true],
      ]);
      expect(await faceCount(david)).toBe(3);

      const accepted = await t.req(`/api/v1/people/${david}/faces?accept=spoof`, { as: "operator", method: "POST", body: photos(SPOOFED[1]!, SPOOFED[2]!) });
      expect(accepted.status).toBe(201);
      expect((await accepted.json()).items.every((i: { enrolled: boolean }) => i.enrolled)).toBe(true);
      expect(await faceCount(david)).toBe(5);
      expect((await audit("accept_spoof")).length).toBe(3);
    });

    test("bad multi-part uploads get a clear 4xx naming the part", async () => {
      const text = photos("Adrien_Brody_1444_crop.jpg");
      text.append("image", "not a file");
      const r = await t.req(`/api/v1/people/${adrien}/faces`, { as: "operator", method: "POST", body: text });
      expect([r.status, (await r.json()).error]).toEqual([422, 'Photo 2 of the field "image" is text, not a file']);
      const many = new FormData();
      for (let i = 0; i < 21; i++) many.append("image", Bun.file(join(CROPS, "Adrien_Brody_1444_crop.jpg")), `p${i}.jpg`);
      const tooMany = await t.req(`/api/v1/people/${adrien}/faces`, { as: "operator", method: "POST", body: many });
      expect([tooMany.status, (await tooMany.json()).error]).toEqual([422, "At most 20 photos per upload; this one has 21"]);
      const garbage = photos("Adrien_Brody_1444_crop.jpg");
      garbage.append("image", new Blob([new TextEncoder().encode("garbage")]), "notes.txt");
      const mixed = await t.req(`/api/v1/people/${adrien}/faces`, { as: "operator", method: "POST", body: garbage });
      expect(mixed.status).toBe(422);
      const body = await mixed.json();
      expect(body.error).toContain("photo 2 (notes.txt):");
      expect(body.items[1]).toMatchObject({ enrolled: false, file: "notes.txt" });
    });
  });
}

describe("accepting a refused upload in Chromium", () => {
  test("the operator uploads two photos, sees one refused as a photo of a photo, cancels, then confirms 'Accept anyway'", async () => {
    const artifacts = join(import.meta.dir, "artifacts");
    mkdirSync(artifacts, { recursive: true });
    const srv = await startServer(ADMIN_ENV, { engine: true });
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    try {
      const session = await signIn(srv.url);
      const id = await enrollPerson(session, { name: "David Wenham", employeeCode: "DW-1" }, []);
      const context = await browser.newContext();
      await context.addCookies(cookiesFor(session, srv.url));
      const page = await context.newPage();
      const dialogs: string[] = [];
      let answer = false;
      page.on("dialog", (d) => {
        dialogs.push(d.message());
        void (answer ? d.accept() : d.dismiss());
      });
      await page.goto(`${srv.url}/people/${id}`);
      await page.setInputFiles("#images", [join(CROPS, GOOD[0]!), join(CROPS, SPOOFED[0]!)]);
      await page.click("text=Upload and enroll");
      await page.waitForSelector(".outcomes >> text=Accept anyway");
      expect(await page.locator("#faces figure").count()).toBe(1);
      await page.click(".outcomes >> text=Accept anyway");
      await eventually(async () => dialogs.length, 1);
      expect(dialogs[0]).toContain("recorded in the audit log");
      expect(await page.locator("#faces figure").count()).toBe(1); // cancelled: nothing happened
      answer = true;
      await page.click(".outcomes >> text=Accept anyway");
      await page.waitForSelector(".outcomes >> text=accepted by you and enrolled");
      expect(await page.locator("#faces figure").count()).toBe(2);
      await page.screenshot({ path: join(artifacts, "upload-accepted.png") });
      const audit = await srv.built.deps.services.audit.list({ entity: "face" });
      expect(audit.map((a) => `${a.action} by ${a.actorLabel}`)).toEqual(["accept_spoof by boss@example.com", "enroll by boss@example.com"]);
    } finally {
      await browser.close();
      await srv.stop();
    }
  });
});
