// Where cameras may make the server connect to, through the HTTP surface: link-local and cloud
// metadata addresses refused at save, redirects followed only to the same host, snapshots that are
// not pictures never shown, failures that do not tell open ports from closed ones, and only admins
// may add, change, delete or test cameras. Real local servers on 127.0.0.1 (loopback is allowed for
// cameras: a restreamer on the same box is normal).
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import sharp from "sharp";
import { sql } from "drizzle-orm";
import { dbKinds, form, json, makeApp, type TestApp } from "./helpers";
import { freePort } from "./support/server";

setDefaultTimeout(60_000);

const servers: { stop(force: boolean): unknown }[] = [];
let jpeg: Uint8Array<ArrayBuffer>;
let web: { base: string; port: number };
let service: number;

beforeAll(async () => {
  jpeg = new Uint8Array(await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: 0, g: 160, b: 0 } } }).jpeg().toBuffer());
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(req) {
      const url = new URL(req.url);
      if (url.pathname === "/snap.jpg") return new Response(jpeg, { headers: { "content-type": "image/jpeg" } });
      // An internal web page behind a URL that looks like a snapshot.
      if (url.pathname === "/admin.jpg") return new Response("<html><body>internal status page: secret=42</body></html>", { headers: { "content-type": "text/html" } });
      if (url.pathname === "/same.jpg") return Response.redirect(`http://127.0.0.1:${url.port}/snap.jpg`, 302);
      if (url.pathname === "/elsewhere.jpg") return Response.redirect(`http://localhost:${url.port}/snap.jpg`, 302);
      if (url.pathname === "/metadata.jpg") return Response.redirect("http://169.254.169.254/latest/meta-data/", 302);
      return new Response("not found", { status: 404 });
    },
  });
  servers.push(server);
  web = { base: `http://127.0.0.1:${server.port}`, port: server.port! };
  // A TCP service that is not a camera (answers with a banner and hangs up, like SSH).
  const tcp = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data(s) { s.write("SSH-2.0-OpenSSH_9.2\r\n"); s.end(); } } });
  servers.push({ stop: () => tcp.stop(true) });
  service = tcp.port;
});
afterAll(() => {
  for (const s of servers.splice(0)) s.stop(true);
});

