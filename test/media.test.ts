// The media stores against real storage: a temp folder, and a real fake S3 server (s3rver) spoken to
// by Bun's S3 client; the same contract for both, then what only S3 has (key prefix, bad buckets and
// credentials) and the monitored store's 503s, banner problem and recovery.
import { setDefaultTimeout } from "bun:test";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { S3Client } from "bun";
import { HttpError } from "../src/lib/http";
import { createLogger } from "../src/lib/log";
import { LocalMediaStore, MonitoredMediaStore, S3MediaStore, type MediaStore } from "../src/services/media";
import { eventually } from "./support/eventually";
import { S3RVER_KEY, startS3, type FakeS3 } from "./support/s3";
import { freePort } from "./support/server";

// Tests here start real processes, engines or browsers (Bun applies a default per file only).
setDefaultTimeout(60_000);

const BUCKET = "clockface-media";
/** Keys per list request in these tests, so that a handful of objects spans several pages. */
const PAGE = 3;
const jpeg = (n: number) => new Uint8Array([0xff, 0xd8, 0xff, n, 0xff, 0xd9]);
const uuid = () => crypto.randomUUID();
const silent = createLogger("silent");

let s3: FakeS3;
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "clockface-media-"));
  dirs.push(d);
  return d;
};
const s3Store = (prefix: string, bucket = BUCKET, key = S3RVER_KEY) =>
  new S3MediaStore({ endpoint: s3.endpoint, bucket, accessKeyId: key, secretAccessKey: key, region: "us-east-1", prefix }, PAGE);

