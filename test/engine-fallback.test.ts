// Without the dynamic-size YuNet (missing or corrupt), detection falls back to the default pack's
// fixed 640x640 detector: slower on small photos, but recognition keeps working.
import { setDefaultTimeout } from "bun:test";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeApp, type TestApp } from "./helpers";

// Tests here start real processes, engines or browsers (Bun applies a default per file only).
setDefaultTimeout(60_000);

const SHARED = join(import.meta.dir, "../../shared");
const MODELS = join(SHARED, "models");
let t: TestApp;
let dir: string;
beforeAll(async () => {
  // Every shared model but yunet_n_dynamic, linked into a folder of its own.
  dir = mkdtempSync(join(tmpdir(), "clockface-models-"));
  for (const sub of readdirSync(MODELS, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    mkdirSync(join(dir, sub.name));
    for (const f of readdirSync(join(MODELS, sub.name)).filter((f) => f !== "yunet_n_dynamic.onnx")) symlinkSync(join(MODELS, sub.name, f), join(dir, sub.name, f));
  }
  t = await makeApp("pglite", { MODELS_DIR: dir, MODELS_DOWNLOAD: "0" }, { engine: true });
});
afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

test("recognition works on the fixed-size detector when the dynamic one is missing", async () => {
  expect(t.deps.services.faces.status()).toMatchObject({ ready: true, reason: undefined });
  const fd = new FormData();
  fd.set("image", Bun.file(join(SHARED, "faces/group/multiface.jpg")), "group.jpg");
  const res = await t.req("/api/v1/recognize", { as: "viewer", method: "POST", body: fd });
  expect(res.status).toBe(200);
  expect((await res.json()).faces.length).toBeGreaterThan(1);
  const small = new FormData();
  small.set("image", Bun.file(join(SHARED, "faces/facescrub/cropped/Aaron_Eckhart_4_crop.jpg")), "a.jpg");
  expect((await (await t.req("/api/v1/recognize", { as: "viewer", method: "POST", body: small })).json()).faces.length).toBe(1);
});
