// What the log says about cameras and requests, through the real app: a snapshot camera on a local
// server that answers 503 twice, then 404, then pictures. The supervisor retries each time; the log
// gets one line for the repeated 503s, one for the new reason and one for the recovery.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import sharp from "sharp";
import { createLogger } from "../src/lib/log";
import { dbKinds, json, makeApp, type TestApp } from "./helpers";
import { eventually } from "./support/eventually";

setDefaultTimeout(60_000);

let jpeg: Uint8Array<ArrayBuffer>;
beforeAll(async () => {
  jpeg = new Uint8Array(await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 0, g: 0, b: 160 } } }).jpeg().toBuffer());
});

for (const kind of dbKinds()) {
  describe(`camera and request logs on ${kind}`, () => {
    let t: TestApp;
    const lines: Record<string, unknown>[] = [];
    let served = 0;
    const camera = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch() {
        served++;
        if (served <= 2) return new Response("busy", { status: 503 });
        if (served === 3) return new Response("gone", { status: 404 });
        return new Response(jpeg, { headers: { "content-type": "image/jpeg" } });
      },
    });
    beforeAll(async () => {
      t = await makeApp(kind, {}, { log: createLogger("debug", {}, { format: "json", sink: (line) => lines.push(JSON.parse(line)) }) });
    });
    afterAll(async () => {
      await t?.close();
      camera.stop(true);
    });

    test("a failing camera logs once per change of state or reason, with the failed attempts; requests log at debug", async () => {
      const res = await t.req("/api/v1/cameras", { as: "admin", method: "POST", ...json({ name: "Back door", url: `http://127.0.0.1:${camera.port}/snap.jpg`, fps: 2 }) });
      expect(res.status).toBe(201);
      const cam = await res.json();
      await eventually(async () => (await (await t.req(`/api/v1/cameras/${cam.id}`, { as: "viewer" })).json()).status.state, "live", 30_000);
      expect(served).toBeGreaterThanOrEqual(4);

      const about = lines.filter((l) => l.camera === cam.id);
      expect(about).toEqual([
        { time: expect.any(String), level: "warn", msg: "camera cannot connect", camera: cam.id, name: "Back door", reason: expect.stringContaining("503"), failedAttempts: 1 },
        { time: expect.any(String), level: "warn", msg: "camera still cannot connect, for another reason", camera: cam.id, name: "Back door", reason: expect.stringContaining("404"), failedAttempts: 3 },
        { time: expect.any(String), level: "info", msg: "camera connected again", camera: cam.id, name: "Back door", failedAttempts: 3, downForS: expect.any(Number) },
      ]);
      expect(String(about[0]!.reason)).toContain(`127.0.0.1:${camera.port}`);

      const requests = lines.filter((l) => l.msg === "request");
      expect(requests).toContainEqual(expect.objectContaining({ level: "debug", method: "POST", path: "/api/v1/cameras", status: 201 }));
      expect(requests.every((l) => l.level === "debug")).toBe(true);
      await t.req(`/api/v1/cameras/${cam.id}`, { as: "admin", method: "DELETE" });
    });
  });
}
