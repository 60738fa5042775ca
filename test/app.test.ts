import { setDefaultTimeout } from "bun:test";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dbKinds, form, makeApp, type TestApp } from "./helpers";

// Tests here start real processes, engines or browsers (Bun applies a default per file only).
setDefaultTimeout(60_000);

for (const kind of dbKinds()) {
  describe(`shell on ${kind}`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await makeApp(kind);
    });
    afterAll(() => t.close());

    test("healthz reports the database", async () => {
      const r = await t.req("/healthz");
      expect(r.status).toBe(200);
      expect(await r.json()).toEqual({ status: "ok", db: kind, engine: "off", engineReason: "the engine is off in this process" });
    });

    test("with no user, login redirects to the one-time setup page", async () => {
      const r = await t.req("/login");
      expect(r.status).toBe(302);
      expect(r.headers.get("location")).toBe("/setup");
      const page = await t.req("/setup");
      expect(await page.text()).toContain("Create administrator");
    });

    test("setup validates, creates the admin, signs in, then disappears", async () => {
      const bad = await t.req("/setup", { method: "POST", ...form({ name: "", email: "nope", password: "short" }) });
      expect(bad.status).toBe(422);
      const html = await bad.text();
      expect(html).toContain("Enter a valid e-mail address");
      expect(html).toContain("Use at least 10 characters");
      const ok = await t.req("/setup", { method: "POST", ...form({ name: "Ada", email: "ada@example.com", password: "a-long-password" }) });
      expect(ok.status).toBe(303);
      const cookie = ok.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
      expect(ok.headers.getSetCookie().join()).toContain("HttpOnly");
      const dash = await t.req("/", { headers: { cookie } });
      expect(dash.status).toBe(200);
      expect(await dash.text()).toContain("Ada · admin");
      const again = await t.req("/setup");
      expect(again.status).toBe(302);
      expect(again.headers.get("location")).toBe("/login");
    });

    test("security headers and CSP on every page", async () => {
      const r = await t.req("/login");
      expect(r.headers.get("content-security-policy")).toContain("default-src 'self'");
      expect(r.headers.get("content-security-policy")).toContain("connect-src 'self'");
      expect(r.headers.get("x-frame-options")).toBe("DENY");
      expect(r.headers.get("x-content-type-options")).toBe("nosniff");
      expect(r.headers.get("x-request-id")).toMatch(/[0-9a-f-]{36}/);
    });

    test("unknown page is a 404 page, unknown API route a JSON 404", async () => {
      const page = await t.req("/no/such/page", { as: "viewer", headers: { accept: "text/html" } });
      expect(page.status).toBe(404);
      expect(await page.text()).toContain("There is no page at this address.");
      const api = await t.req("/api/v1/nothing", { as: "viewer" });
      expect(api.status).toBe(404);
      expect((await api.json()).error).toContain("No route");
    });

    test("anonymous dashboard visit redirects to login", async () => {
      const r = await t.req("/");
      expect(r.status).toBe(302);
      expect(r.headers.get("location")).toBe("/login?next=%2F");
    });

    test("a form post from another origin is refused (CSRF)", async () => {
      const r = await t.req("/logout", { method: "POST", ...form({}), headers: { origin: "http://evil.example", "content-type": "application/x-www-form-urlencoded" } });
      expect(r.status).toBe(403);
      // A signed-in browser on a foreign site is refused even if the request also names an API key.
      const cookie = await t.cookieFor("operator");
      const withKey = await t.req("/api/v1/people", { method: "POST", body: "name=x", headers: { cookie, "x-api-key": "anything", origin: "http://evil.example", "content-type": "application/x-www-form-urlencoded" } });
      expect(withKey.status).toBe(403);
      // An API key alone (an integration, no cookie) needs no Origin: it gets the real answer.
      const key = await t.apiKeyFor("operator");
      const fd = new FormData();
      fd.set("image", new Blob([new Uint8Array([1, 2, 3])]), "x.jpg");
      const viaKey = await t.req("/api/v1/recognize", { method: "POST", body: fd, headers: { "x-api-key": key } });
      expect(viaKey.status).not.toBe(403);
    });

    test("a wrong x-api-key is ignored on public routes and refused on protected ones", async () => {
      for (const key of ["cf_notARealKeyButLongEnoughToBeLookedUp0123456789ab", "x"]) {
        const headers = { "x-api-key": key };
        const expected: [string, number][] = [["/login", 200], ["/setup", 302], ["/kiosk", 200], ["/api/v1/openapi.json", 200], ["/healthz", 200], ["/assets/vendor/htmx.min.js", 200]];
        for (const [path, status] of expected) expect([path, (await t.req(path, { headers })).status]).toEqual([path, status]);
        expect(await (await t.req("/login", { headers })).text()).toContain("Sign in");
        const login = await t.req("/login", { method: "POST", body: new URLSearchParams({ email: "ada@example.com", password: "a-long-password" }), headers: { ...headers, "content-type": "application/x-www-form-urlencoded" } });
        expect([login.status, login.headers.get("location")]).toEqual([303, "/"]);
        const api = await t.req("/api/v1/people", { headers });
        expect(api.status).toBe(401);
        expect((await api.json()).error).toMatch(/API key/i);
        expect((await t.req("/", { headers })).status).toBe(401);
      }
    });

    test("login is rate limited", async () => {
      let last = 0;
      for (let i = 0; i < 12; i++) {
        const r = await t.req("/login", { method: "POST", ...form({ email: "ada@example.com", password: "wrong-password" }) });
        last = r.status;
      }
      expect(last).toBe(429);
    });

    test("assets are served with the right type", async () => {
      const r = await t.req("/assets/vendor/htmx.min.js");
      expect(r.status).toBe(200);
      expect(r.headers.get("content-type")).toContain("javascript");
      expect((await r.text()).length).toBeGreaterThan(10_000);
    });

  });
}

describe("failures inside the server", () => {
  test("an exception becomes a 500 page with a request id and nothing internal; /healthz reports 503", async () => {
    const t = await makeApp("pglite");
    await t.deps.database.close();
    const page = await t.req("/login", { headers: { accept: "text/html" } });
    expect(page.status).toBe(500);
    const html = await page.text();
    const rid = page.headers.get("x-request-id")!;
    expect(html).toContain("The server could not finish this request.");
    expect(html).toContain(rid);
    expect(html).not.toMatch(/PGlite|at \w+ \(|\.ts:\d+/);
    const health = await t.req("/healthz");
    expect(health.status).toBe(503);
    expect((await health.json()).status).toBe("error");
  });

  test("a body over MAX_BODY_BYTES is refused with 413 before it is read", async () => {
    const t = await makeApp("pglite", { MAX_BODY_BYTES: "2048" });
    const big = "x".repeat(4096);
    const api = await t.req("/api/v1/people", { as: "operator", method: "POST", body: JSON.stringify({ name: big, employeeCode: "B-1" }), headers: { "content-type": "application/json" } });
    expect(api.status).toBe(413);
    expect((await api.json()).error).toContain("larger than");
    const page = await t.req("/people", { as: "operator", method: "POST", body: `name=${big}`, headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html" } });
    expect(page.status).toBe(413);
    expect((await (await t.req("/api/v1/people", { as: "operator" })).json()).total).toBe(0);
    await t.close();
  });
});
