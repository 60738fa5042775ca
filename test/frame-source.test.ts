// FrameSource and grabOne against real ffmpeg, a real RTSP server (gst-rtsp-server), and real HTTP servers.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import sharp from "sharp";
import { parseCameraUrl, type CameraKind } from "../src/domain/camera-url";
import { greyThumb } from "../src/domain/motion";
import { backoffDelay, FrameSource, grabOne, resolveFfmpeg, type Frame, type FrameSourceOptions, type SourceStatus } from "../workers/frame-source";
import { slideshow } from "./support/clips";
import { startRtsp, type RtspServer } from "./support/rtsp";
import { freePort } from "./support/server";

const SHARED = join(import.meta.dir, "..", "..", "shared");
const CROWD = join(SHARED, "video", "crowd_walking_1080p.mp4");
const PHOTOS = [
  join(SHARED, "faces", "face_recognition_examples", "examples", "obama.jpg"),
  join(SHARED, "faces", "face_recognition_examples", "examples", "biden.jpg"),
  join(SHARED, "faces", "facescrub", "cropped", "Aaron_Eckhart_4_crop.jpg"),
];

// Real processes and network streams; the bounds inside the tests are what guards against hangs.
setDefaultTimeout(60_000);

const dir = mkdtempSync(join(tmpdir(), "clockface-frames-"));
let clip: string;
const sources: FrameSource[] = [];
const servers: RtspServer[] = [];
const httpServers: { stop(force: boolean): unknown }[] = [];

beforeAll(async () => {
  clip = await slideshow(PHOTOS, { secondsEach: 1, out: join(dir, "people.mp4") });
});

afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.stop()));
});

afterAll(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
  for (const s of httpServers.splice(0)) s.stop(true);
  rmSync(dir, { recursive: true, force: true });
});

function source(opts: Omit<FrameSourceOptions, "kind"> & { kind?: CameraKind }): FrameSource {
  const parsed = parseCameraUrl(opts.url, { allowFiles: true });
  const kind = opts.kind ?? (parsed.ok ? parsed.kind : "rtsp");
  const s = new FrameSource({ ...opts, kind }).start();
  sources.push(s);
  return s;
}

async function rtsp(file: string, name: string): Promise<RtspServer> {
  const s = await startRtsp({ file, name });
  servers.push(s);
  return s;
}

/** Polls the status until `ok` holds; fails with the last status after `ms` (a bound against hangs, not a timing claim). */
async function waitFor(src: FrameSource, ok: (s: SourceStatus) => boolean, ms: number): Promise<SourceStatus> {
  const until = performance.now() + ms;
  let s = src.status();
  while (!ok(s)) {
    if (performance.now() > until) throw new Error(`status not reached within ${ms} ms; last: ${JSON.stringify(s)}`);
    await Bun.sleep(50);
    s = src.status();
  }
  return s;
}

/** A frame or a failure after `ms`. */
async function frameWithin(src: FrameSource, ms: number): Promise<Frame> {
  const timer = Bun.sleep(ms).then(() => {
    throw new Error(`no frame within ${ms} ms; status: ${JSON.stringify(src.status())}`);
  });
  const f = await Promise.race([src.next(), timer]);
  if (!f) throw new Error("source stopped");
  return f;
}

function pixel(f: Frame, x: number, y: number): [number, number, number] {
  const i = (y * f.width + x) * 3;
  return [f.data[i]!, f.data[i + 1]!, f.data[i + 2]!];
}

function meanLevel(f: Frame): number {
  let sum = 0;
  for (let i = 0; i < f.data.length; i += 97) sum += f.data[i]!;
  return sum / Math.ceil(f.data.length / 97);
}

/**
 * Child processes of this test process started since `baseline` was taken, from /proc (state Z =
 * zombie). bun test runs every file in one process, so other files' children are left out.
 */
function children(): { pid: number; comm: string; state: string }[] {
  return allChildren().filter((c) => !baseline.has(c.pid));
}
let baseline = new Set<number>();
beforeEach(() => {
  baseline = new Set(allChildren().map((c) => c.pid));
});

