import { Flash } from "./common";

export interface RecomputeView {
  /** Days recomputed inline, or the background job doing it. */
  rows?: number;
  job?: { id: string; done: number; total: number; finished: boolean; error?: string };
}

/** Where recomputation of stored days stands; polls itself while a job runs. */
export function RecomputeStatus({ r }: { r?: RecomputeView }) {
  if (!r) return <div id="recompute-status" />;
  if (r.job) {
    const j = r.job;
    const poll = !j.finished ? { "hx-get": `/attendance/recompute/${j.id}`, "hx-trigger": "load delay:700ms", "hx-target": "#recompute-status", "hx-select": "#recompute-status", "hx-swap": "outerHTML" } : {};
    return (
      <div id="recompute-status" class="recompute" data-job={j.id} {...poll}>
        {j.error ? (
          <Flash kind="bad">Recomputing the stored days failed: {j.error}</Flash>
        ) : j.finished ? (
          <Flash>Stored days recomputed ({j.total} person-days).</Flash>
        ) : (
          <>
            <p>
              Recomputing stored days… {j.done} of {j.total} person-days
            </p>
            <progress max={j.total || 1} value={j.done} />
          </>
        )}
      </div>
    );
  }
  return (
    <div id="recompute-status" class="recompute">
      <p class="muted">{r.rows === 0 ? "No stored days needed recomputing." : `${r.rows} stored day${r.rows === 1 ? "" : "s"} recomputed.`}</p>
    </div>
  );
}
