// What the log says about a camera's connection: one line when it goes down (or cannot connect at
// all), one when the reason it fails changes, one when it is back; nothing for each retry in between.

export interface ConnectionWatch {
  /** The last state seen (null before the first). */
  state: string | null;
  /** What the log last said: up, down, or nothing yet. */
  said: "up" | "down" | null;
  /** The reason in the last "down" line. */
  reason?: string;
  /** Failed attempts since the camera was last live. */
  failures: number;
  /** Epoch ms of the first failure since the camera was last live. */
  downSince?: number;
}

export interface ConnectionLine {
  level: "info" | "warn";
  msg: string;
  fields: Record<string, unknown>;
}

export const newConnectionWatch = (): ConnectionWatch => ({ state: null, said: null, failures: 0 });

/** The next watch after a status of the source, and the line to log, if any. */
export function watchConnection(w: ConnectionWatch, s: { state: string; reason?: string }, now: number): { watch: ConnectionWatch; line: ConnectionLine | null } {
  if (s.state === "live") {
    const watch: ConnectionWatch = { state: s.state, said: "up", failures: 0 };
    if (w.said === "up") return { watch, line: null };
    if (w.said === "down") {
      const downForS = Math.round((now - (w.downSince ?? now)) / 1000);
      return { watch, line: { level: "info", msg: "camera connected again", fields: { failedAttempts: w.failures, downForS } } };
    }
    return { watch, line: { level: "info", msg: "camera connected", fields: { failedAttempts: w.failures } } };
  }
  if (s.state !== "error") return { watch: { ...w, state: s.state }, line: null };
  const failures = w.state === "error" ? w.failures : w.failures + 1;
  const reason = s.reason ?? "no reason given";
  const watch: ConnectionWatch = { state: s.state, said: "down", reason, failures, downSince: w.downSince ?? now };
  if (w.said === "down" && w.reason === reason) return { watch, line: null };
  const msg = w.said === "down" ? "camera still cannot connect, for another reason" : w.said === "up" ? "camera lost its connection" : "camera cannot connect";
  return { watch, line: { level: "warn", msg, fields: { reason, failedAttempts: failures } } };
}