function allChildren(): { pid: number; comm: string; state: string }[] {
  const out: { pid: number; comm: string; state: string }[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const m = /^(\d+) \((.*)\) (\S) (\d+)/.exec(readFileSync(`/proc/${d}/stat`, "utf8"));
      if (m && Number(m[4]) === process.pid) out.push({ pid: Number(m[1]), comm: m[2]!, state: m[3]! });
    } catch {
      // the process ended while the directory was listed
    }
  }
  return out;
}

const solid = (r: number, g: number, b: number) =>
  sharp({ create: { width: 640, height: 480, channels: 3, background: { r, g, b } } }).jpeg().toBuffer();

/**
 * A camera-like HTTP server: /video.mjpg is multipart/x-mixed-replace JPEG at ~10 fps (or stops sending
 * after `stallAfter` parts, keeping the connection open); /snap.jpg is one JPEG behind Basic auth viewer:s3cret.
 */
function cameraServer(picture: Uint8Array, opts: { stallAfter?: number } = {}): { base: string; port: number } {
  const jpeg = new Uint8Array(picture);
  const enc = new TextEncoder();
  const part = new Uint8Array([
    ...enc.encode(`--frame\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n\r\n`),
    ...jpeg,
    ...enc.encode("\r\n"),
  ]);
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    idleTimeout: 0,
    fetch(req) {
      const path = new URL(req.url).pathname;
      if (path === "/snap.jpg") {
        if (req.headers.get("authorization") !== `Basic ${btoa("viewer:s3cret")}`) return new Response("unauthorized", { status: 401 });
        return new Response(jpeg, { headers: { "content-type": "image/jpeg" } });
      }
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        async pull(ctrl) {
          if (opts.stallAfter !== undefined && sent >= opts.stallAfter) return new Promise<void>(() => {});
          if (sent > 0) await Bun.sleep(100);
          sent++;
          ctrl.enqueue(part);
        },
      });
      return new Response(body, { headers: { "content-type": "multipart/x-mixed-replace; boundary=frame" } });
    },
  });
  httpServers.push(server);
  return { base: `http://127.0.0.1:${server.port}`, port: server.port! };
}

describe("ffmpeg", () => {
  test("is found via FFMPEG_PATH, then PATH, then the @ffmpeg-installer package", async () => {
    expect(await resolveFfmpeg({ FFMPEG_PATH: "/opt/ff/ffmpeg", PATH: "/usr/bin" })).toBe("/opt/ff/ffmpeg");
    expect(await resolveFfmpeg({ PATH: "/usr/bin" })).toBe("/usr/bin/ffmpeg");
    const bundled = await resolveFfmpeg({ PATH: "" });
    expect(bundled).toContain("@ffmpeg-installer");
    expect(existsSync(bundled)).toBe(true);
  });

  test("restart delays double from 1 s and stop at 30 s", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 50].map((n) => backoffDelay(n, 1000, 30_000))).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });
});

