// Uploaded photos refused only as "photo of a photo", kept in memory for a while so the operator who
// uploaded one can accept it with one click (the browser cannot send the file again by itself).

export interface HeldUpload {
  personId: number;
  userId: string;
  file: string;
  bytes: Uint8Array;
}

export class HeldUploads {
  private readonly items = new Map<string, HeldUpload & { at: number }>();
  private bytes = 0;

  constructor(
    private readonly o: {
      /** How long a refused photo can still be accepted. */
      ttlMs: number;
      /** Most bytes held at once; the oldest photos go first. */
      maxBytes: number;
      now?: () => number;
    },
  ) {}

  private now(): number {
    return this.o.now?.() ?? Date.now();
  }

  /** Holds a refused photo; returns the id its "accept" button sends, or null when it is too large to hold. */
  hold(h: HeldUpload): string | null {
    if (h.bytes.byteLength > this.o.maxBytes) return null;
    this.expire();
    while (this.bytes + h.bytes.byteLength > this.o.maxBytes) this.drop(this.items.keys().next().value!);
    const id = crypto.randomUUID();
    this.items.set(id, { ...h, at: this.now() });
    this.bytes += h.bytes.byteLength;
    return id;
  }

  /** Takes back a held photo, once, for the same person and user that uploaded it; null when gone. */
  take(id: string, personId: number, userId: string): HeldUpload | null {
    this.expire();
    const h = this.items.get(id);
    if (!h || h.personId !== personId || h.userId !== userId) return null;
    this.drop(id);
    return h;
  }

  private expire() {
    const cutoff = this.now() - this.o.ttlMs;
    for (const [id, h] of this.items) {
      if (h.at >= cutoff) break;
      this.drop(id);
    }
  }

  private drop(id: string) {
    const h = this.items.get(id);
    if (!h) return;
    this.bytes -= h.bytes.byteLength;
    this.items.delete(id);
  }
}
