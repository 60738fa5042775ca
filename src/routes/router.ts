import type { Context, Hono, MiddlewareHandler, Next } from "hono";
import { type Access, roleRank, userRoleFor } from "../services/auth";
import type { AppEnv } from "../app-env";
import type { Actor } from "../db/repos/audit";
import { inputHygiene } from "../lib/input-hygiene";

/** The signed-in user as an audit actor. */
export function actorOf(c: Context<AppEnv>): Actor {
  const u = c.get("user");
  const kiosk = c.get("kiosk");
  const requestId = c.get("requestId");
  if (u) return { id: u.id, label: u.viaApiKey ? `${u.email} (API key)` : u.email, requestId };
  return { id: null, label: kiosk ? `kiosk ${kiosk.name}` : "anonymous", requestId };
}

/** After a successful form post: a real redirect, or HX-Redirect for htmx (which does not follow 3xx into a page load). */
export function redirectAfterPost(c: Context<AppEnv>, to: string): Response {
  if (c.req.header("HX-Request")) {
    c.header("HX-Redirect", to);
    return c.body(null, 200);
  }
  return c.redirect(to, 303);
}

export function canEdit(c: Context<AppEnv>): boolean {
  const u = c.get("user");
  return !!u && roleRank(u.role) >= roleRank("operator");
}

export function isAdmin(c: Context<AppEnv>): boolean {
  return c.get("user")?.role === "admin";
}

/** A route handler: may answer synchronously or asynchronously. */
export type Handler = (c: Context<AppEnv>, next: Next) => Response | Promise<Response | void>;

export interface RouteSpec {
  method: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  path: string;
  access: Access;
}

function wantsJson(c: Context): boolean {
  return c.req.path.startsWith("/api/") || (c.req.header("accept") ?? "").includes("application/json");
}

/** Middleware enforcing an access level; answers 401/403 (JSON for the API, redirect or page otherwise). */
export function requireAccess(access: Access): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (access === "public") return next();
    // A paired kiosk may punch and read its own settings, nothing else.
    if (c.get("kiosk")) {
      if (access === "kiosk") return next();
      return wantsJson(c) ? c.json({ error: "A kiosk may only check people in and out" }, 403) : c.get("render").forbidden(userRoleFor(access));
    }
    const user = c.get("user");
    if (!user) {
      const problem = c.get("authProblem");
      if (problem) return c.json({ error: problem.message }, problem.status);
      if (wantsJson(c)) return c.json({ error: "Sign in or send an x-api-key header" }, 401);
      const to = `/login?next=${encodeURIComponent(c.req.path)}`;
      if (c.req.header("HX-Request")) {
        c.header("HX-Redirect", to);
        return c.body(null, 401);
      }
      return c.redirect(to, 302);
    }
    const role = userRoleFor(access);
    if (roleRank(user.role) < roleRank(role)) {
      if (wantsJson(c)) return c.json({ error: `This needs the ${role} role` }, 403);
      return c.get("render").forbidden(role);
    }
    return next();
  };
}

/**
 * Registers routes with their declared access level and remembers them, so a test can walk every
 * route with every role. Every route's parameters, query and body pass the input-hygiene check
 * (after the access check, so nobody unauthorised gets a body parsed).
 */
export class Router {
  readonly specs: RouteSpec[] = [];
  constructor(private readonly app: Hono<AppEnv>) {}

  add(method: RouteSpec["method"], path: string, access: Access, handlers: Handler[]) {
    this.specs.push({ method, path, access });
    this.app.on(method, path, requireAccess(access), inputHygiene, ...(handlers as unknown as [MiddlewareHandler<AppEnv>]));
  }
  get(path: string, access: Access, ...h: Handler[]) {
    this.add("GET", path, access, h);
  }
  post(path: string, access: Access, ...h: Handler[]) {
    this.add("POST", path, access, h);
  }
  patch(path: string, access: Access, ...h: Handler[]) {
    this.add("PATCH", path, access, h);
  }
  put(path: string, access: Access, ...h: Handler[]) {
    this.add("PUT", path, access, h);
  }
  delete(path: string, access: Access, ...h: Handler[]) {
    this.add("DELETE", path, access, h);
  }
}
