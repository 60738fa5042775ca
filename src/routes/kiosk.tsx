import { z } from "zod";
import { KioskPage } from "../../views/pages/kiosk";
import type { AppDeps } from "../app-env";
import { errorSchema } from "../services/schemas";
import { imageField } from "./api-faces";
import type { Api } from "./openapi";
import { actorOf, type Router } from "./router";

export function registerKioskRoutes(r: Router, api: Api, deps: AppDeps) {
  const { sightings } = deps.services;

  // The page itself holds no data; everything it does is authorised by the kiosk's API key.
  r.get("/kiosk", "public", (c) => c.html(<KioskPage />));

  api.op(
    {
      method: "POST",
      path: "/api/v1/kiosk/punch",
      tag: "Kiosk",
      summary: "A kiosk photo (multipart field image): check in or out the one person in it",
      access: "operator",
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
    async (c) => c.json(await sightings.punch(await imageField(c), `kiosk ${actorOf(c).label}`)),
  );
}
