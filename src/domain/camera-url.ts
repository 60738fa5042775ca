// Camera source URLs: validation before anything reaches ffmpeg, and masking before anything reaches a log or a page.
import { checkHost, urlHost, type DestinationRules } from "./destination";

/** Cameras may be on this machine (a restreamer on 127.0.0.1), never on link-local or cloud metadata addresses. */
export const CAMERA_DESTINATION: DestinationRules = { purpose: "camera" };

export type CameraKind = "rtsp" | "mjpeg" | "snapshot" | "file";

export interface ParseCameraUrlOptions {
  /** file:// sources are for demos and tests (CLOCKFACE_ALLOW_FILE_SOURCES). */
  allowFiles: boolean;
  /**
   * What an http(s) URL serves. Without a hint, a path ending in .jpg/.jpeg is a still snapshot that
   * is polled, anything else is an MJPEG stream (multipart/x-mixed-replace) read by ffmpeg. Cameras
   * whose snapshot endpoint has another name (e.g. /ISAPI/Streaming/channels/101/picture) need the hint.
   */
  httpKind?: "mjpeg" | "snapshot";
}

export type ParsedCameraUrl = { ok: true; kind: CameraKind; url: string } | { ok: false; message: string };

export const MAX_CAMERA_URL_LENGTH = 2048;

const SCHEMES: Record<string, CameraKind | "http"> = {
  rtsp: "rtsp",
  rtsps: "rtsp",
  http: "http",
  https: "http",
  file: "file",
};

// Characters a shell would interpret. Sources are spawned with an argument array, so this is a second
// line of defence, and it keeps such URLs out of logs and out of any script an operator might paste them into.
// '&' separates query parameters in real camera URLs (Dahua ?channel=1&subtype=0, Foscam ?cmd=…&usr=…),
// so it is allowed in the query only.
const SHELL_CHARS = new Set([";", "|", "&", "`", "$", "<", ">"]);

const fail = (message: string): ParsedCameraUrl => ({ ok: false, message });

function describeChar(c: string): string {
  const code = c.charCodeAt(0);
  if (c === "\n" || c === "\r") return "a line break";
  if (c === "\t") return "a tab";
  if (c === " ") return "a space";
  if (code < 0x20 || code === 0x7f) return `a control character (code ${code})`;
  return `a space character (U+${code.toString(16).toUpperCase().padStart(4, "0")})`;
}

