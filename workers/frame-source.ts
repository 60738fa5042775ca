// Camera input: ffmpeg (or HTTP snapshot polling) → RGB frames of a fixed width, newest frame wins,
// supervised with a stall watchdog and exponential backoff. The only code here that spawns ffmpeg,
// always with an argument array (never a shell).
import { fileURLToPath } from "node:url";
import type { Subprocess } from "bun";
import sharp from "sharp";
import { CAMERA_PROBLEM, ffmpegProblem } from "../src/domain/camera-errors";
import { maskUrl, maskUrlsInText, type CameraKind } from "../src/domain/camera-url";
import { CameraProblem, checkCameraDestination, connectionProblem, fetchSnapshot, resolveMjpeg } from "./camera-http";
import { greyThumb, type GreyImage } from "../src/domain/motion";

export type SourceState = "connecting" | "live" | "error" | "stopped";

export interface SourceStatus {
  state: SourceState;
  /** Why the source is not live: the masked URL and the last meaningful ffmpeg (or HTTP) error; kept while reconnecting. */
  reason?: string;
  /** Frames per second received over the last 2 s. */
  fpsIn: number;
  framesIn: number;
  /** Frames replaced by a newer one before the consumer took them. */
  dropped: number;
  /** Epoch ms of the last frame, null before the first. */
  lastFrameAt: number | null;
  /** Times the input was (re)started. */
  attempts: number;
  /** In state "error": how long the supervisor waits before the next attempt. */
  retryInMs?: number;
  /** The running ffmpeg's process id (so an owner can kill it if this source's thread dies). */
  pid?: number;
}

/** Packed RGB (3 bytes per pixel, rows top to bottom). */
export interface Frame {
  data: Uint8Array;
  width: number;
  height: number;
  /** 1, 2, 3 … over the life of the source (gaps are dropped frames). */
  seq: number;
  /** Epoch ms when the frame was complete. */
  at: number;
  /** Small grey copy for motion gating (src/domain/motion.ts); only when the source was asked for `thumbnails`. */
  thumb?: GreyImage;
}

export interface FrameSourceOptions {
  /** A URL accepted by parseCameraUrl, with the kind it returned. */
  url: string;
  kind: CameraKind;
  /** Output width in pixels; the height follows the picture's aspect ratio, rounded to an even number. */
  width: number;
  /** Frames per second to deliver (ffmpeg drops or repeats to reach it; snapshots are polled at this rate). */
  fps: number;
  /** Restart the input when no frame arrived for this long (also the limit for the first frame). Default 10 s. */
  stallMs?: number;
  /** Network read/connect timeout given to ffmpeg and fetch. Default 5 s. */
  ioTimeoutMs?: number;
  /** Give each frame handed out its grey thumbnail (Frame.thumb), for motion gating. Default false. */
  thumbnails?: boolean;
  /** Restart delays: initialMs, doubled per failure up to maxMs; back to initialMs after resetAfterMs live. */
  backoff?: { initialMs?: number; maxMs?: number; resetAfterMs?: number };
  /** ffmpeg binary; default resolveFfmpeg(). */
  ffmpegPath?: string;
  /** Called on every change of state or reason. */
  onStatus?: (status: SourceStatus) => void;
}

/** FFMPEG_PATH, else `ffmpeg` on PATH, else the binary of the @ffmpeg-installer/ffmpeg package. */
export async function resolveFfmpeg(env: Record<string, string | undefined> = process.env): Promise<string> {
  if (env.FFMPEG_PATH) return env.FFMPEG_PATH;
  const onPath = Bun.which("ffmpeg", { PATH: env.PATH ?? "" });
  if (onPath) return onPath;
  try {
    const mod = await import("@ffmpeg-installer/ffmpeg");
    return (mod.default ?? mod).path;
  } catch (e) {
    throw new Error(`ffmpeg not found: set FFMPEG_PATH, put ffmpeg on PATH or install @ffmpeg-installer/ffmpeg (${e instanceof Error ? e.message : String(e)})`);
  }
}

