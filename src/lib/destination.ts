// Connecting to an administrator-configured destination (camera sources; later webhooks): the host
// is checked, then every address it resolves to, right before each connection (so a name that changes
// its answer after it was saved — DNS rebinding — is caught at the next connect), and HTTP redirects
// are followed only to the same host, each hop checked again.
import { promises as dns } from "node:dns";
import { checkHost, checkResolvedAddress, urlHost, type DestinationRules } from "../domain/destination";

/** A destination the rules refuse; the message says why and is safe to show to an administrator. */
export class DestinationRefused extends Error {
  override name = "DestinationRefused";
}

/** The name did not resolve (or not within the time limit); nothing was connected to. */
export class DestinationUnresolved extends Error {
  override name = "DestinationUnresolved";
}

const LOOKUP_TIMEOUT_MS = 5_000;

/**
 * Checks the URL's host, resolves it and checks every address it resolves to. Throws
 * DestinationRefused when the rules refuse it, DestinationUnresolved when the name does not resolve.
 */
export async function checkDestination(url: URL, rules: DestinationRules): Promise<void> {
  const host = urlHost(url);
  const literal = checkHost(host, rules);
  if (!literal.ok) throw new DestinationRefused(literal.message);
  let addresses: { address: string }[];
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    addresses = await Promise.race([
      dns.lookup(host, { all: true }),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("lookup timed out")), LOOKUP_TIMEOUT_MS))),
    ]);
  } catch {
    throw new DestinationUnresolved(`${host} did not resolve`);
  } finally {
    clearTimeout(timer);
  }
  for (const { address } of addresses) {
    const c = checkResolvedAddress(host, address, rules);
    if (!c.ok) throw new DestinationRefused(c.message);
  }
}

/** At save time: refused destinations are an error; a name that does not resolve (yet) is not. */
export async function checkDestinationToSave(url: URL, rules: DestinationRules): Promise<{ ok: true } | { ok: false; message: string }> {
  try {
    await checkDestination(url, rules);
  } catch (e) {
    if (e instanceof DestinationRefused) return { ok: false, message: e.message };
    if (!(e instanceof DestinationUnresolved)) throw e;
  }
  return { ok: true };
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

export interface FetchDestinationInit {
  rules: DestinationRules;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * GET `url` after checking it; redirects are followed (at most 5) only to the same host name over
 * http(s), each checked like the first. A redirect elsewhere throws DestinationRefused. Returns the
 * final response and its URL.
 */
export async function fetchDestination(url: string, init: FetchDestinationInit): Promise<{ response: Response; url: URL }> {
  let current = new URL(url);
  for (let hop = 0; ; hop++) {
    await checkDestination(current, init.rules);
    const response = await fetch(current.href, { headers: init.headers, signal: init.signal, redirect: "manual" });
    const location = response.headers.get("location");
    if (!REDIRECTS.has(response.status) || !location) return { response, url: current };
    await response.body?.cancel();
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      throw new DestinationRefused("redirected to an invalid address (not followed)");
    }
    if ((next.protocol !== "http:" && next.protocol !== "https:") || next.hostname.toLowerCase() !== current.hostname.toLowerCase()) {
      throw new DestinationRefused("redirected to another host (not followed)");
    }
    if (hop + 1 >= MAX_REDIRECTS) throw new DestinationRefused(`more than ${MAX_REDIRECTS} redirects (not followed)`);
    current = next;
  }
}
