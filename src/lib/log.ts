/**
 * Log lines: JSON (one object per line) for log collectors, or readable lines for a person at a
 * terminal ("14:13:05.120 INFO  message key=value", an error's stack indented below). Warnings and
 * errors go to stderr, the rest to stdout; fields are merged into the record.
 */
export type Level = "debug" | "info" | "warn" | "error";
export type LogFormat = "pretty" | "json";
const order: Record<Level | "silent", number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  /** "auto" (the default): pretty when stdout is a terminal, JSON otherwise. */
  format?: LogFormat | "auto";
  /** Where finished lines go (without the newline); default stdout, or stderr for warn and error. */
  sink?: (line: string, level: Level) => void;
}

const toStd = (line: string, level: Level) => (level === "error" || level === "warn" ? process.stderr : process.stdout).write(line + "\n");

export function resolveFormat(format: LogFormat | "auto" = "auto", isTTY: boolean = !!process.stdout.isTTY): LogFormat {
  return format === "auto" ? (isTTY ? "pretty" : "json") : format;
}

const errorJson = (_k: string, v: unknown) => (v instanceof Error ? { name: v.name, message: v.message, stack: v.stack } : v);

/** A record as one line of JSON. */
export function formatJson(rec: { time: string; level: Level; msg: string } & Record<string, unknown>): string {
  return JSON.stringify(rec, errorJson);
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");
const bare = /^[^\s"=\\]+$/;
const quoted = (s: string) => (bare.test(s) ? s : JSON.stringify(s));

/** A record as a readable line: local time, level, message, key=value pairs; stacks of errors below. */
export function formatPretty(time: Date, level: Level, msg: string, fields: Record<string, unknown>): string {
  const stacks: string[] = [];
  const pairs: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    let text: string;
    if (v instanceof Error) {
      text = quoted(`${v.name}: ${v.message}`);
      if (v.stack) stacks.push(v.stack.split("\n").map((l) => `    ${l.trimStart()}`).join("\n"));
    } else if (typeof v === "string") text = quoted(v);
    else if (v !== null && typeof v === "object") text = JSON.stringify(v, errorJson);
    else text = String(v);
    pairs.push(`${k}=${text}`);
  }
  const clock = `${pad(time.getHours())}:${pad(time.getMinutes())}:${pad(time.getSeconds())}.${pad(time.getMilliseconds(), 3)}`;
  const head = [clock, level.toUpperCase().padEnd(5), msg, ...pairs].join(" ");
  return stacks.length ? `${head}\n${stacks.join("\n")}` : head;
}

export function createLogger(level: Level | "silent" = "info", base: Record<string, unknown> = {}, opts: LoggerOptions = {}): Logger {
  const format = resolveFormat(opts.format);
  const sink = opts.sink ?? toStd;
  const write = (l: Level, msg: string, fields?: Record<string, unknown>) => {
    if (order[l] < order[level]) return;
    const now = new Date();
    const all = { ...base, ...fields };
    sink(format === "json" ? formatJson({ time: now.toISOString(), level: l, msg, ...all }) : formatPretty(now, l, msg, all), l);
  };
  return {
    debug: (m, f) => write("debug", m, f),
    info: (m, f) => write("info", m, f),
    warn: (m, f) => write("warn", m, f),
    error: (m, f) => write("error", m, f),
    child: (f) => createLogger(level, { ...base, ...f }, { format, sink }),
  };
}
