import type { AppDeps } from "../app-env";
import { registerAuthRoutes } from "./auth";
import type { Router } from "./router";
import { registerSystemRoutes } from "./system";

/** Every route module registers here with the access level of each route. */
export function registerRoutes(r: Router, deps: AppDeps) {
  registerSystemRoutes(r, deps);
  registerAuthRoutes(r, deps);
}
