// Where the server may connect to on an administrator's behalf (camera sources now, webhooks later):
// the pure address rules. Resolving names and connecting happen elsewhere (src/lib/destination.ts),
// which applies these rules to every address a name resolves to, at save, at test and at every connect.

/**
 * "camera": loopback is allowed (a restreamer such as go2rtc or MediaMTX on the same box is normal).
 * "webhook": loopback is refused too, unless the caller allows it explicitly (tests).
 */
export type DestinationPurpose = "camera" | "webhook";

export interface DestinationRules {
  purpose: DestinationPurpose;
  /** Webhooks only: allow loopback addresses (for tests against a local receiver). */
  allowLoopback?: boolean;
}

export type DestinationCheck = { ok: true } | { ok: false; message: string };

/** The classes of address that matter here; everything else is "other" (LAN and internet alike). */
export type AddressClass = "loopback" | "link-local" | "metadata" | "other";

/** Names of cloud instance-metadata services (GCP; "metadata" is the short name GCP instances resolve). */
const METADATA_NAMES = new Set(["metadata.google.internal", "metadata.goog", "metadata"]);

const OK: DestinationCheck = { ok: true };

/**
 * Parses an IPv4 address the way inet_aton (and so getaddrinfo, ffmpeg and the WHATWG URL parser)
 * does: 1 to 4 parts, each decimal, octal (leading 0) or hex (0x); the last part fills the remaining
 * bytes, so "2852039166", "0xa9fea9fe", "0251.0376.0251.0376" and "169.254.43518" are all
 * 169.254.169.254. Returns the 4 bytes, or null if `s` is not such a number.
 */
export function parseIPv4(s: string): number[] | null {
  const parts = s.split(".");
  if (parts.length > 1 && parts[parts.length - 1] === "") parts.pop(); // a trailing dot, as in "127.0.0.1."
  if (parts.length === 0 || parts.length > 4) return null;
  const nums: number[] = [];
  for (const p of parts) {
    let n: number;
    if (/^0x[0-9a-f]*$/i.test(p)) n = p.length === 2 ? 0 : parseInt(p.slice(2), 16);
    else if (/^0[0-7]+$/.test(p)) n = parseInt(p, 8);
    else if (/^(0|[1-9][0-9]*)$/.test(p)) n = Number(p);
    else return null;
    if (!Number.isFinite(n)) return null;
    nums.push(n);
  }
  const last = nums.pop()!;
  if (nums.some((n) => n > 255) || last >= 256 ** (4 - nums.length)) return null;
  const bytes = [...nums];
  for (let i = 4 - nums.length - 1; i >= 0; i--) bytes.push(Math.floor(last / 256 ** i) % 256);
  return bytes;
}

/** Parses an IPv6 address (brackets and a %zone allowed, an IPv4 tail too). Returns the 16 bytes, or null. */
export function parseIPv6(s: string): number[] | null {
  let t = s.startsWith("[") && s.endsWith("]") ? s.slice(1, -1) : s;
  const zone = t.indexOf("%");
  if (zone !== -1) t = t.slice(0, zone);
  if (!t.includes(":")) return null;
  let tail: number[] = [];
  const lastColon = t.lastIndexOf(":");
  if (t.slice(lastColon + 1).includes(".")) {
    const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(t.slice(lastColon + 1));
    if (!v4 || v4.slice(1).some((x) => Number(x) > 255)) return null;
    tail = v4.slice(1).map(Number);
    t = `${t.slice(0, lastColon + 1)}0:0`;
  }
  const halves = t.split("::");
  if (halves.length > 2) return null;
  const groups = (h: string) => (h === "" ? [] : h.split(":"));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - head.length - rest.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...rest];
  const bytes: number[] = [];
  for (const g of all) {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return null;
    const v = parseInt(g, 16);
    bytes.push(v >> 8, v & 0xff);
  }
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

