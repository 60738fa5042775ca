import { chownSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A private PostgreSQL cluster (initdb in a temp dir, own port) that a test may stop and start. */
export interface PgCluster {
  url: string;
  /** Stops the server at once (pg_ctl stop -m immediate): like a crash or a pulled cable. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Freezes (SIGSTOP) or thaws (SIGCONT) every server process: connections stay open but nothing answers. */
  freeze(on: boolean): Promise<void>;
  destroy(): Promise<void>;
}

function pgBin(name: string): string | null {
  for (const p of [`/usr/local/bin/${name}`, ...[...new Bun.Glob(`/usr/lib/postgresql/*/bin/${name}`).scanSync({ absolute: true })].sort().reverse()]) if (existsSync(p)) return p;
  return null;
}

/** Whether initdb and pg_ctl are installed here. */
export function havePgServer(): boolean {
  return !!pgBin("initdb") && !!pgBin("pg_ctl");
}

async function run(cmd: string[]): Promise<string> {
  // PostgreSQL refuses to run as root: drop to the postgres user when we are root.
  const full = process.getuid?.() === 0 ? ["runuser", "-u", "postgres", "--", ...cmd] : cmd;
  const p = Bun.spawn(full, { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  if (code !== 0) throw new Error(`${cmd.join(" ")} failed (${code}): ${out}${err}`);
  return out;
}

function freePort(): number {
  const s = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = s.port;
  s.stop(true);
  return port;
}

export async function startPgCluster(): Promise<PgCluster> {
  const initdb = pgBin("initdb");
  const pgCtl = pgBin("pg_ctl");
  if (!initdb || !pgCtl) throw new Error("initdb/pg_ctl not found (install the postgresql server package)");
  const dir = mkdtempSync(join(tmpdir(), "clockface-pg-"));
  if (process.getuid?.() === 0) {
    const pw = (await new Response(Bun.spawn(["id", "-u", "postgres"]).stdout).text()).trim();
    const gr = (await new Response(Bun.spawn(["id", "-g", "postgres"]).stdout).text()).trim();
    chownSync(dir, Number(pw), Number(gr));
  }
  const data = join(dir, "data");
  await run([initdb, "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
  const port = freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const start = () => run([pgCtl, "-D", data, "-o", opts, "-l", join(dir, "log"), "-w", "start"]).then(() => {});
  const pids = async () => {
    const main = (await Bun.file(join(data, "postmaster.pid")).text()).split("\n")[0]!.trim();
    const kids = (await new Response(Bun.spawn(["pgrep", "-P", main]).stdout).text()).split("\n").filter(Boolean);
    return [main, ...kids].map(Number);
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: () => run([pgCtl, "-D", data, "-m", "immediate", "-w", "stop"]).then(() => {}),
    start,
    async freeze(on) {
      for (const pid of await pids()) process.kill(pid, on ? "SIGSTOP" : "SIGCONT");
    },
    async destroy() {
      await run([pgCtl, "-D", data, "-m", "immediate", "-w", "stop"]).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
