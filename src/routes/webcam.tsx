import { WebcamEnrollPage } from "../../views/pages/webcam";
import type { AppDeps } from "../app-env";
import { idParam } from "../lib/http";
import { imageField } from "./api-faces";
import { actorOf, type Router } from "./router";

export function registerWebcamRoutes(r: Router, deps: AppDeps) {
  const { faces, people } = deps.services;

  // The in-browser detector's weights (MediaPipe BlazeFace), from MODELS_DIR: for the webcam page and kiosks.
  r.get("/models/browser-detector", "kiosk", async (c) => c.body((await faces.browserDetectorModel()) as Uint8Array<ArrayBuffer>, 200, { "Content-Type": "application/octet-stream", "Cache-Control": "private, max-age=86400" }));

  r.get("/people/:id/webcam", "operator", async (c) => {
    const p = await people.get(idParam(c));
    return c.get("render").page(`Enroll ${p.name}`, <WebcamEnrollPage personId={p.id} name={p.name} consent={!!p.consentAt} />, { active: "people" });
  });

  // One captured frame: checked again on the server, with the strict (live camera) liveness bound.
  r.post("/people/:id/faces/webcam", "operator", async (c) => {
    const id = idParam(c);
    await people.get(id);
    return c.json(await faces.enroll(id, await imageField(c), actorOf(c), "webcam"), 201);
  });
}
