// Property-based: generated query strings and bodies (NUL bytes, lone surrogates, huge numbers, far
// dates, wrong types, malformed JSON and multipart) against every route the Router registered (which
// includes every operation in /api/v1/openapi.json), signed in as admin. No answer may be a 5xx except
// a 503 the OpenAPI document lists for that operation, and no body may break off while it is read.
// FUZZ_RUNS sets the requests per route (default 6), FUZZ_SEED the seed (fixed by default, so a
// failure replays), FUZZ_TRACE=1 prints every request and answer, FUZZ_SHRINK=1 shrinks a failure.
// (fuzz.test.ts fuzzes the image decoders through the engine; this file the HTTP surface.)
import { setDefaultTimeout } from "bun:test";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { dbKinds, makeApp, type TestApp } from "./helpers";

setDefaultTimeout(120_000);

const RUNS = Number(process.env.FUZZ_RUNS ?? 6);
const SEED = Number(process.env.FUZZ_SEED ?? 20261205);

/** Strings no text column may hold. */
const poison = fc.oneof(fc.constantFrom("\0", "a\0b", "\ud800", "x\udfffy"), fc.string({ unit: "binary", minLength: 1, maxLength: 20 }));
/** Odd but storable text. */
const odd = fc.constantFrom("", " ", "none", "true", "NaN", "-1", "1e309", "99999999999999999999999", "'; drop table people; --", "=1+1", "%", "x".repeat(5000));
const pad = (n: number, w = 2) => String(n).padStart(w, "0");
/** Days: mostly years far outside 2000–2100, some near today, some impossible. */
const day = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("9999-12-31", "0001-01-01", "2026-02-30") },
  { weight: 1, arbitrary: fc.constantFrom("0000-01-01", "2026-1-1", "1999-12-31", "2101-01-01") },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 })).map(([y, m, d]) => `${pad(y, 4)}-${pad(m)}-${pad(d)}`) },
  fc.integer({ min: 0, max: 3650 }).map((n) => new Date(Date.UTC(2020, 0, 1 + n)).toISOString().slice(0, 10)),
);
const instant = fc.oneof(day.map((d) => `${d}T09:00:00Z`), day.map((d) => `${d}T23:59:59+14:00`), fc.constant("9999-12-31T23:59:59Z"));
const number = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 3 }) }, { weight: 1, arbitrary: fc.constantFrom(0, -1, 999999, 2 ** 31, 2 ** 53 + 1, 1e308, -1e308, 0.5) });
const DAY_NAMES = /^(date|day|from|to)$/;
const NUMBER_NAMES = /(Id|^id|limit|offset|year|month|Minutes|fps|threshold|margin|match|unknown)$/;

/** A string value for a field of this name: typed when the name says what it holds, now and then odd. */
function textFor(name: string): fc.Arbitrary<string> {
  const typed = DAY_NAMES.test(name) ? day : name === "ts" ? instant : NUMBER_NAMES.test(name) ? number.map(String) : name === "employeeCode" ? fc.stringMatching(/^[A-Z][A-Z0-9-]{0,8}$/) : name === "email" ? fc.constant("someone@example.com") : fc.string({ minLength: 1, maxLength: 20 });
  return fc.oneof({ weight: 6, arbitrary: typed }, { weight: 1, arbitrary: odd });
}

type Schema = { pattern?: string; format?: string; type?: string | string[]; properties?: Record<string, Schema>; required?: string[]; items?: Schema; enum?: unknown[]; anyOf?: Schema[]; oneOf?: Schema[]; prefixItems?: Schema[] };

