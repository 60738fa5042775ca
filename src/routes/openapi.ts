import type { Context } from "hono";
import { z } from "zod";
import { HttpError, fieldErrors } from "../lib/http";
import type { Access } from "../services/auth";
import { errorSchema } from "../services/schemas";
import type { Handler, Router, RouteSpec } from "./router";

export interface ApiResponse {
  description: string;
  schema?: z.ZodType;
  /** Content type when not JSON (CSV, SSE, …). */
  contentType?: string;
}

export interface ApiOperation {
  method: RouteSpec["method"];
  /** Hono-style path (`/api/v1/people/:id`). */
  path: string;
  summary: string;
  tag: string;
  access: Exclude<Access, "public"> | "public";
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Body content type; JSON unless given (multipart uploads, CSV). */
  bodyContentType?: string;
  responses: Record<number, ApiResponse>;
}

/** Query string against a schema: 422 with field errors when it does not fit. */
export function parseQuery<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  const r = schema.safeParse(c.req.query());
  if (!r.success) throw new HttpError(422, "Invalid query parameters", { fields: fieldErrors(r.error) });
  return r.data;
}

const jsonSchema = (s: z.ZodType) => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
};

/**
 * Registers JSON API routes and keeps their description, so /api/v1/openapi.json is generated from
 * the same zod schemas the handlers validate with.
 */
export class Api {
  readonly ops: ApiOperation[] = [];
  constructor(private readonly router: Router) {}

  op(def: ApiOperation, handler: Handler) {
    this.ops.push(def);
    this.router.add(def.method, def.path, def.access, [handler]);
  }

  document(version: string) {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const op of this.ops) {
      const oaPath = op.path.replace(/:(\w+)/g, "{$1}");
      const params: unknown[] = [...op.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: m[1] === "job" ? "string" : "integer" } }));
      if (op.query) {
        const qs = jsonSchema(op.query) as { properties?: Record<string, unknown>; required?: string[] };
        for (const [name, schema] of Object.entries(qs.properties ?? {})) params.push({ name, in: "query", required: qs.required?.includes(name) ?? false, schema });
      }
      const responses: Record<string, unknown> = {};
      const all: Record<number, ApiResponse | undefined> = {
        ...op.responses,
        ...(op.access !== "public" ? { 401: { description: "Not signed in and no valid x-api-key", schema: errorSchema }, 403: { description: op.access === "kiosk" ? "Needs the operator role or a paired kiosk's x-kiosk-token" : `Needs the ${op.access} role`, schema: errorSchema } } : {}),
        ...(op.body && (op.bodyContentType ?? "application/json") === "application/json" ? { 400: { description: "Malformed JSON", schema: errorSchema }, 415: { description: "Not application/json", schema: errorSchema } } : {}),
        ...(op.body || op.query ? { 422: { description: "Validation failed; `fields` maps each field to a message", schema: errorSchema } } : {}),
      };
      for (const [status, r] of Object.entries(all)) {
        if (!r) continue;
        responses[status] = {
          description: r.description,
          ...(r.schema || r.contentType ? { content: { [r.contentType ?? "application/json"]: r.schema ? { schema: jsonSchema(r.schema) } : {} } } : {}),
        };
      }
      paths[oaPath] ??= {};
      paths[oaPath][op.method.toLowerCase()] = {
        summary: op.summary,
        tags: [op.tag],
        ...(params.length ? { parameters: params } : {}),
        ...(op.body ? { requestBody: { required: true, content: { [op.bodyContentType ?? "application/json"]: { schema: jsonSchema(op.body) } } } } : {}),
        responses,
        ...(op.access === "public" ? { security: [] } : op.access === "kiosk" ? { security: [{ apiKey: [] }, { session: [] }, { kioskToken: [] }], "x-required-role": "operator" } : { "x-required-role": op.access }),
      };
    }
    return {
      openapi: "3.1.0",
      info: { title: "Clockface API", version, description: "Face-recognition attendance. Authenticate with the session cookie or an `x-api-key` header." },
      servers: [{ url: "/" }],
      components: {
        securitySchemes: {
          apiKey: { type: "apiKey", in: "header", name: "x-api-key" },
          session: { type: "apiKey", in: "cookie", name: "clockface.session_token" },
          kioskToken: { type: "apiKey", in: "header", name: "x-kiosk-token", description: "A paired kiosk's credential (Kiosks page): only the kiosk operations accept it" },
        },
      },
      security: [{ apiKey: [] }, { session: [] }],
      paths,
    };
  }
}
