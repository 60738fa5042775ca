import { setDefaultTimeout } from "bun:test";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { cropUpload as upload, dbKinds, form, json, makeApp, type TestApp } from "./helpers";
import { eventually } from "./support/eventually";
import { matchThresholdForGallery } from "../src/domain/face/calibration";
import { dot } from "../src/domain/face/matching";
import { modelById } from "../src/models/manifest";

// Tests here start real processes, engines or browsers (Bun applies a default per file only).
setDefaultTimeout(60_000);


for (const kind of dbKinds()) {
  describe(`recognition settings on ${kind}`, () => {
    let t: TestApp;
    const ids: Record<string, number> = {};
    const recognize = async (file: string) => (await (await t.req("/api/v1/recognize", { as: "viewer", method: "POST", body: upload(file) })).json()).faces[0];

    beforeAll(async () => {
      // A strict stranger rate puts these small galleries on the sloped part of the match curve.
      t = await makeApp(kind, { STRANGER_ACCEPT_RATE: "0.0001" }, { engine: true });
      for (const [name, code, photos] of [
        ["Aaron Eckhart", "AE", ["Aaron_Eckhart_4_crop.jpg", "Aaron_Eckhart_7_crop.jpg"]],
        ["Adam Brody", "AB", ["Adam_Brody_355_crop.jpg"]],
      ] as const) {
        const p = await (await t.req("/api/v1/people", { as: "operator", method: "POST", ...json({ name, employeeCode: code, consent: true }) })).json();
        ids[code] = p.id;
        for (const f of photos) expect((await t.req(`/api/v1/people/${p.id}/faces`, { as: "operator", method: "POST", body: upload(f) })).status).toBe(201);
      }
    }, 90_000);
    afterAll(() => t.close());

    test("settings show the recogniser, calibrated thresholds and every model's licence", async () => {
      const page = await (await t.req("/settings", { as: "viewer" })).text();
      expect(page).toContain("w600k_mbf_int8");
      expect(page).toContain("calibrated on facescrub");
      expect(page).toContain("non-commercial");
      expect(page).toContain("Apache-2.0");
      expect(page).not.toContain("Save thresholds"); // viewers see, admins change
      const api = await (await t.req("/api/v1/recognition", { as: "viewer" })).json();
      expect(api).toMatchObject({ recognizer: "w600k_mbf_int8", calibrated: true, switchingTo: null });
      expect(api.recognizers.map((r: { id: string; available: boolean }) => [r.id, r.available])).toEqual([["w600k_mbf_int8", true], ["mobilefacenet128_paddle", true]]);
    });

    test("the calibrated match threshold rises with the number of people enrolled and falls when one is deleted", async () => {
      const mbf = modelById("w600k_mbf_int8");
      if (mbf.role !== "recognizer") throw new Error("recogniser expected");
      const expected = (people: number) => Math.round(matchThresholdForGallery(mbf.thresholds.matchCurve, people, 0.0001) * 1e4) / 1e4;
      const settings = async () => (await t.req("/api/v1/recognition", { as: "viewer" })).json();
      const two = await settings();
      expect(two).toMatchObject({ people: 2, calibrated: true, thresholds: { match: expected(2), unknown: mbf.thresholds.unknown } });
      expect(await (await t.req("/settings", { as: "viewer" })).text()).toContain("set for 2 enrolled people so that a stranger is matched to someone with at most 0.01 % chance");

      const p = await (await t.req("/api/v1/people", { as: "operator", method: "POST", ...json({ name: "Colin Firth", employeeCode: "CF", consent: true }) })).json();
      expect((await t.req(`/api/v1/people/${p.id}/faces`, { as: "operator", method: "POST", body: upload("Colin_Firth_25048_crop.jpg") })).status).toBe(201);
      const three = await settings();
      expect(three).toMatchObject({ people: 3, thresholds: { match: expected(3) } });
      expect(three.thresholds.match).toBeGreaterThan(two.thresholds.match);
      // A second face of someone already enrolled changes nothing.
      expect((await t.req(`/api/v1/people/${p.id}/faces`, { as: "operator", method: "POST", body: upload("Colin_Firth_25050_crop.jpg") })).status).toBe(201);
      expect((await settings()).thresholds.match).toBe(three.thresholds.match);

      expect((await t.req(`/api/v1/people/${p.id}`, { as: "admin", method: "DELETE" })).status).toBe(200);
      expect(await settings()).toMatchObject({ people: 2, thresholds: { match: two.thresholds.match } });
    });

    test("a person enrolled with several photos is matched by their mean score over those photos", async () => {
      // Aaron Eckhart has photos 4 and 7. His enrolled photo 4 scores its mean cosine to both, (1 + c) / 2
      // = |template|², not the 1.0 of its own copy: one comparison per person, however many photos.
      const template = t.deps.services.faces.gallery.templateOf(ids.AE!)!;
      const own = await recognize("Aaron_Eckhart_4_crop.jpg");
      expect(own).toMatchObject({ decision: "match", match: { personId: ids.AE } });
      expect(own.match.similarity).toBeCloseTo(dot(template, template), 3);
      expect(own.match.similarity).toBeLessThan(0.95);
      expect(await recognize("Aaron_Eckhart_6_crop.jpg")).toMatchObject({ decision: "match", match: { personId: ids.AE } });
    });

    test("thresholds: bad values get field errors; saved ones apply at once; reset returns to calibrated", async () => {
      const bad = await t.req("/settings/recognition/thresholds", { as: "admin", method: "POST", ...form({ match: "0.3", unknown: "0.2", margin: "abc" }) });
      expect(bad.status).toBe(422);
      expect(await bad.text()).toContain("Enter a number");
      const inverted = await t.req("/settings/recognition/thresholds", { as: "admin", method: "POST", ...form({ match: "0.3", unknown: "0.6", margin: "0.05" }) });
      expect(inverted.status).toBe(422);
      expect(await inverted.text()).toContain("must not exceed the match threshold");
      expect((await t.req("/api/v1/recognition", { as: "viewer" }).then((r) => r.json())).calibrated).toBe(true);

      expect((await recognize("Aaron_Eckhart_6_crop.jpg")).decision).toBe("match");
      const strict = await t.req("/settings/recognition/thresholds", { as: "admin", method: "POST", ...form({ match: "0.99", unknown: "0.2", margin: "0.05" }) });
      expect(strict.status).toBe(200);
      expect(await strict.text()).toContain("Thresholds saved");
      expect(await recognize("Aaron_Eckhart_6_crop.jpg")).toMatchObject({ decision: "uncertain", match: null });
      expect((await t.req("/api/v1/recognition", { as: "viewer" }).then((r) => r.json())).calibrated).toBe(false);

      expect((await t.req("/api/v1/recognition", { as: "operator", method: "PATCH", ...json({ thresholds: null }) })).status).toBe(403);
      expect((await t.req("/api/v1/recognition", { as: "admin", method: "PATCH", ...json({ thresholds: { match: 2, unknown: 0, margin: 0 } }) })).status).toBe(422);
      const reset = await t.req("/api/v1/recognition", { as: "admin", method: "PATCH", ...json({ thresholds: null }) });
      expect(await reset.json()).toMatchObject({ calibrated: true });
      expect((await recognize("Aaron_Eckhart_6_crop.jpg")).decision).toBe("match");
      expect((await t.rows(sql`select 1 from audit_log where entity = 'settings'`)).length).toBeGreaterThanOrEqual(2);
    });

    test("switching the recogniser re-embeds every face from its crop with progress, then recognises with the new one", async () => {
      // A "not this person" example made before the switch keeps working after it.
      expect((await t.req(`/api/v1/people/${ids.AB}/negatives`, { as: "operator", method: "POST", body: upload("Adam_Brody_360_crop.jpg") })).status).toBe(201);
      expect((await t.req("/settings/recognition/switch", { as: "admin", method: "POST", ...form({ recognizer: "w600k_mbf_int8" }) })).status).toBe(409);
      expect((await t.req("/settings/recognition/switch", { as: "admin", method: "POST", ...form({ recognizer: "nope" }) })).status).toBe(422);
      expect((await t.req("/settings/recognition/switch", { as: "operator", method: "POST", ...form({ recognizer: "mobilefacenet128_paddle" }) })).status).toBe(403);

      const started = await t.req("/settings/recognition/switch", { as: "admin", method: "POST", ...form({ recognizer: "mobilefacenet128_paddle" }) });
      expect(started.status).toBe(202);
      const jobId = (await started.text()).match(/data-job="([^"]+)"/)![1]!;
      await eventually(async () => (await (await t.req(`/settings/recognition/switch/${jobId}`, { as: "admin" })).text()).includes("Now using mobilefacenet128_paddle: 3 faces re-embedded."), true, 60_000);

      expect(await (await t.req("/api/v1/recognition", { as: "viewer" })).json()).toMatchObject({ recognizer: "mobilefacenet128_paddle", switchingTo: null });
      const models = await t.rows(sql`select model_id, count(*)::int as n from face_embeddings group by model_id order by model_id`);
      expect(models.map((r) => [r.model_id, Number(r.n)])).toEqual([["mobilefacenet128_paddle", 3], ["w600k_mbf_int8", 3]]);
      expect(t.deps.services.faces.gallery.dim).toBe(128);
      expect(await recognize("Aaron_Eckhart_6_crop.jpg")).toMatchObject({ decision: "match", match: { personId: ids.AE } });
      expect((await recognize("Adam_Brody_360_crop.jpg")).match?.personId ?? null).not.toBe(ids.AB);
      // New enrolments use the new recogniser.
      expect((await t.req(`/api/v1/people/${ids.AB}/faces`, { as: "operator", method: "POST", body: upload("Adam_Brody_368_crop.jpg") })).status).toBe(201);
      expect(t.deps.services.faces.gallery.size).toBe(4);
    });

    test("switching back: a face whose crop file is gone is skipped and reported, not fatal", async () => {
      const [face] = await t.rows(sql`select id, crop_path from faces where person_id = ${ids.AB} order by id desc limit 1`);
      rmSync(join(t.config.DATA_DIR, "media", String(face!.crop_path)));
      // The newest face has no w600k embedding yet (enrolled after the first switch).
      const started = await t.req("/settings/recognition/switch", { as: "admin", method: "POST", ...form({ recognizer: "w600k_mbf_int8" }) });
      const jobId = (await started.text()).match(/data-job="([^"]+)"/)![1]!;
      await eventually(async () => /Now using w600k_mbf_int8: 0 faces re-embedded, 1 skipped/.test(await (await t.req(`/settings/recognition/switch/${jobId}`, { as: "admin" })).text()), true, 60_000);
      expect(t.deps.services.faces.status()).toMatchObject({ recognizer: "w600k_mbf_int8", ready: true });
      expect(await recognize("Aaron_Eckhart_6_crop.jpg")).toMatchObject({ decision: "match", match: { personId: ids.AE } });
    });
  });
}