/** A JSON value fitting the schema most of the time; wrong types, odd text and poison the rest. */
function fromSchema(s: Schema | undefined, name: string, depth = 0): fc.Arbitrary<unknown> {
  const wrong = fc.oneof(fc.constant(null), fc.boolean(), number, fc.constant([]), fc.constant({}), poison, fc.constant({ nested: ["\0", { deeper: "\ud800" }] }));
  let right: fc.Arbitrary<unknown>;
  const type = Array.isArray(s?.type) ? s.type[0] : s?.type;
  if (!s || depth > 4) right = textFor(name);
  else if (s.enum) right = fc.constantFrom(...s.enum);
  else if (s.anyOf ?? s.oneOf) right = fc.oneof(...(s.anyOf ?? s.oneOf)!.map((x) => fromSchema(x, name, depth + 1)));
  else if (type === "object") {
    const props = s.properties ?? {};
    const entries = Object.entries(props).map(([k, v]) => [k, fromSchema(v, k, depth + 1)] as const);
    right = fc.record(Object.fromEntries(entries), { requiredKeys: (s.required ?? []).filter((k) => k in props) });
  } else if (type === "array") right = fc.array(fromSchema(s.items ?? s.prefixItems?.[0], name, depth + 1), { maxLength: 4 });
  else if (type === "integer" || type === "number") right = number;
  else if (type === "boolean") right = fc.boolean();
  else if (type === "null") right = fc.constant(null);
  else right = textFor(name);
  return depth === 0 ? right : fc.oneof({ weight: 8, arbitrary: right }, { weight: 1, arbitrary: wrong });
}

/**
 * A third of the time one field (of `names`, or a new one) carries poison and the others stay clean, so
 * the rest of a request gets past the validators to the database; a third of the time every text
 * field does, so whichever field a route reads is poisoned; a third of the time none.
 */
const poisonMode = fc.constantFrom("none", "one", "all");
const withPoison = <T extends Record<string, unknown>>(names: string[], values: fc.Arbitrary<T>, free = names.filter(isFreeText)) =>
  fc.tuple(values, poisonMode, fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...names, "x") }, { weight: 1, arbitrary: poison }), poison).map(([o, mode, name, bad]) => {
    if (!o || typeof o !== "object" || Array.isArray(o) || mode === "none") return o;
    if (mode === "one") return { ...o, [name]: bad };
    // Only free-text fields: a poisoned code or date would fail its pattern before reaching the database.
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === "string" && free.includes(k) ? `${v}${bad}` : v]));
  });
const isFreeText = (name: string) => !DAY_NAMES.test(name) && !NUMBER_NAMES.test(name) && !["ts", "employeeCode", "email"].includes(name);
/** Properties of a JSON schema that take any text (no pattern, format or enum). */
const freeTextProps = (s: Schema) =>
  Object.entries(s.properties ?? {})
    .filter(([, p]) => [p, ...(p.anyOf ?? [])].some((x) => x.type === "string" && !x.pattern && !x.format && !x.enum))
    .map(([k]) => k);

/** Query string from (name, value) pairs; a lone surrogate cannot be percent-encoded, so it goes as CESU-8 bytes. */
const encode = (s: string) => encodeURIComponent(s.toWellFormed()) + (s.isWellFormed() ? "" : "%ED%A0%80");
const rawQueryJunk = fc.constantFrom("%00", "a%00b", "%ED%A0%80", "%FF%FE", "%", "%zz", "%C0%80");

/** Field names the forms and the API use, so generated values reach the validators and beyond. */
const FIELDS = [
  "q", "entity", "action", "date", "day", "from", "to", "year", "month", "ts", "name", "employeeCode", "email", "notes", "description",
  "reason", "personId", "departmentId", "cameraId", "scheduleId", "kind", "source", "limit", "offset", "sort", "active", "consent",
  "role", "password", "url", "person", "includeVoided", "note",
];

