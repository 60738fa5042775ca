import type { Context } from "hono";
import type { z } from "zod";

/** An error with an HTTP status and a message that is safe to show to the client. */
export class HttpError extends Error {
  constructor(
    public readonly status: 400 | 401 | 403 | 404 | 409 | 410 | 413 | 415 | 422 | 429 | 503,
    message: string,
    public readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export type FieldErrors = Record<string, string>;

/** zod issues → one message per field (first wins). */
export function fieldErrors(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join(".") || "_";
    out[key] ??= issue.message;
  }
  return out;
}

/** Parses a JSON body; malformed JSON is a 400, a non-object a 422. */
export async function readJson(c: Context): Promise<Record<string, unknown>> {
  const type = c.req.header("content-type") ?? "";
  if (!type.includes("application/json")) throw new HttpError(415, "Send the body as application/json");
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new HttpError(400, "Malformed JSON body");
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) throw new HttpError(422, "The JSON body must be an object");
  return body as Record<string, unknown>;
}

/** Parses a JSON body against a schema: 422 with field errors when it does not fit. */
export async function parseJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const body = await readJson(c);
  const r = schema.safeParse(body);
  if (!r.success) throw new HttpError(422, "Validation failed", { fields: fieldErrors(r.error) });
  return r.data;
}

/** Positive integer route parameter or 404. */
export function idParam(c: Context, name = "id"): number {
  const raw = c.req.param(name) ?? "";
  if (!/^\d{1,9}$/.test(raw)) throw new HttpError(404, "Not found");
  return Number(raw);
}

/** Flat form fields (strings only; files are read separately). */
export async function formFields(c: Context): Promise<Record<string, string>> {
  const body = await c.req.parseBody({ all: false });
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === "string") out[k] = v;
  return out;
}
