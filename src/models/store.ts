// Model files on disk: verification (size + sha256) and downloading with atomic replacement.
// Downloads stream into a uniquely named `.part` file next to the target while hashing, and only a
// file with the expected size and sha256 is renamed into place, so concurrent callers (two processes
// starting at once) and interrupted downloads can never leave a corrupt model at the final path.
import { randomUUID } from "node:crypto";
import { mkdir, open, rename, rm, stat, type FileHandle } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Logger } from "../lib/log";
import type { ModelEntry } from "./manifest";

/** The fields of a manifest entry that locating, verifying and downloading a file need. */
export type ModelFile = Pick<ModelEntry, "id" | "file" | "size" | "sha256" | "urls">;

export type VerifyResult = { status: "ok" } | { status: "missing" } | { status: "corrupt"; reason: string };

export interface ByteProgress {
  received: number;
  total: number;
}

export type EnsureStatus = "ok" | "missing" | "corrupt" | "downloaded" | "failed";
export interface EnsureResult {
  status: EnsureStatus;
  reason?: string;
}

/** Progress of one file: hashing an existing copy ("verify") or receiving it from `url` ("download"). */
export interface ModelProgress extends ByteProgress {
  id: string;
  file: string;
  phase: "verify" | "download";
  url?: string;
}

export interface EnsureOptions {
  /** Fetch missing or corrupt files; when false they are only reported. */
  download: boolean;
  fetch?: typeof fetch;
  onProgress?: (p: ModelProgress) => void;
  log?: Pick<Logger, "warn">;
  /** Abort a download when no bytes arrive for this long (default 30 s). */
  idleTimeoutMs?: number;
}

const DEFAULT_IDLE_TIMEOUT_MS = 30_000;

/**
 * Size first (cheap), then a streaming sha256 of the file at `dir/model.file`. Never writes. Throws
 * only for unexpected file-system errors such as EACCES or EIO.
 */
export async function verifyModel(
  dir: string,
  model: Pick<ModelFile, "file" | "size" | "sha256">,
  opts: { onProgress?: (p: ByteProgress) => void } = {},
): Promise<VerifyResult> {
  const path = join(dir, model.file);
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) return { status: "corrupt", reason: `${path} is not a regular file` };
    size = info.size;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return { status: "missing" };
    throw err;
  }
  if (size !== model.size) return { status: "corrupt", reason: `size is ${size} bytes, expected ${model.size}` };

  const hasher = new Bun.CryptoHasher("sha256");
  let received = 0;
  for await (const chunk of Bun.file(path).stream()) {
    hasher.update(chunk);
    received += chunk.byteLength;
    opts.onProgress?.({ received, total: size });
  }
  const actual = hasher.digest("hex");
  if (actual !== model.sha256) return { status: "corrupt", reason: `sha256 mismatch: expected ${model.sha256}, got ${actual}` };
  return { status: "ok" };
}

/**
 * Verifies every model and, when `download` is set, fetches the missing or corrupt ones, trying each
 * URL in turn. Never throws for network or HTTP problems: those end as status "failed" with a reason
 * per URL. Nothing is written (not even a directory) when all files already verify.
 */
export async function ensureModels(dir: string, models: readonly ModelFile[], opts: EnsureOptions): Promise<Record<string, EnsureResult>> {
  const results: Record<string, EnsureResult> = {};
  for (const model of models) {
    const progress = (phase: ModelProgress["phase"], url?: string) => (p: ByteProgress) =>
      opts.onProgress?.({ id: model.id, file: model.file, phase, url, ...p });
    let verified: VerifyResult;
    try {
      verified = await verifyModel(dir, model, { onProgress: progress("verify") });
    } catch (err) {
      results[model.id] = { status: "failed", reason: `cannot read ${join(dir, model.file)}: ${errorMessage(err)}` };
      continue;
    }
    if (verified.status === "ok" || !opts.download) {
      results[model.id] = verified;
      continue;
    }
    const found = verified.status === "corrupt" ? `existing file corrupt (${verified.reason})` : "file missing";
    if (model.urls.length === 0) {
      results[model.id] = { status: "failed", reason: `${found}; no download URL in the manifest, place ${model.file} in ${dir} by hand` };
      continue;
    }
    const failures: string[] = [];
    let downloaded = false;
    for (const url of model.urls) {
      const attempt = await downloadOnce(dir, model, url, opts, progress("download", url));
      if (attempt.ok) {
        downloaded = true;
        break;
      }
      failures.push(`${url}: ${attempt.reason}`);
      opts.log?.warn("model download failed", { model: model.id, url, reason: attempt.reason });
    }
    results[model.id] = downloaded ? { status: "downloaded" } : { status: "failed", reason: `${found}; ${failures.join("; ")}` };
  }
  return results;
}

