// Biometric data at rest through the real app: embeddings in the database and face photos on disk are
// sealed with the key from the secret (unreadable without it), still recognised and served; data
// written before encryption is sealed by the start-up migration (resumable, then a no-op); a wrong
// secret stops start-up. S3 photos: test/media-s3.test.ts.
import { setDefaultTimeout } from "bun:test";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { sql, type SQL } from "drizzle-orm";
import { loadConfig } from "../src/config";
import { AtRestRepo } from "../src/db/repos/at-rest";
import { SettingsRepo } from "../src/db/repos/settings";
import type { Db } from "../src/db/client";
import { AtRest, isSealed } from "../src/lib/at-rest";
import { createLogger, type Logger } from "../src/lib/log";
import { build, type Built } from "../src/server";
import { AtRestKeyError, AtRestMigration } from "../src/services/at-rest";
import { LocalMediaStore, SealedMediaStore } from "../src/services/media";
import { CROPS, cropUpload, dbKinds, json, makeApp, type DbKind, type TestApp } from "./helpers";
import { spawnChild } from "./support/process";
import { unknownSighting } from "./support/sightings";

// Tests here start real processes, engines or browsers (Bun applies a default per file only).
setDefaultTimeout(60_000);

const SECRET = "at-rest test secret ".padEnd(40, "a");
const OTHER_SECRET = "some other secret ".padEnd(40, "b");
const MODEL = "w600k_mbf_int8";
const isJpeg = (b: Uint8Array) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const read = (path: string) => Uint8Array.from(readFileSync(path));
const photo = (f: string) => read(join(CROPS, f));

async function query(db: Db, q: SQL): Promise<Record<string, unknown>[]> {
  const r = await db.execute(q);
  return (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows) as Record<string, unknown>[];
}
const bytes = (v: unknown) => new Uint8Array(v as Uint8Array);

/** Whether any 8-byte run of the vector's bytes appears in `raw` (a plain copy of the vector would). */
function leaks(vector: Float32Array, raw: Uint8Array): boolean {
  const v = new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength);
  const h = hex(raw);
  for (let i = 0; i + 8 <= v.length; i += 8) if (h.includes(hex(v.subarray(i, i + 8)))) return true;
  return false;
}

/** Every file under a folder, by path relative to it. */
function files(dir: string, prefix = ""): string[] {
  if (!existsSync(join(dir, prefix))) return [];
  return readdirSync(join(dir, prefix), { withFileTypes: true })
    .flatMap((d) => (d.isDirectory() ? files(dir, join(prefix, d.name)) : [join(prefix, d.name)]))
    .sort();
}

/** Sealed embedding bytes: no Float32 vector inside, another secret cannot open them, ours gives a unit vector back. */
function expectSealedEmbedding(raw: Uint8Array, key: AtRest, other: AtRest) {
  expect(isSealed(raw)).toBe(true);
  expect(Number.isNaN(new DataView(raw.buffer, raw.byteOffset).getFloat32(0, true))).toBe(true);
  expect(() => other.readEmbedding(raw)).toThrow("sealed with another key");
  const v = key.readEmbedding(raw);
  expect([512, 128]).toContain(v.length);
  expect(Math.abs(Math.hypot(...v) - 1)).toBeLessThan(1e-3);
  expect(leaks(v, raw)).toBe(false);
}

/** A sealed photo: no JPEG signature or JFIF marker in its bytes, another secret cannot open it, ours gives the JPEG. */
function expectSealedPhoto(raw: Uint8Array, key: AtRest, other: AtRest): Uint8Array {
  expect(isJpeg(raw)).toBe(false);
  expect(isSealed(raw)).toBe(true);
  expect(Buffer.from(raw).includes(Buffer.from("JFIF"))).toBe(false);
  expect(() => other.open(raw)).toThrow("sealed with another key");
  const plain = key.open(raw);
  expect(isJpeg(plain)).toBe(true);
  return plain;
}

let key: AtRest;
let other: AtRest;
beforeAll(async () => {
  key = await AtRest.fromSecret(SECRET);
  other = await AtRest.fromSecret(OTHER_SECRET);
});

