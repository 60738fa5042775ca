// The timer behind daily jobs (the retention purge): first run, repeats, no overlap, errors, stop.
import { expect, test } from "bun:test";
import { periodic } from "../../src/lib/periodic";

test("runs first after firstMs, then every everyMs after the previous run, never two at once", async () => {
  const starts: number[] = [];
  let active = 0;
  let maxActive = 0;
  const t0 = performance.now();
  const job = periodic(
    async () => {
      starts.push(performance.now() - t0);
      maxActive = Math.max(maxActive, ++active);
      await Bun.sleep(30); // longer than everyMs: the next run waits for this one
      active--;
    },
    { firstMs: 50, everyMs: 10, onError: () => {} },
  );
  await Bun.sleep(20);
  expect(starts).toEqual([]);
  await Bun.sleep(200);
  await job.stop();
  expect(starts.length).toBeGreaterThanOrEqual(3);
  expect(starts[0]).toBeGreaterThanOrEqual(49);
  for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(39);
  expect(maxActive).toBe(1);
});

test("a failing run is reported and the schedule goes on; after stop() nothing runs", async () => {
  let runs = 0;
  const errors: unknown[] = [];
  const job = periodic(
    async () => {
      runs++;
      throw new Error(`run ${runs} failed`);
    },
    { firstMs: 5, everyMs: 5, onError: (e) => errors.push(e) },
  );
  await Bun.sleep(100);
  await job.stop();
  const after = runs;
  expect(after).toBeGreaterThanOrEqual(3);
  expect(errors.map((e) => (e as Error).message).slice(0, 2)).toEqual(["run 1 failed", "run 2 failed"]);
  await Bun.sleep(50);
  expect(runs).toBe(after);
});

test("stop() waits for a run in progress", async () => {
  let finished = false;
  const job = periodic(
    async () => {
      await Bun.sleep(50);
      finished = true;
    },
    { firstMs: 1, everyMs: 1000, onError: () => {} },
  );
  await Bun.sleep(10);
  await job.stop();
  expect(finished).toBe(true);
});
