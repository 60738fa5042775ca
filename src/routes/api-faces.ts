import type { Context } from "hono";
import { z } from "zod";
import type { AppDeps } from "../app-env";
import { HttpError, idParam } from "../lib/http";
import { EnrollRejected } from "../services/faces";
import { errorSchema } from "../services/schemas";
import { parseQuery, type Api } from "./openapi";
import { actorOf } from "./router";

/** The uploaded image of a multipart request (field `image`), as bytes; clear 4xx otherwise. */
export async function imageField(c: Context, field = "image"): Promise<Uint8Array> {
  const type = c.req.header("content-type") ?? "";
  if (!type.startsWith("multipart/form-data")) throw new HttpError(415, `Send the image as multipart/form-data in the field "${field}"`);
  // A body that cannot be parsed was already answered with 400 by the input-hygiene check, which
  // parsed it first (Hono caches the parsed form).
  const f = (await c.req.parseBody())[field];
  if (!(f instanceof File)) throw new HttpError(422, `Missing file field "${field}"`, { reason: "no_image" });
  if (f.size === 0) throw new HttpError(422, "The image file is empty", { reason: "empty" });
  return new Uint8Array(await f.arrayBuffer());
}

/** Most photos one enrolment request may carry (as on the person page). */
export const MAX_PHOTOS_PER_UPLOAD = 20;

/**
 * Every file of the multipart field (several `image` parts are several photos), with its name; a
 * clear 4xx when there is none, one is empty or not a file, or there are too many.
 */
export async function imageFiles(c: Context, field = "image"): Promise<{ name: string; bytes: Uint8Array }[]> {
  const type = c.req.header("content-type") ?? "";
  if (!type.startsWith("multipart/form-data")) throw new HttpError(415, `Send the image as multipart/form-data in the field "${field}"`);
  const parts = (await c.req.formData()).getAll(field);
  if (parts.length === 0) throw new HttpError(422, `Missing file field "${field}"`, { reason: "no_image" });
  if (parts.length > MAX_PHOTOS_PER_UPLOAD) throw new HttpError(422, `At most ${MAX_PHOTOS_PER_UPLOAD} photos per upload; this one has ${parts.length}`, { reason: "too_many_photos" });
  const out: { name: string; bytes: Uint8Array }[] = [];
  for (const [i, f] of parts.entries()) {
    const label = parts.length > 1 ? `Photo ${i + 1} of the field "${field}"` : `The field "${field}"`;
    if (!(f instanceof File)) throw new HttpError(422, `${label} is text, not a file`, { reason: "no_image" });
    if (f.size === 0) throw new HttpError(422, parts.length > 1 ? `${label} (${f.name}) is empty` : "The image file is empty", { reason: "empty" });
    out.push({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) });
  }
  return out;
}

const qualitySchema = z.object({ faceSize: z.number(), sharpness: z.number(), brightness: z.number(), yaw: z.number(), pitch: z.number(), roll: z.number() });
const faceSchema = z.object({ id: z.number().int(), quality: qualitySchema, source: z.string(), createdAt: z.string(), url: z.string().describe("Aligned 112x112 JPEG crop") });
const rejectedSchema = errorSchema.extend({
  reason: z.string().describe("no_face, several_faces, too_small, blurry, extreme_pose, too_dark, too_bright, spoof, near_duplicate, no_consent, not_an_image, corrupt, …"),
  acceptable: z.boolean().optional().describe("True when the photo was refused only as a photo of a photo: send it again with ?accept=spoof to accept it"),
});
const enrolledSchema = z.object({ id: z.number().int(), quality: qualitySchema, liveness: z.number().nullable() });
const photoOutcomeSchema = z.object({
  file: z.string(),
  enrolled: z.boolean(),
  id: z.number().int().optional(),
  quality: qualitySchema.optional(),
  liveness: z.number().nullable().optional(),
  reason: z.string().optional(),
  acceptable: z.boolean().optional(),
  error: z.string().optional(),
});
const imageBody = z.object({ image: z.string().describe("The photo (JPEG, PNG or WebP), as a file") });
const recognizedSchema = z.object({
  faces: z.array(
    z.object({
      box: z.tuple([z.number(), z.number(), z.number(), z.number()]).describe("[x, y, width, height] in image pixels"),
      landmarks: z.array(z.tuple([z.number(), z.number()])),
      detScore: z.number(),
      liveness: z.number().nullable(),
      quality: qualitySchema,
      decision: z.enum(["match", "unknown", "uncertain"]),
      match: z.object({ personId: z.number().int(), name: z.string(), similarity: z.number() }).nullable(),
    }),
  ),
  facesFound: z.number().int().describe("Faces found in the photo; more than `faces` holds when `truncated`"),
  truncated: z.boolean().describe("True when the photo had more faces than RECOGNIZE_MAX_FACES: `faces` then holds that many, the ones with the best detector scores"),
  timingsMs: z.record(z.string(), z.number()),
});
const imageErrors = {
  413: { description: "Image over the pixel or size limit", schema: rejectedSchema },
  415: { description: "Not an image, or not JPEG/PNG/WebP", schema: rejectedSchema },
  503: { description: "The engine is busy (retry) or disabled", schema: errorSchema },
};

