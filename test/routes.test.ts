import { setDefaultTimeout } from "bun:test";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { roleRank, ROLES, userRoleFor, type UserRole } from "../src/services/auth";
import { SYSTEM_ACTOR } from "../src/db/repos/audit";
import { dbKinds, form, json, makeApp, type TestApp } from "./helpers";

// Tests here start real processes, engines or browsers (Bun applies a default per file only).
setDefaultTimeout(60_000);

type Who = "anonymous" | UserRole | "apikey:viewer" | "apikey:operator" | "kiosk";

for (const kind of dbKinds()) {
  describe(`every route with every role on ${kind}`, () => {
    let t: TestApp;
    let kioskToken: string;
    beforeAll(async () => {
      t = await makeApp(kind);
      for (const role of ROLES) await t.cookieFor(role);
      const { kiosks } = t.deps.services;
      const p = await kiosks.create({ name: "Walk kiosk", location: "" }, SYSTEM_ACTOR);
      kioskToken = (await kiosks.pair(new URL(p.link).hash.slice("#pair=".length))).token;
    });
    afterAll(() => t.close());

    async function call(method: string, path: string, who: Who): Promise<Response> {
      const headers: Record<string, string> = { accept: path.startsWith("/api/") ? "application/json" : "text/html" };
      if (who.startsWith("apikey:")) headers["x-api-key"] = await t.apiKeyFor(who.slice(7) as UserRole);
      else if (who === "kiosk") headers["x-kiosk-token"] = kioskToken;
      else if (who !== "anonymous") headers.cookie = await t.cookieFor(who as UserRole);
      const body: { body?: BodyInit; headers?: Record<string, string> } = method === "GET" || method === "DELETE" ? {} : path.startsWith("/api/") ? json({}) : form({});
      return t.req(path, { method, body: body.body, headers: { ...headers, ...body.headers } });
    }

    test("the route table declares an access level for every route", () => {
      expect(t.routes.length).toBeGreaterThan(30);
      for (const r of t.routes) expect(["public", "kiosk", ...ROLES]).toContain(r.access);
    });

    test("anonymous, viewer, operator, admin, API keys and a paired kiosk get exactly what their role allows; nothing is a 500", async () => {
      const whos: Who[] = ["anonymous", "viewer", "operator", "admin", "apikey:viewer", "apikey:operator", "kiosk"];
      const problems: string[] = [];
      for (const spec of t.routes) {
        // Rate limited by design, and signing out would end the sessions this walk uses; both have their own tests.
        if ((spec.path === "/login" || spec.path === "/logout") && spec.method === "POST") continue;
        const path = spec.path.replace(":id", "999999").replace(":job", crypto.randomUUID()).replace(":faceId", "999999");
        for (const who of whos) {
          const res = await call(spec.method, path, who);
          const role = who === "anonymous" ? null : (who.replace("apikey:", "") as UserRole | "kiosk");
          // A kiosk's credential opens the kiosk routes and nothing else.
          const allowed = spec.access === "public" || (role === "kiosk" ? spec.access === "kiosk" : role !== null && roleRank(role) >= roleRank(userRoleFor(spec.access)));
          const s = res.status;
          const tag = `${spec.method} ${spec.path} as ${who} → ${s}`;
          if (s >= 500) problems.push(`${tag} (server error)`);
          else if (!allowed && role === null && !(s === 401 || (s === 302 && res.headers.get("location")?.startsWith("/login")))) problems.push(`${tag} (expected 401 or a redirect to /login)`);
          else if (!allowed && role !== null && s !== 403) problems.push(`${tag} (expected 403)`);
          else if (allowed && (s === 401 || s === 403 || (s === 302 && spec.path !== "/login" && spec.path !== "/setup"))) problems.push(`${tag} (should be allowed)`);
        }
      }
      expect(problems).toEqual([]);
    });

    test("navigation only links pages that exist, and each opens for a viewer", async () => {
      const html = await (await t.req("/", { as: "viewer" })).text();
      const nav = /<nav aria-label="Main">(.*?)<\/nav>/s.exec(html)![1]!;
      const links = [...nav.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!);
      expect(links).toEqual(expect.arrayContaining(["/", "/people", "/settings"]));
      for (const href of links) expect((await t.req(href, { as: "viewer" })).status).toBe(200);
      expect(html).not.toContain('href="/users"');
      expect(await (await t.req("/", { as: "admin" })).text()).toContain('href="/users"');
    });

    test("signing out ends the session", async () => {
      const cookie = await t.cookieFor("viewer");
      expect((await t.req("/", { headers: { cookie } })).status).toBe(200);
      const out = await t.req("/logout", { method: "POST", ...form({}), headers: { cookie, "content-type": "application/x-www-form-urlencoded" } });
      expect(out.status).toBe(303);
      expect((await t.req("/", { headers: { cookie } })).status).toBe(302);
    });
  });
}