beforeAll(async () => {
  s3 = await startS3([BUCKET]);
});
afterAll(async () => {
  await s3?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const kinds: [string, () => MediaStore][] = [
  ["local folder", () => new LocalMediaStore(join(tmp(), "media"))],
  ["S3 bucket", () => s3Store(`t-${uuid()}`)],
];

for (const [kind, make] of kinds) {
  describe(`media store: ${kind}`, () => {
    test("put, get and remove; a missing object is null, removing it again is fine", async () => {
      const store = make();
      await store.check();
      const rel = `evidence/2024-05-01/${uuid()}.jpg`;
      expect(await store.get(rel)).toBeNull();
      await store.put(rel, jpeg(1));
      expect(await store.get(rel)).toEqual(jpeg(1));
      await store.put(rel, jpeg(2));
      expect(await store.get(rel)).toEqual(jpeg(2));
      const big = crypto.getRandomValues(new Uint8Array(60_000));
      await store.put("unknown/2024-05-01/big.jpg", big);
      expect(await store.get("unknown/2024-05-01/big.jpg")).toEqual(big);
      await store.remove(rel);
      expect(await store.get(rel)).toBeNull();
      await store.remove(rel);
    });

    test("paths that could leave the store are refused with a 404", async () => {
      const store = make();
      for (const bad of ["../secret", "evidence/../../etc/passwd", "/etc/passwd", "evidence//x.jpg", "evidence/./x.jpg", "", "evidence\\..\\x.jpg"]) {
        for (const op of [() => store.get(bad), () => store.put(bad, jpeg(1)), () => store.remove(bad)]) {
          const e = await op().then(
            () => null,
            (err: unknown) => err,
          );
          expect({ bad, status: e instanceof HttpError ? e.status : e }).toEqual({ bad, status: 404 });
        }
      }
    });

    test("purge deletes every object of the day folders before the cutoff, over several list pages, and nothing else", async () => {
      const store = make();
      const put = async (rel: string) => {
        await store.put(rel, jpeg(rel.length));
        return rel;
      };
      // Nine objects on one old day (three list pages) and six more old days (two pages of day folders).
      const oldDay = await Promise.all(Array.from({ length: 9 }, () => put(`evidence/2024-01-01/${uuid()}.jpg`)));
      const olderDays = await Promise.all(["2023-12-25", "2023-12-26", "2023-12-27", "2023-12-28", "2023-12-29", "2024-01-02"].map((d) => put(`evidence/${d}/${uuid()}.jpg`)));
      const kept = await Promise.all([put(`evidence/2024-01-03/${uuid()}.jpg`), put(`evidence/2024-02-01/${uuid()}.jpg`), put(`evidence/latest/${uuid()}.jpg`), put(`unknown/2024-01-01/${uuid()}.jpg`)]);
      expect(await store.purgeBefore("evidence", "2024-01-03")).toBe(7);
      for (const rel of [...oldDay, ...olderDays]) expect({ rel, bytes: await store.get(rel) }).toEqual({ rel, bytes: null });
      for (const rel of kept) expect({ rel, bytes: await store.get(rel) }).toEqual({ rel, bytes: jpeg(rel.length) });
      expect(await store.purgeBefore("evidence", "2024-01-03")).toBe(0);
      expect(await store.purgeBefore("unknown", "2024-01-02")).toBe(1);
      expect(await store.get(kept[3]!)).toBeNull();
    });

    test("purging a folder that was never written removes nothing", async () => {
      expect(await make().purgeBefore("unknown", "2030-01-01")).toBe(0);
    });
  });
}

describe("S3 media store", () => {
  test("objects are keys under the prefix; another prefix in the same bucket is neither seen nor purged", async () => {
    const a = s3Store("site-a/photos/");
    const b = s3Store("site-b");
    const rel = `evidence/2024-01-01/${uuid()}.jpg`;
    await a.put(rel, jpeg(7));
    await b.put(rel, jpeg(8));
    const raw = new S3Client({ endpoint: s3.endpoint, bucket: BUCKET, accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_KEY });
    expect(await raw.file(`site-a/photos/${rel}`).bytes()).toEqual(jpeg(7));
    expect(await raw.file(`site-b/${rel}`).bytes()).toEqual(jpeg(8));
    expect(await a.purgeBefore("evidence", "2025-01-01")).toBe(1);
    expect(await raw.file(`site-a/photos/${rel}`).exists()).toBe(false);
    expect(await b.get(rel)).toEqual(jpeg(8));
    expect(a.location).toBe(`s3://${BUCKET}/site-a/photos/ at ${s3.endpoint}`);
  });

  test("the check fails for a missing bucket, wrong credentials and an endpoint that does not answer", async () => {
    const failure = (store: MediaStore) => store.check().then(
      () => "passed",
      (e: { code?: string }) => e.code,
    );
    expect(await failure(s3Store("x", "no-such-bucket"))).toBe("NoSuchBucket");
    expect(await failure(s3Store("x", BUCKET, "WRONG"))).toBe("InvalidAccessKeyId");
    const closed = new S3MediaStore({ endpoint: `http://127.0.0.1:${freePort()}`, bucket: BUCKET, accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_KEY, region: "us-east-1" });
    expect(await failure(closed)).toBe("ConnectionRefused");
  });
});

describe("monitored media store", () => {
  test("a failing storage answers 503 and is shown as a problem until a re-check passes", async () => {
    const root = join(tmp(), "media");
    writeFileSync(root, "a file where the media folder should be");
    const store = new MonitoredMediaStore(new LocalMediaStore(root), silent, 50);
    try {
      expect(await store.verify()).toBe(false);
      expect(store.problem).toContain("EEXIST");
      const e = await store.put(`evidence/2024-01-01/${uuid()}.jpg`, jpeg(1)).catch((err: unknown) => err);
      expect(e).toBeInstanceOf(HttpError);
      expect((e as HttpError).status).toBe(503);
      expect((e as HttpError).message).toStartWith("Media storage is unreachable");
      // A bad path stays a 404 and is no storage problem.
      expect(((await store.get("../x").catch((err: unknown) => err)) as HttpError).status).toBe(404);
      rmSync(root);
      await eventually(async () => store.problem, null, 5_000);
      await store.put("evidence/2024-01-01/x.jpg", jpeg(1));
      expect(await store.get("evidence/2024-01-01/x.jpg")).toEqual(jpeg(1));
    } finally {
      store.close();
    }
  });

  test("an S3 endpoint that does not answer is a problem named by its error", async () => {
    const store = new MonitoredMediaStore(new S3MediaStore({ endpoint: `http://127.0.0.1:${freePort()}`, bucket: BUCKET, accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_KEY, region: "us-east-1" }), silent);
    try {
      expect(await store.verify()).toBe(false);
      expect(store.problem).toContain("ConnectionRefused");
      expect(((await store.get("evidence/2024-01-01/x.jpg").catch((err: unknown) => err)) as HttpError).status).toBe(503);
    } finally {
      store.close();
    }
  });
});
