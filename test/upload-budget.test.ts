import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import sharp from "sharp";
import { CROPS, dbKinds, json, makeApp, type TestApp } from "./helpers";
import { eventually } from "./support/eventually";

// Tests here start the face engine.
setDefaultTimeout(60_000);

const FACE = "Aaron_Eckhart_4_crop.jpg";
const BUDGET = 1024 * 1024;

/** A multipart body: the face photo plus `pad` bytes of filler, so that two of them overflow the budget. */
async function upload(pad: number): Promise<{ bytes: Uint8Array<ArrayBuffer>; type: string }> {
  const fd = new FormData();
  fd.set("image", Bun.file(join(CROPS, FACE)), FACE);
  fd.set("note", "x".repeat(pad));
  const r = new Response(fd);
  const type = r.headers.get("content-type")!;
  return { bytes: new Uint8Array(await r.arrayBuffer()), type };
}

/** A request body the test feeds by hand: `head` bytes at once, the rest when `finish()` is called (or fails on `abort()`). */
function heldBody(bytes: Uint8Array, head: number) {
  const gate = Promise.withResolvers<boolean>();
  const stream = new ReadableStream<Uint8Array>({
    async start(out) {
      out.enqueue(bytes.slice(0, head));
      if (await gate.promise) {
        out.enqueue(bytes.slice(head));
        out.close();
      } else out.error(new Error("the client went away"));
    },
  });
  return { stream, finish: () => gate.resolve(true), abort: () => gate.resolve(false) };
}

for (const kind of dbKinds()) {
  describe(`upload memory budget on ${kind}`, () => {
    let t: TestApp;
    let big: { bytes: Uint8Array<ArrayBuffer>; type: string };
    const used = async () => t.deps.services.memory.used;
    const post = (path: string, body: BodyInit, headers: Record<string, string>, as = "operator") =>
      t.req(path, { as, method: "POST", body, headers, duplex: "half" } as RequestInit & { as: string });

    beforeAll(async () => {
      t = await makeApp(kind, { UPLOAD_MEMORY_BUDGET_BYTES: String(BUDGET), MAX_BODY_BYTES: String(BUDGET) }, { engine: true });
      big = await upload(600 * 1024);
    }, 90_000);
    afterAll(() => t.close());

    test("a decoded image counts against the budget while its upload is held", async () => {
      const { width, height } = await sharp(join(CROPS, FACE)).metadata();
      const res = await post("/api/v1/recognize", big.bytes, { "content-type": big.type, "content-length": String(big.bytes.length) }, "viewer");
      expect(res.status).toBe(200);
      expect((await res.json()).faces.length).toBe(1);
      expect(t.deps.services.memory.peak).toBeGreaterThanOrEqual(big.bytes.length + width! * height! * 3);
      expect(await used()).toBe(0);
    });

    test("while one upload is being received, a second that does not fit gets 503 with Retry-After at once; the first succeeds", async () => {
      const first = heldBody(big.bytes, 1000);
      const firstRes = post("/api/v1/recognize", first.stream, { "content-type": big.type, "content-length": String(big.bytes.length) }, "viewer");
      await eventually(used, big.bytes.length);

      const second = await post("/api/v1/recognize", big.bytes, { "content-type": big.type, "content-length": String(big.bytes.length) }, "viewer");
      expect(second.status).toBe(503);
      expect(second.headers.get("retry-after")).toBe("2");
      expect((await second.json()).error).toBe("The server is busy receiving other uploads; try again in a few seconds");
      expect(await used()).toBe(big.bytes.length);

      // A chunked body (no Content-Length) is counted as it streams and stopped at the budget.
      const chunked = heldBody(big.bytes, 1000);
      chunked.finish();
      const third = await post("/api/v1/recognize", chunked.stream, { "content-type": big.type }, "viewer");
      expect(third.status).toBe(503);
      expect(third.headers.get("retry-after")).toBe("2");
      expect(await used()).toBe(big.bytes.length);

      // A form page gets the same answer as a page.
      const person = await (await t.req("/api/v1/people", { as: "operator", method: "POST", ...json({ name: "Budget Person", employeeCode: "BP1", consent: true }) })).json();
      const page = await post(`/people/${person.id}/faces`, big.bytes, { "content-type": big.type, "content-length": String(big.bytes.length), accept: "text/html" });
      expect(page.status).toBe(503);
      expect(page.headers.get("retry-after")).toBe("2");
      expect(await page.text()).toContain("The server is busy receiving other uploads");

      first.finish();
      const ok = await firstRes;
      expect(ok.status).toBe(200);
      expect((await ok.json()).faces.length).toBe(1);
      expect(await used()).toBe(0);
    });

    test("a small upload still fits beside a large one in flight", async () => {
      const first = heldBody(big.bytes, 1000);
      const firstRes = post("/api/v1/recognize", first.stream, { "content-type": big.type, "content-length": String(big.bytes.length) }, "viewer");
      await eventually(used, big.bytes.length);
      const small = await upload(0);
      const res = await post("/api/v1/recognize", small.bytes, { "content-type": small.type, "content-length": String(small.bytes.length) }, "viewer");
      expect(res.status).toBe(200);
      first.finish();
      expect((await firstRes).status).toBe(200);
      expect(await used()).toBe(0);
    });

    test("the budget is given back when the client aborts mid-body or sends a malformed one", async () => {
      const first = heldBody(big.bytes, 1000);
      const firstRes = post("/api/v1/recognize", first.stream, { "content-type": big.type, "content-length": String(big.bytes.length) }, "viewer");
      await eventually(used, big.bytes.length);
      first.abort();
      expect((await firstRes).status).toBe(400);
      expect(await used()).toBe(0);

      const chunked = heldBody(big.bytes, 1000);
      const chunkedRes = post("/api/v1/recognize", chunked.stream, { "content-type": big.type }, "viewer");
      await eventually(used, 1000);
      chunked.abort();
      expect((await chunkedRes).status).toBe(400);
      expect(await used()).toBe(0);

      const wrongBoundary = big.type.replace(/boundary=.*/, "boundary=not-the-one");
      expect((await post("/api/v1/recognize", big.bytes, { "content-type": wrongBoundary, "content-length": String(big.bytes.length) }, "viewer")).status).toBe(400);
      expect(await used()).toBe(0);

      // Unauthenticated: answered without reading the body, and the reservation goes with it.
      const anon = await t.req("/api/v1/recognize", { method: "POST", body: big.bytes, headers: { "content-type": big.type, "content-length": String(big.bytes.length) } });
      expect(anon.status).toBe(401);
      expect(await used()).toBe(0);

      // And a whole upload fits again.
      expect((await post("/api/v1/recognize", big.bytes, { "content-type": big.type, "content-length": String(big.bytes.length) }, "viewer")).status).toBe(200);
      expect(await used()).toBe(0);
    });
  });
}
