import type { Child } from "hono/jsx";
import type { Config } from "./config";
import type { Database } from "./db/client";
import type { Logger } from "./lib/log";
import type { Auth, UserRole } from "./services/auth";

export interface CurrentUser {
  id: string;
  name: string;
  email: string;
  role: UserRole;
  viaApiKey: boolean;
}

export interface Renderer {
  /** Full page, or only `body` when htmx asked for a fragment. */
  page(title: string, body: Child, opts?: { status?: number; active?: string }): Response | Promise<Response>;
  forbidden(access: string): Response | Promise<Response>;
}

/** Everything the app needs, built once in main.ts (or by a test). */
export interface AppDeps {
  config: Config;
  database: Database;
  auth: Auth;
  log: Logger;
  /** Lazily created services live in src/services and are added here by their issues. */
  services: import("./services/index").Services;
}

export interface AppEnv {
  Variables: {
    requestId: string;
    user: CurrentUser | null;
    /** The paired kiosk device whose credential authorised the request (never together with a user). */
    kiosk: import("./services/kiosks").KioskDevice | null;
    /** Set when a presented API key was refused; protected routes answer with it. */
    authProblem: import("./lib/identity").AuthProblem | undefined;
    deps: AppDeps;
    render: Renderer;
  };
}