describe("frames", () => {
  test("from a looped file: width as asked, even height with the clip's aspect, real picture", async () => {
    const src = source({ url: pathToFileURL(CROWD).href, width: 320, fps: 5 });
    const f = await frameWithin(src, 15_000);
    expect([f.width, f.height]).toEqual([320, 180]);
    expect(f.data.length).toBe(320 * 180 * 3);
    expect(meanLevel(f)).toBeGreaterThan(30);
    const s = await waitFor(src, (s) => s.framesIn >= 3, 15_000);
    expect(s.state).toBe("live");
    expect(s.reason).toBeUndefined();
    expect(s.lastFrameAt).toBeGreaterThan(0);
  });

  test("frames carry the motion gate's grey thumbnail only when the source is asked for thumbnails", async () => {
    const plain = await frameWithin(source({ url: pathToFileURL(CROWD).href, width: 320, fps: 5 }), 15_000);
    expect(plain.thumb).toBeUndefined();
    const f = await frameWithin(source({ url: pathToFileURL(CROWD).href, width: 320, fps: 5, thumbnails: true }), 15_000);
    expect(f.thumb).toEqual(greyThumb(f.data, f.width, f.height));
  });

  test("an odd aspect gives an even height", async () => {
    const src = source({ url: pathToFileURL(CROWD).href, width: 250, fps: 5 });
    const f = await frameWithin(src, 15_000);
    expect(f.width).toBe(250);
    expect(f.height % 2).toBe(0);
    expect(Math.abs(f.height - (250 * 9) / 16)).toBeLessThanOrEqual(2);
    expect(f.data.length).toBe(f.width * f.height * 3);
  });

  test("from RTSP (gst-rtsp-server looping the 1080p clip), past the loop point", async () => {
    const server = await rtsp(CROWD, "crowd");
    const src = source({ url: server.url, width: 320, fps: 5 });
    const f = await frameWithin(src, 20_000);
    expect([f.width, f.height]).toEqual([320, 180]);
    expect(meanLevel(f)).toBeGreaterThan(30);
    // 25 frames at 5 fps is 5 s of stream, longer than the 4.2 s clip.
    const s = await waitFor(src, (s) => s.framesIn >= 25, 30_000);
    expect(s.state).toBe("live");
    expect(s.attempts).toBe(1);
  });

  test("from an MJPEG HTTP stream, colours intact", async () => {
    const cam = cameraServer(await solid(230, 20, 20));
    const src = source({ url: `${cam.base}/video.mjpg`, width: 320, fps: 5 });
    const f = await frameWithin(src, 15_000);
    expect([f.width, f.height]).toEqual([320, 240]);
    const [r, g, b] = pixel(f, 160, 120);
    expect(Math.abs(r - 230)).toBeLessThan(20);
    expect(g).toBeLessThan(45);
    expect(b).toBeLessThan(45);
    expect((await waitFor(src, (s) => s.framesIn >= 3, 15_000)).state).toBe("live");
  });

  test("from a polled JPEG snapshot with Basic auth from the URL", async () => {
    const cam = cameraServer(await solid(20, 20, 230));
    const url = `http://viewer:s3cret@127.0.0.1:${cam.port}/snap.jpg`;
    expect(parseCameraUrl(url, { allowFiles: false })).toMatchObject({ ok: true, kind: "snapshot" });
    const src = source({ url, width: 320, fps: 4 });
    const f = await frameWithin(src, 10_000);
    expect([f.width, f.height]).toEqual([320, 240]);
    const [r, , b] = pixel(f, 10, 10);
    expect(r).toBeLessThan(45);
    expect(Math.abs(b - 230)).toBeLessThan(20);
    expect((await waitFor(src, (s) => s.framesIn >= 3, 10_000)).state).toBe("live");
  });

  test("a snapshot refused with 401 is an error that names the status and hides the password", async () => {
    const cam = cameraServer(await solid(0, 0, 0));
    const src = source({ url: `http://viewer:wrongpass@127.0.0.1:${cam.port}/snap.jpg`, width: 320, fps: 4 });
    const s = await waitFor(src, (s) => s.state === "error", 10_000);
    expect(s.reason).toBe(`http://***@127.0.0.1:${cam.port}/snap.jpg: 401 wrong user or password`);
    expect(s.framesIn).toBe(0);
  });
});

describe("latest frame wins", () => {
  test("a slow consumer gets the newest frame and every replaced frame is counted as dropped", async () => {
    const src = source({ url: pathToFileURL(CROWD).href, width: 160, fps: 10 });
    await frameWithin(src, 15_000);
    let taken = 1;
    let lastSeq = 0;
    for (let i = 0; i < 3; i++) {
      await Bun.sleep(700); // the consumer is busy while frames keep coming
      const f = src.latest();
      expect(f).not.toBeNull();
      taken++;
      const s = src.status();
      expect(f!.seq).toBe(s.framesIn); // the newest one
      expect(f!.seq).toBeGreaterThan(lastSeq);
      lastSeq = f!.seq;
      expect(s.dropped).toBe(s.framesIn - taken); // everything not taken was replaced
    }
    expect(src.status().dropped).toBeGreaterThan(0);
    expect(src.latest()).toBeNull(); // taken already, nothing newer yet
  });
});

