// A byte budget for what requests hold in memory: request bodies (admitted before they are read)
// and the images decoded from them (reserved in the engine worker before decoding). The counters
// live in a SharedArrayBuffer, so the engine worker threads draw from the same budget as the
// server thread.

/** used and peak bytes, as two 64-bit counters. */
const CELLS = 2;

export class MemoryBudget {
  private readonly cells: BigInt64Array;

  /** `shared`: the counters of an existing budget (an engine worker's view of the server's). */
  constructor(
    readonly limit: number,
    readonly shared: SharedArrayBuffer = new SharedArrayBuffer(CELLS * 8),
  ) {
    this.cells = new BigInt64Array(shared);
  }

  /** Bytes held now. */
  get used(): number {
    return Number(Atomics.load(this.cells, 0));
  }

  /** Most bytes ever held at once. */
  get peak(): number {
    return Number(Atomics.load(this.cells, 1));
  }

  /** A holder of bytes for one request or one decode; release it when done (again is harmless). */
  open(): Reservation {
    return new Reservation(this);
  }

  /** Takes `bytes` if they fit under the limit; false (and nothing taken) otherwise. */
  tryTake(bytes: number): boolean {
    const n = BigInt(bytes);
    const limit = BigInt(this.limit);
    for (;;) {
      const used = Atomics.load(this.cells, 0);
      if (used + n > limit) return false;
      if (Atomics.compareExchange(this.cells, 0, used, used + n) === used) {
        this.notePeak(used + n);
        return true;
      }
    }
  }

  /**
   * Takes `bytes` even past the limit. For decoded images: they are counted, so new bodies wait
   * for them, but never refused, since their bodies were admitted already and at most one image
   * per engine worker is decoded at a time.
   */
  take(bytes: number): void {
    this.notePeak(Atomics.add(this.cells, 0, BigInt(bytes)) + BigInt(bytes));
  }

  give(bytes: number): void {
    Atomics.sub(this.cells, 0, BigInt(bytes));
  }

  private notePeak(now: bigint) {
    for (;;) {
      const peak = Atomics.load(this.cells, 1);
      if (now <= peak || Atomics.compareExchange(this.cells, 1, peak, now) === peak) return;
    }
  }
}

export class Reservation {
  private held = 0;
  private released = false;

  constructor(private readonly budget: MemoryBudget) {}

  get bytes(): number {
    return this.held;
  }

  /** Adds `bytes` if they fit in the budget; false otherwise, and after release. */
  tryAdd(bytes: number): boolean {
    if (this.released || !this.budget.tryTake(bytes)) return false;
    this.held += bytes;
    return true;
  }

  /** Adds `bytes` even past the budget's limit (see MemoryBudget.take). */
  add(bytes: number): void {
    if (this.released) return;
    this.budget.take(bytes);
    this.held += bytes;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.budget.give(this.held);
    this.held = 0;
  }
}
