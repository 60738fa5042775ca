// The live-event bus: typed events, a fixed ring buffer per subscriber, and a subscriber that falls
// more than the lag limit behind is disconnected (never a growing queue, never a waiting publisher).
import { describe, expect, test } from "bun:test";
import { EventBus } from "../../src/live/bus";
import { createLiveBus, isFeedEvent, type AttendanceCreated, type CameraStatusChanged } from "../../src/live/events";

const checkIn = (id: number): AttendanceCreated => ({ id, personId: 1, name: "Ada", kind: "check_in", ts: new Date(0).toISOString(), source: "camera", cameraId: 1, camera: "Door", similarity: 0.7, evidenceUrl: null });

describe("event bus", () => {
  test("a subscriber that never reads is disconnected after the lag limit; one that reads gets every event in order", async () => {
    const bus = new EventBus<{ tick: { n: number } }>(16);
    const reader = bus.subscribe();
    const idle = bus.subscribe();
    const got: number[] = [];
    for (let n = 1; n <= 1000; n++) {
      bus.publish("tick", { n });
      if (n <= 16) expect(idle.pending).toBe(n);
      if (n === 17) expect(idle.signal.reason).toBe("lagging");
      const e = await reader.next(1000);
      got.push(e!.data.n);
    }
    expect(got).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(reader.signal.aborted).toBe(false);
    expect(idle.pending).toBe(0);
    expect(await idle.next(1000)).toBeNull();
    expect(bus.subscribers).toBe(1);
  });

  test("100 stalled subscribers hold at most the lag limit each while 6,000 events pass, then are let go", () => {
    const bus = createLiveBus();
    const stalled = Array.from({ length: 100 }, () => bus.subscribe());
    let most = 0;
    for (let i = 1; i <= 6000; i++) {
      bus.publish("attendance.created", checkIn(i));
      for (const s of stalled) most = Math.max(most, s.pending);
    }
    expect(most).toBe(bus.lagLimit);
    expect(stalled.every((s) => s.signal.reason === "lagging" && s.pending === 0)).toBe(true);
    expect(bus.subscribers).toBe(0);
  });

  test("a reader that keeps within the limit is never cut off, however many events pass", async () => {
    const bus = new EventBus<{ tick: { n: number } }>(8);
    const sub = bus.subscribe();
    let last = 0;
    for (let round = 0; round < 500; round++) {
      for (let k = 0; k < 8; k++) bus.publish("tick", { n: round * 8 + k + 1 });
      for (let k = 0; k < 8; k++) {
        const e = await sub.next(1000);
        expect(e!.data.n).toBe(last + 1);
        last = e!.data.n;
      }
    }
    expect(last).toBe(4000);
    expect(sub.signal.aborted).toBe(false);
  });

  test("next() waits for an event, returns null after the wait or once closed, and ids increase across names", async () => {
    const bus = createLiveBus();
    const sub = bus.subscribe(isFeedEvent);
    expect(await sub.next(5)).toBeNull();
    const waiting = sub.next(60_000);
    bus.publish("camera.status", { cameraId: 1, name: "Door", state: "live" } as CameraStatusChanged);
    bus.publish("attendance.created", checkIn(7));
    const e = await waiting;
    // The filter is a type guard: the subscription yields feed events only, and e.data is typed by name.
    expect(e?.name).toBe("attendance.created");
    expect(e?.id).toBe(2);
    if (e?.name === "attendance.created") expect(e.data.personId).toBe(1);
    const pending = sub.next(60_000);
    sub.close();
    expect(await pending).toBeNull();
    expect(sub.signal.reason).toBe("closed");
    expect(bus.subscribers).toBe(0);
  });

  test("publishing a payload that does not match the event's declared type does not compile", () => {
    const bus = createLiveBus();
    // @ts-expect-error attendance.created needs the whole AttendanceCreated payload
    bus.publish("attendance.created", { id: 1, personId: 1 });
    // @ts-expect-error sighting.unknown's kind is "unknown" | "uncertain"
    bus.publish("sighting.unknown", { id: 1, groupId: 1, kind: "match", cameraId: 1, camera: "Door", ts: "", cropUrl: "", candidatePersonId: null, similarity: 0.1 });
    // @ts-expect-error no such event
    bus.publish("attendance.deleted", checkIn(1));
    expect(bus.subscribers).toBe(0);
  });
});