for (const kind of dbKinds()) {
  describe(`face data at rest on ${kind}`, () => {
    let t: TestApp;
    let aaron: number;

    beforeAll(async () => {
      t = await makeApp(kind, { CLOCKFACE_SECRET: SECRET }, { engine: true });
      for (const [name, code, photos] of [
        ["Aaron Eckhart", "AE", ["Aaron_Eckhart_4_crop.jpg", "Aaron_Eckhart_7_crop.jpg"]],
        ["Adam Brody", "AB", ["Adam_Brody_355_crop.jpg"]],
      ] as const) {
        const p = await (await t.req("/api/v1/people", { as: "operator", method: "POST", ...json({ name, employeeCode: code, consent: true }) })).json();
        if (code === "AE") aaron = p.id;
        for (const f of photos) expect((await t.req(`/api/v1/people/${p.id}/faces`, { as: "operator", method: "POST", body: cropUpload(f) })).status).toBe(201);
      }
      expect((await t.req(`/api/v1/people/${aaron}/negatives`, { as: "operator", method: "POST", body: cropUpload("Adam_Brody_360_crop.jpg") })).status).toBe(201);
      const cam = await (await t.req("/api/v1/cameras", { as: "admin", method: "POST", ...json({ name: "Back door", url: "rtsp://127.0.0.1:9/none", direction: "in", enabled: false }) })).json();
      await t.deps.services.sightings.handle(unknownSighting(await t.deps.services.cameras.get(cam.id), photo("Eric_Dane_36367_crop.jpg")));
    }, 120_000);
    afterAll(() => t.close());

    test("every embedding row (faces, negative examples, unknown faces) is sealed: no Float32 vector in it, another secret cannot open it", async () => {
      const rows = [
        ...(await t.rows(sql`select embedding from face_embeddings`)),
        ...(await t.rows(sql`select embedding from negative_examples`)),
        ...(await t.rows(sql`select embedding from unknown_faces`)),
      ];
      // 3 enrolled faces, one negative per loaded recogniser, 1 unknown face.
      expect(rows.length).toBeGreaterThanOrEqual(5);
      for (const r of rows) expectSealedEmbedding(bytes(r.embedding), key, other);
    });

    test("every face crop and photo file is sealed, and served decrypted to a signed-in user", async () => {
      const media = join(t.config.DATA_DIR, "media");
      const all = files(media);
      expect(all.filter((f) => f.startsWith("faces/")).length).toBe(3);
      expect(all.filter((f) => f.startsWith("unknown/")).length).toBe(1);
      for (const f of all) expectSealedPhoto(read(join(media, f)), key, other);

      const [face] = await t.rows(sql`select id, crop_path from faces where person_id = ${aaron} order by id limit 1`);
      const served = await t.req(`/people/${aaron}/faces/${face!.id}.jpg`, { as: "viewer" });
      expect(served.status).toBe(200);
      expect(served.headers.get("content-type")).toBe("image/jpeg");
      expect(new Uint8Array(await served.arrayBuffer())).toEqual(key.open(read(join(media, String(face!.crop_path)))));
      expect(await (await t.req(`/people/${aaron}`, { as: "viewer" })).text()).toContain(`/people/${aaron}/faces/${face!.id}.jpg`);

      const unknown = all.find((f) => f.startsWith("unknown/"))!;
      const crop = await t.req(`/media/${unknown}`, { as: "viewer" });
      expect(crop.status).toBe(200);
      expect(new Uint8Array(await crop.arrayBuffer())).toEqual(photo("Eric_Dane_36367_crop.jpg"));
      expect((await t.req(`/media/${unknown}`)).status).toBe(302);
    });

    test("recognition works from the sealed rows: the gallery reloaded from the database matches the right people", async () => {
      await t.deps.services.faces.load();
      expect(t.deps.services.faces.status()).toMatchObject({ gallery: 3, people: 2 });
      const recognize = async (file: string) => (await (await t.req("/api/v1/recognize", { as: "viewer", method: "POST", body: cropUpload(file) })).json()).faces[0];
      expect(await recognize("Aaron_Eckhart_6_crop.jpg")).toMatchObject({ decision: "match", match: { personId: aaron, name: "Aaron Eckhart" } });
      expect((await recognize("Adam_Brody_368_crop.jpg")).match).toMatchObject({ name: "Adam Brody" });
    });
  });
}

