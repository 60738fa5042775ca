// The findings of issue 16 one by one: NUL bytes and lone surrogates, far dates and malformed
// multipart bodies each get a clear 4xx naming the field, as a page for pages and JSON for the API.
import { setDefaultTimeout } from "bun:test";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { jsonTextProblem, textProblem } from "../src/lib/input-hygiene";
import { dbKinds, form, json, makeApp, type TestApp } from "./helpers";

setDefaultTimeout(60_000);

describe("textProblem and jsonTextProblem", () => {
  test("NUL and lone surrogates are problems; other text is not", () => {
    expect(textProblem("Zoë €, 😀 \t\r\n")).toBeNull();
    expect(textProblem("a\0b")).toBe("contains a NUL character");
    expect(textProblem("a\ud800")).toContain("not valid Unicode");
    expect(textProblem("\udc00a")).toContain("not valid Unicode");
  });
  test("JSON strings and keys at any depth, with their path; deep nesting is no risk", () => {
    expect(jsonTextProblem({ a: [1, { b: "ok" }], c: null })).toBeNull();
    expect(jsonTextProblem({ a: [1, { b: "x\0" }] })).toEqual({ field: "a.1.b", problem: "contains a NUL character" });
    expect(jsonTextProblem({ "k\ud800": 1 })).toEqual({ field: "k\ufffd", problem: expect.stringContaining("has a name that") });
    expect(jsonTextProblem("\0")).toEqual({ field: "body", problem: "contains a NUL character" });
    let deep: unknown = "\0";
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(jsonTextProblem(deep)?.field).toStartWith("0.0.0");
  });
});

/** A multipart body as a misbehaving client sends it. */
const MALFORMED: [string, string][] = [
  ["multipart/form-data", '--x\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nx\r\n--x--\r\n'],
  ["multipart/form-data; boundary=AAA", '--BBB\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nx\r\n--BBB--\r\n'],
  ["multipart/form-data; boundary=AAA", '--AAA\r\nContent-Disposition: form-data; name="image"; filename="a.jpg"\r\n\r\n\xff\xd8\xff'],
];

