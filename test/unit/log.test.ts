// Log lines: readable on a terminal (time, level, message, key=value, stacks below), one JSON object
// per line otherwise; the format follows LOG_FORMAT, "auto" meaning pretty only on a terminal.
import { describe, expect, test } from "bun:test";
import { loadConfig } from "../../src/config";
import { createLogger, formatPretty, resolveFormat, type Level, type LoggerOptions } from "../../src/lib/log";

const capture = (format: LoggerOptions["format"], level: Level | "silent" = "debug") => {
  const lines: { line: string; level: Level }[] = [];
  const log = createLogger(level, { app: "clockface" }, { format, sink: (line, l) => lines.push({ line, level: l }) });
  return { log, lines };
};

describe("pretty lines", () => {
  test("time, level, message, then key=value; strings with spaces are quoted, objects as JSON", () => {
    const { log, lines } = capture("pretty");
    log.info("camera connected", { camera: 3, name: "Front door", ok: true, gone: undefined, box: { w: 2 } });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.level).toBe("info");
    expect(lines[0]!.line).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO  camera connected app=clockface camera=3 name="Front door" ok=true box=\{"w":2\}$/);
  });

  test("an error shows its name and message on the line and its stack indented below", () => {
    const { log, lines } = capture("pretty");
    const err = new TypeError("boom");
    log.error("attendance sweep failed", { err });
    const [head, ...stack] = lines[0]!.line.split("\n");
    expect(head).toMatch(/ ERROR attendance sweep failed app=clockface err="TypeError: boom"$/);
    expect(stack[0]).toBe("    TypeError: boom");
    expect(stack.length).toBeGreaterThan(1);
    expect(stack.slice(1).every((l) => l.startsWith("    at "))).toBe(true);
    expect(lines[0]!.line).toContain("log.test.ts");
  });

  test("local time of day with milliseconds; quotes and equals signs in values stay unambiguous", () => {
    const at = new Date(2026, 11, 5, 9, 4, 7, 42);
    expect(formatPretty(at, "warn", "x", { path: "/a=b", q: 'say "hi"', n: null })).toBe('09:04:07.042 WARN  x path="/a=b" q="say \\"hi\\"" n=null');
  });
});

describe("JSON lines", () => {
  test("one object per line with time, level, msg and the fields; errors with name, message and stack", () => {
    const { log, lines } = capture("json");
    log.info("first", { n: 1 });
    log.warn("second line\nwith a newline in it", { err: new Error("nope") });
    expect(lines).toHaveLength(2);
    for (const { line } of lines) expect(line).not.toContain("\n");
    const a = JSON.parse(lines[0]!.line);
    expect(a).toEqual({ time: expect.any(String), level: "info", msg: "first", app: "clockface", n: 1 });
    expect(new Date(a.time).toISOString()).toBe(a.time);
    const b = JSON.parse(lines[1]!.line);
    expect(b).toMatchObject({ level: "warn", msg: "second line\nwith a newline in it", err: { name: "Error", message: "nope" } });
    expect(b.err.stack).toContain("log.test.ts");
  });

  test("levels below the threshold are dropped; child loggers keep the format, sink and fields", () => {
    const { log, lines } = capture("json", "info");
    log.debug("request", { path: "/" });
    log.child({ camera: 7 }).info("camera connected");
    expect(lines.map((l) => JSON.parse(l.line))).toEqual([{ time: expect.any(String), level: "info", msg: "camera connected", app: "clockface", camera: 7 }]);
  });
});

test("LOG_FORMAT: auto is pretty on a terminal and JSON otherwise; pretty and json force it; bad values are named", () => {
  expect(loadConfig({}).LOG_FORMAT).toBe("auto");
  expect(resolveFormat("auto", true)).toBe("pretty");
  expect(resolveFormat("auto", false)).toBe("json");
  expect(resolveFormat(loadConfig({ LOG_FORMAT: "json" }).LOG_FORMAT, true)).toBe("json");
  expect(resolveFormat(loadConfig({ LOG_FORMAT: "pretty" }).LOG_FORMAT, false)).toBe("pretty");
  expect(() => loadConfig({ LOG_FORMAT: "xml" })).toThrow("LOG_FORMAT");
});