/** The required parameters, some optional ones and some of the usual names, poisoned as `withPoison` says; now and then raw junk. */
function queryFor(required: string[], optional: string[]): fc.Arbitrary<string> {
  const names = [...new Set([...required, ...optional, ...FIELDS])];
  const values = fc.subarray(names.filter((k) => !required.includes(k))).chain((ks) => fc.tuple(...[...required, ...ks].map((k) => textFor(k).map((v) => [k, v] as const))));
  const junk = fc.option(fc.tuple(fc.oneof(fc.constantFrom(...names).map(encodeURIComponent), rawQueryJunk), rawQueryJunk), { freq: 5 });
  return fc.tuple(withPoison(names, values.map((pairs) => Object.fromEntries(pairs))), junk).map(([o, j]) =>
    [...Object.entries(o).map(([k, v]) => `${encode(k)}=${encode(String(v))}`), ...(j ? [`${j[0]}=${j[1]}`] : [])].join("&"),
  );
}

const pathValue = fc.constantFrom("1", "2", "999999", "0", "-1", "99999999999999999999", "abc", "%00", "a%00b", "%ED%A0%80", "1.jpg", "%", crypto.randomUUID());

const badMultipart = fc.constantFrom(
  { type: "multipart/form-data", body: '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n' }, // no boundary
  { type: "multipart/form-data; boundary=AAA", body: '--BBB\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nx\r\n--BBB--\r\n' }, // wrong boundary
  { type: "multipart/form-data; boundary=AAA", body: '--AAA\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nname,employeeCode\r\n' }, // unterminated part
  { type: "multipart/form-data; boundary=AAA", body: '--AAA\r\nContent-Disposition: form-data; name="image"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff' },
  { type: "multipart/form-data; boundary=AAA", body: "garbage" },
  { type: "multipart/form-data; boundary=", body: "" },
);
const malformedJson = fc.constantFrom('{"name": "a', "[1,2", "\0", "null", "[]", '"x"', "1e999", "[".repeat(100_000));

type Body = { type?: string; body?: BodyInit };
/** Bodies for a route: JSON from its schema (API), forms with the usual field names, files, and broken ones. */
function bodyFor(schema: Schema | undefined, contentType: string | undefined): fc.Arbitrary<Body> {
  const fields = withPoison(FIELDS, fc.record(Object.fromEntries(FIELDS.map((k) => [k, textFor(k)])), { requiredKeys: [] })) as fc.Arbitrary<Record<string, string>>;
  const multipart = fc.tuple(fields, fc.constantFrom("file", "image"), fc.uint8Array({ maxLength: 64 }), fc.oneof(fc.constant("photo.jpg"), poison)).map(([o, field, bytes, filename]) => {
    const fd = new FormData();
    for (const [k, v] of Object.entries(o)) fd.append(k, v);
    fd.append(field, new Blob([bytes]), filename);
    return { body: fd } as Body;
  });
  const jsonBody = (schema && contentType === "application/json" ? withPoison(Object.keys(schema.properties ?? {}), fromSchema(schema, "body") as fc.Arbitrary<Record<string, unknown>>, freeTextProps(schema)) : withPoison(FIELDS, fc.dictionary(fc.constantFrom(...FIELDS), fc.oneof(textFor("x"), number), { maxKeys: 5 })))
    // JSON.stringify escapes lone surrogates (\ud800), so they arrive as the parser's output.
    .map((o) => ({ type: "application/json", body: JSON.stringify(o) }) as Body);
  const formBody = fields.map((o) => ({ type: "application/x-www-form-urlencoded", body: Object.entries(o).map(([k, v]) => `${k}=${encode(v)}`).join("&") }) as Body);
  return fc.oneof(
    { weight: 4, arbitrary: contentType === "application/json" ? jsonBody : contentType === "multipart/form-data" ? multipart : formBody },
    { weight: 1, arbitrary: jsonBody },
    { weight: 1, arbitrary: malformedJson.map((body) => ({ type: "application/json", body })) },
    { weight: 2, arbitrary: multipart },
    { weight: 3, arbitrary: badMultipart },
    { weight: 1, arbitrary: fc.constant({}) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 256 }).map((b) => ({ type: "text/csv", body: b })) },
  );
}

