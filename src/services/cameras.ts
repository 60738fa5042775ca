// Cameras: CRUD, one runner per enabled camera (a camera worker with ffmpeg → frames → face engine →
// tracker → sightings), status for the UI and SSE, the annotated live view, and "test connection".
import { Worker } from "node:worker_threads";
import { z } from "zod";
import sharp from "sharp";
import type { Actor, AuditService } from "../db/repos/audit";
import type { CameraRow, CamerasRepo } from "../db/repos/cameras";
import { isUniqueViolation } from "../db/client";
import { newConnectionWatch, watchConnection } from "../domain/camera-connection";
import { CAMERA_DESTINATION, maskUrl, parseCameraUrl } from "../domain/camera-url";
import { iou } from "../domain/face/nms";
import type { Box } from "../domain/face/types";
import { MotionGate, type MotionConfig } from "../domain/motion";
import { Tracker, type FrameDecision, type Observation, type Sighting, type TrackView } from "../domain/tracking";
import { checkDestinationToSave } from "../lib/destination";
import { HttpError } from "../lib/http";
import type { Logger } from "../lib/log";
import { workerUrl } from "../lib/workers";
import type { LiveBus } from "../live/events";
import type { CameraSourceOptions, CameraWorkerIn, CameraWorkerOut } from "../../workers/camera-protocol";
import { grabOne, killOrphan, type Frame, type SourceStatus } from "../../workers/frame-source";
import type { FaceService } from "./faces";

export const cameraInputSchema = z.object({
  name: z.string("Enter a name").trim().min(1, "Enter a name").max(100, "At most 100 characters"),
  url: z.string("Enter the camera URL").trim().min(1, "Enter the camera URL").max(2048, "At most 2048 characters"),
  direction: z.enum(["in", "out", "both"], "Choose in, out or both").default("in"),
  fps: z.coerce.number("Enter a number").min(0.2, "At least 0.2").max(30, "At most 30").default(5),
  enabled: z.boolean().default(true),
  liveness: z.boolean().default(false),
});
export type CameraInput = z.infer<typeof cameraInputSchema>;
export const cameraPatchSchema = cameraInputSchema.partial();

/** What the camera pipeline hands on when a track is decided. */
export interface CameraSighting {
  camera: CameraRow;
  sighting: Sighting<FrameRef>;
  /** JPEG of the face with some context, from the best frame. */
  evidence: Uint8Array;
  embedding: Float32Array;
}
export type SightingHandler = (s: CameraSighting) => Promise<void>;

/** A frame kept by reference as a track's evidence (only the best frame of each track stays alive). */
export interface FrameRef {
  frame: Frame;
}

export interface CameraStatus {
  state: "connecting" | "live" | "error" | "stopped" | "disabled";
  reason?: string;
  fpsIn: number;
  /** Frames analysed per second (over the last 5 s). */
  fpsOut: number;
  framesIn: number;
  processed: number;
  /** Frames the source replaced before the pipeline took them, plus frames skipped while the engine was busy. */
  dropped: number;
  dropRate: number;
  lastFrameAt: number | null;
  /** Frame-to-decision latency of the last frames (ms). */
  latencyMs: { p50: number; p95: number } | null;
  workerRestarts: number;
  tracks: number;
  sightings: number;
  /** Faces smaller than CAMERA_MIN_FACE, not analysed. */
  facesTooSmall: number;
  /** Faces of already identified tracks that were not embedded again. */
  facesReused: number;
  /** Frames not analysed because nothing moved since the last analysed frame (motion gating). */
  skippedStill: number;
}

export interface CameraView extends Omit<CameraRow, "url"> {
  url: string;
  status: CameraStatus;
}

const LIVE_COLOURS = { match: "#1a7f37", uncertain: "#bf8700", unknown: "#cf222e" } as const;
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** One camera's pipeline. */
class CameraRunner {
  private worker: Worker | null = null;
  private source: SourceStatus = { state: "connecting", fpsIn: 0, framesIn: 0, dropped: 0, lastFrameAt: null, attempts: 0 };
  private connection = newConnectionWatch();
  private stopped = false;
  private nextId = 1;
  private pending = new Map<number, (f: Frame | null) => void>();
  private readonly tracker: Tracker<FrameRef>;
  private processed = 0;
  private tooSmall = 0;
  private reusedFaces = 0;
  private identified: { box: Box; embedding: Float32Array; decision: FrameDecision }[] = [];
  /** Frames since each decided track's face was last embedded. */
  private sinceFresh = new Map<string, number>();
  private engineSkipped = 0;
  private readonly gate: MotionGate;
  private skippedStill = 0;
  private sightings = 0;
  private workerRestarts = 0;
  private readonly done: number[] = [];
  private readonly latencies: number[] = [];
  private tracks: TrackView[] = [];
  /** Time of the last frame that went through detection. */
  private lastAnalysedAt = -Infinity;
  private live: { jpeg: Uint8Array; at: number } | null = null;
  private liveWaiters: (() => void)[] = [];
  private lastLiveAt = 0;
  private loop: Promise<void> | null = null;
  viewers = 0;

