// The SSE endpoints under a client that stops reading: its stream is closed once it is more than the
// bus's lag limit behind, while a client that reads gets every event, in order, with its id — in the
// app, and over a real socket where Bun's backpressure must reach the stream's writes.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect, type Socket } from "node:net";
import { attendanceCreated } from "../src/live/events";
import { dbKinds, makeApp, type TestApp } from "./helpers";

/** Ids of the SSE messages in `text` (the `id:` lines), in order. */
const ids = (text: string) => [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));

/** Collects the ids of an SSE stream read in chunks (a line may be split between two chunks). */
function idCollector() {
  let partial = "";
  const seen: number[] = [];
  return {
    seen,
    add(chunk: string) {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop()!;
      for (const l of lines) if (l.startsWith("id: ")) seen.push(Number(l.slice(4)));
    },
  };
}

const inOrder = (xs: number[]) => xs.every((x, i) => i === 0 || x === xs[i - 1]! + 1);

for (const kind of dbKinds()) {
  describe(`SSE with a stalled client on ${kind}`, () => {
    let t: TestApp;
    let key: string;
    beforeAll(async () => {
      t = await makeApp(kind);
      key = await t.apiKeyFor("viewer");
    }, 60_000);
    afterAll(() => t?.close());

    const publish = (n: number) => {
      const { bus } = t.deps.services;
      for (let i = 0; i < n; i++)
        bus.publish("attendance.created", attendanceCreated({ id: i, personId: 1, personName: "Ada Lovelace", kind: "check_in", ts: new Date(), source: "camera", cameraId: 1, cameraName: "Front door", similarity: 0.71, evidencePath: null }));
    };

    test("in the app: the feed and the JSON stream of a client that does not read are closed after the lag limit; a reading client gets all 1,000 events", async () => {
      const { bus } = t.deps.services;
      const ac = new AbortController();
      const reading = await t.req("/api/v1/events", { headers: { "x-api-key": key }, signal: ac.signal });
      const stalledJson = await t.req("/api/v1/events", { headers: { "x-api-key": key } });
      const stalledFeed = await t.req("/live/feed", { as: "viewer" });
      expect(stalledFeed.headers.get("content-type")).toContain("text/event-stream");
      expect(bus.subscribers).toBe(3);
      const reader = reading.body!.getReader();
      const got = idCollector();
      const decoder = new TextDecoder();
      for (let burst = 0; burst < 10; burst++) {
        publish(100);
        while (got.seen.length < (burst + 1) * 100) {
          const { value, done } = await reader.read();
          if (done) break;
          got.add(decoder.decode(value, { stream: true }));
        }
        if (burst === 1) expect(bus.subscribers).toBe(3); // the stalled ones are 200 behind: still within the limit
      }
      expect(got.seen.length).toBe(1000);
      expect(inOrder(got.seen)).toBe(true);
      // Both stalled streams were let go: their subscriptions are gone and each stream was ended at
      // once, dropping the event its write was waiting on, so reading them now gives only the greeting.
      expect(bus.subscribers).toBe(1);
      for (const r of [stalledJson, stalledFeed]) {
        const rest = await r.text();
        expect(rest).toStartWith(": connected");
        expect(ids(rest)).toEqual([]);
      }
      ac.abort();
      await reader.cancel().catch(() => {});
    });

    test("over a socket: a client that stops reading is disconnected once the socket and the lag limit are full; the reading one gets every event", async () => {
      const { bus } = t.deps.services;
      const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: t.app.fetch, idleTimeout: 0 });
      const request = `GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: ${key}\r\n\r\n`;
      const open = (onData?: (s: string) => void) =>
        new Promise<Socket>((resolve) => {
          const s = connect(server.port!, "127.0.0.1", () => {
            s.write(request);
            resolve(s);
          });
          if (onData) s.on("data", (b) => onData(b.toString()));
        });
      const got = idCollector();
      let wanted = 0;
      let wake = () => {};
      const reading = await open((chunk) => {
        got.add(chunk);
        if (got.seen.length >= wanted) wake();
      });
      const stalled = await open();
      stalled.pause();
      const before = bus.subscribers;
      while (bus.subscribers < before + 2) await Bun.sleep(5);
      // Bursts of 100, each read in full by the reading client before the next. Without backpressure
      // reaching the stalled stream's writes, its subscription would never fall behind.
      let published = 0;
      while (bus.subscribers === before + 2 && published < 200_000) {
        publish(100);
        published += 100;
        wanted = published;
        if (got.seen.length < wanted) await new Promise<void>((r) => (wake = r));
      }
      expect(bus.subscribers).toBe(before + 1);
      expect(published).toBeLessThan(200_000);
      expect(got.seen.length).toBe(published);
      expect(inOrder(got.seen)).toBe(true);
      reading.destroy();
      stalled.destroy();
      await server.stop(true);
    });
  });
}
