// The face engine: a pool of Bun worker threads running workers/engine.worker.ts, with a bounded
// queue. When every worker is busy and the queue is full, callers get a fast 503 instead of waiting.
import { Worker } from "node:worker_threads";
import { workerUrl } from "../lib/workers";
import type { AnalyzeRequest, AnalyzeResult, EmbedCropsResult, EngineInit, ImageErrorCode, WorkerMessage } from "../../workers/protocol";
import { HttpError } from "../lib/http";
import type { Logger } from "../lib/log";

const STATUS: Record<ImageErrorCode, 413 | 415 | 422> = {
  not_an_image: 415,
  unsupported_format: 415,
  corrupt: 422,
  too_large: 413,
  too_small: 422,
};

/** A bad image: the status and a message for the client, plus a machine-readable reason. */
export class ImageRejected extends HttpError {
  constructor(
    readonly reason: ImageErrorCode,
    message: string,
  ) {
    super(STATUS[reason], message, { reason });
  }
}

interface Job {
  id: number;
  req: AnalyzeRequest | { op: "embed_crops"; crops: Uint8Array[]; recognizer: string };
  resolve(v: unknown): void;
  reject(e: unknown): void;
  timer?: ReturnType<typeof setTimeout>;
}

interface Slot {
  worker: Worker;
  job: Job | null;
  ready: boolean;
}

export interface EngineStats {
  workers: number;
  ready: number;
  busy: number;
  queued: number;
  processed: number;
  rejectedBusy: number;
  restarts: number;
}

export class EnginePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  private readonly counters = { processed: 0, rejectedBusy: 0, restarts: 0 };

  constructor(
    private init: EngineInit,
    private readonly opts: { size: number; queueLimit: number; jobTimeoutMs: number; log: Logger },
  ) {}

  /** Starts the workers and waits until each has loaded its models; throws with the reason if one cannot. */
  async start(): Promise<void> {
    await Promise.all(Array.from({ length: this.opts.size }, () => this.spawn()));
  }

  private spawn(): Promise<void> {
    // node:worker_threads rather than the global Worker: sharp replaces globalThis.Worker when imported.
    const worker = new Worker(workerUrl("engine.worker.ts"));
    const slot: Slot = { worker, job: null, ready: false };
    this.slots.push(slot);
    return new Promise((resolve, reject) => {
      worker.on("message", (m: WorkerMessage) => {
        if (m.type === "ready") {
          slot.ready = true;
          resolve();
          this.pump();
        } else if (m.type === "init_error") {
          reject(new Error(m.message));
          this.remove(slot);
        } else this.finish(slot, m);
      });
      const died = (why: string) => {
        if (!this.slots.includes(slot)) return;
        this.opts.log.error("engine worker died", { why });
        if (!slot.ready) reject(new Error(why));
        this.replace(slot, "The face engine worker stopped while handling this image; try again");
      };
      worker.on("error", (e) => died(e.message));
      worker.on("exit", (code) => died(`exit code ${code}`));
      worker.postMessage({ type: "init", init: this.init });
    });
  }

  private remove(slot: Slot) {
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    void slot.worker.terminate();
  }

  /** Drops a broken or stuck worker, fails its job, and starts a fresh one. */
  private replace(slot: Slot, message: string) {
    if (!this.slots.includes(slot)) return;
    const job = slot.job;
    slot.job = null;
    this.remove(slot);
    if (job) {
      clearTimeout(job.timer);
      job.reject(new HttpError(503, message));
    }
    if (this.closed) return;
    this.counters.restarts++;
    this.spawn().catch((e) => this.opts.log.error("engine worker could not restart", { err: e }));
  }

  private finish(slot: Slot, m: WorkerMessage) {
    const job = slot.job;
    if (!job || (m.type !== "result" && m.type !== "error") || m.id !== job.id) return;
    clearTimeout(job.timer);
    slot.job = null;
    this.counters.processed++;
    if (m.type === "result") job.resolve(m.result);
    else if (m.code === "internal") {
      this.opts.log.error("engine job failed", { err: m.message });
      job.reject(new HttpError(422, "The face engine could not process this image"));
    } else job.reject(new ImageRejected(m.code, m.message));
    this.pump();
  }

  private pump() {
    for (const slot of this.slots) {
      if (!slot.ready || slot.job) continue;
      const job = this.queue.shift();
      if (!job) return;
      slot.job = job;
      job.timer = setTimeout(() => {
        this.opts.log.error("engine job timed out; restarting its worker", { ms: this.opts.jobTimeoutMs });
        this.replace(slot, "The face engine took too long on this image");
      }, this.opts.jobTimeoutMs);
      slot.worker.postMessage({ type: "job", id: job.id, req: job.req });
    }
  }

  private submit<T>(req: Job["req"]): Promise<T> {
    if (this.closed) return Promise.reject(new HttpError(503, "The face engine is shutting down"));
    const idle = this.slots.some((s) => s.ready && !s.job);
    if (!idle && this.queue.length >= this.opts.queueLimit) {
      this.counters.rejectedBusy++;
      return Promise.reject(new HttpError(503, "The face engine is busy; try again in a moment"));
    }
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, req, resolve: resolve as (v: unknown) => void, reject });
      this.pump();
    });
  }

  analyze(
    image: Uint8Array,
    opts: { recognizer: string; maxFaces?: number; tile?: boolean; liveness?: boolean; crops?: boolean; raw?: { width: number; height: number }; minFaceSize?: number; reuse?: AnalyzeRequest["reuse"] },
  ): Promise<AnalyzeResult> {
    return this.submit({ op: "analyze", image, raw: opts.raw, recognizer: opts.recognizer, maxFaces: opts.maxFaces ?? 20, tile: opts.tile ?? false, liveness: opts.liveness ?? false, crops: opts.crops ?? false, minFaceSize: opts.minFaceSize, reuse: opts.reuse });
  }

  embedCrops(crops: Uint8Array[], recognizer: string): Promise<EmbedCropsResult> {
    return this.submit({ op: "embed_crops", crops, recognizer });
  }

  /** Recognisers the workers have loaded. */
  recognizerIds(): string[] {
    return this.init.recognizers.map((r) => r.id);
  }

  stats(): EngineStats {
    return {
      workers: this.slots.length,
      ready: this.slots.filter((s) => s.ready).length,
      busy: this.slots.filter((s) => s.job).length,
      queued: this.queue.length,
      ...this.counters,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new HttpError(503, "The face engine is shutting down"));
    for (const slot of [...this.slots]) {
      slot.job?.reject(new HttpError(503, "The face engine is shutting down"));
      this.remove(slot);
    }
  }
}