  constructor(
    readonly camera: CameraRow,
    private readonly d: { faces: FaceService; onSighting: SightingHandler; onStatus: (c: CameraRow, s: CameraStatus) => void; log: Logger; width: number; liveFps: number; allowFiles: boolean; minFaceSize: number; motion: MotionConfig },
  ) {
    this.gate = new MotionGate(d.motion);
    // rejectCos 0.35: consecutive frames of one face score ≥ 0.6 with these recognisers, two different
    // people rarely above 0.3; a stricter veto than the default keeps the next person in a queue, standing
    // where the previous one stood, out of the previous person's track.
    this.tracker = new Tracker<FrameRef>({ idPrefix: `c${camera.id}-${Date.now().toString(36)}`, rejectCos: 0.35 });
  }

  private poll: ReturnType<typeof setInterval> | null = null;

  start() {
    this.spawn();
    this.loop = this.run();
    // Frame counters and fps come from the worker once a second (state changes arrive at once).
    this.poll = setInterval(() => this.worker?.postMessage({ type: "status" } satisfies CameraWorkerIn), 1000);
  }

  private spawn() {
    const parsed = parseCameraUrl(this.camera.url, { allowFiles: this.d.allowFiles });
    if (!parsed.ok) {
      this.source = { ...this.source, state: "error", reason: parsed.message };
      this.watchConnection();
      return;
    }
    // Thumbnails for the motion gate only when it compares them (threshold 0 analyses every frame).
    const options: CameraSourceOptions = { url: parsed.url, kind: parsed.kind, width: this.d.width, fps: this.camera.fps, thumbnails: this.d.motion.threshold > 0 };
    const w = new Worker(workerUrl("camera.worker.ts"));
    this.worker = w;
    w.on("message", (m: CameraWorkerOut) => {
      if (m.type === "status") {
        if (this.worker !== w) return;
        const changed = m.status.state !== this.source.state || m.status.reason !== this.source.reason;
        this.source = m.status;
        if (changed) {
          this.watchConnection();
          this.d.onStatus(this.camera, this.status());
        }
      } else if (m.type === "frame") {
        this.pending.get(m.id)?.(m.frame);
        this.pending.delete(m.id);
      } else if (m.type === "failed") {
        this.d.log.error("camera worker failed", { camera: this.camera.id, err: m.message });
      }
    });
    const died = (why: string) => {
      if (this.worker !== w) return;
      this.worker = null;
      // ffmpeg is a child of the process, not of the worker thread: it outlives a crashed worker.
      if (this.source.pid) {
        void killOrphan(this.source.pid);
        this.source = { ...this.source, pid: undefined };
      }
      for (const r of this.pending.values()) r(null);
      this.pending.clear();
      if (this.stopped) return;
      this.workerRestarts++;
      this.d.log.error("camera worker died; restarting", { camera: this.camera.id, why });
      this.source = { ...this.source, state: "connecting", reason: `restarting after a worker crash (${why})` };
      this.d.onStatus(this.camera, this.status());
      setTimeout(() => !this.stopped && !this.worker && this.spawn(), Math.min(30_000, 1000 * 2 ** Math.min(5, this.workerRestarts - 1)));
    };
    w.on("error", (e) => died(e.message));
    w.on("exit", (code) => died(`exit code ${code}`));
    w.postMessage({ type: "start", options } satisfies CameraWorkerIn);
  }

  /** Logs the connection going down, failing for another reason, or coming back (not every retry). */
  private watchConnection() {
    const { watch, line } = watchConnection(this.connection, this.source, Date.now());
    this.connection = watch;
    if (line) this.d.log[line.level](line.msg, { camera: this.camera.id, name: this.camera.name, ...line.fields });
  }

  /** Terminates the worker as a crash would (tests and the admin "restart" action). */
  crashWorker() {
    void this.worker?.terminate();
  }

