// Where evidence photos and unknown-face crops live: a folder (DATA_DIR/media) or an S3-compatible
// bucket through Bun's S3 client. Paths are relative ("evidence/YYYY-MM-DD/<uuid>.jpg"); in a bucket
// the same path, after S3_PREFIX, is the object key. Enrolled face crops stay in DATA_DIR/media/faces
// (see faces.ts): re-embedding the gallery reads them all. Every object is sealed (SealedMediaStore).
import { accessSync, constants, mkdirSync, readdirSync, renameSync } from "node:fs";
import { rm } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { S3Client, type S3ListObjectsOptions, type S3ListObjectsResponse } from "bun";
import type { Config } from "../config";
import { type AtRest, isSealed, UnsealError } from "../lib/at-rest";
import { HttpError } from "../lib/http";
import type { Logger } from "../lib/log";

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export interface MediaStore {
  /** Where the media goes, for logs and banners: a folder, or s3://bucket/prefix and the endpoint. */
  readonly location: string;
  put(rel: string, bytes: Uint8Array): Promise<void>;
  /** The whole object, or null when it does not exist. */
  get(rel: string): Promise<Uint8Array | null>;
  /** Deletes an object; a missing one is fine. */
  remove(rel: string): Promise<void>;
  /** Deletes the day folders `folder/YYYY-MM-DD/` of days before `cutoffDay`; returns how many days went. */
  purgeBefore(folder: string, cutoffDay: string): Promise<number>;
  /** Throws when the storage cannot be written (folder not writable; bucket unreachable or refusing). */
  check(): Promise<void>;
}

/** A relative path of non-empty segments, none of them "." or "..": it cannot leave the store. */
function checked(rel: string): string {
  if (!rel.split("/").every((s) => s !== "" && s !== "." && s !== ".." && !/[\\\0]/.test(s))) throw new HttpError(404, "No such photo");
  return rel;
}

function isMissing(e: unknown): boolean {
  const code = (e as { code?: string }).code;
  return code === "ENOENT" || code === "NoSuchKey";
}

/** DATA_DIR/media: files written atomically (temp file, then rename). */
export class LocalMediaStore implements MediaStore {
  readonly location: string;

  constructor(root: string) {
    this.location = resolve(root);
  }

  private abs(rel: string): string {
    return resolve(this.location, checked(rel));
  }

  /** A failed write leaves nothing behind (its temp file is removed). */
  async put(rel: string, bytes: Uint8Array): Promise<void> {
    const abs = this.abs(rel);
    mkdirSync(dirname(abs), { recursive: true });
    try {
      await Bun.write(`${abs}.tmp`, bytes);
      renameSync(`${abs}.tmp`, abs);
    } catch (e) {
      await rm(`${abs}.tmp`, { force: true });
      throw e;
    }
  }

  async get(rel: string): Promise<Uint8Array | null> {
    try {
      return await Bun.file(this.abs(rel)).bytes();
    } catch (e) {
      if (isMissing(e)) return null;
      throw e;
    }
  }

  async remove(rel: string): Promise<void> {
    await rm(this.abs(rel), { force: true });
  }

  async purgeBefore(folder: string, cutoffDay: string): Promise<number> {
    let days: string[];
    try {
      days = readdirSync(this.abs(folder));
    } catch (e) {
      if (isMissing(e)) return 0;
      throw e;
    }
    const old = days.filter((d) => DAY.test(d) && d < cutoffDay);
    for (const day of old) await rm(this.abs(`${folder}/${day}`), { recursive: true, force: true });
    return old.length;
  }

  async check(): Promise<void> {
    mkdirSync(this.location, { recursive: true });
    accessSync(this.location, constants.W_OK);
  }
}

export interface S3Settings {
  endpoint?: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  prefix?: string;
}

/** An S3-compatible bucket (path-style requests), objects under an optional key prefix. */
export class S3MediaStore implements MediaStore {
  readonly location: string;
  private readonly client: S3Client;
  private readonly prefix: string;