for (const kind of dbKinds()) {
  describe(`camera destinations on ${kind}`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await makeApp(kind);
    });
    afterAll(() => t?.close());

    const testForm = (url: string) => t.req("/cameras/test", { as: "admin", method: "POST", ...form({ url }) });
    const testMessage = async (url: string) => {
      const res = await testForm(url);
      const page = await res.text();
      return { status: res.status, message: /Test connection failed: ([^<]*)/.exec(page)?.[1] ?? null, shown: page.includes("data:image/jpeg") };
    };

    test("link-local and metadata addresses are refused at save with 422 (API and page, add and edit); nothing is saved", async () => {
      for (const url of ["http://169.254.169.254/latest/meta-data/", "http://2852039166/snap.jpg", "rtsp://0xa9fea9fe/live", "rtsp://[::ffff:169.254.169.254]/live", "rtsp://[fe80::1]/live", "http://[fd00:ec2::254]/latest/meta-data/", "http://metadata.google.internal/computeMetadata/v1/"]) {
        const res = await t.req("/api/v1/cameras", { as: "admin", method: "POST", ...json({ name: "Metadata", url, enabled: false }) });
        const body = await res.json();
        expect({ url, status: res.status }).toEqual({ url, status: 422 });
        expect(body.error).toMatch(/link-local|cloud metadata/);
        expect(body.fields.url).toBe(body.error);
      }
      const page = await t.req("/cameras", { as: "admin", method: "POST", ...form({ name: "Metadata", url: "http://169.254.169.254/latest/meta-data/", direction: "in", fps: "5" }) });
      expect(page.status).toBe(422);
      expect(await page.text()).toContain("link-local and cloud metadata addresses are not allowed");
      expect(await t.rows(sql`select id from cameras`)).toEqual([]);

      // A restreamer on this machine is a normal camera; changing it to a link-local address is refused.
      const cam = await (await t.req("/api/v1/cameras", { as: "admin", method: "POST", ...json({ name: "Restreamer", url: "rtsp://127.0.0.1:8554/door", enabled: false }) })).json();
      expect(cam.url).toBe("rtsp://127.0.0.1:8554/door");
      const patched = await t.req(`/api/v1/cameras/${cam.id}`, { as: "admin", method: "PATCH", ...json({ url: "rtsp://169.254.1.1/live" }) });
      expect(patched.status).toBe(422);
      const edited = await t.req(`/cameras/${cam.id}`, { as: "admin", method: "POST", ...form({ name: "Restreamer", url: "http://[fe80::1]/video", direction: "in", fps: "5" }) });
      expect(edited.status).toBe(422);
      expect(await t.rows(sql`select url from cameras`)).toEqual([{ url: "rtsp://127.0.0.1:8554/door" }]);
      await t.req(`/api/v1/cameras/${cam.id}`, { as: "admin", method: "DELETE" });
    });

    test("a camera saved with a link-local URL before these checks is refused when it connects, and when tested", async () => {
      const cam = await (await t.req("/api/v1/cameras", { as: "admin", method: "POST", ...json({ name: "Old", url: `${web.base}/snap.jpg`, enabled: false }) })).json();
      await t.rows(sql`update cameras set url = 'http://169.254.169.254/latest/meta-data/iam.jpg' where id = ${cam.id}`);
      // Enabling it (the URL is not part of the change) starts its pipeline, which refuses to connect.
      expect((await t.req(`/api/v1/cameras/${cam.id}`, { as: "admin", method: "PATCH", ...json({ enabled: true }) })).status).toBe(200);
      const status = (await (await t.req(`/api/v1/cameras/${cam.id}`, { as: "viewer" })).json()).status;
      expect(status.state).toBe("error");
      expect(status.reason).toContain("link-local and cloud metadata addresses are not allowed");
      const tested = await t.req(`/api/v1/cameras/${cam.id}/test`, { as: "admin", method: "POST" });
      expect(tested.status).toBe(422);
      expect((await tested.json()).error).toContain("link-local");
      expect((await t.req(`/api/v1/cameras/${cam.id}`, { as: "admin", method: "DELETE" })).status).toBe(204);
    });

    test("Test connection: a snapshot that is an HTML page is 'not an image' and never shown; redirects only to the same host", async () => {
      expect(await testMessage(`${web.base}/admin.jpg`)).toEqual({ status: 422, message: `No picture from ${web.base}/admin.jpg: not an image`, shown: false });
      expect(await testMessage(`${web.base}/elsewhere.jpg`)).toEqual({ status: 422, message: `No picture from ${web.base}/elsewhere.jpg: redirected to another host (not followed)`, shown: false });
      expect(await testMessage(`${web.base}/metadata.jpg`)).toEqual({ status: 422, message: `No picture from ${web.base}/metadata.jpg: redirected to another host (not followed)`, shown: false });
      expect(await testMessage(`${web.base}/same.jpg`)).toEqual({ status: 200, message: null, shown: true });
      // The same through the API, for a saved camera.
      const cam = await (await t.req("/api/v1/cameras", { as: "admin", method: "POST", ...json({ name: "Intranet", url: `${web.base}/admin.jpg`, enabled: false }) })).json();
      const res = await t.req(`/api/v1/cameras/${cam.id}/test`, { as: "admin", method: "POST" });
      expect(res.status).toBe(422);
      expect(res.headers.get("content-type")).toContain("application/json");
      const error = (await res.json()).error;
      expect(error).toBe(`Test connection failed: No picture from ${web.base}/admin.jpg: not an image`);
      expect(error).not.toContain("secret=42");
      await t.req(`/api/v1/cameras/${cam.id}`, { as: "admin", method: "DELETE" });
    });

    test("a closed port and an open port of a service that is not a camera (or the database) give the same message", async () => {
      const closed = freePort();
      const open = [service, ...(process.env.TEST_DATABASE_URL ? [Number(new URL(process.env.TEST_DATABASE_URL).port || 5432)] : [])];
      for (const [scheme, path] of [["rtsp", "/live"], ["http", "/video"], ["http", "/snap.jpg"]] as const) {
        const at = (port: number) => `${scheme}://127.0.0.1:${port}${path}`;
        expect(await testMessage(at(closed))).toEqual({ status: 422, message: `No picture from ${at(closed)}: could not connect`, shown: false });
        for (const port of open) expect(await testMessage(at(port))).toEqual({ status: 422, message: `No picture from ${at(port)}: could not connect`, shown: false });
      }
    });

    test("only admins add, change, delete or test cameras: viewer and operator get 403 on pages and API, with a session or an API key", async () => {
      const cam = await (await t.req("/api/v1/cameras", { as: "admin", method: "POST", ...json({ name: "Hall", url: `${web.base}/snap.jpg`, enabled: false }) })).json();
      const calls: [string, string, "form" | "json" | "none"][] = [
        ["POST", "/cameras", "form"],
        ["POST", "/cameras/test", "form"],
        ["POST", `/cameras/${cam.id}`, "form"],
        ["POST", `/cameras/${cam.id}/delete`, "form"],
        ["POST", "/api/v1/cameras", "json"],
        ["PATCH", `/api/v1/cameras/${cam.id}`, "json"],
        ["DELETE", `/api/v1/cameras/${cam.id}`, "none"],
        ["POST", `/api/v1/cameras/${cam.id}/test`, "none"],
      ];
      const fields = { name: "Hall 2", url: `${web.base}/snap.jpg`, direction: "in", fps: "5" };
      const statuses: string[] = [];
      for (const who of ["viewer", "operator", "apikey:viewer", "apikey:operator"] as const) {
        const auth = who.startsWith("apikey:") ? { headers: { "x-api-key": await t.apiKeyFor(who.slice(7) as "viewer" | "operator") } } : { as: who };
        for (const [method, path, body] of calls) {
          const b = body === "form" ? form(fields) : body === "json" ? json({ name: "Hall 2", url: `${web.base}/snap.jpg` }) : { headers: {} };
          const res = await t.req(path, { method, ...auth, body: "body" in b ? b.body : undefined, headers: { ...b.headers, ...("headers" in auth ? auth.headers : {}) } });
          statuses.push(`${who} ${method} ${path} ${res.status}`);
        }
      }
      expect(statuses.filter((s) => !s.endsWith(" 403"))).toEqual([]);
      expect(await t.rows(sql`select name from cameras where id = ${cam.id}`)).toEqual([{ name: "Hall" }]);
      expect(await t.rows(sql`select count(*)::int as n from cameras`)).toEqual([{ n: 1 }]);
      // The pages offer the forms to admins only.
      expect(await (await t.req("/cameras", { as: "operator" })).text()).not.toContain('id="camera-form"');
      expect(await (await t.req(`/cameras/${cam.id}`, { as: "operator" })).text()).not.toContain(`action="/cameras/${cam.id}/delete"`);
      expect(await (await t.req("/cameras", { as: "admin" })).text()).toContain('id="camera-form"');
      // An admin API key may.
      const key = await t.apiKeyFor("admin");
      const tested = await t.req(`/api/v1/cameras/${cam.id}/test`, { method: "POST", headers: { "x-api-key": key } });
      expect(tested.status).toBe(200);
      expect(tested.headers.get("content-type")).toBe("image/jpeg");
      expect((await t.req(`/api/v1/cameras/${cam.id}`, { method: "DELETE", headers: { "x-api-key": key } })).status).toBe(204);
    });
  });
}