  private nextFrame(): Promise<Frame | null> {
    const w = this.worker;
    if (!w) return Bun.sleep(200).then(() => null);
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      w.postMessage({ type: "next", id } satisfies CameraWorkerIn);
    });
  }

  private async run() {
    while (!this.stopped) {
      const frame = await this.nextFrame();
      if (!frame || this.stopped) continue;
      try {
        await this.process(frame);
      } catch (e) {
        this.d.log.error("camera frame failed", { camera: this.camera.id, err: e });
      }
    }
  }

  private async process(frame: Frame) {
    // Nothing moved since the last analysed frame and no face in it is still undecided: the faces in
    // view are the ones already tracked, so detection is skipped and their tracks are held.
    const gate = this.gate.check(frame.at, frame.thumb, this.tracks.some((t) => !t.decided && t.lastSeenAt === this.lastAnalysedAt));
    if (!gate.analyse) {
      this.skippedStill++;
      const { tracks, finished } = this.tracker.hold(frame.at);
      this.tracks = tracks;
      for (const s of finished) await this.handle(s);
      return;
    }
    this.lastAnalysedAt = frame.at;
    // Someone else may now stand where an identified person stood: every face is embedded afresh.
    if (gate.changed) this.identified = [];
    let observations: (Observation<FrameRef> & { reused?: boolean })[] = [];
    if (this.d.faces.status().ready) {
      // Faces of tracks already decided are not embedded again: their identity is final.
      const known = this.identified;
      try {
        const found = await this.d.faces.recognizeFrame(frame, { liveness: this.camera.liveness, minFaceSize: this.d.minFaceSize, reuse: known.map((k) => k.box) });
        this.tooSmall += found.tooSmall;
        observations = found.faces.map(({ face, embedding, reused }) => {
          const prev = reused !== undefined ? known[reused]! : null;
          // A face that looks like a photo or a screen never counts as a match on a liveness camera.
          const spoof = this.camera.liveness && face.liveness !== null && face.liveness < 0.2;
          const decision = prev ? prev.decision : { decision: face.decision === "match" && spoof ? "uncertain" : face.decision, personId: face.best?.personId ?? null, similarity: face.best?.similarity ?? 0 };
          return { box: face.box, embedding: prev ? prev.embedding : embedding, quality: face.quality, detScore: face.detScore, decision, crop: { frame }, reused: !!prev };
        });
        this.reusedFaces += found.faces.filter((f) => f.reused !== undefined).length;
      } catch (e) {
        if (!(e instanceof HttpError && e.status === 503)) throw e;
        this.engineSkipped++;
        return;
      }
    }
    const { tracks, finished } = this.tracker.update(frame.at, observations);
    this.tracks = tracks;
    // Remember this frame's faces that belong to decided tracks (same box as the track's latest), so
    // the next frame need not embed them. Every third frame is embedded anyway: if someone else now
    // stands where the identified person stood, the fresh embedding splits the track.
    const fresh = new Map<string, number>();
    this.identified = observations.flatMap((o) => {
      const t = tracks.find((x) => x.decided && x.lastSeenAt === frame.at && iou(x.box, o.box) > 0.99);
      if (!t) return [];
      const since = o.reused ? (this.sinceFresh.get(t.id) ?? 0) + 1 : 0;
      fresh.set(t.id, since);
      return since < 2 ? [{ box: o.box, embedding: o.embedding, decision: { decision: t.decision, personId: t.personId, similarity: t.similarity } }] : [];
    });
    this.sinceFresh = fresh;
    this.processed++;
    const now = Date.now();
    this.done.push(now);
    this.latencies.push(now - frame.at);
    if (this.latencies.length > 200) this.latencies.shift();
    while (this.done.length && now - this.done[0]! > 5000) this.done.shift();
    for (const s of finished) await this.handle(s);
    if (this.viewers > 0 && now - this.lastLiveAt >= 1000 / this.d.liveFps) {
      this.lastLiveAt = now;
      await this.renderLive(frame, tracks);
    }
  }

  private async handle(s: Sighting<FrameRef>) {
    this.sightings++;
    const ref = s.bestObservation.crop;
    if (!ref) return;
    const evidence = await evidenceCrop(ref.frame, s.bestObservation.box);
    await this.d.onSighting({ camera: this.camera, sighting: s, evidence, embedding: s.bestObservation.embedding });
  }

  private async renderLive(frame: Frame, tracks: TrackView[]) {
    const labels = await Promise.all(tracks.map(async (t) => (t.decision === "match" && t.personId !== null ? await this.d.faces.nameOf(t.personId).catch(() => `#${t.personId}`) : t.decision === "uncertain" ? "?" : "unknown")));
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${frame.width}" height="${frame.height}">${tracks
      .map((t, i) => {
        const [x, y, w, h] = t.box;
        const c = LIVE_COLOURS[t.decision];
        return `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="none" stroke="${c}" stroke-width="3"/><rect x="${x}" y="${Math.max(0, y - 20)}" width="${Math.max(w, 8 * labels[i]!.length + 8)}" height="20" fill="${c}"/><text x="${x + 4}" y="${Math.max(0, y - 20) + 15}" font-family="sans-serif" font-size="14" fill="#fff">${esc(labels[i]!)}</text>`;
      })
      .join("")}</svg>`;
    const jpeg = await sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 3 } })
      .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
      .jpeg({ quality: 75 })
      .toBuffer();
    this.live = { jpeg: new Uint8Array(jpeg), at: Date.now() };
    for (const w of this.liveWaiters.splice(0)) w();
  }

  /** The newest annotated frame, waiting up to `ms` for one newer than `after`. */
  async liveFrame(after: number, ms: number): Promise<{ jpeg: Uint8Array; at: number } | null> {
    if (this.live && this.live.at > after) return this.live;
    await Promise.race([new Promise<void>((r) => this.liveWaiters.push(r)), Bun.sleep(ms)]);
    return this.live;
  }

  status(): CameraStatus {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const pick = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
    const dropped = this.source.dropped + this.engineSkipped;
    const seen = this.source.framesIn;
    return {
      state: this.stopped ? "stopped" : this.source.state,
      reason: this.source.reason,
      fpsIn: this.source.fpsIn,
      fpsOut: Math.round((this.done.length / 5) * 10) / 10,
      framesIn: seen,
      processed: this.processed,
      dropped,
      dropRate: seen ? Math.round((dropped / seen) * 1000) / 1000 : 0,
      lastFrameAt: this.source.lastFrameAt,
      latencyMs: sorted.length ? { p50: pick(0.5), p95: pick(0.95) } : null,
      workerRestarts: this.workerRestarts,
      tracks: this.tracks.length,
      sightings: this.sightings,
      facesTooSmall: this.tooSmall,
      facesReused: this.reusedFaces,
      skippedStill: this.skippedStill,
    };
  }

  async stop() {
    this.stopped = true;
    if (this.poll) clearInterval(this.poll);
    const w = this.worker;
    if (w) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 5000);
        w.on("message", (m: CameraWorkerOut) => m.type === "stopped" && (clearTimeout(t), resolve()));
        w.postMessage({ type: "stop" } satisfies CameraWorkerIn);
      });
      this.worker = null;
      await w.terminate();
    }
    for (const r of this.pending.values()) r(null);
    this.pending.clear();
    // Tracks still open are decided now, so nobody in front of a camera that is switched off is lost.
    for (const s of this.tracker.flush()) await this.handle(s).catch((e) => this.d.log.error("sighting failed", { err: e }));
    await this.loop;
    for (const w2 of this.liveWaiters.splice(0)) w2();
  }
}

/** The face box enlarged 1.6x (kept inside the frame) as a JPEG. */
async function evidenceCrop(frame: Frame, box: [number, number, number, number]): Promise<Uint8Array> {
  const [x, y, w, h] = box;
  const s = Math.max(w, h) * 1.6;
  const left = Math.max(0, Math.round(x + w / 2 - s / 2));
  const top = Math.max(0, Math.round(y + h / 2 - s / 2));
  const width = Math.max(1, Math.min(frame.width - left, Math.round(s)));
  const height = Math.max(1, Math.min(frame.height - top, Math.round(s)));
  return new Uint8Array(await sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 3 } }).extract({ left, top, width, height }).jpeg({ quality: 88 }).toBuffer());
}

export class CameraService {
  private readonly runners = new Map<number, CameraRunner>();
  private closed = false;

  constructor(
    private readonly d: {
      repo: CamerasRepo;
      faces: FaceService;
      audit: AuditService;
      bus: LiveBus;
      log: Logger;
      width: number;
      liveFps: number;
      allowFiles: boolean;
      minFaceSize: number;
      motion: MotionConfig;
      onSighting: SightingHandler;
    },
  ) {}

  /** The URL as saved, or a 422: malformed, or pointing (also after resolving its name) at a refused address. */
  private async checkUrl(url: string): Promise<{ url: string }> {
    const p = parseCameraUrl(url, { allowFiles: this.d.allowFiles });
    if (!p.ok) throw new HttpError(422, p.message, { fields: { url: p.message } });
    if (p.kind !== "file") {
      const d = await checkDestinationToSave(new URL(p.url), CAMERA_DESTINATION);
      if (!d.ok) throw new HttpError(422, `Camera URL: ${d.message}`, { fields: { url: `Camera URL: ${d.message}` } });
    }
    return { url: p.url };
  }

  private view(c: CameraRow): CameraView {
    return { ...c, url: maskUrl(c.url), status: this.statusOf(c) };
  }

  statusOf(c: CameraRow): CameraStatus {
    const r = this.runners.get(c.id);
    if (r) return r.status();
    return { state: c.enabled ? "stopped" : "disabled", fpsIn: 0, fpsOut: 0, framesIn: 0, processed: 0, dropped: 0, dropRate: 0, lastFrameAt: null, latencyMs: null, workerRestarts: 0, tracks: 0, sightings: 0, facesTooSmall: 0, facesReused: 0, skippedStill: 0 };
  }

  async list(): Promise<CameraView[]> {
    return (await this.d.repo.list()).map((c) => this.view(c));
  }

  async get(id: number): Promise<CameraView> {
    const c = await this.d.repo.get(id);
    if (!c) throw new HttpError(404, "No such camera");
    return this.view(c);
  }

  async create(input: CameraInput, actor: Actor): Promise<CameraView> {
    const { url } = await this.checkUrl(input.url);
    let row: CameraRow;
    try {
      row = await this.d.repo.insert({ ...input, url });
    } catch (e) {
      if (isUniqueViolation(e)) throw new HttpError(422, "A camera with this name already exists", { fields: { name: "A camera with this name already exists" } });
      throw e;
    }
    await this.d.audit.record(actor, "create", "camera", row.id, null, { ...input, url: maskUrl(url) });
    if (row.enabled) this.startRunner(row);
    return this.view(row);
  }

  async update(id: number, patch: Partial<CameraInput>, actor: Actor): Promise<CameraView> {
    const before = await this.d.repo.get(id);
    if (!before) throw new HttpError(404, "No such camera");
    const next = { ...patch, ...(patch.url !== undefined ? await this.checkUrl(patch.url) : {}) };
    let row: CameraRow | null;
    try {
      row = await this.d.repo.update(id, next);
    } catch (e) {
      if (isUniqueViolation(e)) throw new HttpError(422, "A camera with this name already exists", { fields: { name: "A camera with this name already exists" } });
      throw e;
    }
    if (!row) throw new HttpError(404, "No such camera");
    await this.d.audit.record(actor, "update", "camera", id, { ...before, url: maskUrl(before.url) }, { ...row, url: maskUrl(row.url) });
    await this.stopRunner(id);
    if (row.enabled) this.startRunner(row);
    return this.view(row);
  }

  async delete(id: number, actor: Actor): Promise<void> {
    await this.stopRunner(id);
    const row = await this.d.repo.delete(id);
    if (!row) throw new HttpError(404, "No such camera");
    await this.d.audit.record(actor, "delete", "camera", id, { ...row, url: maskUrl(row.url) }, null);
  }

  /**
   * Grabs one frame from a URL (or a saved camera): the JPEG, or a 422 with the reason (masked, and in
   * the words of src/domain/camera-errors.ts, which do not tell open ports from closed ones).
   */
  async testConnection(target: { url: string } | { id: number }): Promise<Uint8Array> {
    let raw: string;
    if ("id" in target) {
      const c = await this.d.repo.get(target.id);
      if (!c) throw new HttpError(404, "No such camera");
      raw = c.url;
    } else raw = target.url;
    const p = parseCameraUrl(raw, { allowFiles: this.d.allowFiles });
    if (!p.ok) throw new HttpError(422, p.message, { fields: { url: p.message } });
    try {
      return await grabOne(p.url, { kind: p.kind, timeoutMs: 10_000 });
    } catch (e) {
      throw new HttpError(422, `Test connection failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Starts the runners of all enabled cameras (at start-up). */
  async startAll(): Promise<void> {
    for (const c of await this.d.repo.list()) if (c.enabled) this.startRunner(c);
  }

  private startRunner(c: CameraRow) {
    if (this.closed) return;
    const r = new CameraRunner(c, {
      faces: this.d.faces,
      onSighting: this.d.onSighting,
      onStatus: (cam, status) => this.d.bus.publish("camera.status", { cameraId: cam.id, name: cam.name, ...status }),
      log: this.d.log,
      width: this.d.width,
      liveFps: this.d.liveFps,
      allowFiles: this.d.allowFiles,
      minFaceSize: this.d.minFaceSize,
      motion: this.d.motion,
    });
    this.runners.set(c.id, r);
    r.start();
  }

  private async stopRunner(id: number) {
    const r = this.runners.get(id);
    if (!r) return;
    this.runners.delete(id);
    await r.stop();
  }

  runner(id: number): CameraRunner | undefined {
    return this.runners.get(id);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.runners.keys()].map((id) => this.stopRunner(id)));
  }
}
