import type { Context } from "hono";
import { getConnInfo } from "hono/bun";

/** The peer address of the request (not X-Forwarded-For, which a client can forge). */
export function clientIp(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown";
  }
}
