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

/** Settings that bootstrap an admin; sign in as them with `signIn`. */
export const ADMIN_ENV = { CLOCKFACE_ADMIN_EMAIL: "boss@example.com", CLOCKFACE_ADMIN_PASSWORD: "boss-password-1" };

export interface Session {
  /** The session cookie header value (also for a browser context, see `cookiesFor`). */
  cookie: string;
  /** A same-origin request with the session. */
  api(path: string, init?: RequestInit): Promise<Response>;
}

/** Signs in through the login form as the admin of ADMIN_ENV. */
export async function signIn(url: string): Promise<Session> {
  const body = new URLSearchParams({ email: ADMIN_ENV.CLOCKFACE_ADMIN_EMAIL, password: ADMIN_ENV.CLOCKFACE_ADMIN_PASSWORD }).toString();
  const login = await fetch(`${url}/login`, { method: "POST", redirect: "manual", headers: { origin: url, "content-type": "application/x-www-form-urlencoded" }, body });
  const cookie = login.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  if (!cookie) throw new Error(`sign-in failed with ${login.status}`);
  return { cookie, api: (path, init = {}) => fetch(`${url}${path}`, { ...init, headers: { origin: url, cookie, ...(init.headers ?? {}) } }) };
}

/** The session's cookies in the form a Playwright browser context takes. */
export function cookiesFor(session: Session, url: string): { name: string; value: string; url: string }[] {
  return session.cookie.split("; ").map((c) => ({ name: c.split("=")[0]!, value: c.slice(c.indexOf("=") + 1), url }));
}

/** Creates a person with recorded consent and enrols each photo through the API (each must be accepted). */
export async function enrollPerson(session: Session, person: { name: string; employeeCode: string }, photos: string[]): Promise<number> {
  const res = await session.api("/api/v1/people", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...person, consent: true }) });
  if (res.status !== 201) throw new Error(`creating ${person.name} failed with ${res.status}: ${await res.text()}`);
  const { id } = (await res.json()) as { id: number };
  for (const file of photos) {
    const fd = new FormData();
    fd.set("image", Bun.file(file), file.split("/").pop());
    const r = await session.api(`/api/v1/people/${id}/faces`, { method: "POST", body: fd });
    if (r.status !== 201) throw new Error(`enrolling ${file} failed with ${r.status}: ${await r.text()}`);
  }
  return id;
}
