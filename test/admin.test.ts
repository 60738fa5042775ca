import { setDefaultTimeout } from "bun:test";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dbKinds, form, makeApp, type TestApp } from "./helpers";

// Tests here start real processes, engines or browsers (Bun applies a default per file only).
setDefaultTimeout(60_000);

for (const kind of dbKinds()) {
  describe(`users, API keys, audit and settings on ${kind}`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await makeApp(kind, { CLOCKFACE_SECRET: "s".repeat(40), TZ: "Europe/Berlin", LOGIN_RATE_LIMIT: "1000" });
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

    const cookieOf = (res: Response) => res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const sessionUser = async (cookie: string) => (await (await t.req("/api/auth/get-session", { headers: { cookie } })).json())?.user?.email ?? null;

    test("weak passwords are refused with the reason wherever a password is set", async () => {
      for (const pw of ["aaaaaaaaaa", "1234567890", "password12"]) {
        const r = await admin("/users", { name: "Weak", email: "weak@example.com", password: pw, role: "viewer" });
        expect(r.status).toBe(422);
        expect(await r.text()).toContain("use a longer phrase of several unrelated words");
      }
      expect((await t.deps.services.users.list({ q: "weak@", limit: 1, offset: 0 })).total).toBe(0);
      const olga = await userId("olga@example.com");
      const reset = await admin(`/users/${olga}/password`, { password: "password12" });
      expect(reset.status).toBe(422);
      expect(await reset.text()).toContain("This is a commonly used password");
      expect((await signIn("olga@example.com", "olga-password-1")).status).toBe(303);
      await expect(t.deps.services.accounts.createUser({ name: "X", email: "x@example.com", password: "1234567890", role: "viewer" })).rejects.toThrow("most used passwords");
    });

    test("an admin's password reset ends the user's sessions at once; the new password works", async () => {
      const olga = await userId("olga@example.com");
      const a = cookieOf(await signIn("olga@example.com", "olga-password-1"));
      const b = cookieOf(await signIn("olga@example.com", "olga-password-1"));
      expect(await sessionUser(a)).toBe("olga@example.com");
      expect((await t.req("/api/v1/people", { headers: { cookie: b } })).status).toBe(200);
      const r = await admin(`/users/${olga}/password`, { password: "olga-new-passphrase" });
      expect(r.status).toBe(200);
      expect(await r.text()).toContain("Password reset; the user&#39;s sessions were ended.");
      expect(await t.deps.services.users.sessionCount(olga)).toBe(0);
      expect(await sessionUser(a)).toBeNull();
      expect((await t.req("/api/v1/people", { headers: { cookie: b } })).status).toBe(401);
      expect((await t.req("/", { headers: { cookie: a } })).status).toBe(302);
      expect((await signIn("olga@example.com", "olga-password-1")).status).toBe(401);
      expect((await signIn("olga@example.com", "olga-new-passphrase")).status).toBe(303);
      expect((await admin("/audit?entity=user")).ok).toBe(true);
      expect(await (await admin("/audit?entity=user")).text()).toContain("reset_password");
    });

    test("a role change ends the user's sessions; their API key acts with the new role at once", async () => {
      const olga = await userId("olga@example.com");
      expect((await admin(`/users/${olga}/role`, { role: "operator" })).status).toBe(200);
      const cookie = cookieOf(await signIn("olga@example.com", "olga-new-passphrase"));
      const key = (await t.deps.services.accounts.createApiKey(olga, "olga-role-key")).key;
      const post = (name: string) => t.req("/api/v1/departments", { method: "POST", headers: { "x-api-key": key, "content-type": "application/json" }, body: JSON.stringify({ name }) });
      expect((await post("Role before")).status).toBe(201);
      expect(await sessionUser(cookie)).toBe("olga@example.com");
      expect((await admin(`/users/${olga}/role`, { role: "viewer" })).status).toBe(200);
      expect(await sessionUser(cookie)).toBeNull();
      expect((await t.req("/people/new", { headers: { cookie } })).status).toBe(302);
      expect((await post("Role after")).status).toBe(403);
      expect((await t.req("/api/v1/departments", { headers: { "x-api-key": key } })).status).toBe(200);
    });

    test("better-auth's own admin, sign-in and password endpoints are not served; get-session and sign-out are", async () => {
      const olga = await userId("olga@example.com");
      const cookie = await t.cookieFor("admin");
      for (const path of ["/api/auth/admin/set-user-password", "/api/auth/admin/set-role", "/api/auth/admin/create-user", "/api/auth/sign-in/email", "/api/auth/change-password", "/api/auth/api-key/create"]) {
        const r = await t.req(path, { method: "POST", headers: { cookie, "content-type": "application/json" }, body: JSON.stringify({ userId: olga, newPassword: "aaaaaaaaaa", role: "admin" }) });
        expect([path, r.status]).toEqual([path, 404]);
      }
      expect((await signIn("olga@example.com", "olga-new-passphrase")).status).toBe(303);
      expect((await t.deps.services.users.get(olga))!.role).toBe("viewer");
      const mine = cookieOf(await signIn("olga@example.com", "olga-new-passphrase"));
      expect(await sessionUser(mine)).toBe("olga@example.com");
      expect((await t.req("/api/auth/sign-out", { method: "POST", headers: { cookie: mine } })).status).toBe(200);
      expect(await sessionUser(mine)).toBeNull();
    });

    test("changing one's own password: policy, current password, other sessions end, this one stays", async () => {
      const here = cookieOf(await signIn("olga@example.com", "olga-new-passphrase"));
      const other = cookieOf(await signIn("olga@example.com", "olga-new-passphrase"));
      const change = (data: Record<string, string>, cookie = here) => t.req("/account/password", { method: "POST", ...form(data), headers: { ...form(data).headers, cookie } });
      expect((await t.req("/account/password", { headers: { cookie: here } })).status).toBe(200);
      const weak = await change({ current: "olga-new-passphrase", password: "aaaaaaaaaa" });
      expect(weak.status).toBe(422);
      expect(await weak.text()).toContain("Repeated characters");
      const wrong = await change({ current: "not-my-password", password: "olga-third-passphrase" });
      expect(wrong.status).toBe(422);
      expect(await wrong.text()).toContain("This is not your current password");
      const ok = await change({ current: "olga-new-passphrase", password: "olga-third-passphrase" });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain("Password changed.");
      const fresh = cookieOf(ok);
      expect(fresh).toContain("session_token");
      expect(await sessionUser(fresh)).toBe("olga@example.com");
      expect(await sessionUser(other)).toBeNull();
      expect((await signIn("olga@example.com", "olga-third-passphrase")).status).toBe(303);
      const key = await t.apiKeyFor("viewer");
      const viaKey = await t.req("/account/password", { method: "POST", body: JSON.stringify({ current: "correct-horse-battery", password: "viewer-new-passphrase" }), headers: { "x-api-key": key, "content-type": "application/json" } });
      expect(viaKey.status).toBe(422);
      expect(await viaKey.text()).toContain("an API key cannot");
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