  /** `pageSize`: keys per list request (S3 returns at most 1,000). */
  constructor(
    s: S3Settings,
    private readonly pageSize = 1000,
  ) {
    this.client = new S3Client({ endpoint: s.endpoint, bucket: s.bucket, accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey, region: s.region });
    this.prefix = s.prefix ? s.prefix.replace(/\/?$/, "/") : "";
    this.location = `s3://${s.bucket}/${this.prefix}${s.endpoint ? ` at ${s.endpoint}` : ` (AWS ${s.region})`}`;
  }

  private key(rel: string): string {
    return this.prefix + checked(rel);
  }

  async put(rel: string, bytes: Uint8Array): Promise<void> {
    await this.client.write(this.key(rel), bytes);
  }

  async get(rel: string): Promise<Uint8Array | null> {
    try {
      return await this.client.file(this.key(rel)).bytes();
    } catch (e) {
      if (isMissing(e)) return null;
      throw e;
    }
  }

  async remove(rel: string): Promise<void> {
    await this.client.delete(this.key(rel));
  }

  /** Every page of a listing, following the continuation tokens. */
  private async *pages(input: S3ListObjectsOptions): AsyncGenerator<S3ListObjectsResponse> {
    let continuationToken: string | undefined;
    do {
      const page = await this.client.list({ ...input, maxKeys: this.pageSize, continuationToken });
      yield page;
      continuationToken = page.isTruncated ? page.nextContinuationToken : undefined;
    } while (continuationToken);
  }

  /**
   * Lists the day "folders" (common prefixes) under the folder, then deletes every key of the old ones,
   * one request per key, one at a time (a daily background job; it keeps the load on the storage low).
   */
  async purgeBefore(folder: string, cutoffDay: string): Promise<number> {
    const base = `${this.key(folder)}/`;
    const old: string[] = [];
    for await (const page of this.pages({ prefix: base, delimiter: "/" })) {
      for (const { prefix } of page.commonPrefixes ?? []) {
        const day = prefix.slice(base.length, -1);
        if (DAY.test(day) && day < cutoffDay) old.push(prefix);
      }
    }
    for (const dayPrefix of old) {
      for await (const page of this.pages({ prefix: dayPrefix })) {
        for (const { key } of page.contents ?? []) await this.client.delete(key);
      }
    }
    return old.length;
  }

  /** Writes and deletes a marker object: the bucket exists and these credentials may write to it. */
  async check(): Promise<void> {
    const marker = `${this.prefix}.clockface-check`;
    await this.client.write(marker, "ok");
    await this.client.delete(marker);
  }
}

/** The S3 store when S3_BUCKET is set (config.ts makes sure its credentials are too), else DATA_DIR/media. */
export function createMediaStore(config: Config): MediaStore {
  if (config.S3_BUCKET && config.S3_ACCESS_KEY_ID && config.S3_SECRET_ACCESS_KEY) {
    return new S3MediaStore({
      endpoint: config.S3_ENDPOINT,
      bucket: config.S3_BUCKET,
      accessKeyId: config.S3_ACCESS_KEY_ID,
      secretAccessKey: config.S3_SECRET_ACCESS_KEY,
      region: config.S3_REGION,
      prefix: config.S3_PREFIX,
    });
  }
  return new LocalMediaStore(resolve(config.DATA_DIR, "media"));
}

/**
 * Seals what goes into a store and opens what comes out (lib/at-rest.ts). Objects written before
 * encryption are read as they are until the start-up migration (services/at-rest.ts) has sealed them.
 */
export class SealedMediaStore implements MediaStore {
  readonly location: string;

  constructor(
    private readonly inner: MediaStore,
    private readonly atRest: AtRest,
    private readonly log: Logger,
  ) {
    this.location = inner.location;
  }