describe("failures", () => {
  test("a closed RTSP port is an error with a masked reason, not a hang", async () => {
    const port = freePort();
    const src = source({ url: `rtsp://admin:hunter22@127.0.0.1:${port}/live`, width: 320, fps: 5 });
    const s = await waitFor(src, (s) => s.state === "error", 8_000);
    expect(s.reason).toBe(`rtsp://***@127.0.0.1:${port}/live: could not connect`);
    expect(JSON.stringify(s)).not.toContain("hunter22");
  });

  test("restarts back off: 200, 400, 800, 800 ms (capped), and really wait that long", async () => {
    const port = freePort();
    const events: SourceStatus[] = [];
    const times: number[] = [];
    const src = new FrameSource({
      url: `rtsp://127.0.0.1:${port}/live`,
      kind: "rtsp",
      width: 320,
      fps: 5,
      backoff: { initialMs: 200, maxMs: 800 },
      onStatus: (s) => {
        events.push(s);
        times.push(performance.now());
      },
    }).start();
    sources.push(src);
    await waitFor(src, (s) => s.attempts >= 5, 15_000);
    const errors = events.flatMap((e, i) => (e.state === "error" ? [i] : []));
    expect(errors.slice(0, 4).map((i) => events[i]!.retryInMs)).toEqual([200, 400, 800, 800]);
    for (const i of errors.slice(0, 4)) {
      expect(events[i + 1]!.state).toBe("connecting");
      expect(times[i + 1]! - times[i]!).toBeGreaterThanOrEqual(events[i]!.retryInMs! - 5);
    }
  });

  test("the backoff starts again from the first delay after the camera was live for resetAfterMs", async () => {
    // Each connection delivers 12 parts (~1.2 s) and then goes silent, so every attempt is live, then stalls.
    const cam = cameraServer(await solid(90, 90, 90), { stallAfter: 12 });
    const retries: number[] = [];
    const src = source({
      url: `${cam.base}/video.mjpg`,
      width: 160,
      fps: 10,
      stallMs: 1000,
      ioTimeoutMs: 60_000,
      backoff: { initialMs: 300, resetAfterMs: 200 },
      onStatus: (s) => {
        if (s.state === "error") retries.push(s.retryInMs!);
      },
    });
    await waitFor(src, () => retries.length >= 2, 30_000);
    expect(retries.slice(0, 2)).toEqual([300, 300]); // without the reset: 300, 600
  });

  test("a stream that stops sending is killed by the watchdog and restarted", async () => {
    const cam = cameraServer(await solid(200, 200, 200), { stallAfter: 8 });
    const states: string[] = [];
    const src = source({
      url: `${cam.base}/video.mjpg`,
      width: 320,
      fps: 5,
      stallMs: 2000,
      ioTimeoutMs: 60_000, // so only the watchdog can end the stalled connection
      onStatus: (s) => states.push(s.state),
    });
    await frameWithin(src, 15_000);
    const s = await waitFor(src, (s) => s.state === "error", 15_000);
    expect(s.reason).toBe(`${cam.base}/video.mjpg: no frame for 2 s`);
    await waitFor(src, (s) => s.state === "live" && s.attempts >= 2, 15_000);
    expect(states.slice(0, 4)).toEqual(["live", "error", "connecting", "live"]);
  });

  test("killing the RTSP server: error, then live again after it comes back", async () => {
    const server = await rtsp(clip, "door");
    const states: string[] = [];
    const src = source({ url: server.url, width: 320, fps: 5, onStatus: (s) => states.push(s.state) });
    const first = await frameWithin(src, 15_000);
    expect([first.width, first.height]).toEqual([320, 180]);
    await server.stop();
    const down = await waitFor(src, (s) => s.state === "error", 10_000);
    expect(down.reason).toStartWith(`${server.url}: `);
    await server.restart();
    const up = await waitFor(src, (s) => s.state === "live" && s.attempts >= 2, 10_000);
    expect(up.reason).toBeUndefined();
    expect(states[0]).toBe("live");
    expect(states).toContain("error");
    expect(states.at(-1)).toBe("live");
    const framesBefore = up.framesIn;
    await waitFor(src, (s) => s.framesIn > framesBefore, 10_000);
  });

  test("an ffmpeg that cannot be started is an error, not a crash", async () => {
    const src = source({ url: pathToFileURL(clip).href, width: 320, fps: 5, ffmpegPath: join(dir, "no-such-ffmpeg") });
    const s = await waitFor(src, (s) => s.state === "error", 5_000);
    expect(s.reason).toContain("cannot start ffmpeg");
  });
});

