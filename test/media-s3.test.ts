// The app with S3 media storage (a real fake S3 server, s3rver): kiosk evidence and unknown-face crops
// land in the bucket under S3_PREFIX and not in DATA_DIR/media, are served through /media/... and the
// event photo route, feed the review queue's enrolment, and are purged by day; a partial S3
// configuration stops start-up, and an unreachable bucket gives a banner and 503s, never a crash.
import { setDefaultTimeout } from "bun:test";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { S3Client } from "bun";
import { ConfigError, loadConfig } from "../src/config";
import type { CameraRow } from "../src/db/repos/cameras";
import { addDays, localDay } from "../src/domain/time";
import { AtRest, isSealed } from "../src/lib/at-rest";
import { CROPS, cropUpload, form, json, makeApp, type TestApp } from "./helpers";
import { spawnChild } from "./support/process";
import { unknownSighting } from "./support/sightings";
import { S3RVER_KEY, startS3, type FakeS3 } from "./support/s3";
import { freePort } from "./support/server";

// Tests here start real processes, engines or browsers (Bun applies a default per file only).
setDefaultTimeout(60_000);

const BUCKET = "clockface-media";
const SECRET = "s3 test secret ".padEnd(40, "s");
const PREFIX = "site-a";
const photo = (f: string) => Bun.file(join(CROPS, f));
const isJpeg = (b: Uint8Array) => b[0] === 0xff && b[1] === 0xd8;

