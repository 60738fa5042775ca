import type { Subprocess } from "bun";

/** A started child process with its output collected, for start-up and shutdown tests. */
export interface Child {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  output(): string;
  exited: Promise<number>;
}

export function spawnChild(cmd: string[], opts: { cwd?: string; env: Record<string, string | undefined> }): Child {
  const proc = Bun.spawn(cmd, { cwd: opts.cwd, env: opts.env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  let out = "";
  const dec = new TextDecoder();
  const pump = async (s: ReadableStream<Uint8Array>) => {
    for await (const chunk of s) out += dec.decode(chunk, { stream: true });
  };
  const pumping = Promise.all([pump(proc.stdout), pump(proc.stderr)]);
  return {
    proc,
    output: () => out,
    exited: proc.exited.then(async (code) => {
      await pumping;
      return code;
    }),
  };
}

/** Polls `url` until it answers (any status) or `ms` pass. */
export async function waitForHttp(url: string, ms: number, child?: Child): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child && child.proc.exitCode !== null) throw new Error(`process exited early (${child.proc.exitCode}):\n${child.output()}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await Bun.sleep(100);
    }
  }
  throw new Error(`${url} did not answer within ${ms} ms${child ? `:\n${child.output()}` : ""}`);
}
