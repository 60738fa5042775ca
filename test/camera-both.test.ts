// An in-and-out camera ("both") with real components, on PostgreSQL: a looping clip shows an enrolled
// person again and again; with no dedupe window and no minimum interval, the person's events
// alternate check-in, check-out, check-in, ... (the rules themselves are unit-tested in
// domain-events.test.ts, with their default windows).
import { setDefaultTimeout } from "bun:test";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { CROPS, cropUpload, json, makeApp, type TestApp } from "./helpers";
import { slideshow } from "./support/clips";
import { eventually } from "./support/eventually";

// Tests here start real processes, engines or browsers (Bun applies a default per file only).
setDefaultTimeout(60_000);


describe("an in-and-out camera on postgres", () => {
  let t: TestApp;
  let dir: string;
  let clip: string;
  let personId: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "clockface-both-"));
    clip = await slideshow([join(CROPS, "Eric_Dane_36377_crop.jpg"), join(CROPS, "Steve_Carell_104543_crop.jpg")], { secondsEach: 3, out: join(dir, "door.mp4") });
    t = await makeApp("postgres", { CLOCKFACE_ALLOW_FILE_SOURCES: "1", EVENT_DEDUPE_MINUTES: "0", BOTH_MIN_INTERVAL_MINUTES: "0" }, { engine: true });
    const p = await (await t.req("/api/v1/people", { as: "operator", method: "POST", ...json({ name: "Eric Dane", employeeCode: "ED", consent: true }) })).json();
    personId = p.id;
    for (const f of ["Eric_Dane_36367_crop.jpg", "Eric_Dane_36368_crop.jpg"]) {
      expect((await t.req(`/api/v1/people/${p.id}/faces`, { as: "operator", method: "POST", body: cropUpload(f) })).status).toBe(201);
    }
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("each appearance of the person flips between check-in and check-out", async () => {
    const r = await t.req("/api/v1/cameras", { as: "admin", method: "POST", ...json({ name: "Lobby", url: `file://${clip}`, direction: "both", fps: 5 }) });
    expect(r.status).toBe(201);
    const cam = await r.json();
    // The clip loops every 6 s: three appearances within about 20 s.
    const kinds = async () => (await t.rows(sql`select kind from attendance_events where person_id = ${personId} and camera_id = ${cam.id} order by ts, id`)).map((e) => e.kind);
    await eventually(async () => (await kinds()).length >= 3, true, 45_000);
    expect((await kinds()).slice(0, 3)).toEqual(["check_in", "check_out", "check_in"]);
    // The stranger never becomes an event.
    expect((await t.rows(sql`select 1 from attendance_events where person_id <> ${personId}`)).length).toBe(0);
    expect((await t.req(`/api/v1/cameras/${cam.id}`, { as: "admin", method: "DELETE" })).status).toBe(204);
  }, 90_000);
});