type Op = { parameters?: { name: string; in: string; required?: boolean }[]; requestBody?: { content: Record<string, { schema: Schema }> }; responses: Record<string, unknown> };

for (const kind of dbKinds()) {
  describe(`fuzzing every route on ${kind}`, () => {
    let t: TestApp;
    let cookie: string;
    /** "METHOD /path" → the operation in /api/v1/openapi.json. */
    const ops = new Map<string, Op>();
    beforeAll(async () => {
      t = await makeApp(kind);
      cookie = await t.cookieFor("admin");
      const doc = (await (await t.req("/api/v1/openapi.json")).json()) as { paths: Record<string, Record<string, Op>> };
      for (const [p, byMethod] of Object.entries(doc.paths)) for (const [m, op] of Object.entries(byMethod)) ops.set(`${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ":$1")}`, op);
    });
    afterAll(() => t.close());

    test("the OpenAPI document and the form routes are all in the route table", () => {
      const table = new Set(t.routes.map((r) => `${r.method} ${r.path}`));
      expect(ops.size).toBeGreaterThan(40);
      for (const op of ops.keys()) expect(table).toContain(op);
      expect(t.routes.length - ops.size).toBeGreaterThan(40);
    });

    test(`${RUNS} generated requests per route: never a 5xx (except a documented 503)`, async () => {
      const problems: string[] = [];
      // Signing out would end the session the walk uses; it has its own test.
      const routes = t.routes.filter((r) => !(r.method === "POST" && r.path === "/logout"));
      for (const [i, spec] of routes.entries()) {
        const op = ops.get(`${spec.method} ${spec.path}`);
        const query = (op?.parameters ?? []).filter((p) => p.in === "query");
        const [contentType, media] = Object.entries(op?.requestBody?.content ?? {})[0] ?? [];
        const request = fc.record({
          params: fc.array(pathValue, { minLength: 3, maxLength: 3 }),
          query: queryFor(query.filter((p) => p.required).map((p) => p.name), query.filter((p) => !p.required).map((p) => p.name)),
          body: bodyFor(media?.schema, contentType),
        });
        let answer = "";
        const out = await fc.check(
          fc.asyncProperty(request, async (r) => {
            let n = 0;
            const path = spec.path.replace(/:(\w+)/g, () => r.params[n++]!);
            const headers: Record<string, string> = { cookie, accept: path.startsWith("/api/") ? "application/json" : "text/html" };
            const withBody = spec.method !== "GET" && spec.method !== "DELETE";
            if (withBody && r.body.type) headers["content-type"] = r.body.type;
            const res = await t.req(r.query ? `${path}?${r.query}` : path, { method: spec.method, headers, body: withBody ? r.body.body : undefined });
            const type = res.headers.get("content-type") ?? "";
            let text = "";
            if (type.startsWith("text/event-stream") || type.startsWith("multipart/")) await res.body?.cancel();
            else text = await res.text(); // a stream that breaks off mid-way rejects here
            if (process.env.FUZZ_TRACE) console.log(spec.method, path, r.query.slice(0, 80), res.status, text.slice(0, 100));
            if (res.status < 500 || (res.status === 503 && !!op && "503" in op.responses)) return true;
            answer = `${res.status} ${text.slice(0, 300)}`;
            return false;
          }),
          { numRuns: RUNS, seed: SEED + i, endOnFailure: !process.env.FUZZ_SHRINK },
        );
        if (out.failed) problems.push(`${spec.method} ${spec.path}: ${answer || out.errorInstance} for ${fc.stringify(out.counterexample).slice(0, 1000)}`);
      }
      expect(problems).toEqual([]);
      // The walk ran signed in all along (a generated request could otherwise have signed the admin out).
      expect((await t.req("/", { headers: { cookie } })).status).toBe(200);
    });
  });
}
