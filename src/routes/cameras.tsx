import type { Context } from "hono";
import { stream } from "hono/streaming";
import { z } from "zod";
import { CameraDetail, CamerasPage, LivePage, TestResult, type CameraFormValues } from "../../views/pages/cameras";
import type { AppDeps, AppEnv } from "../app-env";
import { HttpError, fieldErrors, formFields, idParam, parseJson } from "../lib/http";
import { cameraInputSchema, cameraPatchSchema, type CameraView } from "../services/cameras";
import { errorSchema } from "../services/schemas";
import type { Api } from "./openapi";
import { actorOf, isAdmin, redirectAfterPost, type Router } from "./router";

/**
 * Cameras are configured, changed, deleted and tested by admins only: a camera URL makes the server
 * connect somewhere on the caller's behalf (see SECURITY.md, "Cameras and server-side requests").
 */

function formValues(f: Record<string, string>): CameraFormValues {
  return { name: f.name, url: f.url, direction: f.direction, fps: f.fps, enabled: f.enabled === "1" || f.enabled === "on", liveness: f.liveness === "1" || f.liveness === "on" };
}

function cameraJson(c: CameraView) {
  return { id: c.id, name: c.name, url: c.url, direction: c.direction, fps: c.fps, enabled: c.enabled, liveness: c.liveness, status: c.status, createdAt: c.createdAt.toISOString(), updatedAt: c.updatedAt.toISOString() };
}