export function registerFaceApi(api: Api, deps: AppDeps) {
  const { faces, people } = deps.services;

  api.op(
    { method: "GET", path: "/api/v1/people/:id/faces", tag: "Faces", summary: "Enrolled faces of a person", access: "viewer", responses: { 200: { description: "Faces", schema: z.object({ items: z.array(faceSchema) }) }, 404: { description: "No such person", schema: errorSchema } } },
    async (c) => {
      const id = idParam(c);
      await people.get(id);
      const rows = await faces.listFaces(id);
      return c.json({ items: rows.map((f) => ({ id: f.id, quality: f.quality, source: f.source, createdAt: f.createdAt.toISOString(), url: `/people/${id}/faces/${f.id}.jpg` })) });
    },
  );

  api.op(
    {
      method: "POST",
      path: "/api/v1/people/:id/faces",
      tag: "Faces",
      summary: `Enroll photos (multipart field image, up to ${MAX_PHOTOS_PER_UPLOAD} parts, each enrolled or refused on its own); needs recorded consent. With accept=spoof, a photo refused only as a photo of a photo is enrolled (recorded in the audit log as accept_spoof)`,
      access: "operator",
      query: z.object({ accept: z.enum(["spoof"]).optional().describe("spoof: accept a photo the liveness check takes for a photo of a photo (when every other check passes)") }),
      body: imageBody,
      bodyContentType: "multipart/form-data",
      responses: {
        201: { description: "Enrolled: the face for one image part; `items` (one per part, in order) for several", schema: z.union([enrolledSchema, z.object({ items: z.array(photoOutcomeSchema) })]) },
        404: { description: "No such person", schema: errorSchema },
        409: { description: "The person was deleted while the photo was being enrolled", schema: errorSchema },
        422: { description: "Refused, with the reason; for several parts, `error` names each refused photo and `items` says what happened to every part (the others were enrolled)", schema: rejectedSchema.extend({ items: z.array(photoOutcomeSchema).optional() }) },
        ...imageErrors,
      },
    },
    async (c) => {
      const id = idParam(c);
      await people.get(id);
      const { accept } = parseQuery(c, z.object({ accept: z.enum(["spoof"], "accept takes only the value spoof").optional() }));
      const photos = await imageFiles(c);
      const enroll = (bytes: Uint8Array) => faces.enroll(id, bytes, actorOf(c), "upload", { acceptSpoof: accept === "spoof" });
      if (photos.length === 1) return c.json(await enroll(photos[0]!.bytes), 201);
      const items: z.infer<typeof photoOutcomeSchema>[] = [];
      for (const p of photos) {
        try {
          items.push({ file: p.name, enrolled: true, ...(await enroll(p.bytes)) });
        } catch (e) {
          // A refused photo (4xx) is reported with the others; anything else (engine busy, 5xx) ends the request.
          if (!(e instanceof HttpError) || e.status >= 500 || e.status === 404 || e.status === 409) throw e;
          items.push({ file: p.name, enrolled: false, reason: String(e.details?.reason ?? "refused"), ...(e instanceof EnrollRejected && e.acceptable ? { acceptable: true } : {}), error: e.message });
        }
      }
      const refused = items.map((it, i) => ({ ...it, n: i + 1 })).filter((it) => !it.enrolled);
      if (refused.length === 0) return c.json({ items }, 201);
      const named = refused.map((it) => `photo ${it.n} (${it.file}): ${it.error}`).join("; ");
      const enrolled = items.length - refused.length;
      return c.json({ error: `${refused.length} of ${items.length} photos not enrolled — ${named}. ${enrolled === 0 ? "None was enrolled." : `The other ${enrolled === 1 ? "one was" : `${enrolled} were`} enrolled.`}`, reason: refused[0]!.reason, items }, 422);
    },
  );

  api.op(
    { method: "DELETE", path: "/api/v1/people/:id/faces/:faceId", tag: "Faces", summary: "Delete an enrolled face (crop and embeddings)", access: "operator", responses: { 204: { description: "Deleted" }, 404: { description: "No such face", schema: errorSchema } } },
    async (c) => {
      await faces.deleteFace(idParam(c), idParam(c, "faceId"), actorOf(c));
      return c.body(null, 204);
    },
  );

  api.op(
    {
      method: "POST",
      path: "/api/v1/people/:id/negatives",
      tag: "Faces",
      summary: "Not this person: the face in this image must never match this person",
      access: "operator",
      body: imageBody,
      bodyContentType: "multipart/form-data",
      responses: { 201: { description: "Stored", schema: z.object({ id: z.number().int() }) }, 404: { description: "No such person", schema: errorSchema }, 409: { description: "The person was deleted meanwhile", schema: errorSchema }, ...imageErrors },
    },
    async (c) => {
      const id = idParam(c);
      await people.get(id);
      return c.json(await faces.markNotPerson(id, await imageField(c), actorOf(c)), 201);
    },
  );

  api.op(
    {
      method: "POST",
      path: "/api/v1/recognize",
      tag: "Faces",
      summary:
        "Find and identify every face in a photo (multipart field image), up to RECOGNIZE_MAX_FACES (500 by default; beyond it `truncated` is true and `facesFound` says how many there were). A photo the detector would shrink to half its size or less (longer side over 1280 pixels) is also searched in overlapping tiles at up to 4x that resolution, so faces down to about 12 pixels at the tiles' scale are found in group photos",
      access: "viewer",
      body: imageBody,
      bodyContentType: "multipart/form-data",
      responses: { 200: { description: "Faces with decisions", schema: recognizedSchema }, 422: { description: "Unreadable image", schema: rejectedSchema }, ...imageErrors },
    },
    async (c) => {
      const maxFaces = deps.config.RECOGNIZE_MAX_FACES;
      const r = await faces.recognize(await imageField(c), { maxFaces, tile: true });
      return c.json({ faces: r.faces.map(({ best: _b, ...f }) => f), facesFound: r.facesFound, truncated: r.facesFound > r.faces.length, timingsMs: r.timingsMs });
    },
  );
}
