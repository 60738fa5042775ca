import type { Context } from "hono";
import { z } from "zod";
import { ModelLicences, RecognitionPanel, SwitchJob, type RecognitionView, type SwitchJobView } from "../../views/pages/recognition";
import type { AppDeps, AppEnv } from "../app-env";
import { HttpError, fieldErrors, formFields, parseJson } from "../lib/http";
import { loadManifest } from "../models/manifest";
import { errorSchema } from "../services/schemas";
import type { Api } from "./openapi";
import { actorOf, isAdmin, type Router } from "./router";

export const thresholdsSchema = z
  .object({
    match: z.coerce.number("Enter a number").min(0, "At least 0").max(1, "At most 1"),
    unknown: z.coerce.number("Enter a number").min(0, "At least 0").max(1, "At most 1"),
    margin: z.coerce.number("Enter a number").min(0, "At least 0").max(0.5, "At most 0.5"),
  })
  .refine((t) => t.unknown <= t.match, { path: ["unknown"], message: "The unknown threshold must not exceed the match threshold" });

type SwitchResult = { recognizer: string; embedded: number; skipped: number };

/** Recognition settings: the active recogniser, switching with re-embedding, thresholds, model licences. */
export function registerRecognitionRoutes(r: Router, api: Api, deps: AppDeps) {
  const { faces, jobs } = deps.services;

  const view = async (isAdmin: boolean, extra: Partial<RecognitionView> = {}): Promise<RecognitionView> => {
    const st = faces.status();
    const loaded = faces.engineRecognizers();
    return {
      ready: st.ready,
      reason: st.reason,
      recognizer: st.recognizer,
      recognizers: faces.recognizers.map((m) => ({ id: m.id, dim: m.output.dim, available: loaded.includes(m.id) })),
      thresholds: faces.thresholds,
      calibrated: faces.thresholdsCalibrated,
      gallery: st.gallery,
      people: st.people,
      strangerAcceptRate: faces.strangerAcceptRate,
      switchingTo: st.switchingTo,
      models: loadManifest().models.map((m) => ({ id: m.id, role: m.role, file: m.file, licence: m.licence, licenceNote: m.licenceNote, inUse: m.id === st.recognizer || (m.role !== "recognizer" && m.role !== "browser_detector" && loaded.length > 0) })),
      isAdmin,
      ...extra,
    };
  };

  /** The settings page's recognition section (also used by the main settings route). */
  const sections = async (c: Context<AppEnv>, extra: Partial<RecognitionView> = {}) => {
    const v = await view(isAdmin(c), extra);
    return (
      <>
        <RecognitionPanel {...v} />
        <ModelLicences models={v.models} />
      </>
    );
  };

  r.post("/settings/recognition/thresholds", "admin", async (c) => {
    const f = await formFields(c);
    const render = async (extra: Partial<RecognitionView>, status = 200) => {
      const panel = <RecognitionPanel {...await view(true, extra)} />;
      return c.req.header("hx-request") ? c.html(panel, status as 200) : c.get("render").page("Settings", panel, { active: "settings", status });
    };
    if (f.reset) {
      await faces.resetThresholds(actorOf(c));
      return render({ flash: "Thresholds are back to the calibrated values." });
    }
    const parsed = thresholdsSchema.safeParse(f);
    if (!parsed.success) return render({ values: f, errors: fieldErrors(parsed.error), flash: "The thresholds were not saved.", flashBad: true }, 422);
    await faces.setThresholds(parsed.data, actorOf(c));
    return render({ flash: "Thresholds saved; they apply to the next face recognised." });
  });

  const jobView = (id: string, ownerId: string): SwitchJobView => {
    const job = jobs.get<SwitchResult>(id, ownerId);
    if (!job) throw new HttpError(404, "This job is unknown or too old");
    return { id: job.id, done: job.done, total: job.total, finished: job.finished, error: job.error, result: job.result };
  };

  r.post("/settings/recognition/switch", "admin", async (c) => {
    const f = await formFields(c);
    const target = faces.recognizers.find((m) => m.id === f.recognizer);
    if (!target) return c.get("render").page("Settings", await sections(c, { flash: "Choose one of the listed recognisers.", flashBad: true }), { active: "settings", status: 422 });
    try {
      faces.checkSwitch(target.id);
    } catch (e) {
      if (e instanceof HttpError) return c.get("render").page("Settings", await sections(c, { flash: e.message, flashBad: true }), { active: "settings", status: e.status });
      throw e;
    }
    const actor = actorOf(c);
    const job = jobs.start<SwitchResult>("recognizer-switch", c.get("user")!.id, (progress) => faces.switchRecognizer(target.id, actor, progress), (e) => (e instanceof HttpError ? e.message : null));
    return c.get("render").page("Switching the recogniser", <SwitchJob job={jobView(job.id, c.get("user")!.id)} />, { active: "settings", status: 202 });
  });

  r.get("/settings/recognition/switch/:job", "admin", async (c) => {
    return c.get("render").page("Switching the recogniser", <SwitchJob job={jobView(c.req.param("job") ?? "", c.get("user")!.id)} />, { active: "settings" });
  });

  const settingsSchema = z.object({
    recognizer: z.string(),
    switchingTo: z.string().nullable(),
    thresholds: z.object({ match: z.number(), unknown: z.number(), margin: z.number() }),
    calibrated: z.boolean().describe("true: the manifest's calibrated thresholds, the match threshold set for the number of people enrolled; false: an override set in Settings"),
    people: z.number().int().describe("People with at least one enrolled face"),
    recognizers: z.array(z.object({ id: z.string(), dim: z.number().int(), available: z.boolean() })),
  });
  const settingsJson = async () => {
    const v = await view(false);
    return { recognizer: v.recognizer, switchingTo: v.switchingTo, thresholds: v.thresholds, calibrated: v.calibrated, people: v.people, recognizers: v.recognizers };
  };

  api.op({ method: "GET", path: "/api/v1/recognition", tag: "Faces", summary: "Active recogniser and decision thresholds", access: "viewer", responses: { 200: { description: "Recognition settings", schema: settingsSchema } } }, async (c) =>
    c.json(await settingsJson()),
  );

  api.op(
    {
      method: "PATCH",
      path: "/api/v1/recognition",
      tag: "Faces",
      summary: "Override the decision thresholds of the active recogniser (null: back to the calibrated values)",
      access: "admin",
      body: z.object({ thresholds: thresholdsSchema.nullable() }),
      responses: { 200: { description: "Recognition settings", schema: settingsSchema }, 422: { description: "Invalid thresholds", schema: errorSchema } },
    },
    async (c) => {
      const body = await parseJson(c, z.object({ thresholds: thresholdsSchema.nullable() }));
      if (body.thresholds) await faces.setThresholds(body.thresholds, actorOf(c));
      else await faces.resetThresholds(actorOf(c));
      return c.json(await settingsJson());
    },
  );

  return { sections };
}
