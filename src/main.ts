import { ConfigError, loadConfig } from "./config";
import { DatabaseLockedError } from "./db/client";
import { createLogger } from "./lib/log";
import { build } from "./server";
import { AtRestKeyError } from "./services/at-rest";

let config;
try {
  config = loadConfig(process.env);
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(2);
  }
  throw e;
}

const log = createLogger(config.LOG_LEVEL, {}, { format: config.LOG_FORMAT });
const bootLog = createLogger("info", {}, { format: config.LOG_FORMAT });
let built;
try {
  built = await build(config, { log, pgliteAssets: (globalThis as { __clockfacePgliteAssets?: () => Promise<Record<string, unknown>> }).__clockfacePgliteAssets });
} catch (e) {
  if (e instanceof DatabaseLockedError || e instanceof AtRestKeyError) {
    bootLog.error(e.message);
    process.exit(3);
  }
  bootLog.error("could not start", { err: e });
  process.exit(1);
}

const server = Bun.serve({
  port: config.PORT,
  hostname: config.HOST,
  fetch: built.app.fetch,
  // SSE and MJPEG streams stay open; they send heartbeats instead of relying on the idle timer.
  idleTimeout: 0,
  maxRequestBodySize: config.MAX_BODY_BYTES + 1024 * 1024,
});
// BASE_URL is what people open; without it, localhost and the port actually bound (PORT=0 picks one).
const openAt = process.env.BASE_URL ? config.BASE_URL : `http://localhost:${server.port}`;
log.info(`Clockface is running: open ${openAt}`, { url: openAt, listen: `${server.hostname}:${server.port}`, db: built.deps.database.kind, tz: config.TZ });

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info("shutting down", { signal });
  const timer = setTimeout(() => {
    log.error("shutdown timed out; exiting");
    process.exit(1);
  }, 10_000);
  await server.stop();
  await built!.close();
  clearTimeout(timer);
  log.info("stopped");
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
