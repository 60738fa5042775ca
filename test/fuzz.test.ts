// 1,000 byte-mutated real photos through POST /api/v1/recognize: every answer is 200 or a clear 4xx,
// nothing hangs, no engine worker dies, and recognition still works afterwards.
import { setDefaultTimeout } from "bun:test";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { makeApp, type TestApp } from "./helpers";
import { rng } from "./support/random";

// Tests here start real processes, engines or browsers (Bun applies a default per file only).
setDefaultTimeout(60_000);

const DIR = join(import.meta.dir, "../../shared/faces/facescrub/cropped");
const COUNT = 1000;

// Mutations are deterministic (seeded), so a failure can be replayed by its index.
/** One of: flipped bytes, a truncation, inserted garbage, a zeroed run, a duplicated run, or a header edit. */
export function mutate(src: Uint8Array, i: number): Uint8Array {
  const r = rng(i + 1);
  const at = (n: number) => Math.floor(r() * n);
  const b = new Uint8Array(src);
  switch (i % 6) {
    case 0:
      for (let k = 0, n = 1 + at(40); k < n; k++) b[at(b.length)] = at(256);
      return b;
    case 1:
      return b.slice(0, at(b.length));
    case 2: {
      const p = at(b.length);
      const junk = Uint8Array.from({ length: 1 + at(500) }, () => at(256));
      return new Uint8Array([...b.subarray(0, p), ...junk, ...b.subarray(p)]);
    }
    case 3: {
      const p = at(b.length);
      b.fill(0, p, p + 1 + at(2000));
      return b;
    }
    case 4: {
      const p = at(b.length), n = 1 + at(4000);
      return new Uint8Array([...b.subarray(0, p + n), ...b.subarray(p, p + n), ...b.subarray(p + n)]);
    }
    default:
      // The first 600 bytes hold the markers, tables and frame size: edits there hit the parser.
      for (let k = 0, n = 1 + at(6); k < n; k++) b[at(Math.min(600, b.length))] = at(256);
      return b;
  }
}

describe("fuzzing /api/v1/recognize", () => {
  let t: TestApp;
  let key: string;
  beforeAll(async () => {
    t = await makeApp("pglite", { API_KEY_RATE_LIMIT: "100000" }, { engine: true });
    key = await t.apiKeyFor("viewer");
  }, 60_000);
  afterAll(() => t.close());

  test(`${COUNT} mutated photos: only 200 or 4xx, no hang, no dead worker`, async () => {
    const files = readdirSync(DIR).sort();
    const sources = await Promise.all(files.slice(0, 50).map(async (f) => new Uint8Array(await Bun.file(join(DIR, f)).arrayBuffer())));
    const statuses = new Map<number, number>();
    const bad: string[] = [];
    const one = async (i: number) => {
      const fd = new FormData();
      fd.set("image", new Blob([mutate(sources[i % sources.length]!, i) as Uint8Array<ArrayBuffer>]), "photo.jpg");
      const res = await Promise.race([
        t.req("/api/v1/recognize", { method: "POST", body: fd, headers: { "x-api-key": key } }),
        Bun.sleep(60_000).then(() => null),
      ]);
      if (!res) return void bad.push(`#${i}: no answer within 60 s`);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const body = await res.json().catch(() => null);
      if (res.status !== 200 && !(res.status >= 400 && res.status < 500)) bad.push(`#${i}: ${res.status} ${JSON.stringify(body)}`);
      else if (res.status !== 200 && !body?.error) bad.push(`#${i}: ${res.status} without an error message`);
    };
    // Four requests in flight: the queue is exercised, never overflowed.
    let next = 0;
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next < COUNT) await one(next++);
    }));
    expect(bad).toEqual([]);
    expect(statuses.get(429)).toBeUndefined(); // every request reached the engine
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(COUNT);
    // Both outcomes occur: some mutations still decode, many are rejected.
    expect(statuses.get(200)).toBeGreaterThan(50);
    expect(COUNT - (statuses.get(200) ?? 0)).toBeGreaterThan(50);
    const stats = t.deps.services.faces.engineStats()!;
    expect(stats.restarts).toBe(0);
    expect(stats.ready).toBe(stats.workers);
    const fd = new FormData();
    fd.set("image", Bun.file(join(DIR, files[0]!)), "ok.jpg");
    const ok = await t.req("/api/v1/recognize", { method: "POST", body: fd, headers: { "x-api-key": key } });
    expect(ok.status).toBe(200);
    expect((await ok.json()).faces.length).toBe(1);
  }, 900_000);
});
