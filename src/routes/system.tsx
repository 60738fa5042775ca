import { Dashboard, type Today } from "../../views/pages/dashboard";
import { eventsQuerySchema } from "../services/attendance";
import type { AppDeps } from "../app-env";
import { dayStart, localDay } from "../domain/time";
import { attendanceCreated } from "../live/events";
import { ensureDatabaseReachable } from "../lib/identity";
import type { Router } from "./router";

export function registerSystemRoutes(r: Router, deps: AppDeps) {
  const { services, database, config } = deps;

  r.get("/healthz", "public", async (c) => {
    try {
      await ensureDatabaseReachable(c);
      const engine = services.faces.status();
      return c.json({ status: "ok", db: database.kind, engine: engine.ready ? "ready" : "off", ...(engine.ready ? {} : { engineReason: engine.reason }) });
    } catch {
      return c.json({ status: "error", db: database.kind, error: "database unreachable" }, 503);
    }
  });

  r.get("/", "viewer", async (c) => {
    const now = new Date();
    const day = localDay(now, config.TZ);
    const [o, daily, cameras, events] = await Promise.all([
      services.stats.overview(dayStart(day, config.TZ)),
      services.reports.daily(day),
      services.cameras.list(),
      services.attendance.listEvents(eventsQuerySchema.parse({ from: day, to: day, limit: 10 }), false),
    ]);
    const today: Today = {
      counts: daily.counts,
      arrivals: { title: "Arrivals per 15 minutes", xLabel: "Time", tz: config.TZ, x: daily.arrivals.start, series: [{ label: "Arrivals", values: daily.arrivals.counts, kind: "bars", color: "#0969da", unit: "people" }] },
    };
    const recent = events.rows.map(attendanceCreated);
    return c.get("render").page("Dashboard", <Dashboard o={o} day={day} today={today} cameras={cameras} recent={recent} tz={config.TZ} />, { active: "dashboard" });
  });
}
