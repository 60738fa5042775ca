// Erasure survives SIGKILL: a real server process (bun src/main.ts) is killed in the middle of
// erasing a person (after the transaction committed, while their files are being deleted) and
// during enrol/delete churn; after a restart nothing of the person is left in the database, on disk
// or in the S3 bucket, no file is left that no row refers to, and the erasure report is complete.
import { setDefaultTimeout } from "bun:test";
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { S3Client } from "bun";
import { sql, type SQL } from "drizzle-orm";
import { openDatabase, rowsOf } from "../src/db/client";
import { localDay } from "../src/domain/time";
import { CROPS, cropUpload } from "./helpers";
import { eventually } from "./support/eventually";
import { spawnChild, waitForHttp, type Child } from "./support/process";
import { S3RVER_KEY, startS3, type FakeS3 } from "./support/s3";
import { ADMIN_ENV, enrollPerson, freePort, signIn, type Session } from "./support/server";

setDefaultTimeout(240_000);

const root = join(import.meta.dir, "..");
const AMAURY = ["Amaury_Nolasco_4615_crop.jpg", "Amaury_Nolasco_4616_crop.jpg", "Amaury_Nolasco_4617_crop.jpg", "Amaury_Nolasco_4618_crop.jpg"];
const PUNCHES = ["Amaury_Nolasco_4619_crop.jpg", "Amaury_Nolasco_4622_crop.jpg", "Amaury_Nolasco_4623_crop.jpg", "Amaury_Nolasco_4624_crop.jpg"];
const BUCKET = "clockface-erasure";
const PREFIX = "site-k";

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** Where one test's server keeps its data: PGlite or a throwaway PostgreSQL database; local media or S3. */
interface Site {
  dataDir: string;
  url?: string;
  s3?: { fake: FakeS3; client: S3Client };
}