export function registerCameraRoutes(r: Router, api: Api, deps: AppDeps) {
  const { cameras } = deps.services;
  const { config } = deps;
  const allowFiles = config.CLOCKFACE_ALLOW_FILE_SOURCES;

  const listPage = async (c: Context<AppEnv>, form?: { values: CameraFormValues; errors?: Record<string, string> }, status = 200) =>
    c.get("render").page("Cameras", <CamerasPage cameras={await cameras.list()} canEdit={isAdmin(c)} form={form} allowFiles={allowFiles} />, { active: "cameras", status });

  r.get("/cameras", "viewer", (c) => listPage(c));

  r.post("/cameras", "admin", async (c) => {
    const f = await formFields(c);
    const values = formValues(f);
    const parsed = cameraInputSchema.safeParse({ ...values, fps: f.fps || undefined, direction: f.direction || undefined });
    if (!parsed.success) return listPage(c, { values, errors: fieldErrors(parsed.error) }, 422);
    try {
      const cam = await cameras.create(parsed.data, actorOf(c));
      return redirectAfterPost(c, `/cameras/${cam.id}`);
    } catch (e) {
      if (e instanceof HttpError && e.status === 422) return listPage(c, { values, errors: (e.details?.fields as Record<string, string>) ?? { _: e.message } }, 422);
      throw e;
    }
  });

  // "Test connection" from the add/edit form: grabs one frame from the typed URL (or the saved camera's).
  r.post("/cameras/test", "admin", async (c) => {
    const f = await formFields(c);
    const savedId = /^\/cameras\/(\d+)$/.exec(new URL(c.req.header("referer") ?? "http://x/").pathname)?.[1];
    const target = f.url?.trim() ? { url: f.url.trim() } : savedId ? { id: Number(savedId) } : null;
    if (!target) return c.get("render").page("Test connection", <TestResult ok={false} message="Enter a source URL to test." />, { active: "cameras", status: 422 });
    try {
      const jpeg = await cameras.testConnection(target);
      return c.get("render").page("Test connection", <TestResult ok message={`Connected: got a frame (${Math.round(jpeg.byteLength / 1024)} KiB).`} image={`data:image/jpeg;base64,${Buffer.from(jpeg).toString("base64")}`} />, { active: "cameras" });
    } catch (e) {
      if (e instanceof HttpError && e.status < 500) return c.get("render").page("Test connection", <TestResult ok={false} message={e.message} />, { active: "cameras", status: e.status });
      throw e;
    }
  });

  const detailPage = async (c: Context<AppEnv>, id: number, form?: { values: CameraFormValues; errors?: Record<string, string> }, status = 200) =>
    c.get("render").page((await cameras.get(id)).name, <CameraDetail camera={await cameras.get(id)} canEdit={isAdmin(c)} tz={config.TZ} form={form} allowFiles={allowFiles} />, { active: "cameras", status });

  r.get("/cameras/:id", "viewer", (c) => detailPage(c, idParam(c)));

  r.post("/cameras/:id", "admin", async (c) => {
    const id = idParam(c);
    await cameras.get(id);
    const f = await formFields(c);
    const values = formValues(f);
    const parsed = cameraPatchSchema.safeParse({ ...values, url: f.url?.trim() ? f.url : undefined, fps: f.fps || undefined, direction: f.direction || undefined });
    if (!parsed.success) return detailPage(c, id, { values, errors: fieldErrors(parsed.error) }, 422);
    try {
      await cameras.update(id, parsed.data, actorOf(c));
      return redirectAfterPost(c, `/cameras/${id}`);
    } catch (e) {
      if (e instanceof HttpError && e.status === 422) return detailPage(c, id, { values, errors: (e.details?.fields as Record<string, string>) ?? { _: e.message } }, 422);
      throw e;
    }
  });

  r.post("/cameras/:id/delete", "admin", async (c) => {
    await cameras.delete(idParam(c), actorOf(c));
    return redirectAfterPost(c, "/cameras");
  });

  // Annotated live view: MJPEG (multipart/x-mixed-replace) at LIVE_FPS at most; the last frame is
  // repeated every few seconds so proxies keep the stream open.
  r.get("/cameras/:id/live.mjpg", "viewer", async (c) => {
    const id = idParam(c);
    await cameras.get(id);
    const runner = cameras.runner(id);
    if (!runner) throw new HttpError(409, "This camera is not running");
    c.header("Content-Type", "multipart/x-mixed-replace; boundary=frame");
    c.header("Cache-Control", "no-store");
    return stream(c, async (s) => {
      runner.viewers++;
      let abort = false;
      s.onAbort(() => {
        abort = true;
      });
      try {
        let last = 0;
        while (!abort && !s.aborted) {
          const f = await runner.liveFrame(last, 5000);
          if (abort || s.aborted) break;
          if (!f) continue;
          last = f.at;
          await s.write(`--frame\r\nContent-Type: image/jpeg\r\nContent-Length: ${f.jpeg.byteLength}\r\n\r\n`);
          await s.write(f.jpeg);
          await s.write("\r\n");
        }
      } finally {
        runner.viewers--;
      }
    });
  });

  // Evidence photos and unknown-face crops ({evidence,unknown}/<day>/<uuid>.jpg in DATA_DIR/media or
  // the S3 bucket), served through the app.
  r.get("/media/:folder/:day/:file", "viewer", async (c) => {
    const { folder, day, file } = c.req.param();
    if (!/^(evidence|unknown)$/.test(folder) || !/^\d{4}-\d{2}-\d{2}$/.test(day) || !/^[0-9a-f-]{36}\.jpg$/.test(file)) throw new HttpError(404, "Not found");
    const photo = await deps.services.media.get(`${folder}/${day}/${file}`);
    if (!photo) throw new HttpError(404, "This photo was removed (retention) or never existed");
    return c.body(photo as Uint8Array<ArrayBuffer>, 200, { "Content-Type": "image/jpeg", "Cache-Control": "private, max-age=86400" });
  });

  r.get("/live", "viewer", async (c) => c.get("render").page("Live", <LivePage cameras={(await cameras.list()).filter((x) => x.enabled)} tz={config.TZ} />, { active: "live" }));

  // ---------------------------------------------------------------- JSON API
  const cameraSchema = z.object({
    id: z.number().int(),
    name: z.string(),
    url: z.string().describe("With the password masked"),
    direction: z.enum(["in", "out", "both"]),
    fps: z.number(),
    enabled: z.boolean(),
    liveness: z.boolean(),
    status: z.record(z.string(), z.unknown()).describe("state (connecting/live/error/stopped/disabled), reason, fpsIn, fpsOut, dropped, skippedStill (frames not analysed because nothing moved), latencyMs …"),
    createdAt: z.string(),
    updatedAt: z.string(),
  });
  const notFound = { description: "No such camera", schema: errorSchema };

  api.op({ method: "GET", path: "/api/v1/cameras", tag: "Cameras", summary: "Cameras with their live status", access: "viewer", responses: { 200: { description: "Cameras", schema: z.object({ items: z.array(cameraSchema) }) } } }, async (c) =>
    c.json({ items: (await cameras.list()).map(cameraJson) }),
  );
  api.op(
    { method: "POST", path: "/api/v1/cameras", tag: "Cameras", summary: "Add a camera (rtsp://, http(s):// MJPEG or snapshot, file:// when allowed)", access: "admin", body: cameraInputSchema, responses: { 201: { description: "Created", schema: cameraSchema }, 422: { description: "Invalid", schema: errorSchema } } },
    async (c) => c.json(cameraJson(await cameras.create(await parseJson(c, cameraInputSchema), actorOf(c))), 201),
  );
  api.op({ method: "GET", path: "/api/v1/cameras/:id", tag: "Cameras", summary: "One camera", access: "viewer", responses: { 200: { description: "Camera", schema: cameraSchema }, 404: notFound } }, async (c) =>
    c.json(cameraJson(await cameras.get(idParam(c)))),
  );
  api.op(
    { method: "PATCH", path: "/api/v1/cameras/:id", tag: "Cameras", summary: "Change a camera (only the fields sent); the pipeline restarts", access: "admin", body: cameraPatchSchema, responses: { 200: { description: "Camera", schema: cameraSchema }, 404: notFound, 422: { description: "Invalid", schema: errorSchema } } },
    async (c) => {
      const id = idParam(c);
      return c.json(cameraJson(await cameras.update(id, await parseJson(c, cameraPatchSchema), actorOf(c))));
    },
  );
  api.op({ method: "DELETE", path: "/api/v1/cameras/:id", tag: "Cameras", summary: "Delete a camera", access: "admin", responses: { 204: { description: "Deleted" }, 404: notFound } }, async (c) => {
    await cameras.delete(idParam(c), actorOf(c));
    return c.body(null, 204);
  });
  api.op(
    { method: "POST", path: "/api/v1/cameras/:id/test", tag: "Cameras", summary: "Grab one frame now (JPEG), or the exact error", access: "admin", responses: { 200: { description: "image/jpeg" }, 404: notFound, 422: { description: "No frame, with the reason", schema: errorSchema } } },
    async (c) => {
      const jpeg = await cameras.testConnection({ id: idParam(c) });
      return c.body(jpeg as Uint8Array<ArrayBuffer>, 200, { "Content-Type": "image/jpeg" });
    },
  );
}
