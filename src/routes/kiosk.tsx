import type { Context } from "hono";
import { z } from "zod";
import { KioskPage } from "../../views/pages/kiosk";
import { KiosksPage, type PairingView } from "../../views/pages/kiosks";
import type { AppDeps, AppEnv } from "../app-env";
import { fieldErrors, formFields, HttpError, idParam, parseJson } from "../lib/http";
import type { Pairing } from "../services/kiosks";
import { errorSchema } from "../services/schemas";
import { imageField } from "./api-faces";
import type { Api } from "./openapi";
import { actorOf, redirectAfterPost, type Router } from "./router";

const kioskFields = z.object({
  name: z.string().trim().min(1, "Name the kiosk after where it stands").max(100, "At most 100 characters"),
  location: z.string().trim().max(200, "At most 200 characters").default(""),
});
const deviceSchema = z.object({ id: z.number().int(), name: z.string(), location: z.string() });

export function registerKioskRoutes(r: Router, api: Api, deps: AppDeps) {
  const { sightings, kiosks } = deps.services;

  // The page itself holds no data; everything it does is authorised by the kiosk's own credential.
  r.get("/kiosk", "public", (c) => c.html(<KioskPage />));

  const kiosksPage = async (c: Context<AppEnv>, extra: { pairing?: Pairing; values?: Record<string, string>; errors?: Record<string, string>; flash?: string; status?: number } = {}) => {
    const { pairing, ...rest } = extra;
    const view: PairingView | undefined = pairing && { name: pairing.kiosk.name, link: pairing.link, qrSvg: pairing.qrSvg, expiresAt: pairing.expiresAt };
    // A pairing link is shown once: never cached.
    if (pairing) c.header("Cache-Control", "no-store");
    return c.get("render").page("Kiosks", <KiosksPage kiosks={await kiosks.list()} pairing={view} tz={deps.config.TZ} now={new Date()} {...rest} />, { active: "settings", status: extra.status });
  };

  r.get("/kiosks", "admin", (c) => kiosksPage(c, { flash: c.req.query("done") === "revoked" ? "Kiosk revoked; it is back on its pairing screen." : undefined }));

  r.post("/kiosks", "admin", async (c) => {
    const f = await formFields(c);
    const parsed = kioskFields.safeParse(f);
    if (!parsed.success) return kiosksPage(c, { values: f, errors: fieldErrors(parsed.error), status: 422 });
    try {
      return kiosksPage(c, { pairing: await kiosks.create(parsed.data, actorOf(c)), status: 201 });
    } catch (e) {
      if (e instanceof HttpError && e.status === 422) return kiosksPage(c, { values: f, errors: { name: "There is already a kiosk with this name" }, status: 422 });
      throw e;
    }
  });

  r.post("/kiosks/:id/pairing", "admin", async (c) => kiosksPage(c, { pairing: await kiosks.newPairing(idParam(c), actorOf(c)) }));

  r.post("/kiosks/:id/revoke", "admin", async (c) => {
    await kiosks.revoke(idParam(c), actorOf(c));
    return redirectAfterPost(c, "/kiosks?done=revoked");
  });

  api.op(
    {
      method: "POST",
      path: "/api/v1/kiosk/pair",
      tag: "Kiosk",
      summary: "Pair a kiosk with the one-time code of its pairing link: answers the kiosk's credential (send it as x-kiosk-token). A code works once, until it expires",
      access: "public",
      body: z.object({ code: z.string().min(1).max(200).describe("The code after #pair= in the pairing link") }),
      responses: {
        200: { description: "Paired", schema: z.object({ token: z.string(), kiosk: deviceSchema }) },
        410: { description: "The code was already used, expired, or its kiosk was revoked", schema: errorSchema },
      },
    },
    async (c) => {
      const { code } = await parseJson(c, z.object({ code: z.string().min(1).max(200) }));
      return c.json(await kiosks.pair(code, c.get("requestId")));
    },
  );

  api.op(
    {
      method: "GET",
      path: "/api/v1/kiosk/config",
      tag: "Kiosk",
      summary: "The calling kiosk's own settings (name and location); answers 401 once its credential is revoked",
      access: "kiosk",
      responses: { 200: { description: "This kiosk", schema: deviceSchema }, 404: { description: "Not called with a kiosk's credential", schema: errorSchema } },
    },
    (c) => {
      const kiosk = c.get("kiosk");
      if (!kiosk) throw new HttpError(404, "Only a paired kiosk has kiosk settings; send its x-kiosk-token");
      return c.json(kiosk);
    },
  );

  api.op(
    {
      method: "POST",
      path: "/api/v1/kiosk/punch",
      tag: "Kiosk",
      summary: "A kiosk photo (multipart field image): check in or out the one person in it",
      access: "kiosk",
      body: z.object({ image: z.string().describe("JPEG from the kiosk camera") }),
      bodyContentType: "multipart/form-data",
      responses: {
        200: {
          description: "result: checked_in, checked_out, already (with lastKind, lastTs), not_recognised, spoof, no_face or several_faces (with a message)",
          schema: z.object({ result: z.string(), name: z.string().optional(), personId: z.number().int().optional(), ts: z.string().optional(), message: z.string().optional() }),
        },
        409: { description: "The person recognised was deleted meanwhile; nothing was recorded", schema: errorSchema },
        422: { description: "Unreadable image", schema: errorSchema },
        503: { description: "Engine busy or off, or media storage unreachable (the evidence photo cannot be stored)", schema: errorSchema },
      },
    },
    async (c) => {
      const actor = actorOf(c);
      // A paired device is named as itself; an operator's key or session as "kiosk <who>".
      return c.json(await sightings.punch(await imageField(c), c.get("kiosk") ? actor.label : `kiosk ${actor.label}`));
    },
  );
}
