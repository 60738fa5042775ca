// A camera's connection in the log: a line when it goes down, when the reason changes and when it is
// back; nothing for each retry of the supervisor (connecting → error → connecting → error …).
import { expect, test } from "bun:test";
import { newConnectionWatch, watchConnection, type ConnectionLine } from "../../src/domain/camera-connection";

/** Feeds statuses (one per second) and returns the lines logged. */
function run(statuses: { state: string; reason?: string }[]): ConnectionLine[] {
  let w = newConnectionWatch();
  const lines: ConnectionLine[] = [];
  statuses.forEach((s, i) => {
    const r = watchConnection(w, s, i * 1000);
    w = r.watch;
    if (r.line) lines.push(r.line);
  });
  return lines;
}
const retry = (reason: string, n: number) => Array.from({ length: n }, () => [{ state: "connecting", reason }, { state: "error", reason }]).flat();

test("a camera that never connects: one line, however many retries", () => {
  expect(run([{ state: "connecting" }, { state: "error", reason: "refused" }, ...retry("refused", 20)])).toEqual([
    { level: "warn", msg: "camera cannot connect", fields: { reason: "refused", failedAttempts: 1 } },
  ]);
});

test("a new reason gets a line with the attempts so far; recovery one line with the attempts and the time down", () => {
  const lines = run([
    { state: "connecting" },
    { state: "error", reason: "the camera answered 503" },
    ...retry("the camera answered 503", 2),
    { state: "connecting", reason: "the camera answered 503" },
    { state: "error", reason: "not found" },
    { state: "connecting", reason: "not found" },
    { state: "live" },
  ]);
  expect(lines).toEqual([
    { level: "warn", msg: "camera cannot connect", fields: { reason: "the camera answered 503", failedAttempts: 1 } },
    { level: "warn", msg: "camera still cannot connect, for another reason", fields: { reason: "not found", failedAttempts: 4 } },
    { level: "info", msg: "camera connected again", fields: { failedAttempts: 4, downForS: 8 } },
  ]);
});

test("live, lost, back: the count starts again after each recovery; status polls in the same state say nothing", () => {
  const lines = run([{ state: "connecting" }, { state: "live" }, { state: "live" }, { state: "error", reason: "stream ended" }, { state: "error", reason: "stream ended" }, ...retry("stream ended", 1), { state: "live" }, { state: "error", reason: "stream ended" }]);
  expect(lines).toEqual([
    { level: "info", msg: "camera connected", fields: { failedAttempts: 0 } },
    { level: "warn", msg: "camera lost its connection", fields: { reason: "stream ended", failedAttempts: 1 } },
    { level: "info", msg: "camera connected again", fields: { failedAttempts: 2, downForS: 4 } },
    { level: "warn", msg: "camera lost its connection", fields: { reason: "stream ended", failedAttempts: 1 } },
  ]);
});

test("stopping says nothing; an error without a reason still gets one line", () => {
  expect(run([{ state: "connecting" }, { state: "stopped" }])).toEqual([]);
  expect(run([{ state: "error" }, { state: "connecting" }, { state: "error" }])).toEqual([{ level: "warn", msg: "camera cannot connect", fields: { reason: "no reason given", failedAttempts: 1 } }]);
});