// ffmpeg ≥ 5 calls the RTSP socket timeout -timeout; before that -timeout meant "listen for a
// connection" and the socket timeout was -stimeout. Asked once per binary.
const rtspTimeoutFlags = new Map<string, Promise<string>>();
function rtspTimeoutFlag(ffmpeg: string): Promise<string> {
  let flag = rtspTimeoutFlags.get(ffmpeg);
  if (!flag) {
    flag = (async () => {
      const p = Bun.spawn([ffmpeg, "-hide_banner", "-h", "demuxer=rtsp"], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
      const [out, err] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
      return /^\s*-stimeout\b/m.test(out + err) ? "-stimeout" : "-timeout";
    })();
    rtspTimeoutFlags.set(ffmpeg, flag);
  }
  return flag;
}

/** ffmpeg arguments that open the input; `live` loops file sources in real time like a camera. */
async function inputArgs(ffmpeg: string, url: string, kind: CameraKind, ioTimeoutMs: number, live: boolean): Promise<string[]> {
  const us = String(ioTimeoutMs * 1000);
  switch (kind) {
    case "rtsp":
      return ["-rtsp_transport", "tcp", await rtspTimeoutFlag(ffmpeg), us, "-i", url];
    case "mjpeg":
      // MJPEG over HTTP carries no timestamps; stamp frames on arrival so the fps filter can pace them.
      // Redirects were followed (same host only) by resolveMjpeg; ffmpeg follows none.
      return ["-rw_timeout", us, "-max_redirects", "0", "-use_wallclock_as_timestamps", "1", "-i", url];
    case "file":
      return [...(live ? ["-stream_loop", "-1", "-re"] : []), "-i", fileURLToPath(url)];
    case "snapshot":
      throw new Error("snapshot sources are fetched over HTTP, not opened by ffmpeg");
  }
}

const LOG_ARGS = ["-hide_banner", "-nostdin", "-nostats", "-loglevel", "level+info"];
/** Output held while ffmpeg has not yet printed the frame size; more than this means it never will. */
const MAX_UNSIZED_BYTES = 64 * 1024 * 1024;

/** Reads ffmpeg's `-loglevel level+info` stderr: the output frame size and the last error and warning (URLs masked). */
class FfmpegLog {
  size: { width: number; height: number } | null = null;
  lastError: string | null = null;
  lastWarning: string | null = null;
  private inOutput = false;

  constructor(private readonly kind: CameraKind) {}

  /** Forgets problems that a good frame has since proven harmless (decoder errors while joining mid-GOP). */
  clearProblems(): void {
    this.lastError = null;
    this.lastWarning = null;
  }

  /**
   * The most telling problem after ffmpeg ended with `code`. For network sources it is one of the
   * messages of ffmpegProblem, never ffmpeg's own words (which tell a closed port from an open one).
   */
  explain(code: number | null): string {
    if (code === 0 && !this.lastError) return "stream ended";
    if (this.kind === "rtsp" || this.kind === "mjpeg") return ffmpegProblem(this.lastError ?? this.lastWarning, this.kind);
    return this.lastError ?? this.lastWarning ?? `ffmpeg exited with code ${code}`;
  }

  /** The last error, as explain() would word it; null if there was none. */
  error(): string | null {
    return this.lastError ? this.explain(null) : null;
  }

  line(raw: string): void {
    const level = /\[(panic|fatal|error|warning|info|verbose|debug|trace)\] /.exec(raw);
    const text = level ? raw.slice(level.index + level[0].length).trim() : raw.trim();
    if (!text) return;
    if (level && level[1] === "warning") {
      this.lastWarning = maskUrlsInText(text);
      return;
    }
    if (level && (level[1] === "panic" || level[1] === "fatal" || level[1] === "error")) {
      this.lastError = maskUrlsInText(text);
      return;
    }
    if (text.startsWith("Output #0")) this.inOutput = true;
    // "Stream #0:0: Video: rawvideo (RGB[24] / 0x18424752), rgb24(pc, …), 320x180, q=2-31, …"
    const m = this.inOutput && !this.size ? /Video: rawvideo\b.*?, (\d+)x(\d+)[, ]/.exec(text) : null;
    if (m) this.size = { width: Number(m[1]), height: Number(m[2]) };
  }
}

async function forEachLine(stream: ReadableStream<Uint8Array>, fn: (line: string) => void): Promise<void> {
  const dec = new TextDecoder();
  let rest = "";
  for await (const chunk of stream) {
    rest += dec.decode(chunk, { stream: true });
    const lines = rest.split(/\r?\n|\r/);
    rest = lines.pop()!;
    for (const l of lines) fn(l);
  }
  if (rest) fn(rest);
}

/** Even height for `width` that keeps the picture's aspect ratio (the -2 of ffmpeg's scale filter). */
function evenHeight(width: number, srcWidth: number, srcHeight: number): number {
  return Math.max(2, 2 * Math.round((width * srcHeight) / srcWidth / 2));
}

function describeError(e: unknown): string {
  return maskUrlsInText(e instanceof Error ? e.message : String(e));
}

/** Cuts a byte stream into frames of exactly `frameBytes` bytes (width·height·3 for rgb24). */
class FrameCutter {
  private buf: Uint8Array;
  private filled = 0;
  constructor(
    frameBytes: number,
    private readonly emit: (data: Uint8Array) => void,
  ) {
    this.buf = new Uint8Array(frameBytes);
  }

  push(chunk: Uint8Array): void {
    let off = 0;
    while (off < chunk.length) {
      const n = Math.min(this.buf.length - this.filled, chunk.length - off);
      this.buf.set(chunk.subarray(off, off + n), this.filled);
      this.filled += n;
      off += n;
      if (this.filled === this.buf.length) {
        this.emit(this.buf);
        this.buf = new Uint8Array(this.buf.length);
        this.filled = 0;
      }
    }
  }
}

const FPS_WINDOW_MS = 2000;

/** Wait before restart number `failures` (0-based): initialMs·2^failures, i.e. 1 s, 2 s, 4 s …, capped at maxMs. */
export function backoffDelay(failures: number, initialMs: number, maxMs: number): number {
  return Math.min(initialMs * 2 ** Math.min(failures, 30), maxMs);
}

export class FrameSource {
  private readonly opts: Required<Omit<FrameSourceOptions, "ffmpegPath" | "onStatus" | "backoff">> & {
    backoff: { initialMs: number; maxMs: number; resetAfterMs: number };
  };
  private state: SourceState = "connecting";
  private reason: string | undefined;
  private framesIn = 0;
  private dropped = 0;
  private attempts = 0;
  private lastFrameAt: number | null = null;
  private readonly arrivals: number[] = [];
  private slot: Frame | null = null;
  private waiters: ((f: Frame | null) => void)[] = [];
  private proc: Subprocess | null = null;
  private stopped = false;
  private running: Promise<void> | null = null;
  private cancelWait: (() => void) | null = null;
  private readonly abort = new AbortController();
  /** performance.now() of the last frame (or of the start of the current attempt). */
  private lastActivity = 0;
  private liveSince: number | null = null;
  private retryInMs: number | undefined;

  constructor(private readonly options: FrameSourceOptions) {
    this.opts = {
      url: options.url,
      kind: options.kind,
      width: options.width,
      fps: options.fps,
      stallMs: options.stallMs ?? 10_000,
      ioTimeoutMs: options.ioTimeoutMs ?? 5_000,
      thumbnails: options.thumbnails ?? false,
      backoff: {
        initialMs: options.backoff?.initialMs ?? 1_000,
        maxMs: options.backoff?.maxMs ?? 30_000,
        resetAfterMs: options.backoff?.resetAfterMs ?? 30_000,
      },
    };
    if (!Number.isInteger(this.opts.width) || this.opts.width < 2 || this.opts.width % 2 !== 0) throw new Error("width must be an even integer ≥ 2");
    if (!(this.opts.fps > 0)) throw new Error("fps must be positive");
  }

  /** Starts the supervisor (idempotent). */
  start(): this {
    if (!this.running && !this.stopped) this.running = this.supervise();
    return this;
  }

  /** Kills the input, waits until the process has exited and settles pending next() calls with null. */
  async stop(): Promise<void> {
    if (this.stopped) return this.running ?? undefined;
    this.stopped = true;
    this.abort.abort();
    this.cancelWait?.();
    this.proc?.kill("SIGKILL");
    await this.running;
    for (const w of this.waiters.splice(0)) w(null);
    this.slot = null;
    this.setState("stopped", undefined);
  }

  /** The newest frame not yet taken (null if none arrived since the last take). */
  latest(): Frame | null {
    const f = this.slot;
    this.slot = null;
    return f && this.handOver(f);
  }

  /** A frame as it is handed out: with its thumbnail when asked for (made only for frames taken, not dropped ones). */
  private handOver(f: Frame): Frame {
    return this.opts.thumbnails ? { ...f, thumb: greyThumb(f.data, f.width, f.height) } : f;
  }

  /** The newest frame not yet taken, waiting for one if needed; null once the source is stopped. */
  next(): Promise<Frame | null> {
    const f = this.latest();
    if (f || this.stopped) return Promise.resolve(f);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  status(): SourceStatus {
    const now = performance.now();
    while (this.arrivals.length && now - this.arrivals[0]! > FPS_WINDOW_MS) this.arrivals.shift();
    const n = this.arrivals.length;
    // n arrivals span n-1 intervals; a lone frame (or none) in the window gives no rate.
    const span = n >= 2 ? this.arrivals[n - 1]! - this.arrivals[0]! : 0;
    const fpsIn = span > 0 ? Math.round(((n - 1) * 1000 * 10) / span) / 10 : 0;
    return {
      state: this.state,
      ...(this.reason !== undefined ? { reason: this.reason } : {}),
      fpsIn,
      framesIn: this.framesIn,
      dropped: this.dropped,
      lastFrameAt: this.lastFrameAt,
      attempts: this.attempts,
      ...(this.state === "error" && this.retryInMs !== undefined ? { retryInMs: this.retryInMs } : {}),
      ...(this.proc ? { pid: this.proc.pid } : {}),
    };
  }

  private setState(state: SourceState, reason: string | undefined): void {
    if (state === this.state && reason === this.reason) return;
    this.state = state;
    this.reason = reason;
    this.options.onStatus?.(this.status());
  }

  private deliver(data: Uint8Array, width: number, height: number): void {
    if (this.stopped) return;
    const now = performance.now();
    this.lastActivity = now;
    this.arrivals.push(now);
    if (this.arrivals.length > 1000) this.arrivals.shift();
    this.framesIn++;
    this.lastFrameAt = Date.now();
    const frame: Frame = { data, width, height, seq: this.framesIn, at: this.lastFrameAt };
    if (this.liveSince === null) {
      this.liveSince = now;
      this.setState("live", undefined);
    }
    if (this.waiters.length) {
      const handed = this.handOver(frame);
      for (const w of this.waiters.splice(0)) w(handed);
      return;
    }
    if (this.slot) this.dropped++;
    this.slot = frame;
  }

  private async supervise(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      this.attempts++;
      this.liveSince = null;
      this.lastActivity = performance.now();
      this.setState("connecting", this.reason);
      const reason = await (this.opts.kind === "snapshot" ? this.pollSnapshots() : this.runFfmpeg());
      if (this.stopped) break;
      // Frames arrived from liveSince to lastActivity: a long enough run proves the camera works again.
      if (this.liveSince !== null && this.lastActivity - this.liveSince >= this.opts.backoff.resetAfterMs) failures = 0;
      this.retryInMs = backoffDelay(failures++, this.opts.backoff.initialMs, this.opts.backoff.maxMs);
      this.setState("error", reason);
      await this.wait(this.retryInMs);
    }
  }

  private wait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.cancelWait = done;
    }).finally(() => {
      this.cancelWait = null;
    });
  }

  private prefix(detail: string): string {
    const masked = maskUrl(this.opts.url);
    return detail.startsWith(masked) ? detail : `${masked}: ${detail}`;
  }

  /** Runs ffmpeg until it exits or stalls; returns why it ended. */
  private async runFfmpeg(): Promise<string> {
    let input: string;
    try {
      input = await checkedInput(this.opts.url, this.opts.kind, this.opts.ioTimeoutMs, this.abort.signal);
    } catch (e) {
      return this.stopped ? "stopped" : this.prefix(connectionProblem(e));
    }
    let ffmpeg: string;
    let args: string[];
    try {
      ffmpeg = this.options.ffmpegPath ?? (await resolveFfmpeg());
      args = [
        ...LOG_ARGS,
        ...(await inputArgs(ffmpeg, input, this.opts.kind, this.opts.ioTimeoutMs, true)),
        "-map", "0:v:0",
        "-vf", `fps=${this.opts.fps},scale=${this.opts.width}:-2`,
        "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1",
      ];
    } catch (e) {
      return this.prefix(describeError(e));
    }
    if (this.stopped) return "stopped";
    let proc: Subprocess<"ignore", "pipe", "pipe">;
    try {
      proc = Bun.spawn([ffmpeg, ...args], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    } catch (e) {
      return this.prefix(`cannot start ffmpeg (${ffmpeg}): ${describeError(e)}`);
    }
    this.proc = proc;
    const log = new FfmpegLog(this.opts.kind);
    let killedFor: string | null = null;
    const watchdog = setInterval(() => {
      if (!killedFor && performance.now() - this.lastActivity > this.opts.stallMs) {
        killedFor = `no frame for ${Math.round(this.opts.stallMs / 1000)} s`;
        proc.kill("SIGKILL");
      }
    }, 250);

    // The frame size comes from ffmpeg's stderr, which may be read after the first stdout bytes: hold those until then.
    let cutter: FrameCutter | null = null;
    const early: Uint8Array[] = [];
    let earlyBytes = 0;
    const sized = (): FrameCutter | null => {
      if (!cutter && log.size) {
        const { width, height } = log.size;
        cutter = new FrameCutter(width * height * 3, (data) => {
          log.clearProblems();
          this.deliver(data, width, height);
        });
        for (const c of early.splice(0)) cutter.push(c);
      }
      return cutter;
    };
    const readErr = forEachLine(proc.stderr, (l) => {
      log.line(l);
      sized();
    });
    const readOut = (async () => {
      for await (const chunk of proc.stdout) {
        const c = sized();
        if (c) c.push(chunk);
        else {
          early.push(chunk);
          earlyBytes += chunk.length;
          if (earlyBytes > MAX_UNSIZED_BYTES && !killedFor) {
            killedFor = "ffmpeg did not report the output frame size";
            proc.kill("SIGKILL");
          }
        }
      }
    })();
    const code = await proc.exited;
    await Promise.allSettled([readErr, readOut]);
    clearInterval(watchdog);
    this.proc = null;
    if (killedFor) return this.prefix(log.lastError ? `${killedFor} (${log.error()})` : killedFor);
    return this.prefix(log.explain(code));
  }

  /** Fetches a JPEG every 1/fps s until a fetch or decode fails (or nothing arrives for stallMs); returns why. */
  private async pollSnapshots(): Promise<string> {
    const interval = 1000 / this.opts.fps;
    while (!this.stopped) {
      const started = performance.now();
      try {
        const timeout = Math.min(this.opts.ioTimeoutMs, this.opts.stallMs);
        const jpeg = await fetchSnapshot(this.opts.url, timeout, this.abort.signal);
        const { data, info } = await decodeRgb(jpeg, this.opts.width);
        this.deliver(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), info.width, info.height);
      } catch (e) {
        if (this.stopped) break;
        return this.prefix(connectionProblem(e));
      }
      await this.wait(Math.max(0, interval - (performance.now() - started)));
    }
    return "stopped";
  }
}