describe("S3 media storage", () => {
  let s3: FakeS3;
  let t: TestApp;
  let raw: S3Client;
  let kioskKey: string;
  let camera: CameraRow;
  let other: AtRest;
  const keys = async () => ((await raw.list({ prefix: `${PREFIX}/` })).contents ?? []).map((c) => c.key).sort();
  const punch = async (file: string) => {
    const fd = new FormData();
    fd.set("image", photo(file), file);
    return t.req("/api/v1/kiosk/punch", { method: "POST", body: fd, headers: { "x-api-key": kioskKey } });
  };

  beforeAll(async () => {
    s3 = await startS3([BUCKET]);
    raw = new S3Client({ endpoint: s3.endpoint, bucket: BUCKET, accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_KEY });
    // No dedupe and no minimum interval: the kiosk's second punch is a check-out at once.
    t = await makeApp("pglite", { ...s3.env(BUCKET, PREFIX), CLOCKFACE_SECRET: SECRET, EVENT_DEDUPE_MINUTES: "0", BOTH_MIN_INTERVAL_MINUTES: "0" }, { engine: true });
    const p = await (await t.req("/api/v1/people", { as: "operator", method: "POST", ...json({ name: "Melissa Benoist", employeeCode: "MB", consent: true }) })).json();
    for (const f of ["Melissa_Benoist_12866_crop.jpg", "Melissa_Benoist_12867_crop.jpg"]) {
      expect((await t.req(`/api/v1/people/${p.id}/faces`, { as: "operator", method: "POST", body: cropUpload(f) })).status).toBe(201);
    }
    kioskKey = await t.apiKeyFor("operator");
    other = await AtRest.fromSecret("another secret".padEnd(40, "o"));
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await s3?.stop();
  });

  test("a kiosk check-in's evidence photo lands in the bucket under the prefix, encrypted, and is served decrypted through /media", async () => {
    expect(t.deps.services.media.location).toBe(`s3://${BUCKET}/${PREFIX}/ at ${s3.endpoint}`);
    const r = await punch("Melissa_Benoist_12864_crop.jpg");
    expect(await r.json()).toMatchObject({ result: "checked_in", name: "Melissa Benoist" });
    const events = (await (await t.req("/api/v1/attendance?limit=10", { as: "viewer" })).json()).items as { id: number; evidenceUrl: string | null }[];
    expect(events.length).toBe(1);
    const [key] = await keys();
    expect(key).toMatch(new RegExp(`^${PREFIX}/evidence/\\d{4}-\\d{2}-\\d{2}/[0-9a-f-]{36}\\.jpg$`));
    const sealed = await raw.file(key!).bytes();
    expect(isJpeg(sealed)).toBe(false);
    expect(isSealed(sealed)).toBe(true);
    const stored = (await AtRest.fromSecret(SECRET)).open(sealed);
    expect(isJpeg(stored)).toBe(true);
    expect(() => other.open(sealed)).toThrow("sealed with another key");
    // Not on the local disk; the enrolled face crops are.
    expect(existsSync(join(t.config.DATA_DIR, "media/evidence"))).toBe(false);
    expect(existsSync(join(t.config.DATA_DIR, "media/faces"))).toBe(true);

    const media = await t.req(`/media/${key!.slice(PREFIX.length + 1)}`, { as: "viewer" });
    expect(media.status).toBe(200);
    expect(media.headers.get("content-type")).toBe("image/jpeg");
    expect(media.headers.get("cache-control")).toBe("private, max-age=86400");
    expect(new Uint8Array(await media.arrayBuffer())).toEqual(stored);
    const viaEvent = await t.req(events[0]!.evidenceUrl!, { as: "viewer" });
    expect(viaEvent.status).toBe(200);
    expect(viaEvent.headers.get("content-type")).toBe("image/jpeg");
    expect(new Uint8Array(await viaEvent.arrayBuffer())).toEqual(stored);
    // Same role as before: signed-out requests do not get the photo.
    const signedOut = await t.req(`/media/${key!.slice(PREFIX.length + 1)}`);
    expect(signedOut.status).toBe(302);
    expect(signedOut.headers.get("location")).toStartWith("/login?next=");
  });

  test("missing objects and bad paths are 404s", async () => {
    const day = localDay(new Date(), "UTC");
    for (const path of [`/media/evidence/${day}/${crypto.randomUUID()}.jpg`, `/media/unknown/${day}/${crypto.randomUUID()}.jpg`, "/media/evidence/..%2F..%2Fsecret/x.jpg", `/media/faces/${day}/${crypto.randomUUID()}.jpg`, "/media/evidence/2024-01-01/..%2F..jpg"]) {
      expect({ path, status: (await t.req(path, { as: "viewer" })).status }).toEqual({ path, status: 404 });
    }
  });

  test("an unknown camera face's crop goes to the bucket encrypted, is served decrypted, and enrolling its group reads it back", async () => {
    const cam = await (await t.req("/api/v1/cameras", { as: "admin", method: "POST", ...json({ name: "Side door", url: "rtsp://127.0.0.1:9/none", direction: "in", enabled: false }) })).json();
    camera = await t.deps.services.cameras.get(cam.id);
    await t.deps.services.sightings.handle(unknownSighting(camera, await photo("Eric_Dane_36367_crop.jpg").bytes()));
    const crop = (await keys()).find((k) => k.startsWith(`${PREFIX}/unknown/`));
    expect(crop).toBeDefined();
    expect(existsSync(join(t.config.DATA_DIR, "media/unknown"))).toBe(false);
    const sealed = await raw.file(crop!).bytes();
    expect(isSealed(sealed)).toBe(true);
    expect(() => other.open(sealed)).toThrow("sealed with another key");
    const served = await t.req(`/media/${crop!.slice(PREFIX.length + 1)}`, { as: "viewer" });
    expect(served.status).toBe(200);
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(await photo("Eric_Dane_36367_crop.jpg").bytes());

    const { groups } = await t.deps.services.review.groups(10, 0);
    expect(groups.length).toBe(1);
    const enrolled = await t.req(`/unknown/${groups[0]!.groupId}/enroll`, { as: "operator", method: "POST", ...form({ name: "Eric Dane", employeeCode: "ED", consent: "1" }) });
    expect(enrolled.status).toBe(200);
    expect(await enrolled.text()).toContain("Eric Dane: 1 face enrolled");
  });

  test("the retention purge deletes the old day prefixes in the bucket and keeps newer ones", async () => {
    const later = new Date(Date.now() + 91 * 86_400_000);
    const keep = `evidence/${addDays(localDay(later, "UTC"), -90)}/${crypto.randomUUID()}.jpg`;
    await t.deps.services.media.put(keep, new Uint8Array([0xff, 0xd8, 0xff, 0xd9]));
    const before = await keys();
    expect(before.filter((k) => k.startsWith(`${PREFIX}/evidence/`)).length).toBe(2);
    expect(await t.deps.services.sightings.purge(new Date(), 90)).toEqual({ unknownFaces: 0, evidenceDays: 0 });
    expect(await keys()).toEqual(before);
    const purged = await t.deps.services.sightings.purge(later, 90);
    expect(purged).toEqual({ unknownFaces: 1, evidenceDays: 1 });
    expect(await keys()).toEqual([`${PREFIX}/${keep}`]);
    const gone = before.find((k) => k !== `${PREFIX}/${keep}`)!;
    expect((await t.req(`/media/${gone.slice(PREFIX.length + 1)}`, { as: "viewer" })).status).toBe(404);
  });

  test("when the bucket goes away, a kiosk punch gets a 503 and records nothing, a camera's unknown face is dropped with a log, photos answer 503, and every page says so", async () => {
    await s3.stop();
    const unknownBefore = (await t.deps.services.review.groups(10, 0)).total;
    await t.deps.services.sightings.handle(unknownSighting(camera, await photo("Eric_Dane_36368_crop.jpg").bytes()));
    expect((await t.deps.services.review.groups(10, 0)).total).toBe(unknownBefore);
    const r = await punch("Melissa_Benoist_12864_crop.jpg");
    expect(r.status).toBe(503);
    expect((await r.json()).error).toStartWith("Media storage is unreachable");
    const events = (await (await t.req("/api/v1/attendance?limit=10", { as: "viewer" })).json()).items;
    expect(events.length).toBe(1);
    expect((await t.req(`/media/evidence/${localDay(new Date(), "UTC")}/${crypto.randomUUID()}.jpg`, { as: "viewer" })).status).toBe(503);
    const page = await (await t.req("/people", { as: "viewer" })).text();
    expect(page).toContain(`Media storage s3://${BUCKET}/${PREFIX}/ at ${s3.endpoint} is unreachable`);
  });
});

