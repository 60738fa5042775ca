/** Time series for the dashboard. */
import { addDays, dayStart } from "../time";

export interface Histogram {
  /** Epoch seconds at which each bucket starts. */
  start: number[];
  counts: number[];
}

/**
 * First check-ins of `day` counted in buckets of `bucketMinutes` of real time from the site-local
 * midnight to the next one. The day is as long as it really is, so with 15-minute buckets a
 * spring-forward day (23 h) has 92 buckets and a fall-back day (25 h) 100; the last bucket is shorter
 * when `bucketMinutes` does not divide the day. Instants outside the day are ignored.
 */
export function arrivalsHistogram(firstIns: readonly Date[], day: string, tz: string, bucketMinutes = 15): Histogram {
  if (!Number.isInteger(bucketMinutes) || bucketMinutes <= 0) throw new RangeError(`Bucket size must be a positive whole number of minutes, not ${bucketMinutes}`);
  const from = dayStart(day, tz).getTime();
  const to = dayStart(addDays(day, 1), tz).getTime();
  const bucketMs = bucketMinutes * 60000;
  const n = Math.ceil((to - from) / bucketMs);
  const start = Array.from({ length: n }, (_, i) => (from + i * bucketMs) / 1000);
  const counts = new Array<number>(n).fill(0);
  for (const t of firstIns) {
    const ms = t.getTime();
    if (ms >= from && ms < to) counts[Math.floor((ms - from) / bucketMs)]!++;
  }
  return { start, counts };
}