/** The app on a database and DATA_DIR that outlive it (PGlite in DATA_DIR, or a PostgreSQL schema). */
function persistent(kind: DbKind) {
  const dataDir = `/tmp/clockface-test-${crypto.randomUUID()}`;
  const pgSchema = kind === "postgres" ? `t_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}` : undefined;
  return {
    dataDir,
    boot: (secret: string, log: Logger = createLogger("silent")): Promise<Built> =>
      build(loadConfig({ LOG_LEVEL: "silent", DATA_DIR: dataDir, CLOCKFACE_SECRET: secret, ...(kind === "postgres" ? { DATABASE_URL: process.env.TEST_DATABASE_URL } : {}) }), { log, pgSchema, engine: false }),
    async drop() {
      rmSync(dataDir, { recursive: true, force: true });
      if (pgSchema) {
        const { default: postgres } = await import("postgres");
        const c = postgres(process.env.TEST_DATABASE_URL!, { onnotice: () => {} });
        await c.unsafe(`drop schema if exists "${pgSchema}" cascade`);
        await c.end();
      }
    },
  };
}

function unitVector(seed: number): Float32Array {
  const v = Float32Array.from({ length: 512 }, (_, i) => Math.sin(seed * 1000 + i));
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

/**
 * What a database and media folder of the version before encryption hold: plain Float32 embeddings
 * (3 faces, 1 negative example, 2 unknown faces) and plain JPEGs (2 enrolled crops, the third one
 * missing; 2 unknown-face crops; 1 evidence photo), and no key check or migration record.
 */
async function seedPlaintext(db: Db, dataDir: string) {
  const media = join(dataDir, "media");
  const write = (rel: string, b: Uint8Array) => {
    mkdirSync(dirname(join(media, rel)), { recursive: true });
    writeFileSync(join(media, rel), b);
  };
  const plainHex = (v: Float32Array) => hex(new Uint8Array(v.buffer));
  const [p] = await query(db, sql`insert into people (name, employee_code, consent_at) values ('Old Timer', 'OLD', now()) returning id`);
  const pid = Number(p!.id);
  const vectors = new Map<string, Float32Array>();
  const photos = new Map<string, Uint8Array<ArrayBuffer>>();
  const jpegs = ["Aaron_Eckhart_4_crop.jpg", "Aaron_Eckhart_7_crop.jpg", "Adam_Brody_355_crop.jpg", "Adam_Brody_360_crop.jpg", "Eric_Dane_36367_crop.jpg"].map(photo);
  for (let i = 0; i < 3; i++) {
    const rel = `faces/${pid}/${crypto.randomUUID()}.jpg`;
    const [f] = await query(db, sql`insert into faces (person_id, crop_path, quality, source) values (${pid}, ${rel}, '{}'::jsonb, 'upload') returning id`);
    const v = unitVector(i + 1);
    vectors.set(`face_embeddings:${f!.id}`, v);
    await query(db, sql`insert into face_embeddings (face_id, model_id, embedding) values (${Number(f!.id)}, ${MODEL}, decode(${plainHex(v)}, 'hex'))`);
    if (i < 2) {
      write(rel, jpegs[i]!);
      photos.set(rel, jpegs[i]!);
    }
  }
  const nv = unitVector(10);
  const [n] = await query(db, sql`insert into negative_examples (person_id, model_id, embedding) values (${pid}, ${MODEL}, decode(${plainHex(nv)}, 'hex')) returning id`);
  vectors.set(`negative_examples:${n!.id}`, nv);
  for (let i = 0; i < 2; i++) {
    const rel = `unknown/2025-01-0${i + 1}/${crypto.randomUUID()}.jpg`;
    const uv = unitVector(20 + i);
    const [u] = await query(db, sql`insert into unknown_faces (ts, crop_path, model_id, embedding) values (now(), ${rel}, ${MODEL}, decode(${plainHex(uv)}, 'hex')) returning id`);
    vectors.set(`unknown_faces:${u!.id}`, uv);
    write(rel, jpegs[2 + i]!);
    photos.set(rel, jpegs[2 + i]!);
  }
  const evidence = `evidence/2025-01-01/${crypto.randomUUID()}.jpg`;
  await query(db, sql`insert into attendance_events (person_id, kind, ts, source, evidence_path) values (${pid}, 'check_in', now(), 'camera', ${evidence})`);
  write(evidence, jpegs[4]!);
  photos.set(evidence, jpegs[4]!);
  await query(db, sql`delete from settings where key in ('at_rest_key', 'at_rest_migration')`);
  return { pid, vectors, photos };
}

/** Every stored embedding (by table:id) and media file, as raw bytes in hex. */
async function snapshot(db: Db, dataDir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const r of await query(db, sql`select face_id as id, embedding from face_embeddings`)) out[`face_embeddings:${r.id}`] = hex(bytes(r.embedding));
  for (const r of await query(db, sql`select id, embedding from negative_examples`)) out[`negative_examples:${r.id}`] = hex(bytes(r.embedding));
  for (const r of await query(db, sql`select id, embedding from unknown_faces`)) out[`unknown_faces:${r.id}`] = hex(bytes(r.embedding));
  const media = join(dataDir, "media");
  for (const f of files(media)) out[f] = hex(read(join(media, f)));
  return out;
}