/**
 * Decodes any image sharp reads to packed RGB, `width` wide with an even height of the same aspect;
 * a picture that does not decode is a CameraProblem "not an image" (the camera answered, so not
 * "could not connect").
 */
async function decodeRgb(image: Uint8Array, width: number) {
  try {
    const img = sharp(image, { failOn: "error" });
    const meta = await img.metadata();
    if (!meta.width || !meta.height) throw new Error("no size");
    return await img
      .resize(width, evenHeight(width, meta.width, meta.height), { fit: "fill" })
      .removeAlpha()
      .toColourspace("srgb")
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch {
    throw new CameraProblem(CAMERA_PROBLEM.notImage);
  }
}

export interface GrabOptions {
  kind: CameraKind;
  /** Give up after this long (the process is killed). Default 10 s. */
  timeoutMs?: number;
  /** Scale to this width (even height, same aspect); default the camera's size. */
  width?: number;
  ffmpegPath?: string;
}

/** One JPEG picture from a camera, for the "test connection" button; rejects with a clear, masked reason. */
export async function grabOne(url: string, opts: GrabOptions): Promise<Uint8Array> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const fail = (problem: string) => new Error(`No picture from ${maskUrl(url)}: ${problem}`);
  if (opts.kind === "snapshot") {
    let image: Uint8Array;
    try {
      image = await fetchSnapshot(url, timeoutMs);
    } catch (e) {
      throw fail(connectionProblem(e));
    }
    try {
      const img = sharp(image, { failOn: "error" });
      return new Uint8Array(await (opts.width ? img.resize({ width: opts.width }) : img).jpeg({ quality: 85 }).toBuffer());
    } catch {
      throw fail(CAMERA_PROBLEM.notImage);
    }
  }
  let input: string;
  try {
    input = await checkedInput(url, opts.kind, Math.min(timeoutMs, 5_000));
  } catch (e) {
    throw fail(connectionProblem(e));
  }
  const ffmpeg = opts.ffmpegPath ?? (await resolveFfmpeg());
  const args = [
    ...LOG_ARGS,
    ...(await inputArgs(ffmpeg, input, opts.kind, Math.min(timeoutMs, 5_000), false)),
    "-map", "0:v:0",
    ...(opts.width ? ["-vf", `scale=${opts.width}:-2`] : []),
    "-frames:v", "1", "-f", "image2pipe", "-c:v", "mjpeg", "-q:v", "3", "pipe:1",
  ];
  const proc = Bun.spawn([ffmpeg, ...args], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const log = new FfmpegLog(opts.kind);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    proc.kill("SIGKILL");
  }, timeoutMs);
  const [jpeg] = await Promise.all([new Response(proc.stdout).bytes(), forEachLine(proc.stderr, (l) => log.line(l)), proc.exited]);
  clearTimeout(timer);
  if (timedOut) throw fail(`${CAMERA_PROBLEM.timeout} (no picture within ${Math.round(timeoutMs / 1000)} s)`);
  if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw fail(log.explain(proc.exitCode));
  return jpeg;
}

