import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** s3rver's default credentials. */
export const S3RVER_KEY = "S3RVER";

export interface FakeS3 {
  endpoint: string;
  /** The S3_* settings for a bucket on this server. */
  env(bucket: string, prefix?: string): Record<string, string>;
  /** Stops the server and deletes its folder (again: the same promise). */
  stop(): Promise<void>;
}

/** Starts s3rver (under Node, see s3rver.mjs) on a free port with the given buckets, in a temp folder. */
export async function startS3(buckets: string[]): Promise<FakeS3> {
  const dir = mkdtempSync(join(tmpdir(), "clockface-s3-"));
  const proc = Bun.spawn(["node", "--openssl-legacy-provider", join(import.meta.dir, "s3rver.mjs"), dir, ...buckets], { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
  const reader = proc.stdout.getReader();
  let out = "";
  while (!out.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`s3rver did not start (exit ${await proc.exited}): ${await new Response(proc.stderr).text()}`);
    }
    out += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  // Keep draining its output so that the server never blocks on a full pipe.
  void proc.stdout.pipeTo(new WritableStream());
  void proc.stderr.pipeTo(new WritableStream());
  const { port } = JSON.parse(out) as { port: number };
  const endpoint = `http://127.0.0.1:${port}`;
  let stopped: Promise<void> | null = null;
  return {
    endpoint,
    env: (bucket, prefix) => ({ S3_ENDPOINT: endpoint, S3_BUCKET: bucket, S3_ACCESS_KEY_ID: S3RVER_KEY, S3_SECRET_ACCESS_KEY: S3RVER_KEY, ...(prefix ? { S3_PREFIX: prefix } : {}) }),
    stop() {
      stopped ??= (async () => {
        proc.stdin.end();
        const timer = setTimeout(() => proc.kill(), 5_000);
        await proc.exited;
        clearTimeout(timer);
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}
