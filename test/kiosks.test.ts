// Kiosk devices: an admin adds a kiosk and gets a one-time pairing link (with its QR code); the link
// pairs once and expires; the kiosk's credential opens the kiosk routes only; revoking it (or pairing
// the kiosk anew) refuses the old credential; pairing and revocation are in the audit log.
import { setDefaultTimeout } from "bun:test";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { dbKinds, form, json, makeApp, type TestApp } from "./helpers";

setDefaultTimeout(60_000);

for (const kind of dbKinds()) {
  describe(`kiosk devices on ${kind}`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await makeApp(kind);
    });
    afterAll(() => t.close());

    /** Adds a kiosk on the Kiosks page; returns the pairing link's code and the page. */
    async function addKiosk(name: string, location = "") {
      const res = await t.req("/kiosks", { as: "admin", method: "POST", ...form({ name, location }) });
      const html = await res.text();
      const link = /<code id="pairing-link"[^>]*>([^<]+)<\/code>/.exec(html)?.[1] ?? "";
      return { res, html, link, code: new URL(link || "http://x/").hash.slice("#pair=".length) };
    }
    const pair = (code: unknown) => t.req("/api/v1/kiosk/pair", { method: "POST", ...json({ code }) });
    const as = (token: string, path: string, init: RequestInit = {}) => t.req(path, { ...init, headers: { ...(init.headers as Record<string, string>), "x-kiosk-token": token } });
    const kioskId = async (name: string) => (await t.rows(sql`select id from kiosks where name = ${name}`))[0]!.id as number;
    const audit = async (id: number) => (await t.rows(sql`select action, actor_label from audit_log where entity = 'kiosk' and entity_id = ${String(id)} order by id`)).map((r) => `${r.action} by ${r.actor_label}`);

    test("adding a kiosk shows a one-time pairing link and its QR code, once; bad input is refused with the reason", async () => {
      const { res, html, link, code } = await addKiosk("Entrance tablet", "Main door");
      expect(res.status).toBe(201);
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(link).toStartWith(`${t.config.BASE_URL}/kiosk#pair=cfp_`);
      expect(code.length).toBeGreaterThan(40);
      expect(html).toMatch(/<div class="qr"><svg [^>]*viewBox/);
      expect(html).toContain("waiting for pairing");
      const again = await t.req("/kiosks", { as: "admin" });
      expect(await again.text()).not.toContain(code);
      const empty = await t.req("/kiosks", { as: "admin", method: "POST", ...form({ name: " ", location: "" }) });
      expect(empty.status).toBe(422);
      expect(await empty.text()).toContain("Name the kiosk after where it stands");
      const dup = await t.req("/kiosks", { as: "admin", method: "POST", ...form({ name: "entrance TABLET", location: "" }) });
      expect(dup.status).toBe(422);
      expect(await dup.text()).toContain("There is already a kiosk with this name");
    });

    test("only admins see or change kiosks", async () => {
      for (const role of ["viewer", "operator"]) {
        expect((await t.req("/kiosks", { as: role })).status).toBe(403);
        expect((await t.req("/kiosks", { as: role, method: "POST", ...form({ name: "Sneaky", location: "" }) })).status).toBe(403);
      }
      expect((await t.req("/kiosks")).status).toBe(302);
      expect(await t.rows(sql`select id from kiosks where name = 'Sneaky'`)).toEqual([]);
    });

    test("a pairing link pairs once; the credential reads the kiosk's settings and is seen", async () => {
      const { code } = await addKiosk("Side door", "Loading bay");
      const id = await kioskId("Side door");
      const first = await pair(code);
      expect(first.status).toBe(200);
      const { token, kiosk } = await first.json();
      expect(token).toStartWith("cfk_");
      expect(kiosk).toEqual({ id, name: "Side door", location: "Loading bay" });
      const second = await pair(code);
      expect(second.status).toBe(410);
      expect((await second.json()).error).toContain("already used");
      const config = await as(token, "/api/v1/kiosk/config");
      expect([config.status, await config.json()]).toEqual([200, { id, name: "Side door", location: "Loading bay" }]);
      const [row] = await t.rows(sql`select token_hash, pairing_hash, last_seen_at, paired_at from kiosks where id = ${id}`);
      expect(row!.pairing_hash).toBeNull();
      expect(row!.token_hash).toMatch(/^[0-9a-f]{64}$/); // only a hash of the credential is stored
      expect(row!.token_hash).not.toContain(token);
      expect(row!.last_seen_at).not.toBeNull();
      const page = await (await t.req("/kiosks", { as: "admin" })).text();
      expect(page).toMatch(/Side door<\/td><td>Loading bay<\/td><td><span class="badge ok">paired<\/span>/);
      expect(await audit(id)).toEqual(["create by admin@test.local", "pair by kiosk Side door"]);
    });

    test("a pairing link that expired does not pair; nor does a made-up one; bad bodies get 4xx", async () => {
      const { code } = await addKiosk("Canteen");
      await t.rows(sql`update kiosks set pairing_expires_at = now() - interval '1 second' where name = 'Canteen'`);
      expect((await pair(code)).status).toBe(410);
      expect((await pair("cfp_madeUp")).status).toBe(410);
      expect((await pair("")).status).toBe(422);
      expect((await pair(12)).status).toBe(422);
      expect((await t.req("/api/v1/kiosk/pair", { method: "POST", body: "{", headers: { "content-type": "application/json" } })).status).toBe(400);
      expect(await (await t.req("/kiosks", { as: "admin" })).text()).toContain("pairing link expired");
    });

    test("the kiosk's credential punches but opens nothing else of the API or the pages", async () => {
      const { code } = await addKiosk("Lobby");
      const { token } = await (await pair(code)).json();
      const fd = new FormData();
      fd.set("image", new Blob([new Uint8Array([1, 2, 3])]), "k.jpg");
      // Reaches the punch handler (no engine in this process: 503), with no Origin header, like a tablet.
      const punch = await t.app.request(`${t.config.BASE_URL}/api/v1/kiosk/punch`, { method: "POST", body: fd, headers: { "x-kiosk-token": token } });
      expect([punch.status, (await punch.json()).error]).toEqual([503, expect.stringContaining("engine")]);
      for (const [method, path] of [["GET", "/api/v1/people"], ["GET", "/api/v1/attendance"], ["GET", "/api/v1/events"], ["GET", "/api/v1/cameras"]]) {
        const r = await as(token, path!, { method });
        expect([path, r.status]).toEqual([path, 403]);
        expect((await r.json()).error).toBe("A kiosk may only check people in and out");
      }
      const create = await as(token, "/api/v1/people", { method: "POST", ...json({ name: "Mallory", employeeCode: "M-1" }) });
      expect(create.status).toBe(403);
      expect((await as(token, "/people", { headers: { accept: "text/html" } })).status).toBe(403);
      expect((await as(token, "/kiosks", { headers: { accept: "text/html" } })).status).toBe(403);
      expect((await as(token, "/kiosks", { method: "POST", ...form({ name: "By kiosk", location: "" }) })).status).toBe(403);
      // A cookie sent along does not widen it: the kiosk credential is judged alone.
      const withCookie = await as(token, "/api/v1/people", { headers: { cookie: await t.cookieFor("admin") } });
      expect(withCookie.status).toBe(403);
    });

    test("revoking refuses the credential at once (401), is audited, and cannot be undone by the old link", async () => {
      const { code } = await addKiosk("Back door");
      const id = await kioskId("Back door");
      const { token } = await (await pair(code)).json();
      expect((await as(token, "/api/v1/kiosk/config")).status).toBe(200);
      const revoke = await t.req(`/kiosks/${id}/revoke`, { as: "admin", method: "POST", ...form({}) });
      expect([revoke.status, revoke.headers.get("location")]).toEqual([303, "/kiosks?done=revoked"]);
      const refused = await as(token, "/api/v1/kiosk/config");
      expect(refused.status).toBe(401);
      expect((await refused.json()).error).toContain("not paired");
      expect((await as(token, "/api/v1/kiosk/punch", { method: "POST", body: new FormData() })).status).toBe(401);
      expect((await t.req(`/kiosks/${id}/revoke`, { as: "admin", method: "POST", ...form({}) })).status).toBe(404);
      expect((await t.req(`/kiosks/${id}/pairing`, { as: "admin", method: "POST", ...form({}) })).status).toBe(404);
      expect(await (await t.req("/kiosks?done=revoked", { as: "admin" })).text()).toMatch(/Back door<\/td><td>—<\/td><td><span class="badge bad">revoked/);
      expect(await audit(id)).toEqual(["create by admin@test.local", "pair by kiosk Back door", "revoke by admin@test.local"]);
      // The public kiosk page still opens with the dead credential (the page itself shows pairing).
      expect((await as(token, "/kiosk")).status).toBe(200);
      expect((await as("garbage", "/api/v1/kiosk/config")).status).toBe(401);
    });

    test("a new pairing link for a replaced tablet: the new credential works, the old one stops", async () => {
      const { code } = await addKiosk("Reception");
      const id = await kioskId("Reception");
      const old = (await (await pair(code)).json()).token;
      const res = await t.req(`/kiosks/${id}/pairing`, { as: "admin", method: "POST", ...form({}) });
      const link = /<code id="pairing-link"[^>]*>([^<]+)<\/code>/.exec(await res.text())![1]!;
      expect((await as(old, "/api/v1/kiosk/config")).status).toBe(200); // until the new link is used
      const fresh = (await (await pair(new URL(link).hash.slice("#pair=".length))).json()).token;
      expect((await as(fresh, "/api/v1/kiosk/config")).status).toBe(200);
      expect((await as(old, "/api/v1/kiosk/config")).status).toBe(401);
      expect(await audit(id)).toEqual(["create by admin@test.local", "pair by kiosk Reception", "new_pairing_link by admin@test.local", "pair by kiosk Reception"]);
    });
  });
}