for (const kind of dbKinds()) {
  describe(`input hygiene on ${kind}`, () => {
    let t: TestApp;
    let key: string;
    beforeAll(async () => {
      t = await makeApp(kind);
      key = await t.apiKeyFor("admin");
      await t.cookieFor("admin");
    });
    afterAll(() => t.close());

    const page = (path: string, init: RequestInit = {}) => t.req(path, { as: "admin", ...init, headers: { accept: "text/html", ...(init.headers as Record<string, string>) } });
    const api = (path: string, init: RequestInit = {}) => t.req(path, { ...init, headers: { "x-api-key": key, ...(init.headers as Record<string, string>) } });

    test("a NUL in a query parameter is a 422 naming it, on pages, CSV exports and the API", async () => {
      for (const path of ["/people?q=a%00b", "/departments?q=%00", "/users?q=%00", "/audit?entity=person%00", "/people/export.csv?q=%00", "/attendance?person=%00"]) {
        const res = await page(path);
        expect(res.status, path).toBe(422);
        const html = await res.text();
        expect(html).toContain("The query parameter &quot;");
        expect(html).toContain("contains a NUL character");
      }
      const res = await api("/api/v1/people?q=a%00b");
      expect(res.status).toBe(422);
      expect(await res.json()).toEqual({ error: 'The query parameter "q" contains a NUL character', fields: { q: 'The query parameter "q" contains a NUL character' } });
      expect((await api("/api/v1/people/export.csv?q=%00")).status).toBe(422);
    });

    test("a NUL or lone surrogate in a JSON string, at any depth, is a 422 naming the field", async () => {
      const cases: [string, string, unknown, string][] = [
        ["POST", "/api/v1/people", { name: "Ann\0", employeeCode: "A-1" }, "name"],
        ["POST", "/api/v1/departments", { name: "Ops", description: "x\ud800" }, "description"],
        ["POST", "/api/v1/schedules", { name: "Day", pattern: [{ start: "09:00\0" }] }, "pattern.0.start"],
        ["POST", "/api/v1/cameras", { name: "Door\0", url: "rtsp://127.0.0.1/x" }, "name"],
      ];
      for (const [method, path, body, field] of cases) {
        const res = await api(path, { method, ...json(body) });
        expect(res.status, path).toBe(422);
        const out = await res.json();
        expect(Object.keys(out.fields), path).toEqual([field]);
        expect(out.error).toStartWith(`The field "${field}" contains`);
      }
      expect(await t.rows(sql`select count(*)::int as n from people`)).toEqual([{ n: 0 }]);
    });

    test("a NUL in a form field (urlencoded or multipart) or a path parameter is a 422 page naming it", async () => {
      const people = await page("/people", { method: "POST", ...form({ name: "Ann\0", employeeCode: "A-1" }) });
      expect(people.status).toBe(422);
      expect(await people.text()).toContain("The field &quot;name&quot; contains a NUL character");
      const dept = await page("/departments", { method: "POST", ...form({ name: "Ops\0" }) });
      expect(dept.status).toBe(422);
      const fd = new FormData();
      fd.set("note", "x\0");
      fd.set("file", new File(["employee_code,name\n"], "a.csv"));
      const multipart = await page("/people/import", { method: "POST", body: fd });
      expect(multipart.status).toBe(422);
      expect(await multipart.text()).toContain("The field &quot;note&quot; contains a NUL character");
      const param = await page("/people/import/a%00b");
      expect(param.status).toBe(422);
      expect(await param.text()).toContain("The path parameter &quot;job&quot; contains a NUL character");
    });

    test("dates outside 2000-01-01 … 2100-12-31 are a 422 naming the field in attendance and every daily report", async () => {
      for (const path of ["/api/v1/reports/daily?date=9999-12-31", "/api/v1/reports/daily.csv?date=9999-12-31", "/api/v1/reports/daily.xlsx?date=9999-12-31"]) {
        const res = await api(path);
        expect(res.status, path).toBe(422);
        expect((await res.json()).fields).toEqual({ date: "The date must lie between 2000-01-01 and 2100-12-31" });
      }
      const att = await api("/api/v1/attendance?from=9999-12-31");
      expect(att.status).toBe(422);
      expect((await att.json()).fields).toEqual({ from: "The start date must lie between 2000-01-01 and 2100-12-31" });
      const ts = await api("/api/v1/attendance", { method: "POST", ...json({ personId: 1, kind: "check_in", ts: "1999-12-31T23:00:00Z", reason: "forgot" }) });
      expect(ts.status).toBe(422);
      expect((await ts.json()).fields.ts).toBe("The time must lie between 2000-01-01 and 2100-12-31");
      const leave = await api("/api/v1/leaves", { method: "POST", ...json({ personId: 1, from: "2026-01-01", to: "9999-12-31" }) });
      expect((await leave.json()).fields).toEqual({ to: "The last day must lie between 2000-01-01 and 2100-12-31" });
      for (const path of ["/reports/daily?date=9999-12-31", "/attendance?from=9999-12-31&to=9999-12-31"]) {
        const res = await page(path);
        expect(res.status, path).toBe(422);
        expect(await res.text()).toContain("must lie between 2000-01-01 and 2100-12-31");
      }
      expect((await api("/api/v1/reports/daily?date=2100-12-31")).status).toBe(200);
    });

    test("ids beyond the database's integers are a 422, not a database error", async () => {
      const res = await api("/api/v1/people?departmentId=2147483648");
      expect(res.status).toBe(422);
      expect((await res.json()).fields).toEqual({ departmentId: "No such department" });
      expect((await page("/people/export.csv?departmentId=2147483648")).status).toBe(200); // the page falls back to no filter
    });

    test("malformed multipart bodies on every upload route are a 400 with a message", async () => {
      const person = await (await api("/api/v1/people", { method: "POST", ...json({ name: "Ann", employeeCode: "A-1" }) })).json();
      const routes: [string, (path: string, init: RequestInit) => Promise<Response>][] = [
        ["/people/import", page],
        [`/people/${person.id}/faces`, page],
        [`/api/v1/people/${person.id}/faces`, api],
        ["/api/v1/recognize", api],
        ["/api/v1/kiosk/punch", api],
      ];
      for (const [path, send] of routes)
        for (const [type, body] of MALFORMED) {
          const res = await send(path, { method: "POST", body, headers: { "content-type": type } });
          expect(res.status, `${path} ${type}`).toBe(400);
          expect(await res.text()).toContain("The upload could not be read (malformed multipart body)");
        }
    });
  });
}
