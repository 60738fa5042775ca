import { Panel } from "../layout";
import { FieldError, Flash } from "../partials/common";

export interface ModelRow {
  id: string;
  role: string;
  file: string;
  licence: string;
  licenceNote: string;
  inUse: boolean;
}

export interface RecognitionView {
  ready: boolean;
  reason?: string;
  recognizer: string;
  recognizers: { id: string; dim: number; available: boolean }[];
  thresholds: { match: number; unknown: number; margin: number };
  calibrated: boolean;
  gallery: number;
  people: number;
  strangerAcceptRate: number;
  switchingTo: string | null;
  models: ModelRow[];
  isAdmin: boolean;
  values?: Record<string, string>;
  errors?: Record<string, string>;
  flash?: string;
  flashBad?: boolean;
}

/** Face recognition settings: the active recogniser and its thresholds (one component for the page and its htmx swaps). */
export function RecognitionPanel(v: RecognitionView) {
  const val = (k: "match" | "unknown" | "margin") => v.values?.[k] ?? String(v.thresholds[k]);
  const others = v.recognizers.filter((r) => r.id !== v.recognizer);
  return (
    <section id="recognition" class="panel">
      <h2>Face recognition</h2>
      {v.flash && <Flash kind={v.flashBad ? "bad" : "ok"}>{v.flash}</Flash>}
      <dl class="facts">
        <dt>Engine</dt>
        <dd>{v.ready ? "running" : `off: ${v.reason ?? "not started"}`}</dd>
        <dt>Recogniser</dt>
        <dd>
          <code>{v.recognizer}</code>
          {v.switchingTo && <> (switching to <code>{v.switchingTo}</code>…)</>}
        </dd>
        <dt>Enrolled faces in the gallery</dt>
        <dd>
          {v.gallery} of {v.people} {v.people === 1 ? "person" : "people"}
        </dd>
        <dt>Thresholds</dt>
        <dd>
          match ≥ {v.thresholds.match}, unknown &lt; {v.thresholds.unknown}, margin {v.thresholds.margin}{" "}
          {v.calibrated
            ? `(calibrated on facescrub, from the model manifest; the match threshold is set for ${v.people} enrolled ${v.people === 1 ? "person" : "people"} so that a stranger is matched to someone with at most ${+(v.strangerAcceptRate * 100).toFixed(2)} % chance, and rises as more people are enrolled)`
            : "(set here, overriding the calibrated values)"}
        </dd>
      </dl>
      {v.isAdmin && (
        <>
          <form method="post" action="/settings/recognition/thresholds" hx-post="/settings/recognition/thresholds" hx-target="#recognition" hx-swap="outerHTML" class="inline-form" novalidate>
            <div>
              <label for="match">Match at or above</label>
              <input id="match" name="match" type="number" step="0.001" min="0" max="1" value={val("match")} aria-invalid={v.errors?.match ? "true" : undefined} />
              <FieldError errors={v.errors} name="match" />
            </div>
            <div>
              <label for="unknown">Unknown below</label>
              <input id="unknown" name="unknown" type="number" step="0.001" min="0" max="1" value={val("unknown")} aria-invalid={v.errors?.unknown ? "true" : undefined} />
              <FieldError errors={v.errors} name="unknown" />
            </div>
            <div>
              <label for="margin">Margin over the next person</label>
              <input id="margin" name="margin" type="number" step="0.001" min="0" max="0.5" value={val("margin")} aria-invalid={v.errors?.margin ? "true" : undefined} />
              <FieldError errors={v.errors} name="margin" />
            </div>
            <div class="actions">
              <button type="submit">Save thresholds</button>
              {!v.calibrated && (
                <button type="submit" name="reset" value="1" class="secondary">
                  Back to calibrated values
                </button>
              )}
            </div>
          </form>
          {others.length > 0 && !v.switchingTo && (
            <form method="post" action="/settings/recognition/switch" class="inline-form">
              <div>
                <label for="recognizer">Switch the recogniser</label>
                <select id="recognizer" name="recognizer">
                  {others.map((r) => (
                    <option value={r.id} disabled={!r.available}>
                      {r.id} ({r.dim}-d{r.available ? "" : ", model not available"})
                    </option>
                  ))}
                </select>
              </div>
              <div class="actions">
                <button type="submit">Re-embed all faces and switch</button>
              </div>
              <p class="muted">Every enrolled face is embedded again from its stored crop in the background; recognition keeps using the current recogniser until that is done.</p>
            </form>
          )}
        </>
      )}
    </section>
  );
}

export function ModelLicences({ models }: { models: ModelRow[] }) {
  return (
    <Panel title="Models and licences">
      <table>
        <thead>
          <tr>
            <th>Model</th>
            <th>Role</th>
            <th>Licence</th>
            <th>In use</th>
          </tr>
        </thead>
        <tbody>
          {models.map((m) => (
            <tr>
              <td>
                <code>{m.id}</code>
              </td>
              <td>{m.role.replace("_", " ")}</td>
              <td>
                {m.licence}
                <div class="muted">{m.licenceNote}</div>
              </td>
              <td>{m.inUse ? "yes" : ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Panel>
  );
}

export interface SwitchJobView {
  id: string;
  done: number;
  total: number;
  finished: boolean;
  error?: string;
  result?: { recognizer: string; embedded: number; skipped: number };
}

export function SwitchJob({ job }: { job: SwitchJobView }) {
  const poll = !job.finished ? { "hx-get": `/settings/recognition/switch/${job.id}`, "hx-trigger": "load delay:500ms", "hx-target": "#switch-status", "hx-select": "#switch-status", "hx-swap": "outerHTML" } : {};
  return (
    <Panel title="Switching the recogniser">
      <div id="switch-status" data-job={job.id} {...poll}>
        {!job.finished && (
          <>
            <p>
              Re-embedding… {job.done} of {job.total} faces
            </p>
            <progress max={job.total || 1} value={job.done} />
          </>
        )}
        {job.error && <Flash kind="bad">{job.error}</Flash>}
        {job.result && (
          <Flash kind={job.result.skipped ? "bad" : "ok"}>
            Now using {job.result.recognizer}: {job.result.embedded} faces re-embedded{job.result.skipped ? `, ${job.result.skipped} skipped (their crops are missing)` : ""}.
          </Flash>
        )}
        <p>
          <a href="/settings">Back to settings</a>
        </p>
      </div>
    </Panel>
  );
}