function capture(): { log: Logger; lines: { msg: string; [k: string]: unknown }[] } {
  const lines: { msg: string; [k: string]: unknown }[] = [];
  const make = (base: Record<string, unknown>): Logger => {
    const at = (msg: string, f?: Record<string, unknown>) => void lines.push({ msg, ...base, ...f });
    return { debug: at, info: at, warn: at, error: at, child: (f) => make({ ...base, ...f }) };
  };
  return { log: make({}), lines };
}

/**
 * An app whose database and media folder hold plaintext data of the version before encryption
 * (seedPlaintext), and a migration over a given local store of its media folder.
 */
async function withPlaintext(
  kind: DbKind,
  fn: (o: { t: TestApp; db: Db; seeded: Awaited<ReturnType<typeof seedPlaintext>>; media: string; evidence: string; migration: (store: LocalMediaStore, batch?: number) => AtRestMigration }) => Promise<void>,
) {
  const t = await makeApp(kind, { CLOCKFACE_SECRET: SECRET });
  try {
    await t.deps.services.atRest.start();
    const db = t.deps.database.db;
    const seeded = await seedPlaintext(db, t.config.DATA_DIR);
    const logger = createLogger("silent");
    const migration = (store: LocalMediaStore, batch?: number) => {
      const sealed = new SealedMediaStore(store, key, logger);
      return new AtRestMigration({ repo: new AtRestRepo(db), settings: new SettingsRepo(db), atRest: key, crops: sealed, media: sealed, files: t.deps.services.files, log: logger, batch });
    };
    const evidence = [...seeded.photos.keys()].find((p) => p.startsWith("evidence/"))!;
    await fn({ t, db, seeded, media: join(t.config.DATA_DIR, "media"), evidence, migration });
  } finally {
    await t.close();
  }
}

