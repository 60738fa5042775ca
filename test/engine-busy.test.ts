// The engine's queue is bounded: when it is full, callers get a fast 503 "busy", never unbounded
// latency, and the pool is healthy afterwards.
import { setDefaultTimeout } from "bun:test";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { makeApp, type TestApp } from "./helpers";

// Tests here start real processes, engines or browsers (Bun applies a default per file only).
setDefaultTimeout(60_000);

const PHOTO = join(import.meta.dir, "../../shared/faces/group/multiface.jpg");
let t: TestApp;
beforeAll(async () => {
  t = await makeApp("pglite", { ENGINE_QUEUE: "1" }, { engine: true });
  await t.cookieFor("viewer"); // signed in once, before the burst
});
afterAll(() => t.close());

test("a full queue answers 503 at once; nothing is lost for the requests that were taken", async () => {
  const send = async () => {
    const fd = new FormData();
    fd.set("image", Bun.file(PHOTO), "group.jpg");
    const t0 = performance.now();
    const r = await t.req("/api/v1/recognize", { as: "viewer", method: "POST", body: fd });
    return { status: r.status, body: await r.json(), ms: performance.now() - t0 };
  };
  const results = await Promise.all(Array.from({ length: 8 }, send));
  const busy = results.filter((r) => r.status === 503);
  const ok = results.filter((r) => r.status === 200);
  // One worker and one queue slot: two are taken, the rest are refused.
  expect(ok.length).toBe(2);
  expect(busy.length).toBe(6);
  for (const b of busy) expect(b.body.error).toContain("busy");
  for (const o of ok) expect(o.body.faces.length).toBeGreaterThan(1);
  const stats = t.deps.services.faces.engineStats()!;
  expect(stats.rejectedBusy).toBe(6);
  expect(stats.queued).toBe(0);
  expect((await send()).status).toBe(200);
});
