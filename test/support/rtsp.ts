// A real RTSP server for tests: gst-rtsp-server (test/support/rtsp_server.py) looping an H.264 MP4.
// Debian packages: python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base
// gstreamer1.0-plugins-good gstreamer1.0-plugins-bad.
import { join } from "node:path";
import type { Subprocess } from "bun";

const SCRIPT = join(import.meta.dir, "rtsp_server.py");
// The system interpreter has the Debian python3-gi module; a pyenv/venv python3 on PATH usually does not.
const PYTHON = process.env.RTSP_PYTHON ?? "/usr/bin/python3";

export interface RtspServer {
  /** rtsp://127.0.0.1:<port>/<name> */
  url: string;
  port: number;
  /** Kills the server (SIGKILL): connected clients see the connection drop. */
  stop(): Promise<void>;
  /** Stops it if running, then serves again on the same port. */
  restart(): Promise<void>;
}

type Proc = Subprocess<"pipe", "pipe", "pipe">;

/** Starts the script and waits for its `READY <port>` line; rejects with its stderr if it exits first. */
async function launch(file: string, name: string, port: number): Promise<{ proc: Proc; port: number }> {
  // stdin stays open as a lifeline: the server quits when it reaches EOF, i.e. when this test process dies.
  const proc = Bun.spawn([PYTHON, SCRIPT, "--file", file, "--name", name, "--port", String(port)], {
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  let err = "";
  const errDone = (async () => {
    for await (const c of proc.stderr) err += new TextDecoder().decode(c);
  })();
  const reader = proc.stdout.getReader();
  let out = "";
  const deadline = setTimeout(() => proc.kill("SIGKILL"), 15_000);
  try {
    while (!/READY (\d+)\n/.test(out)) {
      const { value, done } = await reader.read();
      if (done) {
        await proc.exited;
        await errDone;
        throw new Error(`RTSP server did not start (exit ${proc.exitCode ?? proc.signalCode}); needs ${PYTHON} with python3-gi and gir1.2-gst-rtsp-server-1.0:\n${err}`);
      }
      out += new TextDecoder().decode(value);
    }
  } finally {
    clearTimeout(deadline);
    reader.releaseLock();
  }
  return { proc, port: Number(/READY (\d+)/.exec(out)![1]) };
}

export async function startRtsp(opts: { file: string; name: string }): Promise<RtspServer> {
  let { proc, port } = await launch(opts.file, opts.name, 0);
  let running = true;
  const stop = async () => {
    if (!running) return;
    running = false;
    proc.kill("SIGKILL");
    await proc.exited;
  };
  return {
    url: `rtsp://127.0.0.1:${port}/${opts.name}`,
    port,
    stop,
    async restart() {
      await stop();
      ({ proc } = await launch(opts.file, opts.name, port));
      running = true;
    },
  };
}
