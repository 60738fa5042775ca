// In-process publish/subscribe for live updates (SSE), typed by an event map (name → payload).
// Each subscriber has a fixed-size ring buffer, so publishing costs O(1) per subscriber and a
// subscriber holds at most `lagLimit` events: one that falls further behind (a client that stopped
// reading) is disconnected instead of making the publisher wait or the queue grow.

/** One published event: its name, an increasing id (the SSE `id:` field) and its typed payload. */
export type BusEvent<M> = { [N in keyof M & string]: { name: N; id: number; data: M[N] } }[keyof M & string];

export interface Subscription<E> {
  /** The next event, or null when none came within `waitMs` or the subscription has ended. */
  next(waitMs: number): Promise<E | null>;
  /** Events published to this subscriber and not taken yet (never more than the lag limit). */
  readonly pending: number;
  /** Aborted when the subscription ends: reason "closed" (by `close`) or "lagging" (too far behind). */
  readonly signal: AbortSignal;
  close(): void;
}

/** Fixed-capacity FIFO: push and shift in O(1), no reallocation. */
class Ring<T> {
  private readonly slots: (T | undefined)[];
  private head = 0;
  size = 0;

  constructor(readonly capacity: number) {
    this.slots = new Array<T | undefined>(capacity);
  }

  /** False (and nothing stored) when full. */
  push(x: T): boolean {
    if (this.size === this.capacity) return false;
    this.slots[(this.head + this.size) % this.capacity] = x;
    this.size++;
    return true;
  }

  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const x = this.slots[this.head];
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.size--;
    return x;
  }

  clear() {
    this.slots.fill(undefined);
    this.size = 0;
  }
}

interface Subscriber<E> {
  ring: Ring<E>;
  filter: (e: E) => boolean;
  wake: (() => void) | null;
  ended: AbortController;
}

export class EventBus<M> {
  private seq = 0;
  private readonly subs = new Set<Subscriber<BusEvent<M>>>();

  /** @param lagLimit events a subscriber may have waiting before it is disconnected */
  constructor(readonly lagLimit = 256) {}

  get subscribers(): number {
    return this.subs.size;
  }

  publish<N extends keyof M & string>(name: N, data: M[N]): void {
    const e = { name, id: ++this.seq, data } as BusEvent<M>;
    for (const s of this.subs) {
      if (!s.filter(e)) continue;
      if (s.ring.push(e)) s.wake?.();
      else this.end(s, "lagging");
    }
  }

  /** Events `filter` keeps, in order; a type guard narrows what the subscription yields. */
  subscribe<E extends BusEvent<M> = BusEvent<M>>(filter: ((e: BusEvent<M>) => e is E) | ((e: BusEvent<M>) => boolean) = () => true): Subscription<E> {
    const s: Subscriber<BusEvent<M>> = { ring: new Ring(this.lagLimit), filter, wake: null, ended: new AbortController() };
    this.subs.add(s);
    return {
      next: async (waitMs) => {
        if (s.ring.size === 0 && !s.ended.signal.aborted) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, waitMs);
            s.wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          s.wake = null;
        }
        return s.ended.signal.aborted ? null : ((s.ring.shift() as E | undefined) ?? null);
      },
      get pending() {
        return s.ring.size;
      },
      signal: s.ended.signal,
      close: () => this.end(s, "closed"),
    };
  }

  private end(s: Subscriber<BusEvent<M>>, reason: "closed" | "lagging") {
    if (!this.subs.delete(s)) return;
    s.ring.clear();
    s.wake?.();
    s.ended.abort(reason);
  }
}
