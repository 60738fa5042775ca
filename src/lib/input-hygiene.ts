import type { Context, MiddlewareHandler } from "hono";
import { HttpError } from "./http";

/**
 * One gate for text coming in from outside: a NUL character or a lone UTF-16 surrogate in a path
 * parameter, a query parameter, a form field or any string of a JSON body, key or value, at any
 * depth, is refused with a 422 naming the field. Neither can be stored in PostgreSQL text, so
 * without this they surfaced as database errors. A multipart or form body that
 * cannot be parsed is a 400. JSON that does not parse is left to the route (`readJson`: 400).
 */

/** Why a string cannot be accepted, or null when it can. */
export function textProblem(s: string): string | null {
  if (s.includes("\0")) return "contains a NUL character";
  if (!s.isWellFormed()) return "contains text that is not valid Unicode (a lone surrogate)";
  return null;
}

function refuse(where: string, field: string, problem: string): never {
  const message = `The ${where} "${field.slice(0, 100)}" ${problem}`;
  throw new HttpError(422, message, { fields: { [field.slice(0, 100)]: message } });
}

/** A field name that is itself bad, made printable for the message. */
const printable = (name: string) => name.toWellFormed().replaceAll("\0", "\\0");

function checkText(where: string, field: string, s: string | undefined) {
  if (s === undefined) return;
  const nameProblem = textProblem(field);
  if (nameProblem) refuse(where, printable(field), `has a name that ${nameProblem}`);
  const problem = textProblem(s);
  if (problem) refuse(where, field, problem);
}

/** Every string in a parsed JSON value, with its path ("people.0.name"); iterative, so depth is no risk. */
export function jsonTextProblem(value: unknown): { field: string; problem: string } | null {
  const stack: [string, unknown][] = [["", value]];
  while (stack.length) {
    const [path, v] = stack.pop()!;
    if (typeof v === "string") {
      const problem = textProblem(v);
      if (problem) return { field: path || "body", problem };
    } else if (v && typeof v === "object") {
      for (const [k, child] of Object.entries(v)) {
        const field = path ? `${path}.${k}` : k;
        const problem = textProblem(k);
        if (problem) return { field: printable(field), problem: `has a name that ${problem}` };
        stack.push([field, child]);
      }
    }
  }
  return null;
}

const isForm = (type: string) => type === "multipart/form-data" || type === "application/x-www-form-urlencoded";
const isJson = (type: string) => type === "application/json" || type.endsWith("+json");

/** Checks path parameters, the query string and the body (see the module comment). */
export const inputHygiene: MiddlewareHandler = async (c, next) => {
  for (const [name, value] of Object.entries(c.req.param() as Record<string, string>)) checkText("path parameter", name, value);
  for (const [name, values] of Object.entries(c.req.queries())) for (const v of values) checkText("query parameter", name, v);
  await checkBody(c);
  return next();
};

async function checkBody(c: Context) {
  if (!c.req.raw.body) return;
  const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (isForm(type)) {
    let form: FormData;
    try {
      form = await c.req.formData();
    } catch {
      throw new HttpError(400, type === "multipart/form-data" ? "The upload could not be read (malformed multipart body)" : "The form could not be read");
    }
    // File names need no check: Bun's parser cuts them at a NUL and decodes them as UTF-8.
    for (const [name, value] of form.entries()) if (typeof value === "string") checkText("field", name, value);
  } else if (isJson(type)) {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return;
    }
    const bad = jsonTextProblem(body);
    if (bad) refuse("field", bad.field, bad.problem);
  }
}
