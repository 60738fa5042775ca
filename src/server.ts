import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { AppDeps } from "./app-env";
import { createApp } from "./app.tsx";
import type { Config } from "./config";
import { openDatabase } from "./db/client";
import { createLogger, type Logger } from "./lib/log";
import { AtRest } from "./lib/at-rest";
import { SettingsRepo } from "./db/repos/settings";
import { checkAtRestKey } from "./services/at-rest";
import { createAuth } from "./services/auth";
import { createServices } from "./services";
import { startEngine } from "./services/engine-start";
import { periodic } from "./lib/periodic";

/** The session secret: from the environment, or generated once into DATA_DIR/secret. */
export function loadSecret(config: Config): string {
  if (config.CLOCKFACE_SECRET) return config.CLOCKFACE_SECRET;
  const dir = resolve(config.DATA_DIR);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const secret = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
  writeFileSync(file, secret + "\n", { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}

export interface Built {
  deps: AppDeps;
  app: ReturnType<typeof createApp>["app"];
  routes: ReturnType<typeof createApp>["routes"];
  /** Settles when the face engine has started, or failed to (recognition then stays off with a banner). */
  engineReady: Promise<unknown>;
  close(): Promise<void>;
}

/** Opens the database and wires services and routes; used by main.ts and by tests. */
export async function build(
  config: Config,
  opts: { log?: Logger; pgSchema?: string; inMemory?: boolean; pgliteAssets?: () => Promise<Record<string, unknown>>; engine?: boolean } = {},
): Promise<Built> {
  const log = opts.log ?? createLogger(config.LOG_LEVEL, {}, { format: config.LOG_FORMAT });
  const database = await openDatabase({
    url: config.DATABASE_URL,
    dataDir: opts.inMemory ? undefined : config.DATA_DIR,
    pgSchema: opts.pgSchema,
    pgliteAssets: opts.pgliteAssets,
    connectTimeoutMs: config.DATABASE_TIMEOUT_MS,
  });
  const secret = opts.inMemory && !config.CLOCKFACE_SECRET ? "test-secret-".padEnd(40, "x") : loadSecret(config);
  // Embeddings and face photos are sealed with a key from the secret: a wrong secret stops start-up.
  const atRest = await AtRest.fromSecret(secret);
  try {
    await checkAtRestKey(new SettingsRepo(database.db), atRest);
  } catch (e) {
    await database.close();
    throw e;
  }
  const auth = createAuth(config, database.db, secret, log);
  const services = createServices(database, auth, config, log, atRest);
  const deps: AppDeps = { config, database, auth, log, services };
  const { app, routes } = createApp(deps);
  // The engine starts in the background (a first run may download models): the pages work meanwhile
  // and a banner says recognition is not ready yet.
  let engineReady: Promise<Awaited<ReturnType<typeof startEngine>>>;
  if (opts.engine === false) {
    services.faces.attach(null, "the engine is off in this process");
    engineReady = Promise.resolve(null);
  } else {
    services.faces.attach(null, "the face engine is starting (checking the models)");
    engineReady = startEngine(config, services.faces, log, services.memory).catch((e) => {
      log.error("face recognition disabled", { err: e });
      services.faces.attach(null, `the engine could not start (${(e as Error).message})`);
      return null;
    });
  }
  // Media storage is checked before the cameras start; when it is unreachable the server still starts,
  // logs the error and shows a banner until a re-check passes.
  await services.media.verify();
  // Files a crash left in the deletion queue (an erasure's, or a write whose row never committed)
  // are deleted before anything else runs; what cannot be deleted yet is retried every 10 minutes.
  await services.files.recover().catch((e) => log.error("file queue recovery failed", { err: e }));
  const fileRetry = periodic(() => services.files.retry(), { firstMs: 600_000, everyMs: 600_000, onError: (e) => log.error("file queue retry failed", { err: e }) });
  void services.atRest.start();
  await services.cameras.startAll();
  // Retention: evidence photos and unknown faces older than RETENTION_DAYS, an hour after start and daily.
  const retention = periodic(async () => log.info("retention purge", await services.sightings.purge(new Date(), config.RETENTION_DAYS)), {
    firstMs: 3_600_000,
    everyMs: 86_400_000,
    onError: (e) => log.error("retention purge failed", { err: e }),
  });
  if (await services.accounts.bootstrapAdmin(config.CLOCKFACE_ADMIN_EMAIL, config.CLOCKFACE_ADMIN_PASSWORD)) {
    log.info("created the first admin from CLOCKFACE_ADMIN_EMAIL", { email: config.CLOCKFACE_ADMIN_EMAIL });
  }
  return {
    deps,
    app,
    routes,
    engineReady,
    close: async () => {
      await retention.stop();
      await fileRetry.stop();
      await services.close?.();
      await (await engineReady)?.close();
      await services.jobs.idle();
      await database.close();
    },
  };
}
