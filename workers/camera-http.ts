// The network side of camera sources before anything is decoded: every connection is checked
// against the destination rules (after resolving the name), HTTP redirects are followed only to the
// same host, and failures are reduced to the messages of src/domain/camera-errors.ts.
import { CAMERA_PROBLEM, looksLikeImage, statusProblem } from "../src/domain/camera-errors";
import { CAMERA_DESTINATION } from "../src/domain/camera-url";
import { checkDestination, DestinationRefused, fetchDestination } from "../src/lib/destination";

/** A camera failure whose message is safe to show (it says nothing about other ports or hosts). */
export class CameraProblem extends Error {
  override name = "CameraProblem";
}

/** A snapshot larger than this is not a camera picture. */
const MAX_SNAPSHOT_BYTES = 32 * 1024 * 1024;

/** The message for any error of a connection attempt: ours as they are, timeouts, and "could not connect" for the rest. */
export function connectionProblem(e: unknown): string {
  if (e instanceof CameraProblem || e instanceof DestinationRefused) return e.message;
  if (e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError")) return CAMERA_PROBLEM.timeout;
  // Refused, reset, closed, not HTTP at all, a name that does not resolve (DestinationUnresolved): one message.
  return CAMERA_PROBLEM.connect;
}

/** Checks where an RTSP (or any ffmpeg-opened) URL points, resolving its name, right before ffmpeg connects. */
export function checkCameraDestination(url: string): Promise<void> {
  return checkDestination(new URL(url), CAMERA_DESTINATION);
}

/** user:password in the URL as a Basic Authorization header (fetch refuses them in the URL), and the URL without them. */
function splitCredentials(url: string): { href: string; headers: Record<string, string>; user: string; password: string } {
  const u = new URL(url);
  const headers: Record<string, string> = {};
  const { username: user, password } = u;
  if (user || password) {
    headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(user)}:${decodeURIComponent(password)}`, "utf8").toString("base64")}`;
    u.username = "";
    u.password = "";
  }
  return { href: u.href, headers, user, password };
}

async function get(url: string, timeoutMs: number, cancel?: AbortSignal) {
  const { href, headers, user, password } = splitCredentials(url);
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = cancel ? AbortSignal.any([timeout, cancel]) : timeout;
  const { response, url: final } = await fetchDestination(href, { rules: CAMERA_DESTINATION, headers, signal });
  return { response, final, user, password };
}

async function readAtMost(res: Response, max: number): Promise<Uint8Array | null> {
  const declared = Number(res.headers.get("content-length"));
  if (declared > max) {
    await res.body?.cancel();
    return null;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body ?? []) {
    size += chunk.length;
    if (size > max) {
      await res.body?.cancel();
      return null;
    }
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/** One snapshot: the bytes of a JPEG, PNG or WebP picture, or a CameraProblem ("not an image", a status …). */
export async function fetchSnapshot(url: string, timeoutMs: number, cancel?: AbortSignal): Promise<Uint8Array> {
  const { response } = await get(url, timeoutMs, cancel);
  if (!response.ok) {
    await response.body?.cancel();
    throw new CameraProblem(statusProblem(response.status));
  }
  const bytes = await readAtMost(response, MAX_SNAPSHOT_BYTES);
  // Only the picture formats cameras send are decoded: a web page, an SVG or a JSON document from
  // some other service is refused here and never rendered or shown.
  if (!bytes || !looksLikeImage(bytes)) throw new CameraProblem(CAMERA_PROBLEM.notImage);
  return bytes;
}

/**
 * Opens an MJPEG URL once to check it (status, content type, same-host redirects) and returns the URL
 * ffmpeg should open, credentials kept; ffmpeg itself then follows no redirects. A 401 with a challenge
 * other than Basic is left to ffmpeg, which also speaks Digest.
 */
export async function resolveMjpeg(url: string, timeoutMs: number, cancel?: AbortSignal): Promise<string> {
  const { response, final, user, password } = await get(url, timeoutMs, cancel);
  await response.body?.cancel();
  final.username = user;
  final.password = password;
  if (response.status === 401 && (user || password) && !/^\s*basic\b/i.test(response.headers.get("www-authenticate") ?? "basic")) return final.href;
  if (!response.ok) throw new CameraProblem(statusProblem(response.status));
  const type = (response.headers.get("content-type") ?? "").toLowerCase();
  if (/^text\/|html|json|xml/.test(type)) throw new CameraProblem(CAMERA_PROBLEM.notVideo);
  return final.href;
}