function classifyV4(b: number[]): AddressClass {
  if (b[0] === 127 || b[0] === 0) return "loopback"; // 0.0.0.0/8 reaches this machine on Linux
  if (b[0] === 169 && b[1] === 254) return "link-local"; // includes 169.254.169.254 (AWS, GCP, Azure, OCI … metadata)
  if (b[0] === 100 && b[1] === 100 && b[2] === 100 && b[3] === 200) return "metadata"; // Alibaba Cloud
  return "other";
}

function classifyV6(b: number[]): AddressClass {
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  if (zeros(0, 15) && (b[15] === 1 || b[15] === 0)) return "loopback"; // ::1, and :: (the unspecified address)
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) return "link-local"; // fe80::/10
  // fd00:ec2::254, AWS's IPv6 metadata address
  if (b[0] === 0xfd && b[1] === 0 && b[2] === 0x0e && b[3] === 0xc2 && zeros(4, 14) && b[14] === 0x02 && b[15] === 0x54) return "metadata";
  const v4 = b.slice(12);
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) return classifyV4(v4); // ::ffff:a.b.c.d (IPv4-mapped)
  if (zeros(0, 12) && (v4[0] !== 0 || v4[1] !== 0)) return classifyV4(v4); // ::a.b.c.d (IPv4-compatible, deprecated)
  if (b[0] === 0 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12)) {
    // 64:ff9b::/96 (NAT64): a gateway translates it to the IPv4 address, which is never this machine's loopback.
    const cls = classifyV4(v4);
    return cls === "loopback" ? "other" : cls;
  }
  return "other";
}

/** The class of an IP address literal (IPv4 in any inet_aton form, IPv6 with or without brackets); null if `host` is not one. */
export function classifyAddress(host: string): AddressClass | null {
  const v4 = parseIPv4(host);
  if (v4) return classifyV4(v4);
  const v6 = parseIPv6(host);
  return v6 ? classifyV6(v6) : null;
}

/** Whether a host name (not an address) is loopback by definition (RFC 6761: localhost and *.localhost). */
function isLocalhostName(name: string): boolean {
  return name === "localhost" || name.endsWith(".localhost");
}

function refusal(what: string, cls: AddressClass, rules: DestinationRules): DestinationCheck {
  if (cls === "link-local") return { ok: false, message: `${what} a link-local address; link-local and cloud metadata addresses are not allowed.` };
  if (cls === "metadata") return { ok: false, message: `${what} a cloud metadata address, which is not allowed.` };
  if (cls === "loopback" && rules.purpose === "webhook" && !rules.allowLoopback) {
    return { ok: false, message: `${what} this server itself (loopback), which is not allowed for webhooks.` };
  }
  return OK;
}

/**
 * Checks the host part of a URL (a name or an address literal, as it appears in the URL) before any
 * name is resolved: refuses link-local and cloud metadata addresses and metadata host names, and for
 * webhooks loopback. A name that passes must still have every address it resolves to checked with
 * checkResolvedAddress.
 */
export function checkHost(host: string, rules: DestinationRules): DestinationCheck {
  const h = host.toLowerCase().replace(/\.$/, "");
  const cls = classifyAddress(h);
  if (cls) return refusal(`The address ${host} is`, cls, rules);
  if (METADATA_NAMES.has(h)) return { ok: false, message: `${host} is a cloud metadata service, which is not allowed.` };
  if (isLocalhostName(h)) return refusal(`${host} is`, "loopback", rules);
  return OK;
}

/** Checks one address that `host` resolved to (DNS), with the same rules as checkHost. */
export function checkResolvedAddress(host: string, address: string, rules: DestinationRules): DestinationCheck {
  const cls = classifyAddress(address);
  // Resolvers only return address literals; anything else is not something to connect to.
  if (!cls) return { ok: false, message: `${host} resolved to something that is not an address.` };
  return refusal(`${host} resolves to ${address},`, cls, rules);
}

/** The host of an http(s)/rtsp(s) URL as it should be resolved: without brackets around an IPv6 address. */
export function urlHost(url: URL): string {
  const h = url.hostname;
  return h.startsWith("[") && h.endsWith("]") ? h.slice(1, -1) : h;
}