for (const kind of dbKinds()) {
  describe(`the start-up migration of older face data on ${kind}`, () => {
    test("seals pre-existing plain rows and files, keeps them readable, logs the counts; a restart changes nothing; a wrong secret stops start-up", async () => {
      const store = persistent(kind);
      try {
        let app = await store.boot(SECRET);
        await app.deps.services.atRest.start();
        const seeded = await seedPlaintext(app.deps.database.db, store.dataDir);
        await app.close();

        const { log, lines } = capture();
        app = await store.boot(SECRET, log);
        const report = await app.deps.services.atRest.start();
        expect(report).toEqual({ embeddings: { face_embeddings: 3, negative_examples: 1, unknown_faces: 2 }, photos: { faces: 2, unknown: 2, evidence: 1 }, alreadySealed: 0, missing: 1 });
        expect(lines.find((l) => l.msg === "at-rest encryption: all face data is sealed")).toMatchObject(report!);
        expect(lines.filter((l) => l.msg === "at-rest encryption: photos sealed").map((l) => [l.kind, l.batch])).toEqual([["faces", 2], ["unknown", 2], ["evidence", 1]]);

        const db = app.deps.database.db;
        const after = await snapshot(db, store.dataDir);
        for (const [id, v] of seeded.vectors) {
          const raw = new Uint8Array(Buffer.from(after[id]!, "hex"));
          expectSealedEmbedding(raw, key, other);
          expect(key.readEmbedding(raw)).toEqual(v);
        }
        for (const [rel, jpeg] of seeded.photos) expect(expectSealedPhoto(new Uint8Array(Buffer.from(after[rel]!, "hex")), key, other)).toEqual(jpeg);
        expect(Object.keys(after).filter((k) => k.includes("/")).sort()).toEqual([...seeded.photos.keys()].sort());
        // Still read by the app: the gallery from the sealed rows, the crops through the service.
        await app.deps.services.faces.load();
        expect(app.deps.services.faces.status()).toMatchObject({ gallery: 3, negatives: 1 });
        const [face] = await query(db, sql`select id, crop_path from faces order by id limit 1`);
        expect(await app.deps.services.faces.cropBytes(seeded.pid, Number(face!.id))).toEqual(seeded.photos.get(String(face!.crop_path))!);
        await app.close();

        app = await store.boot(SECRET);
        expect(await app.deps.services.atRest.start()).toBeNull();
        expect(await snapshot(app.deps.database.db, store.dataDir)).toEqual(after);
        await app.close();

        const refused = await store.boot(OTHER_SECRET).then(
          (b) => b.close().then(() => "started"),
          (e) => e,
        );
        expect(refused).toBeInstanceOf(AtRestKeyError);
        expect((refused as Error).message).toContain("is not the one this database's face data was encrypted with");
        // The database was closed on the way out: the right secret starts it again.
        app = await store.boot(SECRET);
        expect(app.deps.services.faces.status().ready).toBe(false);
        await app.close();
      } finally {
        await store.drop();
      }
    }, 120_000);

    test("a migration interrupted mid-way resumes where it stopped and seals the rest", () =>
      withPlaintext(kind, async ({ t, db, seeded, media, evidence, migration }) => {
        // A store that dies at its 4th write (the second unknown-face crop), like a process killed there:
        // the enrolled crops are done (2 sealed, 1 missing), the unknown-face batch is half done.
        let writes = 0;
        class Dying extends LocalMediaStore {
          override async put(rel: string, b: Uint8Array) {
            if (++writes === 4) throw new Error("killed");
            return super.put(rel, b);
          }
        }
        expect(await migration(new Dying(media), 2).start()).toBeNull();
        expect(await new SettingsRepo(db).get("at_rest_migration")).toMatchObject({ done: false, photos: { unknown: 0, evidence: 0 } });
        expect(isJpeg(read(join(media, evidence)))).toBe(true);

        const report = await migration(new LocalMediaStore(media), 2).start();
        expect(report).toEqual({ embeddings: { face_embeddings: 0, negative_examples: 0, unknown_faces: 0 }, photos: { faces: 0, unknown: 1, evidence: 1 }, alreadySealed: 1, missing: 0 });
        const after = await snapshot(db, t.config.DATA_DIR);
        for (const id of seeded.vectors.keys()) expect(isSealed(new Uint8Array(Buffer.from(after[id]!, "hex")))).toBe(true);
        for (const [rel, jpeg] of seeded.photos) expect(key.open(new Uint8Array(Buffer.from(after[rel]!, "hex")))).toEqual(jpeg);
        expect(await new SettingsRepo(db).get("at_rest_migration")).toMatchObject({ done: true });
      }));

    test("a photo whose row is deleted while it is being sealed (an erasure in between) is not put back", () =>
      withPlaintext(kind, async ({ db, seeded, media, evidence, migration }) => {
        // The event and its photo go between the migration's read and its overwrite.
        class Erasing extends LocalMediaStore {
          override async put(rel: string, b: Uint8Array) {
            if (rel === evidence) {
              await query(db, sql`delete from attendance_events where evidence_path = ${rel}`);
              rmSync(join(media, rel));
            }
            return super.put(rel, b);
          }
        }
        expect((await migration(new Erasing(media)).start())?.photos).toEqual({ faces: 2, unknown: 2, evidence: 1 });
        expect(existsSync(join(media, evidence))).toBe(false);
        expect(await query(db, sql`select * from file_queue`)).toEqual([]);
        for (const [rel, jpeg] of seeded.photos) if (rel !== evidence) expect(key.open(read(join(media, rel)))).toEqual(jpeg);
      }));
  });
}

test("the server process started with another secret stops at once with exit code 3 and says why", async () => {
  const store = persistent("pglite");
  try {
    await (await store.boot(SECRET)).close();
    const c = spawnChild(["bun", "src/main.ts"], {
      cwd: join(import.meta.dir, ".."),
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: store.dataDir, CLOCKFACE_SECRET: OTHER_SECRET, PORT: "0", MODELS_DIR: process.env.MODELS_DIR, MODELS_DOWNLOAD: "0" },
    });
    expect(await c.exited).toBe(3);
    expect(c.output()).toContain("is not the one this database's face data was encrypted with. Start Clockface with the original secret");
  } finally {
    await store.drop();
  }
});
