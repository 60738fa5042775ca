import { describe, expect, test } from "bun:test";
import { Worker } from "node:worker_threads";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { ConfigError, loadConfig } from "../../src/config";
import { MemoryBudget } from "../../src/lib/memory-budget";

describe("memory budget", () => {
  test("reservations take bytes up to the limit and give them back on release", () => {
    const b = new MemoryBudget(100);
    const a = b.open();
    expect(a.tryAdd(60)).toBe(true);
    expect(a.tryAdd(30)).toBe(true);
    expect(b.used).toBe(90);
    const c = b.open();
    expect(c.tryAdd(10)).toBe(true);
    expect(b.used).toBe(100);
    a.release();
    expect(b.used).toBe(10);
    c.release();
    expect(b.used).toBe(0);
    expect(b.peak).toBe(100);
  });

  test("when full, a reservation that does not fit takes nothing; room comes back on release", () => {
    const b = new MemoryBudget(100);
    const first = b.open();
    expect(first.tryAdd(80)).toBe(true);
    const second = b.open();
    expect(second.tryAdd(21)).toBe(false);
    expect(second.bytes).toBe(0);
    expect(b.used).toBe(80);
    first.release();
    expect(second.tryAdd(21)).toBe(true);
    second.release();
    expect(b.used).toBe(0);
  });

  test("a streamed body grows chunk by chunk and stops at the limit", () => {
    const b = new MemoryBudget(100);
    const r = b.open();
    let taken = 0;
    while (r.tryAdd(30)) taken += 30;
    expect(taken).toBe(90);
    expect(r.bytes).toBe(90);
    r.release();
    expect(b.used).toBe(0);
  });

  test("release is idempotent and a released reservation takes nothing more (aborted requests)", () => {
    const b = new MemoryBudget(100);
    const r = b.open();
    r.tryAdd(50);
    r.release();
    r.release();
    expect(b.used).toBe(0);
    expect(r.tryAdd(10)).toBe(false);
    r.add(10);
    expect(b.used).toBe(0);
  });

  test("decoded images are counted past the limit, and bodies wait for them", () => {
    const b = new MemoryBudget(100);
    const body = b.open();
    expect(body.tryAdd(90)).toBe(true);
    const decoded = b.open();
    decoded.add(50);
    expect(b.used).toBe(140);
    expect(b.peak).toBe(140);
    expect(b.open().tryAdd(1)).toBe(false);
    decoded.release();
    body.release();
    expect(b.used).toBe(0);
    expect(b.open().tryAdd(100)).toBe(true);
  });

  test("a worker thread draws from the same counters", async () => {
    const b = new MemoryBudget(1000);
    const script = `const { parentPort } = require("node:worker_threads");
      const { MemoryBudget } = require(${JSON.stringify(require.resolve("../../src/lib/memory-budget"))});
      parentPort.on("message", ({ limit, shared }) => {
        const w = new MemoryBudget(limit, shared);
        const r = w.open();
        for (let i = 0; i < 1000; i++) r.tryAdd(1);
        parentPort.postMessage(r.bytes);
      });`;
    const file = `${tmpdir()}/memory-budget-worker-${crypto.randomUUID()}.js`;
    await Bun.write(file, script);
    const mine = b.open();
    expect(mine.tryAdd(400)).toBe(true);
    const worker = new Worker(file);
    const got = await new Promise<number>((resolve) => {
      worker.once("message", resolve);
      worker.postMessage({ limit: b.limit, shared: b.shared });
    });
    await worker.terminate();
    rmSync(file);
    expect(got).toBe(600);
    expect(b.used).toBe(1000);
    mine.release();
    expect(b.used).toBe(600);
  });
});

describe("UPLOAD_MEMORY_BUDGET_BYTES", () => {
  test("defaults to 256 MiB and must hold at least the largest body", () => {
    expect(loadConfig({}).UPLOAD_MEMORY_BUDGET_BYTES).toBe(256 * 1024 * 1024);
    expect(() => loadConfig({ UPLOAD_MEMORY_BUDGET_BYTES: String(2 * 1024 * 1024), MAX_BODY_BYTES: String(4 * 1024 * 1024) })).toThrow(ConfigError);
    expect(() => loadConfig({ UPLOAD_MEMORY_BUDGET_BYTES: "1000" })).toThrow(ConfigError);
  });
});