type Attempt = { ok: true } | { ok: false; reason: string };

/** Thrown inside a download to stop it with a reason that is reported as-is. */
class DownloadRejected extends Error {}

/**
 * One download attempt from one URL into `<file>.<pid>.<uuid>.part`, hashed while streaming, then
 * renamed over the target. The part file is removed on every failure path.
 */
async function downloadOnce(
  dir: string,
  model: ModelFile,
  url: string,
  opts: EnsureOptions,
  onProgress: (p: ByteProgress) => void,
): Promise<Attempt> {
  const target = join(dir, model.file);
  const part = `${target}.${process.pid}.${randomUUID()}.part`;
  const idleMs = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const rearm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(), idleMs);
  };
  let handle: FileHandle | undefined;
  let renamed = false;
  try {
    rearm();
    const res = await (opts.fetch ?? fetch)(url, { signal: controller.signal, redirect: "follow" });
    if (!res.ok) {
      await res.body?.cancel();
      throw new DownloadRejected(`HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`);
    }
    checkAnnouncedLength(res, model.size);
    if (!res.body) throw new DownloadRejected("response has no body");

    await disk(mkdir(dirname(target), { recursive: true }));
    handle = await disk(open(part, "wx"));
    const hasher = new Bun.CryptoHasher("sha256");
    let received = 0;
    for await (const chunk of res.body) {
      rearm();
      received += chunk.byteLength;
      if (received > model.size) throw new DownloadRejected(`body is longer than the expected ${model.size} bytes`);
      hasher.update(chunk);
      await disk(handle.write(chunk));
      onProgress({ received, total: model.size });
    }
    await disk(handle.sync());
    await disk(handle.close());
    handle = undefined;
    if (received !== model.size) throw new DownloadRejected(`truncated body: received ${received} bytes, expected ${model.size}`);
    const actual = hasher.digest("hex");
    if (actual !== model.sha256) throw new DownloadRejected(`sha256 mismatch: expected ${model.sha256}, got ${actual}`);
    await disk(rename(part, target));
    renamed = true;
    return { ok: true };
  } catch (err) {
    if (err instanceof DownloadRejected) return { ok: false, reason: err.message };
    if (controller.signal.aborted) return { ok: false, reason: `timeout: no data for ${idleMs} ms` };
    return { ok: false, reason: `network error: ${errorMessage(err)}` };
  } finally {
    clearTimeout(timer);
    await handle?.close().catch(() => undefined);
    if (!renamed) await rm(part, { force: true }).catch(() => undefined);
  }
}

/** Runs a file-system step, reporting its failure as a disk error rather than a network error. */
async function disk<T>(step: Promise<T>): Promise<T> {
  try {
    return await step;
  } catch (err) {
    throw new DownloadRejected(`disk error: ${errorMessage(err)}`);
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Rejects early when the server announces a different length (only meaningful without content encoding). */
function checkAnnouncedLength(res: Response, expected: number): void {
  const encoding = res.headers.get("content-encoding");
  const length = res.headers.get("content-length");
  if (length === null || (encoding !== null && encoding !== "identity")) return;
  if (Number(length) !== expected) {
    void res.body?.cancel();
    throw new DownloadRejected(`server announced ${length} bytes, expected ${expected}`);
  }
}
