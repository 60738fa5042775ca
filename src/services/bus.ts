// In-process publish/subscribe for live updates (SSE). Each subscriber has a bounded queue: a slow
// client loses its oldest messages (and is told how many), it never makes the publisher wait.

export type BusEventName = "attendance.created" | "sighting.unknown" | "camera.status";

export interface BusEvent {
  name: BusEventName;
  /** Increasing id (for the SSE id: field). */
  id: number;
  data: unknown;
}

export interface Subscription {
  /** Waits for the next events (all that are queued), or [] when closed or aborted. */
  next(signal?: AbortSignal): Promise<BusEvent[]>;
  /** Messages dropped because this subscriber was too slow. */
  readonly dropped: number;
  close(): void;
}

export class EventBus {
  private seq = 0;
  private readonly subs = new Set<{ queue: BusEvent[]; wake: (() => void) | null; dropped: number; filter: (e: BusEvent) => boolean }>();

  constructor(private readonly queueLimit = 256) {}

  get subscribers(): number {
    return this.subs.size;
  }

  publish(name: BusEventName, data: unknown): void {
    const e: BusEvent = { name, id: ++this.seq, data };
    for (const s of this.subs) {
      if (!s.filter(e)) continue;
      s.queue.push(e);
      if (s.queue.length > this.queueLimit) {
        s.queue.shift();
        s.dropped++;
      }
      s.wake?.();
    }
  }

  subscribe(filter: (e: BusEvent) => boolean = () => true): Subscription {
    const s = { queue: [] as BusEvent[], wake: null as (() => void) | null, dropped: 0, filter };
    this.subs.add(s);
    let closed = false;
    return {
      next: async (signal) => {
        while (!closed && !signal?.aborted && s.queue.length === 0) {
          await new Promise<void>((resolve) => {
            s.wake = resolve;
            signal?.addEventListener("abort", () => resolve(), { once: true });
          });
          s.wake = null;
        }
        return s.queue.splice(0);
      },
      get dropped() {
        return s.dropped;
      },
      close: () => {
        closed = true;
        this.subs.delete(s);
        s.wake?.();
      },
    };
  }
}
