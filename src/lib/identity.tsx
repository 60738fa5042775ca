import type { Context, MiddlewareHandler } from "hono";
import { ErrorPage } from "../../views/layout";
import type { AppEnv, CurrentUser } from "../app-env";
import { DatabaseUnavailableError, isDatabaseUnavailable } from "../db/client";
import type { UserRole } from "../services/auth";
import { KIOSK_HEADER } from "../services/kiosks";

/** A credential that was presented but not accepted: protected routes answer with it, public ones ignore it. */
export interface AuthProblem {
  status: 401 | 429;
  message: string;
}

/** Rejects with DatabaseUnavailableError when `p` has not settled after `ms` (a hung connection). */
function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DatabaseUnavailableError(new Error(`no answer within ${ms} ms`))), ms);
  });
  p.catch(() => {});
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/**
 * Who is asking: a paired kiosk's credential, a session cookie or an x-api-key header (better-auth
 * turns a valid key into a session). A kiosk credential is judged alone (a tablet's browser may also
 * hold an admin's cookie) and never makes the request a user's. A bad or rate-limited key leaves the
 * request anonymous and records why in `authProblem`; an unreachable database is an outage (503),
 * never a reason to treat the session as invalid.
 */
export function identify(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.path.startsWith("/assets/") || c.req.path === "/healthz") return next();
    const headers = c.req.raw.headers;
    const { auth, config, services } = c.get("deps");
    const kioskToken = headers.get(KIOSK_HEADER);
    if (kioskToken !== null) {
      const kiosk = await withDeadline(services.kiosks.authenticate(kioskToken), config.DATABASE_TIMEOUT_MS).catch((e) => {
        throw isDatabaseUnavailable(e) && !(e instanceof DatabaseUnavailableError) ? new DatabaseUnavailableError(e) : e;
      });
      if (kiosk) c.set("kiosk", kiosk);
      else c.set("authProblem", { status: 401, message: "This kiosk is not paired: its credential is unknown or was revoked. Pair it again from the Kiosks page." });
      return next();
    }
    if (!headers.get("cookie") && !headers.get("x-api-key")) return next();
    let session: Awaited<ReturnType<typeof auth.api.getSession>> = null;
    try {
      session = await withDeadline(auth.api.getSession({ headers }), config.DATABASE_TIMEOUT_MS);
    } catch (e) {
      if (isDatabaseUnavailable(e)) throw e instanceof DatabaseUnavailableError ? e : new DatabaseUnavailableError(e);
      // better-auth's APIError carries a status (bad or rate-limited key); anything else is ours.
      const status = (e as { statusCode?: number }).statusCode;
      if (status === undefined || status >= 500) throw e;
      c.set(
        "authProblem",
        status === 429 ? { status: 429, message: "Too many requests for this API key; slow down" } : { status: 401, message: (e as Error).message || "Invalid API key" },
      );
      return next();
    }
    if (session?.user && !session.user.banned) {
      const u = session.user as typeof session.user & { role?: string };
      c.set("user", {
        id: u.id,
        name: u.name,
        email: u.email,
        role: (u.role ?? "viewer") as UserRole,
        viaApiKey: !!headers.get("x-api-key"),
      } satisfies CurrentUser);
    }
    return next();
  };
}

/**
 * The request's headers without x-api-key, for better-auth calls made on a form's behalf (sign in,
 * sign out): its api-key plugin would judge a stray key there instead of the form.
 */
export function withoutApiKey(headers: Headers): Headers {
  const h = new Headers(headers);
  h.delete("x-api-key");
  return h;
}

/**
 * Serves one of better-auth's own HTTP endpoints. Only reading and ending a session are routed here:
 * the rest (its admin API, sign-up, sign-in, password and API-key endpoints) would bypass our audited
 * services, the password policy, the sign-in rate limit and session revocation. API keys are for
 * /api/v1; better-auth does not see them here.
 */
export async function betterAuthEndpoint(c: Context<AppEnv>): Promise<Response> {
  const res = await c.get("deps").auth.handler(new Request(c.req.raw, { headers: withoutApiKey(c.req.raw.headers) }));
  // better-auth turns every failure into a 500; an unreachable database is told apart (→ 503).
  if (res.status >= 500) await ensureDatabaseReachable(c);
  return res;
}

/**
 * Pings the database under DATABASE_TIMEOUT_MS; throws DatabaseUnavailableError (→ 503) when it does
 * not answer. For callers that got an opaque failure (better-auth answers every one as a 500).
 */
export async function ensureDatabaseReachable(c: Context<AppEnv>): Promise<void> {
  const { services, config } = c.get("deps");
  try {
    await withDeadline(services.stats.ping(), config.DATABASE_TIMEOUT_MS);
  } catch (e) {
    throw e instanceof DatabaseUnavailableError ? e : new DatabaseUnavailableError(e);
  }
}

/**
 * Whether an error that reached the error handler is a database outage. Socket error codes are not
 * proof (an S3 or camera connection fails with the same ones), so unless the error already says so
 * the database is asked, under the same deadline.
 */
export async function isDatabaseOutage(c: Context<AppEnv>, err: unknown): Promise<boolean> {
  if (err instanceof DatabaseUnavailableError) return true;
  if (!isDatabaseUnavailable(err)) return false;
  try {
    await ensureDatabaseReachable(c);
    return false;
  } catch {
    return true;
  }
}

/** The answer to any request that found the database unreachable: 503 with a retry hint; cookies untouched. */
export function databaseUnavailable(c: Context<AppEnv>, err: unknown, wantsJson: boolean): Response | Promise<Response> {
  const msg = new DatabaseUnavailableError().message;
  c.get("deps").log.warn("database unreachable", { requestId: c.get("requestId"), method: c.req.method, path: c.req.path, err });
  c.header("Retry-After", "5");
  c.header("Cache-Control", "no-store");
  if (wantsJson) return c.json({ error: msg }, 503);
  return c.get("render").page("Database unreachable", <ErrorPage status={503} message={msg} requestId={c.get("requestId")} />, { status: 503 });
}
