// Cameras end to end with real components: a slideshow clip of enrolled people and a stranger, played
// by ffmpeg (file:// and a real RTSP server), recognised by the engine, tracked, and turned into
// attendance events and unknown faces; SSE, MJPEG, status, errors and restarts.
import { setDefaultTimeout } from "bun:test";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { CROPS, cropUpload as upload, form, json, makeApp, type TestApp } from "./helpers";
import { slideshow } from "./support/clips";
import { startRtsp, type RtspServer } from "./support/rtsp";
import { freePort } from "./support/server";
import { eventually } from "./support/eventually";

// Tests here start real processes, engines or browsers (Bun applies a default per file only).
setDefaultTimeout(60_000);

const photo = (f: string) => join(CROPS, f);

describe("cameras", () => {
  let t: TestApp;
  let dir: string;
  let clip: string;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "clockface-cam-"));
    // Two enrolled people and three strangers, one after another.
    const shown = ["Amaury_Nolasco_4619_crop.jpg", "Melissa_Benoist_12864_crop.jpg", "Eric_Dane_36377_crop.jpg", "Steve_Carell_104543_crop.jpg", "Adam_Brody_360_crop.jpg"];
    clip = await slideshow(shown.map(photo), { secondsEach: 3, out: join(dir, "door.mp4") });
    t = await makeApp("pglite", { CLOCKFACE_ALLOW_FILE_SOURCES: "1" }, { engine: true });
    for (const [name, code, photos] of [
      ["Amaury Nolasco", "AN", ["Amaury_Nolasco_4615_crop.jpg", "Amaury_Nolasco_4616_crop.jpg", "Amaury_Nolasco_4617_crop.jpg"]],
      ["Eric Dane", "ED", ["Eric_Dane_36367_crop.jpg", "Eric_Dane_36368_crop.jpg", "Eric_Dane_36371_crop.jpg"]],
    ] as const) {
      const p = await (await t.req("/api/v1/people", { as: "operator", method: "POST", ...json({ name, employeeCode: code, consent: true }) })).json();
      ids[code] = p.id;
      let enrolled = 0;
      for (const f of photos) {
        const res = await t.req(`/api/v1/people/${p.id}/faces`, { as: "operator", method: "POST", body: upload(f) });
        if (res.status === 201) enrolled++;
        else console.error(f, res.status, await res.text());
      }
      expect(enrolled).toBeGreaterThanOrEqual(2);
    }
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("a file camera: each enrolled person gets one check-in, each stranger goes to the unknown queue", async () => {
    const r = await t.req("/api/v1/cameras", { as: "admin", method: "POST", ...json({ name: "Front door", url: `file://${clip}`, direction: "in", fps: 5 }) });
    expect(r.status).toBe(201);
    const cam = await r.json();
    await eventually(async () => (await (await t.req(`/api/v1/cameras/${cam.id}`, { as: "viewer" })).json()).status.state, "live", 20_000);
    // The clip loops (15 s); once all three strangers have a group, a second loop shows everyone again.
    const groups = async () => (await t.rows(sql`select distinct group_id from unknown_faces`)).length;
    await eventually(async () => (await groups()) >= 3 && (await t.rows(sql`select 1 from attendance_events`)).length >= 2, true, 60_000);
    await Bun.sleep(16_000);
    const events = await t.rows(sql`select person_id, kind, source, camera_id, evidence_path, similarity from attendance_events order by id`);
    expect(events.map((e) => [e.person_id, e.kind, e.source, e.camera_id])).toEqual(
      expect.arrayContaining([
        [ids.AN, "check_in", "camera", cam.id],
        [ids.ED, "check_in", "camera", cam.id],
      ]),
    );
    // Dedupe: the loop shows everyone again within 5 minutes, but there is one event per person.
    expect(events.length).toBe(2);
    for (const e of events) expect(await Bun.file(join(t.config.DATA_DIR, "media", String(e.evidence_path))).exists()).toBe(true);
    const unknown = await t.rows(sql`select group_id, kind, crop_path from unknown_faces`);
    expect(unknown.length).toBeGreaterThanOrEqual(1);
    // Each stranger, seen on every loop, lands in a group of their own.
    expect(new Set(unknown.map((u) => u.group_id)).size).toBe(3);
    expect(unknown.length).toBeGreaterThanOrEqual(4);
    // The attendance API filters by camera and pages.
    const byCamera = await (await t.req(`/api/v1/attendance?cameraId=${cam.id}&limit=1`, { as: "viewer" })).json();
    expect(byCamera.total).toBe(2);
    expect(byCamera.items.map((e: { cameraId: number }) => e.cameraId)).toEqual([cam.id]);
    const second = await (await t.req(`/api/v1/attendance?cameraId=${cam.id}&limit=1&offset=1`, { as: "viewer" })).json();
    expect(second.items.length).toBe(1);
    expect(second.items[0].id).not.toBe(byCamera.items[0].id);
    expect((await (await t.req(`/api/v1/attendance?cameraId=${cam.id + 1000}`, { as: "viewer" })).json()).total).toBe(0);
    expect((await t.req("/api/v1/attendance?cameraId=front", { as: "viewer" })).status).toBe(422);
    const status = (await (await t.req(`/api/v1/cameras/${cam.id}`, { as: "viewer" })).json()).status;
    expect(status.processed).toBeGreaterThan(20);
    expect(status.latencyMs.p95).toBeGreaterThan(0);
    expect(status.fpsIn).toBeGreaterThan(0);
    expect((await t.req(`/api/v1/cameras/${cam.id}`, { as: "admin", method: "DELETE" })).status).toBe(204);
  }, 120_000);

  test("the unknown-faces queue: enrolling a group needs consent and creates the person; retention purges old faces and evidence", async () => {
    expect((await t.req("/unknown", { as: "viewer" })).status).toBe(403);
    const page = await (await t.req("/unknown", { as: "operator" })).text();
    expect(page).toContain("Unknown person");
    const [g] = await t.rows(sql`select distinct group_id from unknown_faces where status = 'open'`);
    const groupId = Number(g!.group_id);
    const noConsent = await t.req(`/unknown/${groupId}/enroll`, { as: "operator", method: "POST", ...form({ name: "Melissa Benoist", employeeCode: "MB" }) });
    expect(noConsent.status).toBe(422);
    expect(await noConsent.text()).toContain("Consent is needed");
    const unknownCode = await t.req(`/unknown/${groupId}/assign`, { as: "operator", method: "POST", ...form({ employeeCode: "NOPE" }) });
    expect(unknownCode.status).toBe(422);
    expect(await unknownCode.text()).toContain("Nobody is called NOPE");
    const ok = await t.req(`/unknown/${groupId}/enroll`, { as: "operator", method: "POST", ...form({ name: "Melissa Benoist", employeeCode: "MB", consent: "1" }) });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/Melissa Benoist: \d+ faces? enrolled/);
    expect((await t.rows(sql`select 1 from people where employee_code = 'MB' and consent_at is not null`)).length).toBe(1);
    expect((await t.rows(sql`select 1 from unknown_faces where group_id = ${groupId} and status = 'open'`)).length).toBe(0);
    expect((await t.req(`/unknown/${groupId}/dismiss`, { as: "operator", method: "POST", ...form({}) })).status).toBe(404);

    // The other two strangers' groups: one is assigned to an existing person, one dismissed.
    const others = (await t.rows(sql`select distinct group_id from unknown_faces where status = 'open' order by group_id`)).map((r) => Number(r.group_id));
    expect(others.length).toBe(2);
    const edFaces = async () => (await t.rows(sql`select 1 from faces where person_id = ${ids.ED}`)).length;
    const before = await edFaces();
    const assigned = await t.req(`/unknown/${others[0]}/assign`, { as: "operator", method: "POST", ...form({ employeeCode: "ED" }) });
    expect(assigned.status).toBe(200);
    expect(await assigned.text()).toMatch(/Employee ED: [1-9]\d* faces? enrolled/);
    expect(await edFaces()).toBeGreaterThan(before);
    expect(await t.rows(sql`select distinct status, person_id from unknown_faces where group_id = ${others[0]}`)).toEqual([{ status: "assigned", person_id: ids.ED }]);
    const dismissed = await t.req(`/unknown/${others[1]}/dismiss`, { as: "operator", method: "POST", ...form({}) });
    expect(dismissed.status).toBe(200);
    expect(await dismissed.text()).toMatch(/Dismissed [1-9]\d* face\(s\)\./);
    expect(await t.rows(sql`select distinct status from unknown_faces where group_id = ${others[1]}`)).toEqual([{ status: "dismissed" }]);
    expect(await t.rows(sql`select 1 from unknown_faces where status = 'open'`)).toEqual([]);

    const media = join(t.config.DATA_DIR, "media");
    const evidence = await t.rows(sql`select evidence_path from attendance_events where evidence_path is not null`);
    expect(evidence.length).toBeGreaterThan(0);
    // Nothing is old enough yet.
    expect(await t.deps.services.sightings.purge(new Date(), 90)).toEqual({ unknownFaces: 0, evidenceDays: 0 });
    for (const e of evidence) expect(await Bun.file(join(media, String(e.evidence_path))).exists()).toBe(true);
    // 91 days later everything from today is purged, rows and files.
    const later = await t.deps.services.sightings.purge(new Date(Date.now() + 91 * 86_400_000), 90);
    expect(later.evidenceDays).toBe(1);
    expect((await t.rows(sql`select 1 from unknown_faces`)).length).toBe(0);
    for (const e of evidence) expect(await Bun.file(join(media, String(e.evidence_path))).exists()).toBe(false);
    expect((await t.req(`/media/${evidence[0]!.evidence_path}`, { as: "viewer" })).status).toBe(404);
  });

  test("bad camera input gets clear 422s; passwords never come back", async () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ name: "x", url: "ftp://cam/stream" }, "Unsupported scheme"],
      [{ name: "x", url: "rtsp://" }, "no host"],
      [{ name: "x", url: "rtsp://10.0.0.5/live;touch /tmp/pwned" }, "not allowed"],
      [{ name: "x", url: "rtsp://10.0.0.5/$(reboot)" }, "not allowed"],
      [{ name: "", url: "rtsp://10.0.0.5/live" }, "Enter a name"],
      [{ name: "x", url: "rtsp://10.0.0.5/live", fps: 100 }, "At most 30"],
      [{ name: "x", url: "rtsp://10.0.0.5/live", direction: "sideways" }, "Choose in, out or both"],
    ];
    for (const [body, message] of bad) {
      const r = await t.req("/api/v1/cameras", { as: "admin", method: "POST", ...json(body) });
      expect({ body, status: r.status }).toEqual({ body, status: 422 });
      expect(JSON.stringify(await r.json())).toContain(message);
    }
    expect(await Bun.file("/tmp/pwned").exists()).toBe(false);
    const noFiles = await makeApp("pglite");
    try {
      const r = await noFiles.req("/api/v1/cameras", { as: "admin", method: "POST", ...json({ name: "f", url: "file:///etc/passwd" }) });
      expect(r.status).toBe(422);
      expect((await r.json()).error).toContain("not allowed");
    } finally {
      await noFiles.close();
    }
    const port = freePort();
    const r = await t.req("/api/v1/cameras", { as: "admin", method: "POST", ...json({ name: "Secret", url: `rtsp://admin:hunter2@127.0.0.1:${port}/live`, enabled: false }) });
    const cam = await r.json();
    expect(cam.url).not.toContain("hunter2");
    expect(await (await t.req(`/cameras/${cam.id}`, { as: "viewer" })).text()).not.toContain("hunter2");
    expect(await (await t.req("/cameras", { as: "viewer" })).text()).not.toContain("hunter2");
    const audit = await t.rows(sql`select after::text as a from audit_log where entity = 'camera'`);
    expect(audit.map((a) => String(a.a)).join(" ")).not.toContain("hunter2");
    // Test connection on a closed port: the exact error, masked, within the timeout.
    const test = await t.req(`/api/v1/cameras/${cam.id}/test`, { as: "admin", method: "POST" });
    expect(test.status).toBe(422);
    const msg = (await test.json()).error;
    expect(msg).toContain("Test connection failed");
    expect(msg).not.toContain("hunter2");
    expect((await t.req("/api/v1/cameras", { as: "viewer", method: "POST", ...json({ name: "v", url: "rtsp://x/y" }) })).status).toBe(403);
    await t.req(`/api/v1/cameras/${cam.id}`, { as: "admin", method: "DELETE" });
  });

  test("the camera pages: add, refuse bad input with the message, test the connection, edit and delete", async () => {
    const post = (path: string, f: Record<string, string>) => t.req(path, { as: "admin", method: "POST", ...form(f) });
    // Bad input: the form comes back with the message next to the field and what was typed.
    const bad = await post("/cameras", { name: "Side gate", url: "ftp://10.0.0.9/cam", direction: "in", fps: "5" });
    expect(bad.status).toBe(422);
    const badPage = await bad.text();
    expect(badPage).toContain("Unsupported scheme");
    expect(badPage).toContain('value="Side gate"');
    expect((await post("/cameras", { name: "Side gate", url: "rtsp://10.0.0.9/cam", direction: "sideways", fps: "5" })).status).toBe(422);
    // Test connection on the typed URL shows the frame it got.
    const tested = await post("/cameras/test", { url: `file://${clip}` });
    expect(tested.status).toBe(200);
    const testedPage = await tested.text();
    expect(testedPage).toContain("Connected: got a frame");
    expect(testedPage).toContain('src="data:image/jpeg;base64,');
    expect((await post("/cameras/test", { url: "" })).status).toBe(422);
    // Add (viewers may not), then the camera's page.
    expect((await t.req("/cameras", { as: "viewer", method: "POST", ...form({ name: "x", url: "rtsp://10.0.0.9/cam" }) })).status).toBe(403);
    const added = await post("/cameras", { name: "Side gate", url: "rtsp://admin:hunter3@127.0.0.1:9/cam", direction: "in", fps: "5", enabled: "on" });
    expect(added.status).toBe(303);
    const at = added.headers.get("location")!;
    expect(at).toMatch(/^\/cameras\/\d+$/);
    const detail = await (await t.req(at, { as: "viewer" })).text();
    expect(detail).toContain("Side gate");
    expect(detail).not.toContain("hunter3");
    // Edit: direction and fps change, the password is kept when the URL field is left empty.
    const edited = await post(at, { name: "Side gate", url: "", direction: "out", fps: "3", enabled: "on" });
    expect(edited.status).toBe(303);
    const cam = await (await t.req(`/api/v1${at}`, { as: "viewer" })).json();
    expect(cam).toMatchObject({ name: "Side gate", direction: "out", fps: 3, enabled: true });
    expect(cam.url).toBe("rtsp://***@127.0.0.1:9/cam");
    expect(await t.rows(sql`select url from cameras where id = ${cam.id}`)).toEqual([{ url: "rtsp://admin:hunter3@127.0.0.1:9/cam" }]);
    expect((await post(at, { name: "", url: "", direction: "out", fps: "3" })).status).toBe(422);
    // Delete.
    const deleted = await post(`${at}/delete`, {});
    expect(deleted.status).toBe(303);
    expect(deleted.headers.get("location")).toBe("/cameras");
    expect((await t.req(at, { as: "viewer" })).status).toBe(404);
  });

  test("an unreachable camera shows an error status instead of hanging", async () => {
    const port = freePort();
    const cam = await (await t.req("/api/v1/cameras", { as: "admin", method: "POST", ...json({ name: "Nowhere", url: `rtsp://127.0.0.1:${port}/live` }) })).json();
    await eventually(async () => (await (await t.req(`/api/v1/cameras/${cam.id}`, { as: "viewer" })).json()).status.state, "error", 15_000);
    const s = (await (await t.req(`/api/v1/cameras/${cam.id}`, { as: "viewer" })).json()).status;
    expect(s.reason).toContain(`127.0.0.1:${port}`);
    await t.req(`/api/v1/cameras/${cam.id}`, { as: "admin", method: "DELETE" });
  });

  describe("over RTSP", () => {
    let rtsp: RtspServer;
    let camId: number;
    beforeAll(async () => {
      rtsp = await startRtsp({ file: clip, name: "door" });
      const r = await t.req("/api/v1/cameras", { as: "admin", method: "POST", ...json({ name: "Exit", url: rtsp.url, direction: "out", fps: 5 }) });
      camId = (await r.json()).id;
    });
    afterAll(() => rtsp?.stop());

    test("events arrive over SSE (JSON for integrations, HTML for the Live page) and the live view is MJPEG", async () => {
      const key = await t.apiKeyFor("viewer");
      const ac = new AbortController();
      const res = await t.req("/api/v1/events", { headers: { "x-api-key": key }, signal: ac.signal });
      expect(res.headers.get("content-type")).toContain("text/event-stream");
      const feed = await t.req("/live/feed", { as: "viewer", signal: ac.signal });
      const read = async (r: Response, until: (text: string) => boolean, ms: number) => {
        const reader = r.body!.getReader();
        let text = "";
        const stop = Date.now() + ms;
        while (!until(text) && Date.now() < stop) {
          const chunk = await Promise.race([reader.read(), Bun.sleep(stop - Date.now()).then(() => null)]);
          if (!chunk || chunk.done) break;
          text += new TextDecoder().decode(chunk.value);
        }
        reader.releaseLock();
        return text;
      };
      const [api, html] = await Promise.all([read(res, (x) => x.includes("event: attendance.created"), 60_000), read(feed, (x) => x.includes("checked out"), 60_000)]);
      const block = api.split("\n\n").find((b) => b.startsWith("event: attendance.created") || b.includes("\nevent: attendance.created"))!;
      const data = JSON.parse(block.split("\n").find((l) => l.startsWith("data: "))!.slice(6));
      expect(data).toMatchObject({ kind: "check_out", cameraId: camId });
      expect([ids.AN, ids.ED]).toContain(data.personId);
      expect((await t.req(data.evidenceUrl, { as: "viewer" })).headers.get("content-type")).toBe("image/jpeg");
      expect(html).toContain('<li class="feed-item attendance">');
      expect(html).not.toContain("event:"); // data-only messages: htmx swaps them into the feed
      ac.abort();

      const mj = await t.req(`/cameras/${camId}/live.mjpg`, { as: "viewer" });
      expect(mj.headers.get("content-type")).toBe("multipart/x-mixed-replace; boundary=frame");
      const reader = mj.body!.getReader();
      let bytes = new Uint8Array(0);
      while (bytes.length < 20_000) {
        const { value, done } = await reader.read();
        if (done) break;
        bytes = new Uint8Array([...bytes, ...value]);
      }
      await reader.cancel();
      const head = new TextDecoder().decode(bytes.slice(0, 200));
      expect(head).toContain("--frame\r\nContent-Type: image/jpeg");
      const start = bytes.findIndex((b, i) => b === 0xff && bytes[i + 1] === 0xd8);
      expect(start).toBeGreaterThan(0);
    }, 90_000);

    test("the stream comes back within 10 s after the RTSP server is killed and restarted", async () => {
      await eventually(async () => (await (await t.req(`/api/v1/cameras/${camId}`, { as: "viewer" })).json()).status.state, "live", 20_000);
      await rtsp.stop();
      await eventually(async () => (await (await t.req(`/api/v1/cameras/${camId}`, { as: "viewer" })).json()).status.state !== "live", true, 15_000);
      await rtsp.restart();
      const back = Date.now();
      await eventually(async () => (await (await t.req(`/api/v1/cameras/${camId}`, { as: "viewer" })).json()).status.state, "live", 20_000);
      expect(Date.now() - back).toBeLessThan(10_000);
    }, 60_000);

    test("a crashed camera worker is restarted", async () => {
      const runner = t.deps.services.cameras.runner(camId)!;
      await eventually(async () => typeof (runner as unknown as { source: { pid?: number } }).source.pid, "number", 10_000);
      const oldFfmpeg = (runner as unknown as { source: { pid: number } }).source.pid;
      runner.crashWorker();
      await eventually(async () => (await (await t.req(`/api/v1/cameras/${camId}`, { as: "viewer" })).json()).status.workerRestarts, 1, 10_000);
      await eventually(async () => (await (await t.req(`/api/v1/cameras/${camId}`, { as: "viewer" })).json()).status.state, "live", 20_000);
      // The crashed worker's ffmpeg did not outlive it.
      const state = existsSync(`/proc/${oldFfmpeg}/stat`) ? readFileSync(`/proc/${oldFfmpeg}/stat`, "utf8").split(") ")[1]![0] : "gone";
      expect(state).toBe("gone");
    }, 40_000);
  });
});