describe("processes", () => {
  test("stop() kills ffmpeg and leaves neither a running nor a zombie child", async () => {
    const src = source({ url: pathToFileURL(CROWD).href, width: 160, fps: 5 });
    await frameWithin(src, 15_000);
    const before = children().filter((c) => c.comm === "ffmpeg");
    expect(before).toHaveLength(1);
    expect(before[0]!.state).not.toBe("Z");
    await src.stop();
    expect(src.status().state).toBe("stopped");
    expect(children().filter((c) => c.comm === "ffmpeg")).toEqual([]);
    expect(existsSync(`/proc/${before[0]!.pid}`)).toBe(false);
    expect(await src.next()).toBeNull();
  });

  test("stop() during the backoff wait returns at once and starts nothing more", async () => {
    const src = source({ url: `rtsp://127.0.0.1:${freePort()}/x`, width: 160, fps: 5, backoff: { initialMs: 60_000 } });
    await waitFor(src, (s) => s.state === "error", 8_000);
    await src.stop();
    expect(src.status()).toMatchObject({ state: "stopped", attempts: 1 });
    expect(children().filter((c) => c.comm === "ffmpeg")).toEqual([]);
  });

  test("shell characters never reach a shell: refused by parseCameraUrl, and inert in ffmpeg's argument array", async () => {
    const marker = join(dir, "pwned");
    const port = freePort();
    const evil = `rtsp://127.0.0.1:${port}/x;touch\${IFS}${marker};$(touch\${IFS}${marker})\`touch\${IFS}${marker}\``;
    const parsed = parseCameraUrl(evil, { allowFiles: false });
    expect(parsed).toEqual({ ok: false, message: "Camera URL contains the character ';', which is not allowed in camera URLs." });

    // Even if such a URL got past the parser, ffmpeg receives it as one argument and no command runs.
    const src = source({ url: evil, kind: "rtsp", width: 160, fps: 5 });
    await waitFor(src, (s) => s.state === "error", 8_000);
    await expect(grabOne(evil, { kind: "rtsp", timeoutMs: 5000 })).rejects.toThrow("could not connect");
    expect(existsSync(marker)).toBe(false);

    // A file whose name is a shell command plays as an ordinary file. A file name cannot hold '/', so the
    // command would touch a relative name: in the working directory ffmpeg is started in.
    const name = `clockface-pwned-${crypto.randomUUID()}`;
    const odd = join(dir, `door; touch ${name} $(touch ${name}) \`touch ${name}\`.mp4`);
    copyFileSync(clip, odd);
    try {
      const fileSrc = source({ url: pathToFileURL(odd).href, kind: "file", width: 160, fps: 5 });
      const f = await frameWithin(fileSrc, 15_000);
      expect(f.width).toBe(160);
      expect(existsSync(join(process.cwd(), name))).toBe(false);
    } finally {
      rmSync(join(process.cwd(), name), { force: true });
    }
  });
});

