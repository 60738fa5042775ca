import { expect } from "bun:test";

/** Waits until `read()` returns `want` (htmx swaps and background start-up are asynchronous); fails with the last value seen. */
export async function eventually<T>(read: () => Promise<T>, want: T, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  let last: T = await read();
  while (JSON.stringify(last) !== JSON.stringify(want) && Date.now() < until) {
    await Bun.sleep(50);
    last = await read();
  }
  expect(last).toEqual(want);
}
