import { Dashboard } from "../../views/pages/dashboard";
import type { AppDeps } from "../app-env";
import { dayStart, localDay } from "../domain/time";
import type { Router } from "./router";

export function registerSystemRoutes(r: Router, deps: AppDeps) {
  const { services, database, config } = deps;

  r.get("/healthz", "public", async (c) => {
    try {
      await services.stats.ping();
      const engine = services.faces.status();
      return c.json({ status: "ok", db: database.kind, engine: engine.ready ? "ready" : "off", ...(engine.ready ? {} : { engineReason: engine.reason }) });
    } catch {
      return c.json({ status: "error", db: database.kind, error: "database unreachable" }, 503);
    }
  });

  r.get("/", "viewer", async (c) => {
    const now = new Date();
    const day = localDay(now, config.TZ);
    const o = await services.stats.overview(dayStart(day, config.TZ));
    return c.get("render").page("Dashboard", <Dashboard o={o} day={day} />, { active: "dashboard" });
  });
}