/**
 * The URL ffmpeg should open, once the destination rules allow it: an RTSP host's addresses are
 * resolved and checked; an MJPEG URL is opened once (checked, same-host redirects followed).
 */
async function checkedInput(url: string, kind: CameraKind, timeoutMs: number, cancel?: AbortSignal): Promise<string> {
  if (kind === "rtsp") await checkCameraDestination(url);
  if (kind === "mjpeg") return resolveMjpeg(url, timeoutMs, cancel);
  return url;
}

/**
 * Kills an ffmpeg whose FrameSource died with its thread (a crashed camera worker) and reaps it:
 * the process is a child of the whole program, and with its Subprocess gone nobody else waits for
 * it, so without waitpid it would stay a zombie.
 */
export async function killOrphan(pid: number): Promise<void> {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    return; // already gone
  }
  const { dlopen, FFIType } = await import("bun:ffi");
  const libc = dlopen(process.platform === "darwin" ? "libc.dylib" : "libc.so.6", { waitpid: { args: [FFIType.i32, FFIType.ptr, FFIType.i32], returns: FFIType.i32 } });
  const WNOHANG = 1;
  try {
    for (let i = 0; i < 50; i++) {
      if (libc.symbols.waitpid(pid, null, WNOHANG) !== 0) return;
      await Bun.sleep(20);
    }
  } finally {
    libc.close();
  }
}