  put(rel: string, bytes: Uint8Array): Promise<void> {
    return this.inner.put(rel, this.atRest.seal(bytes));
  }

  async get(rel: string): Promise<Uint8Array | null> {
    const b = await this.inner.get(rel);
    if (!b) return null;
    try {
      return this.atRest.read(b);
    } catch (e) {
      if (!(e instanceof UnsealError)) throw e;
      this.log.error("a stored photo cannot be decrypted", { location: this.location, path: rel, err: e });
      throw new HttpError(404, "This photo cannot be read (damaged, or encrypted with another secret)");
    }
  }

  remove(rel: string): Promise<void> {
    return this.inner.remove(rel);
  }

  purgeBefore(folder: string, cutoffDay: string): Promise<number> {
    return this.inner.purgeBefore(folder, cutoffDay);
  }

  check(): Promise<void> {
    return this.inner.check();
  }

  /** Seals an object written before encryption, in place (an atomic overwrite); sealed ones are left alone. */
  async sealInPlace(rel: string): Promise<"sealed" | "already" | "missing"> {
    const b = await this.inner.get(rel);
    if (!b) return "missing";
    if (isSealed(b)) return "already";
    await this.inner.put(rel, this.atRest.seal(b));
    return "sealed";
  }
}

function describe(e: unknown): string {
  const { code, message } = e as { code?: string; message?: string };
  return [code, message].filter(Boolean).join(": ") || String(e);
}

/** A check that hangs (an endpoint that drops packets) counts as a failure after this long. */
const CHECK_TIMEOUT_MS = 10_000;

/**
 * The store the services use: a failing storage call is logged, answered with a 503 and shown as
 * `problem` (a banner on every page) until a check passes again; while there is a problem the store
 * is checked every `recheckMs`. The server never stops over it: attendance itself keeps working
 * for manual entries, and camera and kiosk check-ins resume once the photos can be stored.
 */
export class MonitoredMediaStore implements MediaStore {
  readonly location: string;
  problem: string | null = null;
  private recheck: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly inner: MediaStore,
    private readonly log: Logger,
    private readonly recheckMs = 60_000,
  ) {
    this.location = inner.location;
  }

  private async watch<T>(op: Promise<T>): Promise<T> {
    try {
      return await op;
    } catch (e) {
      if (e instanceof HttpError) throw e;
      this.failed(e);
      throw new HttpError(503, `Media storage is unreachable (${describe(e)}); try again later`);
    }
  }

  private failed(e: unknown) {
    if (this.problem === null) this.log.error("media storage unreachable", { location: this.location, err: e });
    this.problem = describe(e);
    if (!this.recheck) {
      this.recheck = setInterval(() => void this.verify(), this.recheckMs);
      (this.recheck as { unref?: () => void }).unref?.();
    }
  }

  put(rel: string, bytes: Uint8Array) {
    return this.watch(this.inner.put(rel, bytes));
  }
  get(rel: string) {
    return this.watch(this.inner.get(rel));
  }
  remove(rel: string) {
    return this.watch(this.inner.remove(rel));
  }
  purgeBefore(folder: string, cutoffDay: string) {
    return this.watch(this.inner.purgeBefore(folder, cutoffDay));
  }

  async check(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS / 1000} s`)), CHECK_TIMEOUT_MS);
    });
    try {
      await this.watch(Promise.race([this.inner.check(), timeout]));
    } finally {
      clearTimeout(timer);
    }
    this.log.info(this.problem === null ? "media storage ready" : "media storage reachable again", { location: this.location });
    this.problem = null;
    if (this.recheck) clearInterval(this.recheck);
    this.recheck = null;
  }

  /** `check` that logs instead of throwing (start-up and the periodic re-check); true when it passed. */
  async verify(): Promise<boolean> {
    return this.check().then(
      () => true,
      () => false,
    );
  }

  close() {
    if (this.recheck) clearInterval(this.recheck);
    this.recheck = null;
  }
}
