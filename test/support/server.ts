import { rmSync } from "node:fs";
import { loadConfig } from "../../src/config";
import { createLogger } from "../../src/lib/log";
import { build, type Built } from "../../src/server";

export function freePort(): number {
  const s = Bun.serve({ port: 0, fetch: () => new Response() });
  const port = s.port!;
  s.stop(true);
  return port;
}

/** The real app on a real HTTP port (for the browser and SSE/MJPEG tests). */
export async function startServer(env: Record<string, string> = {}, opts: { engine?: boolean } = {}): Promise<{ url: string; built: Built; stop(): Promise<void> }> {
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    LOG_LEVEL: "silent",
    PORT: String(port),
    BASE_URL: url,
    MODELS_DIR: process.env.MODELS_DIR,
    DATA_DIR: `/tmp/clockface-srv-${crypto.randomUUID()}`,
    ENGINE_WORKERS: "1",
    ...env,
  });
  const built = await build(config, { log: createLogger("silent"), inMemory: true, engine: opts.engine ?? false });
  await built.engineReady;
  const server = Bun.serve({ port, hostname: "127.0.0.1", fetch: built.app.fetch, idleTimeout: 0 });
  return {
    url,
    built,
    stop: async () => {
      await server.stop(true);
      await built.close();
      rmSync(config.DATA_DIR, { recursive: true, force: true });
    },
  };
}
