// Every server-sent-events endpoint: the live feed of the Live page and the dashboard (rendered feed
// items, swapped in by htmx's hx-sse:connect) and GET /api/v1/events (JSON for integrations). Both
// stream the typed live events of src/live/events.ts through Hono's streamSSE.
import type { Context } from "hono";
import { streamSSE, type SSEMessage } from "hono/streaming";
import { FeedItem } from "../../views/partials/feed";
import type { AppDeps, AppEnv } from "../app-env";
import { isFeedEvent, type LiveEvent } from "../live/events";
import type { Api } from "./openapi";
import type { Router } from "./router";

const HEARTBEAT_MS = 15_000;

export function registerSseRoutes(r: Router, api: Api, deps: AppDeps) {
  const { bus } = deps.services;
  const { config, log } = deps;

  /**
   * A text/event-stream of the live events `filter` keeps, each written as `message(e)`. Writes wait
   * for the client (backpressure), so a client that stops reading holds one message here and at most
   * the bus's lag limit of events there; past that the bus ends its subscription and the stream is
   * closed (the client reconnects and sees the gap in the `id:` sequence).
   */
  const liveStream = <E extends LiveEvent>(c: Context<AppEnv>, filter: (e: LiveEvent) => e is E, message: (e: E) => SSEMessage) => {
    c.header("X-Accel-Buffering", "no");
    return streamSSE(c, async (s) => {
      const sub = bus.subscribe(filter);
      sub.signal.addEventListener("abort", () => {
        if (sub.signal.reason === "lagging") log.info("SSE client too far behind; disconnected", { path: c.req.path });
        s.abort();
      });
      s.onAbort(() => sub.close());
      try {
        await s.write(": connected\n\n");
        while (!s.aborted) {
          const e = await sub.next(HEARTBEAT_MS);
          if (s.aborted || sub.signal.aborted) break;
          if (e) await s.writeSSE(message(e));
          else await s.write(": heartbeat\n\n");
        }
      } finally {
        sub.close();
      }
    });
  };

  // Data-only messages carrying the same <li> the pages render.
  r.get("/live/feed", "viewer", (c) => liveStream(c, isFeedEvent, (e) => ({ id: String(e.id), data: String(<FeedItem e={e} tz={config.TZ} />) })));

  api.op(
    {
      method: "GET",
      path: "/api/v1/events",
      tag: "Events",
      summary: `Server-sent events: attendance.created, sighting.unknown, camera.status (JSON data, increasing id); heartbeats every 15 s. A client more than ${bus.lagLimit} events behind is disconnected (reconnect; the id sequence shows the gap).`,
      access: "viewer",
      responses: { 200: { description: "text/event-stream" } },
    },
    async (c) => liveStream(c, (e): e is LiveEvent => true, (e) => ({ event: e.name, id: String(e.id), data: JSON.stringify(e.data) })),
  );
}