describe("grabOne", () => {
  test("returns a JPEG from a file, scaled when asked", async () => {
    const jpeg = await grabOne(pathToFileURL(CROWD).href, { kind: "file", width: 480 });
    expect([jpeg[0], jpeg[1]]).toEqual([0xff, 0xd8]);
    const meta = await sharp(jpeg).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["jpeg", 480, 270]);
  });

  test("returns a JPEG from RTSP at the camera's size, also with the bundled ffmpeg 4 (-stimeout)", async () => {
    const server = await rtsp(clip, "grab");
    const bundled = await resolveFfmpeg({ PATH: "" });
    for (const ffmpegPath of [undefined, bundled]) {
      const meta = await sharp(await grabOne(server.url, { kind: "rtsp", timeoutMs: 15_000, ffmpegPath })).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(["jpeg", 640, 360]);
    }
  });

  test("returns a JPEG from an MJPEG stream and from a snapshot URL", async () => {
    const cam = cameraServer(await solid(10, 200, 10));
    const fromStream = await sharp(await grabOne(`${cam.base}/video.mjpg`, { kind: "mjpeg" })).metadata();
    expect([fromStream.format, fromStream.width, fromStream.height]).toEqual(["jpeg", 640, 480]);
    const snap = await grabOne(`http://viewer:s3cret@127.0.0.1:${cam.port}/snap.jpg`, { kind: "snapshot", width: 320 });
    const { data, info } = await sharp(snap).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([320, 240]);
    expect(data[1]!).toBeGreaterThan(150); // green
  });

  test("a closed port fails fast with the masked URL and the reason", async () => {
    const port = freePort();
    const err = await grabOne(`rtsp://admin:hunter22@127.0.0.1:${port}/live`, { kind: "rtsp" }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe(`No picture from rtsp://***@127.0.0.1:${port}/live: could not connect`);
  });

  test("a camera that never sends a picture fails at the timeout, and the process is gone", async () => {
    const cam = cameraServer(await solid(0, 0, 0), { stallAfter: 0 });
    const err = await grabOne(`http://admin:hunter22@127.0.0.1:${cam.port}/video.mjpg`, { kind: "mjpeg", timeoutMs: 2000 }).catch((e: Error) => e);
    expect((err as Error).message).toStartWith(`No picture from http://***@127.0.0.1:${cam.port}/video.mjpg: timed out`);
    expect(children().filter((c) => c.comm === "ffmpeg")).toEqual([]);
  });
});

/**
 * A web service that is not a camera, and redirects: /page.jpg is an HTML page, /svg.jpg an SVG
 * (which an image library would render), /broken.jpg starts like a JPEG but does not decode, /same/* redirects to `sameTarget` on the same host,
 * /other/* to the same server under the name "localhost" (another host name).
 */
function webServer(cameraBase: string): { base: string; port: number } {
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(req) {
      const path = new URL(req.url).pathname;
      if (path === "/page.jpg") return new Response("<html><body>internal admin</body></html>", { headers: { "content-type": "image/jpeg" } });
      if (path === "/broken.jpg") return new Response(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x02, 0x03]), { headers: { "content-type": "image/jpeg" } });
      if (path === "/svg.jpg") return new Response('<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="red"/></svg>', { headers: { "content-type": "image/svg+xml" } });
      if (path.startsWith("/same/")) return Response.redirect(`${cameraBase}${path.slice(5)}`, 302);
      if (path.startsWith("/other/")) return Response.redirect(`${cameraBase.replace("127.0.0.1", "localhost")}${path.slice(6)}`, 302);
      if (path.startsWith("/metadata/")) return Response.redirect("http://169.254.169.254/latest/meta-data/", 302);
      return new Response("not found", { status: 404 });
    },
  });
  httpServers.push(server);
  return { base: `http://127.0.0.1:${server.port}`, port: server.port! };
}

/** A TCP service that is not a camera: answers anything with a banner and closes, like SSH or a database. */
function tcpService(): number {
  const server = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data(s) { s.write("SSH-2.0-OpenSSH_9.2\r\n"); s.end(); } } });
  httpServers.push({ stop: () => server.stop(true) });
  return server.port;
}