async function makeSite(opts: { postgres: boolean; s3: boolean }): Promise<Site> {
  const dataDir = mkdtempSync(join(tmpdir(), "clockface-erase-"));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const site: Site = { dataDir };
  if (opts.postgres) {
    const { default: postgres } = await import("postgres");
    const name = `erase_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
    const admin = postgres(process.env.TEST_DATABASE_URL!, { onnotice: () => {} });
    await admin.unsafe(`create database "${name}"`);
    await admin.end();
    const u = new URL(process.env.TEST_DATABASE_URL!);
    u.pathname = `/${name}`;
    site.url = u.toString();
    cleanups.push(async () => {
      const c = postgres(process.env.TEST_DATABASE_URL!, { onnotice: () => {} });
      await c.unsafe(`drop database if exists "${name}" with (force)`);
      await c.end();
    });
  }
  if (opts.s3) {
    const fake = await startS3([BUCKET]);
    cleanups.push(() => fake.stop());
    site.s3 = { fake, client: new S3Client({ endpoint: fake.endpoint, bucket: BUCKET, accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_KEY }) };
  }
  return site;
}

interface Running {
  child: Child;
  session: Session;
}

async function start(site: Site): Promise<Running> {
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawnChild(["bun", "src/main.ts"], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      MODELS_DIR: process.env.MODELS_DIR,
      LOG_LEVEL: "info",
      PORT: String(port),
      BASE_URL: base,
      DATA_DIR: site.dataDir,
      ENGINE_WORKERS: "1",
      EVENT_DEDUPE_MINUTES: "0",
      BOTH_MIN_INTERVAL_MINUTES: "0",
      ...ADMIN_ENV,
      ...(site.url ? { DATABASE_URL: site.url } : {}),
      ...(site.s3 ? site.s3.fake.env(BUCKET, PREFIX) : {}),
    },
  });
  cleanups.push(() => void child.proc.kill("SIGKILL"));
  await waitForHttp(`${base}/healthz`, 60_000, child);
  await eventually(async () => ((await (await fetch(`${base}/healthz`)).json()) as { engine?: string }).engine, "ready", 60_000);
  return { child, session: await signIn(base) };
}

async function stop(r: Running) {
  r.child.proc.kill("SIGTERM");
  expect(await r.child.exited).toBe(0);
}

/** Opens the site's database directly (the server is stopped: PGlite allows one process). */
async function withDb<T>(site: Site, fn: (q: (s: SQL) => Promise<Record<string, unknown>[]>) => Promise<T>): Promise<T> {
  const database = await openDatabase(site.url ? { url: site.url } : { dataDir: site.dataDir });
  try {
    return await fn(async (s) => rowsOf<Record<string, unknown>>(await database.db.execute(s)));
  } finally {
    await database.close();
  }
}

const mediaDir = (site: Site) => join(site.dataDir, "media");

/** Every stored media path: files under DATA_DIR/media, and the bucket's keys (without the prefix). */
async function storedPaths(site: Site): Promise<{ local: string[]; bucket: string[] }> {
  const walk = (dir: string, rel = ""): string[] =>
    existsSync(join(dir, rel)) ? readdirSync(join(dir, rel), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(dir, join(rel, e.name)) : [join(rel, e.name)])) : [];
  const bucket: string[] = [];
  if (site.s3) {
    let token: string | undefined;
    do {
      const page = await site.s3.client.list({ prefix: `${PREFIX}/`, continuationToken: token });
      bucket.push(...(page.contents ?? []).map((c) => c.key.slice(PREFIX.length + 1)));
      token = page.isTruncated ? page.nextContinuationToken : undefined;
    } while (token);
  }
  return { local: walk(mediaDir(site)), bucket };
}

async function exists(site: Site, path: string): Promise<boolean> {
  if (path.startsWith("faces/") || !site.s3) return existsSync(join(mediaDir(site), path));
  return site.s3.client.file(`${PREFIX}/${path}`).exists();
}

async function put(site: Site, path: string, bytes: Uint8Array) {
  if (site.s3) await site.s3.client.write(`${PREFIX}/${path}`, bytes);
  else await Bun.write(join(mediaDir(site), path), bytes);
}

/** Paths of the person's files, read from the database. */
async function pathsOf(site: Site, personId: number) {
  return withDb(site, async (q) => ({
    crops: (await q(sql`select crop_path as p from faces where person_id = ${personId}`)).map((r) => r.p as string),
    evidence: (await q(sql`select evidence_path as p from attendance_events where person_id = ${personId} and evidence_path is not null`)).map((r) => r.p as string),
    unknown: (await q(sql`select crop_path as p from unknown_faces where person_id = ${personId} order by id`)).map((r) => r.p as string),
  }));
}

/**
 * Checks, with the server stopped: nothing of these people in any table, nothing queued, no trace of
 * their personal data in the audit log, none of their files left, and no stored file that no row
 * refers to (local media and bucket alike).
 */
async function expectGone(site: Site, personIds: number[], files: string[], personal: string[]) {
  const stored = await storedPaths(site);
  await withDb(site, async (q) => {
    const ids = sql.raw(personIds.join(","));
    for (const table of ["faces", "negative_examples", "attendance_events", "unknown_faces", "daily_status", "leaves"])
      expect({ table, rows: (await q(sql`select count(*)::int as n from ${sql.raw(table)} where person_id in (${ids})`))[0]!.n }).toEqual({ table, rows: 0 });
    expect((await q(sql`select count(*)::int as n from people where id in (${ids})`))[0]!.n).toBe(0);
    expect(await q(sql`select store, path, pending, last_error from file_queue`)).toEqual([]);
    const audit = JSON.stringify(await q(sql`select before, after from audit_log`));
    for (const s of personal) expect(audit).not.toContain(s);
    const referenced = new Set((await q(sql`select crop_path as p from faces union all select evidence_path from attendance_events where evidence_path is not null union all select crop_path from unknown_faces`)).map((r) => r.p as string));
    expect(stored.local.filter((p) => !referenced.has(p))).toEqual([]);
    expect(stored.bucket.filter((p) => !referenced.has(p))).toEqual([]);
  });
  const left: string[] = [];
  for (const f of files) if (await exists(site, f)) left.push(f);
  expect(left).toEqual([]);
}

/**
 * Builds a person with faces, kiosk events (evidence photos) and `unknownCount` camera faces assigned
 * to them (rows written directly, crops stored where the server stores them), plus a bystander.
 */
async function seed(site: Site, unknownCount: number) {
  let r = await start(site);
  const personal = ["Amaury Nolasco", "AN-77", "amaury.n@example.com", "Locker 31"];
  const res = await r.session.api("/api/v1/people", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: personal[0], employeeCode: personal[1], email: personal[2], notes: personal[3], consent: true }) });
  const id = ((await res.json()) as { id: number }).id;
  for (const f of AMAURY) expect((await r.session.api(`/api/v1/people/${id}/faces`, { method: "POST", body: cropUpload(f) })).status).toBe(201);
  const bystander = await enrollPerson(r.session, { name: "Melissa Benoist", employeeCode: "MB-1" }, [join(CROPS, "Melissa_Benoist_12866_crop.jpg")]);
  const punch = async (file: string) => {
    const fd = new FormData();
    fd.set("image", Bun.file(join(CROPS, file)), file);
    return (await (await r.session.api("/api/v1/kiosk/punch", { method: "POST", body: fd })).json()) as { result: string; personId?: number };
  };
  for (const f of PUNCHES) expect(await punch(f)).toMatchObject({ personId: id });
  expect(await punch("Melissa_Benoist_12864_crop.jpg")).toMatchObject({ result: "checked_in", personId: bystander });
  await stop(r);

  const crop = await Bun.file(join(CROPS, PUNCHES[0]!)).bytes();
  const embedding = Buffer.from(new Float32Array(512).fill(0.04).buffer).toString("hex");
  const day = localDay(new Date(), "UTC");
  const unknown = Array.from({ length: unknownCount }, () => `unknown/${day}/${crypto.randomUUID()}.jpg`);
  for (const p of unknown) await put(site, p, crop);
  await withDb(site, async (q) => {
    for (let i = 0; i < unknown.length; i += 500) {
      const values = unknown.slice(i, i + 500).map((p) => sql`(now(), ${p}, 'w600k_mbf_int8', decode(${embedding}, 'hex'), 'unknown', ${id}, 0.4, 'assigned')`);
      await q(sql`insert into unknown_faces (ts, crop_path, model_id, embedding, kind, person_id, similarity, status) values ${sql.join(values, sql`, `)}`);
    }
  });
  const paths = await pathsOf(site, id);
  expect(paths.crops.length).toBe(AMAURY.length);
  expect(paths.evidence.length).toBe(PUNCHES.length);
  expect(paths.unknown.length).toBe(unknownCount);
  const bystanderFiles = await pathsOf(site, bystander);
  return { id, bystander, personal, paths, bystanderFiles: [...bystanderFiles.crops, ...bystanderFiles.evidence] };
}

/**
 * Starts the server, asks it to erase the person and SIGKILLs it as soon as the first of their
 * unknown-face crops is gone (the transaction has committed, the queue is being drained). Returns
 * how many of the person's files were still there at the kill.
 */
async function killMidErasure(site: Site, id: number, files: string[], sentinel: string): Promise<number> {
  const r = await start(site);
  const erasing = r.session.api(`/api/v1/people/${id}`, { method: "DELETE" }).catch(() => null);
  const until = Date.now() + 60_000;
  while ((await exists(site, sentinel)) && Date.now() < until) await Bun.sleep(0);
  r.child.proc.kill("SIGKILL");
  expect(await r.child.exited).not.toBe(0);
  await erasing;
  let left = 0;
  for (const f of files) if (await exists(site, f)) left++;
  return left;
}

async function checkRecovered(site: Site, seeded: Awaited<ReturnType<typeof seed>>, unknownCount: number) {
  const r = await start(site);
  expect((await r.session.api(`/api/v1/people/${seeded.id}`)).status).toBe(404);
  const { items } = (await (await r.session.api("/api/v1/erasures")).json()) as { items: Record<string, unknown>[] };
  expect(items.length).toBe(1);
  const report = items[0]!;
  console.log(`erasure report after SIGKILL and restart (${site.url ? "PostgreSQL" : "PGlite"}, ${site.s3 ? "S3" : "local"} media):`, JSON.stringify(report));
  expect(report).toMatchObject({
    personId: seeded.id,
    counts: { faces: AMAURY.length, faceCrops: AMAURY.length, negatives: 0, events: PUNCHES.length, evidencePhotos: PUNCHES.length, unknownFaces: unknownCount, unknownCrops: unknownCount, leaves: 0, auditRowsPseudonymised: 1 },
    filesQueued: AMAURY.length + PUNCHES.length + unknownCount,
    filesRemaining: 0,
  });
  expect((report.counts as { embeddings: number }).embeddings).toBeGreaterThanOrEqual(AMAURY.length);
  expect(report.filesDoneAt).not.toBeNull();
  // The bystander is still recognised at the kiosk.
  const fd = new FormData();
  fd.set("image", Bun.file(join(CROPS, "Melissa_Benoist_12867_crop.jpg")), "m.jpg");
  expect(await (await r.session.api("/api/v1/recognize", { method: "POST", body: fd })).json()).toMatchObject({ faces: [{ match: { personId: seeded.bystander } }] });
  return r;
}

describe("erasure and SIGKILL, with a real server process", () => {
  test("PGlite, local media: killed mid-erasure (2,000 unknown crops) and during enrol/delete churn; after restart nothing of anyone erased remains", async () => {
    const site = await makeSite({ postgres: false, s3: false });
    const UNKNOWN = 2000;
    const seeded = await seed(site, UNKNOWN);
    const files = [...seeded.paths.crops, ...seeded.paths.evidence, ...seeded.paths.unknown];
    const left = await killMidErasure(site, seeded.id, files, seeded.paths.unknown[0]!);
    console.log(`SIGKILL mid-erasure (local): ${left} of ${files.length} files of the person still on disk at the kill`);
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(files.length);

    const r = await checkRecovered(site, seeded, UNKNOWN);
    // Churn: people enrolled and deleted while their enrolments run; killed in the middle of a round.
    const churned: number[] = [];
    const statuses: number[] = [];
    for (let round = 0; round < 6; round++) {
      const id = await enrollPerson(r.session, { name: `Churn ${round}`, employeeCode: `CH-${round}` }, [join(CROPS, AMAURY[0]!)]);
      churned.push(id);
      const jobs = AMAURY.slice(1).map((f) => r.session.api(`/api/v1/people/${id}/faces`, { method: "POST", body: cropUpload(f) }).then((x) => statuses.push(x.status), () => undefined));
      const del = Bun.sleep(round * 5).then(() => r.session.api(`/api/v1/people/${id}`, { method: "DELETE" }).then((x) => statuses.push(x.status), () => undefined));
      if (round === 5) {
        await Bun.sleep(8);
        r.child.proc.kill("SIGKILL");
      }
      await Promise.all([...jobs, del]);
    }
    expect(await r.child.exited).not.toBe(0);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    // After a restart the last round's person is either whole or gone, never in between; the start-up
    // recovery deleted whatever the kill left half-written. Erase them for good, then check everyone.
    const again = await start(site);
    const last = churned.at(-1)!;
    expect((await again.session.api(`/api/v1/people/${last}`, { method: "DELETE" })).status).toBeOneOf([200, 404]);
    await stop(again);
    await expectGone(site, [seeded.id, ...churned], [...files, ...churned.map((c) => `faces/${c}`)], seeded.personal);
    for (const f of seeded.bystanderFiles) expect(await exists(site, f)).toBe(true);
  });

  test(`${process.env.TEST_DATABASE_URL ? "PostgreSQL" : "PGlite"}, S3 media: killed mid-erasure (300 unknown crops in the bucket); after restart nothing of the person remains in the database or the bucket`, async () => {
    const site = await makeSite({ postgres: !!process.env.TEST_DATABASE_URL, s3: true });
    const UNKNOWN = 300;
    const seeded = await seed(site, UNKNOWN);
    const files = [...seeded.paths.crops, ...seeded.paths.evidence, ...seeded.paths.unknown];
    const left = await killMidErasure(site, seeded.id, files, seeded.paths.unknown[0]!);
    console.log(`SIGKILL mid-erasure (S3): ${left} of ${files.length} files of the person still stored at the kill`);
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(files.length);
    await stop(await checkRecovered(site, seeded, UNKNOWN));
    await expectGone(site, [seeded.id], files, seeded.personal);
    for (const f of seeded.bystanderFiles) expect(await exists(site, f)).toBe(true);
  });
});
