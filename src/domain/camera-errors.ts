// What "Test connection" and a camera's status say when a source fails. Only answers given in the
// camera's own protocol (an RTSP or HTTP status, a reply that is not video or not an image) are told
// apart; everything below it — refused, reset, closed, unreachable, a name that does not resolve, a
// service that does not speak RTSP/HTTP — is one message, "could not connect", so the form cannot be
// used to tell which ports of this or another machine are open.

export const CAMERA_PROBLEM = {
  connect: "could not connect",
  timeout: "timed out",
  notVideo: "not a video stream",
  notImage: "not an image",
  auth: "401 wrong user or password",
  notFound: "404 no such stream",
} as const;

/** The message for an RTSP or HTTP status that is not a success. */
export function statusProblem(code: number): string {
  if (code === 401) return CAMERA_PROBLEM.auth;
  if (code === 403) return "403 access denied (check the user's rights on the camera)";
  if (code === 404) return CAMERA_PROBLEM.notFound;
  return `the camera answered ${code}`;
}

/**
 * The message for the last error ffmpeg printed while opening or reading a network source (`kind`
 * rtsp or mjpeg); null text means ffmpeg gave no reason.
 */
export function ffmpegProblem(text: string | null, kind: "rtsp" | "mjpeg"): string {
  if (!text) return CAMERA_PROBLEM.connect;
  // RTSP: "method DESCRIBE failed: 401 Unauthorized"; HTTP: "Server returned 404 Not Found", "Server returned 5XX Server Error reply".
  const status = /method \w+ failed: (\d{3})\b/.exec(text) ?? /Server returned (\d{3})\b/.exec(text);
  if (status) return statusProblem(Number(status[1]));
  const range = /Server returned ([45])XX\b/.exec(text);
  if (range) return `the camera answered ${range[1]}xx`;
  if (/matches no streams|does not contain any stream|no video/i.test(text)) return CAMERA_PROBLEM.notVideo;
  if (/timed out/i.test(text)) return CAMERA_PROBLEM.timeout;
  // Over HTTP, ffmpeg only gets to decoding when a web server answered 200; over RTSP the same
  // words also come from services that are not RTSP at all.
  if (kind === "mjpeg" && /Invalid data found when processing input/.test(text)) return CAMERA_PROBLEM.notVideo;
  return CAMERA_PROBLEM.connect;
}

/** Whether `bytes` start like a JPEG, PNG or WebP picture (the formats camera snapshots come in). */
export function looksLikeImage(bytes: Uint8Array): boolean {
  const b = bytes;
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return true;
  if (b.length >= 8 && [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((x, i) => b[i] === x)) return true;
  const ascii = (from: number, to: number) => String.fromCharCode(...b.subarray(from, to));
  return b.length >= 12 && ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP";
}