/** Checks a camera URL typed by an operator and says what kind of source it is. Never throws. */
export function parseCameraUrl(raw: string, opts: ParseCameraUrlOptions): ParsedCameraUrl {
  if (typeof raw !== "string" || raw.length === 0) return fail("Camera URL is empty.");
  if (raw.length > MAX_CAMERA_URL_LENGTH) {
    return fail(`Camera URL is too long (${raw.length} characters; at most ${MAX_CAMERA_URL_LENGTH}).`);
  }
  const queryAt = raw.search(/[?#]/);
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (/[\s\p{Cc}]/u.test(c)) return fail(`Camera URL contains ${describeChar(c)}; remove it (encode a space in a path as %20).`);
    if (c === "&" && queryAt >= 0 && i > queryAt && !raw.startsWith("file:")) continue;
    if (SHELL_CHARS.has(c)) return fail(`Camera URL contains the character '${c}', which is not allowed in camera URLs.`);
  }

  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(raw);
  if (!m) return fail("Camera URL has no scheme; it should start with rtsp://, http:// or https://.");
  const scheme = m[1]!.toLowerCase();
  const family = SCHEMES[scheme];
  const allowed = opts.allowFiles ? "rtsp://, rtsps://, http://, https:// or file://" : "rtsp://, rtsps://, http:// or https://";
  if (!family) return fail(`Unsupported scheme '${scheme}:'; use ${allowed}.`);
  if (family === "file" && !opts.allowFiles) return fail("file:// camera sources are not allowed on this server.");
  if (!raw.slice(m[0].length).startsWith("//")) return fail(`Camera URL needs '//' after '${scheme}:' (e.g. ${scheme}://host/path).`);

  if (family === "file") return parseFileUrl(raw);

  // Checked on the raw text: the WHATWG parser reads "http:///x" as host "x".
  const authority = /^[^/?#]*/.exec(raw.slice(m[0].length + 2))![0];
  const hostPort = authority.slice(authority.lastIndexOf("@") + 1);
  if (hostPort === "" || hostPort.startsWith(":")) return fail("Camera URL has no host.");

  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail("Camera URL is not a valid URL (check the host, the port and any @ or : in the password, which must be percent-encoded).");
  }
  // Link-local and cloud metadata addresses in any spelling (http://2852039166/, rtsp://[::ffff:a9fe:a9fe]/);
  // the addresses a name resolves to are checked before every connection (src/lib/destination.ts).
  const host = checkHost(urlHost(url), CAMERA_DESTINATION);
  if (!host.ok) return fail(`Camera URL: ${host.message}`);
  if (family === "rtsp") return { ok: true, kind: "rtsp", url: url.href };
  const kind = opts.httpKind ?? (/\.jpe?g$/i.test(url.pathname) ? "snapshot" : "mjpeg");
  return { ok: true, kind, url: url.href };
}

function parseFileUrl(raw: string): ParsedCameraUrl {
  // The WHATWG parser resolves "..", so the raw path is checked first (also in its percent-encoded form).
  const rest = raw.slice("file://".length);
  if (/[?#]/.test(rest)) return fail("file:// camera URL must not have a query (?) or fragment (#).");
  const slash = rest.indexOf("/");
  const host = slash === -1 ? rest : rest.slice(0, slash);
  if (host !== "" && host.toLowerCase() !== "localhost") return fail(`file:// camera URL must point at this machine (file:///path), not at host '${host}'.`);
  const path = slash === -1 ? "" : rest.slice(slash);
  if (path === "" || path === "/") return fail("file:// camera URL has no file path.");
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return fail("file:// camera URL has a broken percent-encoding.");
  }
  if (decoded.split(/[/\\]/).some((seg) => seg === "..")) return fail("file:// camera URL must not contain '..'.");
  if (decoded.includes("\0")) return fail("file:// camera URL contains a NUL character.");
  try {
    return { ok: true, kind: "file", url: new URL(`file://${path}`).href };
  } catch {
    return fail("file:// camera URL is not a valid URL.");
  }
}

const SECRET_PARAM = /^(pass|passwd|password|pwd|pw|token|access_token|auth|key|apikey|api_key|secret|sig|signature)$/i;

/**
 * The URL with its credentials replaced by `***`: the whole user:password part (`rtsp://***@host/…`)
 * and the values of query parameters that carry secrets (`?pwd=***`). Works on malformed strings too
 * (an unencoded '@' or '/' in the password, no scheme, garbage): when unsure it hides more, never less.
 */
export function maskUrl(url: string): string {
  let s: string;
  try {
    s = typeof url === "string" ? url : String(url);
  } catch {
    return "***";
  }
  const sep = s.indexOf("://");
  const start = sep === -1 ? 0 : sep + 3;
  const authorityEnd = (() => {
    const i = s.slice(start).search(/[/?#]/);
    return i === -1 ? s.length : start + i;
  })();
  // Normal case: the '@' sits in the authority. Malformed case: a '/', '?' or '#' inside the password
  // ends the authority early, so hide everything up to the last '@' in the string instead.
  let at = s.lastIndexOf("@", authorityEnd - 1);
  if (at < start) at = s.lastIndexOf("@");
  const masked = at >= start ? `${s.slice(0, start)}***${s.slice(at)}` : s;
  return masked.replace(/([?&;])([^=&;#]*)=([^&;#]*)/g, (all, lead: string, name: string) =>
    SECRET_PARAM.test(name) ? `${lead}${name}=***` : all,
  );
}

/** Masks every URL inside free text (ffmpeg prints the input URL, password included, in its errors). */
export function maskUrlsInText(text: string): string {
  return text.replace(/[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^\s'"]+/g, (u) => maskUrl(u));
}