describe("destinations", () => {
  test("a snapshot that is not a picture (HTML, SVG) is 'not an image', from grabOne and from a polled source", async () => {
    const web = webServer("http://127.0.0.1:1");
    for (const path of ["/page.jpg", "/svg.jpg"]) {
      const err = await grabOne(`${web.base}${path}`, { kind: "snapshot" }).catch((e: Error) => e);
      expect((err as Error).message).toBe(`No picture from ${web.base}${path}: not an image`);
    }
    const src = source({ url: `${web.base}/page.jpg`, width: 320, fps: 4 });
    const s = await waitFor(src, (s) => s.state === "error", 10_000);
    expect(s.reason).toBe(`${web.base}/page.jpg: not an image`);
    expect(s.framesIn).toBe(0);
  });

  test("a snapshot that starts like a JPEG but does not decode is 'not an image' too, not 'could not connect'", async () => {
    const web = webServer("http://127.0.0.1:1");
    const err = await grabOne(`${web.base}/broken.jpg`, { kind: "snapshot" }).catch((e: Error) => e);
    expect((err as Error).message).toBe(`No picture from ${web.base}/broken.jpg: not an image`);
    const src = source({ url: `${web.base}/broken.jpg`, width: 320, fps: 4 });
    const s = await waitFor(src, (s) => s.state === "error", 10_000);
    expect(s.reason).toBe(`${web.base}/broken.jpg: not an image`);
    expect(s.framesIn).toBe(0);
  });

  test("redirects are followed to the same host (snapshot and MJPEG), never to another host or a metadata address", async () => {
    const cam = cameraServer(await solid(10, 200, 10));
    // The camera server sits on another port of the same host: same host name, so followed.
    const web = webServer(cam.base);
    const snap = await grabOne(`http://viewer:s3cret@127.0.0.1:${web.port}/same/snap.jpg`, { kind: "snapshot" });
    expect((await sharp(snap).metadata()).format).toBe("jpeg");
    const stream = await grabOne(`${web.base}/same/video.mjpg`, { kind: "mjpeg" });
    expect((await sharp(stream).metadata()).format).toBe("jpeg");
    const live = source({ url: `${web.base}/same/video.mjpg`, kind: "mjpeg", width: 320, fps: 5 });
    expect((await frameWithin(live, 15_000)).width).toBe(320);

    for (const [path, kind] of [["/other/snap.jpg", "snapshot"], ["/other/video.mjpg", "mjpeg"], ["/metadata/x.jpg", "snapshot"], ["/metadata/video", "mjpeg"]] as const) {
      const err = await grabOne(`${web.base}${path}`, { kind }).catch((e: Error) => e);
      expect((err as Error).message).toBe(`No picture from ${web.base}${path}: redirected to another host (not followed)`);
    }
    const refused = source({ url: `${web.base}/other/video.mjpg`, kind: "mjpeg", width: 320, fps: 5 });
    expect((await waitFor(refused, (s) => s.state === "error", 10_000)).reason).toBe(`${web.base}/other/video.mjpg: redirected to another host (not followed)`);
  });

  test("a closed port and an open port of a service that is not a camera give the same message, over RTSP, MJPEG and snapshots", async () => {
    const closed = freePort();
    const open = [tcpService()];
    // The box's own database, when the tests have one.
    const db = process.env.TEST_DATABASE_URL ? new URL(process.env.TEST_DATABASE_URL) : null;
    if (db) open.push(Number(db.port || 5432));
    for (const [scheme, kind, path] of [["rtsp", "rtsp", "/live"], ["http", "mjpeg", "/video"], ["http", "snapshot", "/snap.jpg"]] as const) {
      const message = async (port: number) => ((await grabOne(`${scheme}://127.0.0.1:${port}${path}`, { kind, timeoutMs: 5000 }).catch((e: Error) => e)) as Error).message.replace(`:${port}/`, ":PORT/");
      const expected = `No picture from ${scheme}://127.0.0.1:PORT${path}: could not connect`;
      expect(await message(closed)).toBe(expected);
      for (const port of open) expect({ port, message: await message(port) }).toEqual({ port, message: expected });
    }
  });

  test("link-local and metadata addresses are refused before any connection, in every spelling", async () => {
    for (const url of ["http://169.254.169.254/latest/meta-data/", "http://2852039166/snap.jpg", "rtsp://2852039166/live", "rtsp://[::ffff:169.254.169.254]/live", "http://[fe80::1]/video", "http://metadata.google.internal/computeMetadata/v1/"]) {
      expect({ url, parsed: parseCameraUrl(url, { allowFiles: false }).ok }).toEqual({ url, parsed: false });
    }
  });
});
