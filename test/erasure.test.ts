// Erasing a person: every row and file about them goes (faces, embeddings, crops, negatives, events
// and their evidence photos, unknown faces assigned to them and their crops), the audit log keeps a
// pseudonym, an erasure report says what went; enrolment, deletion, recognition and kiosk punches of
// the same person racing each other never answer 5xx and leave no orphan row or file.
import { setDefaultTimeout } from "bun:test";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import type { CameraSighting } from "../src/services/cameras";
import { CROPS, cropUpload, dbKinds, json, makeApp, type TestApp } from "./helpers";

setDefaultTimeout(60_000);

const AMAURY = ["Amaury_Nolasco_4615_crop.jpg", "Amaury_Nolasco_4616_crop.jpg", "Amaury_Nolasco_4617_crop.jpg", "Amaury_Nolasco_4618_crop.jpg"];
const photo = (f: string) => Bun.file(join(CROPS, f)).bytes();

/** Every file under a folder (relative paths), recursively; none when it does not exist. */
function filesUnder(root: string, rel = ""): string[] {
  const dir = join(root, rel);
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(root, join(rel, e.name)) : [join(rel, e.name)]));
}

for (const kind of dbKinds()) {
  describe(`erasure on ${kind}`, () => {
    let t: TestApp;
    let kioskKey: string;
    const media = () => join(t.config.DATA_DIR, "media");
    const count = async (q: ReturnType<typeof sql>) => Number((await t.rows(q))[0]!.n);
    const punch = async (file: string) => {
      const fd = new FormData();
      fd.set("image", Bun.file(join(CROPS, file)), file);
      return t.req("/api/v1/kiosk/punch", { method: "POST", body: fd, headers: { "x-api-key": kioskKey } });
    };
    const person = async (body: Record<string, unknown>) => (await (await t.req("/api/v1/people", { as: "operator", method: "POST", ...json({ consent: true, ...body }) })).json()).id as number;

    beforeAll(async () => {
      t = await makeApp(kind, { EVENT_DEDUPE_MINUTES: "0", BOTH_MIN_INTERVAL_MINUTES: "0" }, { engine: true });
      kioskKey = await t.apiKeyFor("operator");
    }, 120_000);
    afterAll(() => t?.close());

    test("deleting a person erases every row and file about them, pseudonymises the audit log and reports what went", async () => {
      const id = await person({ name: "Amaury Nolasco", employeeCode: "AN-7", email: "amaury@example.com", notes: "Parks in bay 12" });
      const bystander = await person({ name: "Melissa Benoist", employeeCode: "MB-1" });
      expect((await t.req(`/api/v1/people/${bystander}/faces`, { as: "operator", method: "POST", body: cropUpload("Melissa_Benoist_12866_crop.jpg") })).status).toBe(201);
      for (const f of AMAURY.slice(0, 2)) expect((await t.req(`/api/v1/people/${id}/faces`, { as: "operator", method: "POST", body: cropUpload(f) })).status).toBe(201);
      // An earlier name in the audit trail goes too.
      expect((await t.req(`/api/v1/people/${id}`, { as: "operator", method: "PATCH", ...json({ name: "Amaury N." }) })).status).toBe(200);
      expect((await t.req(`/api/v1/people/${id}/negatives`, { as: "operator", method: "POST", body: cropUpload("Linda_Evans_51931_crop.jpg") })).status).toBe(201);
      expect(await (await punch(AMAURY[2]!)).json()).toMatchObject({ result: "checked_in", personId: id });
      expect(await (await punch(AMAURY[3]!)).json()).toMatchObject({ result: "checked_out", personId: id });
      expect(await (await punch("Melissa_Benoist_12864_crop.jpg")).json()).toMatchObject({ result: "checked_in", personId: bystander });
      // Camera faces linked to them: one uncertain (their candidate), one group assigned to them by an operator.
      const cam = await (await t.req("/api/v1/cameras", { as: "admin", method: "POST", ...json({ name: "Door", url: "rtsp://127.0.0.1:9/none", direction: "in", enabled: false }) })).json();
      const camera = await t.deps.services.cameras.get(cam.id);
      const sighting = async (file: string, decision: "unknown" | "uncertain", personId: number | null): Promise<CameraSighting> => {
        const embedding = new Float32Array(512).fill(decision === "unknown" ? 1 / Math.sqrt(512) : -1 / Math.sqrt(512));
        const now = Date.now();
        return {
          camera,
          sighting: { trackId: `t-${now}-${file}`, personId, decision, similarity: 0.4, faces: 5, startedAt: now - 1000, endedAt: now, early: false, bestObservation: { box: [0, 0, 112, 112], embedding, quality: { faceSize: 112, sharpness: 100 }, detScore: 0.9, decision: { decision, personId, similarity: 0.4 } } },
          evidence: await photo(file),
          embedding,
        };
      };
      await t.deps.services.sightings.handle(await sighting(AMAURY[2]!, "uncertain", id));
      await t.deps.services.sightings.handle(await sighting(AMAURY[3]!, "unknown", null));
      const group = (await t.rows(sql`select group_id from unknown_faces where person_id is null`))[0]!.group_id as number;
      await t.deps.services.review.assign(group, id, { id: null, label: "operator@test.local" });

      const paths = async () => ({
        crops: (await t.rows(sql`select crop_path from faces where person_id = ${id}`)).map((r) => r.crop_path as string),
        evidence: (await t.rows(sql`select evidence_path from attendance_events where person_id = ${id}`)).map((r) => r.evidence_path as string),
        unknown: (await t.rows(sql`select crop_path from unknown_faces where person_id = ${id}`)).map((r) => r.crop_path as string),
      });
      const before = await paths();
      const expected = {
        faces: before.crops.length,
        embeddings: await count(sql`select count(*) as n from face_embeddings e join faces f on f.id = e.face_id where f.person_id = ${id}`),
        faceCrops: before.crops.length,
        negatives: await count(sql`select count(*) as n from negative_examples where person_id = ${id}`),
        events: 2,
        evidencePhotos: 2,
        unknownFaces: 2,
        unknownCrops: 2,
        leaves: 0,
        dailyRecords: await count(sql`select count(*) as n from daily_status where person_id = ${id}`),
      };
      expect(expected.faces).toBeGreaterThanOrEqual(2);
      expect(expected.negatives).toBeGreaterThanOrEqual(1);
      for (const p of [...before.crops, ...before.evidence, ...before.unknown]) expect(existsSync(join(media(), p))).toBe(true);
      const bystanderFiles = filesUnder(join(media(), "faces", String(bystander)));
      expect(bystanderFiles.length).toBe(1);

      const del = await t.req(`/api/v1/people/${id}`, { as: "operator", method: "DELETE" });
      expect(del.status).toBe(200);
      const report = await del.json();
      expect(report).toMatchObject({ personId: id, erasedBy: "operator@test.local", counts: expected, filesQueued: expected.faceCrops + 4, filesRemaining: 0 });
      expect(report.counts.auditRowsPseudonymised).toBe(2); // create (with consent) and rename
      expect(report.pseudonym).toMatch(/^erased person #[0-9a-f]{8}$/);
      expect(report.filesDoneAt).not.toBeNull();

      // Nothing of them in the database ...
      for (const table of ["faces", "negative_examples", "attendance_events", "unknown_faces", "daily_status", "leaves"]) expect({ table, n: await count(sql.raw(`select count(*) as n from ${table} where person_id = ${id}`)) }).toEqual({ table, n: 0 });
      expect(await count(sql`select count(*) as n from people where id = ${id}`)).toBe(0);
      expect(await count(sql`select count(*) as n from file_queue`)).toBe(0);
      const audit = JSON.stringify(await t.rows(sql`select * from audit_log`));
      for (const s of ["Amaury", "AN-7", "amaury@example.com", "bay 12"]) expect(audit).not.toContain(s);
      expect(audit).toContain(report.pseudonym);
      // ... nor on disk; the bystander keeps theirs.
      for (const p of [...before.crops, ...before.evidence, ...before.unknown]) expect(existsSync(join(media(), p))).toBe(false);
      expect(existsSync(join(media(), "faces", String(id)))).toBe(false);
      expect(filesUnder(join(media(), "faces", String(bystander)))).toEqual(bystanderFiles);
      expect(await count(sql`select count(*) as n from attendance_events where person_id = ${bystander}`)).toBe(1);
      // Not recognised any more (their photos find no match); the bystander still is.
      const rec = await (await t.req("/api/v1/recognize", { as: "viewer", method: "POST", body: cropUpload(AMAURY[3]!) })).json();
      expect(rec.faces.map((f: { match: { personId: number } | null }) => f.match?.personId ?? null)).not.toContain(id);
      expect(t.deps.services.faces.gallery.countFor(id)).toBe(0);
      expect(t.deps.services.faces.negatives.size).toBe(0);

      // The report is kept, shown to the operator who erased and listed for admins; it names nobody.
      expect(await (await t.req(`/api/v1/erasures/${report.id}`, { as: "operator" })).json()).toEqual(report);
      const list = await (await t.req("/api/v1/erasures", { as: "admin" })).json();
      expect(list.items.map((r: { id: number }) => r.id)).toContain(report.id);
      expect((await t.req("/api/v1/erasures", { as: "operator" })).status).toBe(403);
      const page = await t.req(`/erasures/${report.id}?done=erased`, { as: "operator" });
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain(report.pseudonym);
      expect(html).toContain("Person erased");
      expect(html).toContain(`data-kind="evidencePhotos">2<`);
      expect(html).not.toContain("Amaury");
      expect(await (await t.req("/erasures", { as: "admin" })).text()).toContain(report.pseudonym);
      expect((await t.req(`/api/v1/people/${id}`, { as: "operator", method: "DELETE" })).status).toBe(404);
    });

    test("a crop queued while its enrolment was written is deleted at start-up unless its row committed", async () => {
      const files = t.deps.services.files;
      const orphan = "faces/999999/orphan.jpg";
      const kept = (await t.rows(sql`select crop_path from faces limit 1`))[0]!.crop_path as string;
      await Bun.write(join(media(), orphan), "x");
      await files.stage("faces", orphan);
      await files.stage("faces", kept);
      await files.stage("media", "evidence/2020-01-01/gone.jpg");
      expect(await files.recover()).toEqual({ deleted: 2, kept: 1, failed: 0 });
      expect(existsSync(join(media(), orphan))).toBe(false);
      expect(existsSync(join(media(), kept))).toBe(true);
      expect(await count(sql`select count(*) as n from file_queue`)).toBe(0);
    });

    test("enrol, delete, recognise, kiosk punch and 'not this person' of the same person racing: no 5xx, no orphan row or file", async () => {
      const statuses: Record<string, number[]> = {};
      const note = (what: string, r: Response) => {
        (statuses[what] ??= []).push(r.status);
      };
      for (let round = 0; round < 8; round++) {
        const id = await person({ name: `Racer ${round}`, employeeCode: `R-${round}` });
        expect((await t.req(`/api/v1/people/${id}/faces`, { as: "operator", method: "POST", body: cropUpload(AMAURY[0]!) })).status).toBe(201);
        const jobs: Promise<void>[] = [];
        for (const f of AMAURY.slice(1)) jobs.push(t.req(`/api/v1/people/${id}/faces`, { as: "operator", method: "POST", body: cropUpload(f) }).then((r) => note("enrol", r)));
        jobs.push(t.req("/api/v1/recognize", { as: "viewer", method: "POST", body: cropUpload(AMAURY[1]!) }).then((r) => note("recognise", r)));
        jobs.push(punch(AMAURY[2]!).then((r) => note("punch", r)));
        jobs.push(t.req(`/api/v1/people/${id}/negatives`, { as: "operator", method: "POST", body: cropUpload("Linda_Evans_51931_crop.jpg") }).then((r) => note("negative", r)));
        // The delete goes out at a different point of the others' work each round.
        jobs.push(Bun.sleep(round * 4).then(() => t.req(`/api/v1/people/${id}`, { as: "operator", method: "DELETE" }).then((r) => note("delete", r))));
        await Promise.all(jobs);
        expect(await count(sql`select count(*) as n from people where id = ${id}`)).toBe(0);
      }
      const all = Object.values(statuses).flat();
      expect(all.filter((s) => s >= 500)).toEqual([]);
      expect(statuses.delete).toEqual(Array(8).fill(200));
      for (const s of all) expect([200, 201, 404, 409, 422]).toContain(s);
      // Nothing is left behind: no queued file, no row of an erased racer, and every file on disk
      // belongs to a row.
      expect(await count(sql`select count(*) as n from file_queue`)).toBe(0);
      for (const table of ["faces", "negative_examples", "attendance_events", "unknown_faces", "daily_status"])
        expect({ table, n: await count(sql.raw(`select count(*) as n from ${table} t where not exists (select 1 from people p where p.id = t.person_id) and t.person_id is not null`)) }).toEqual({ table, n: 0 });
      const referenced = new Set(
        (await t.rows(sql`select crop_path as p from faces union all select evidence_path from attendance_events where evidence_path is not null union all select crop_path from unknown_faces`)).map((r) => r.p as string),
      );
      expect(filesUnder(media()).filter((f) => !referenced.has(f))).toEqual([]);
      expect(t.deps.services.faces.gallery.size).toBe(await count(sql`select count(*) as n from faces f join face_embeddings e on e.face_id = f.id and e.model_id = ${t.deps.services.faces.recognizerId}`));
    });
  });
}