describe("S3 configuration", () => {
  test("partial S3 settings are refused, naming what is missing", () => {
    const refused = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return "accepted";
      } catch (e) {
        return e instanceof ConfigError ? e.problems.join("\n") : String(e);
      }
    };
    expect(refused({ S3_BUCKET: BUCKET })).toBe("S3 media storage needs S3_BUCKET, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY together: S3_BUCKET is set but S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY are missing");
    expect(refused({ S3_ENDPOINT: "http://127.0.0.1:9000", S3_ACCESS_KEY_ID: "k", S3_SECRET_ACCESS_KEY: "s" })).toBe(
      "S3 media storage needs S3_BUCKET, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY together: S3_ENDPOINT, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY are set but S3_BUCKET is missing",
    );
    expect(refused({ S3_REGION: "eu-central-1" })).toContain("S3_REGION is set but S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY are missing");
    expect(refused({ S3_BUCKET: "Not_A_Bucket", S3_ACCESS_KEY_ID: "k", S3_SECRET_ACCESS_KEY: "s", S3_ENDPOINT: "ftp://x", S3_PREFIX: "../up" })).toBe(
      ["S3_BUCKET: must be an S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)", "S3_ENDPOINT: must be an http:// or https:// URL", "S3_PREFIX: must be key segments of letters, digits, . _ - separated by /"].join("\n"),
    );
    expect(refused({ S3_BUCKET: BUCKET, S3_ACCESS_KEY_ID: "k", S3_SECRET_ACCESS_KEY: "s" })).toBe("accepted");
    expect(loadConfig({}).S3_BUCKET).toBeUndefined();
  });

  test("the server process stops at start with exit code 2 and the message", async () => {
    const c = spawnChild(["bun", "src/main.ts"], { cwd: join(import.meta.dir, ".."), env: { PATH: process.env.PATH, HOME: process.env.HOME, S3_BUCKET: BUCKET, S3_ACCESS_KEY_ID: "k" } });
    expect(await c.exited).toBe(2);
    expect(c.output()).toContain("S3_BUCKET, S3_ACCESS_KEY_ID are set but S3_SECRET_ACCESS_KEY is missing");
  });

  test("an unreachable bucket at start: the app still starts, shows a banner and answers photo requests with 503", async () => {
    const app = await makeApp("pglite", { S3_ENDPOINT: `http://127.0.0.1:${freePort()}`, S3_BUCKET: BUCKET, S3_ACCESS_KEY_ID: S3RVER_KEY, S3_SECRET_ACCESS_KEY: S3RVER_KEY });
    try {
      expect(app.deps.services.media.problem).toContain("ConnectionRefused");
      const page = await (await app.req("/people", { as: "viewer" })).text();
      expect(page).toContain("is unreachable (ConnectionRefused");
      expect(page).toContain("camera and kiosk check-ins are not recorded until their photos can be stored");
      expect((await app.req(`/media/evidence/2024-01-01/${crypto.randomUUID()}.jpg`, { as: "viewer" })).status).toBe(503);
    } finally {
      await app.close();
    }
  });
});
