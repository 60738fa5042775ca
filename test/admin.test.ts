import { setDefaultTimeout } from "bun:test";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dbKinds, form, makeApp, type TestApp } from "./helpers";

// Tests here start real processes, engines or browsers (Bun applies a default per file only).
setDefaultTimeout(60_000);

for (const kind of dbKinds()) {
  describe(`users, API keys, audit and settings on ${kind}`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await makeApp(kind, { CLOCKFACE_SECRET: "s".repeat(40), TZ: "Europe/Berlin" });
    });
    afterAll(() => t.close());
    const admin = (path: string, data?: Record<string, string>) => t.req(path, data ? { as: "admin", method: "POST", ...form(data) } : { as: "admin" });
    const userId = async (email: string) => (await t.deps.services.users.list({ q: email, limit: 1, offset: 0 })).rows[0]!.id;
    const signIn = (email: string, password: string) => t.req("/login", { method: "POST", ...form({ email, password }) });

    test("an admin creates a user; bad and duplicate input is shown in the form", async () => {
      const bad = await admin("/users", { name: "", email: "x", password: "short", role: "boss" });
      expect(bad.status).toBe(422);
      const html = await bad.text();
      for (const msg of ["Enter your name", "Enter a valid e-mail address", "Use at least 10 characters", "Choose a role"]) expect(html).toContain(msg);
      const ok = await admin("/users", { name: "Olga", email: "Olga@Example.com", password: "olga-password-1", role: "operator" });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain("Created olga@example.com (operator).");
      const dup = await admin("/users", { name: "Olga 2", email: "olga@example.com", password: "olga-password-2", role: "viewer" });
      expect(dup.status).toBe(422);
      expect(await dup.text()).toContain("already exists");
      expect((await signIn("olga@example.com", "olga-password-1")).status).toBe(303);
    });

    test("role changes take effect; the last admin cannot step down", async () => {
      const olga = await userId("olga@example.com");
      expect((await admin(`/users/${olga}/role`, { role: "viewer" })).status).toBe(200);
      const login = await signIn("olga@example.com", "olga-password-1");
      const cookie = login.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
      expect((await t.req("/people/new", { headers: { cookie } })).status).toBe(403);
      expect((await admin(`/users/${olga}/role`, { role: "root" })).status).toBe(422);
      const me = await userId("admin@test.local");
      const last = await admin(`/users/${me}/role`, { role: "viewer" });
      expect(last.status).toBe(422);
      expect(await last.text()).toContain("last active admin");
      expect((await t.deps.services.users.get(me))!.role).toBe("admin");
      expect((await admin("/users/nobody/role", { role: "viewer" })).status).toBe(404);
    });

    test("disabling a user ends their sessions and API keys; enabling restores sign-in", async () => {
      const olga = await userId("olga@example.com");
      const login = await signIn("olga@example.com", "olga-password-1");
      const cookie = login.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
      const key = await t.deps.services.accounts.createApiKey(olga, "olga-key");
      expect((await t.req("/api/v1/people", { headers: { "x-api-key": key.key } })).status).toBe(200);
      expect((await admin(`/users/${olga}/disable`, {})).status).toBe(200);
      expect((await t.req("/", { headers: { cookie } })).status).toBe(302);
      expect((await t.req("/api/v1/people", { headers: { "x-api-key": key.key } })).status).toBe(401);
      expect((await signIn("olga@example.com", "olga-password-1")).status).toBe(401);
      const me = await userId("admin@test.local");
      expect((await admin(`/users/${me}/disable`, {})).status).toBe(422);
      expect((await admin(`/users/${olga}/enable`, {})).status).toBe(200);
      expect((await signIn("olga@example.com", "olga-password-1")).status).toBe(303);
    });

    test("API keys: created once-visible, usable with the owner's role, revocable", async () => {
      const bad = await admin("/api-keys", { name: "", userId: "" });
      expect(bad.status).toBe(422);
      const op = await userId("operator@test.local").catch(async () => {
        await t.cookieFor("operator");
        return userId("operator@test.local");
      });
      const created = await admin("/api-keys", { name: "Door kiosk", userId: op });
      expect(created.status).toBe(200);
      expect(created.headers.get("cache-control")).toBe("no-store");
      const key = /id="new-key">([^<]+)</.exec(await created.text())![1]!;
      expect(key.startsWith("cf_")).toBe(true);
      expect((await admin("/api-keys")).status).toBe(200);
      expect(await (await admin("/api-keys")).text()).not.toContain(key);
      const made = await t.req("/api/v1/departments", { method: "POST", headers: { "x-api-key": key, "content-type": "application/json" }, body: JSON.stringify({ name: "Via kiosk key" }) });
      expect(made.status).toBe(201);
      const keyId = (await t.deps.services.users.allApiKeys()).find((k) => k.name === "Door kiosk")!.id;
      expect((await admin(`/api-keys/${keyId}/revoke`, {})).status).toBe(200);
      expect((await t.req("/api/v1/departments", { headers: { "x-api-key": key } })).status).toBe(401);
      expect((await admin(`/api-keys/${keyId}/revoke`, {})).status).toBe(404);
    });

    test("the audit log shows who changed what, filterable", async () => {
      const all = await (await admin("/audit")).text();
      expect(all).toContain("set_role");
      expect(all).toContain("disable");
      expect(all).toContain("<del>operator</del>");
      expect(all).toContain("<ins>viewer</ins>");
      const keysOnly = await (await admin("/audit?entity=api_key")).text();
      expect(keysOnly).toContain("revoke");
      expect(keysOnly).not.toContain("set_role");
      expect((await t.req("/audit", { as: "operator" })).status).toBe(403);
    });

    test("settings show the site configuration and never the secret", async () => {
      const html = await (await t.req("/settings", { as: "viewer" })).text();
      expect(html).toContain("Europe/Berlin");
      expect(html).not.toContain("s".repeat(40));
      expect(html).not.toContain('href="/users"');
    });
  });
}
