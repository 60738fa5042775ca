import { Panel } from "../layout";
import { FieldError, Flash, fmtDateTime } from "../partials/common";
import type { CameraStatus, CameraView } from "../../src/services/cameras";

const STATE_LABEL: Record<CameraStatus["state"], string> = { connecting: "connecting…", live: "live", error: "error", stopped: "stopped", disabled: "disabled" };

export function StatusBadge({ s }: { s: CameraStatus }) {
  return <span class={`badge state-${s.state}`}>{STATE_LABEL[s.state]}</span>;
}

function StatusFacts({ s, tz }: { s: CameraStatus; tz: string }) {
  return (
    <dl class="facts">
      <dt>State</dt>
      <dd>
        <StatusBadge s={s} />
        {s.reason && s.state !== "live" && <div class="muted">{s.reason}</div>}
      </dd>
      <dt>Frames per second</dt>
      <dd>
        {s.fpsIn} in · {s.fpsOut} analysed
      </dd>
      <dt>Dropped</dt>
      <dd>
        {s.dropped} of {s.framesIn} ({Math.round(s.dropRate * 1000) / 10} %)
      </dd>
      <dt>Skipped, nothing moved</dt>
      <dd>{s.skippedStill}</dd>
      <dt>Frame to decision</dt>
      <dd>{s.latencyMs ? `${s.latencyMs.p50} ms median, ${s.latencyMs.p95} ms p95` : "—"}</dd>
      <dt>Last frame</dt>
      <dd>{s.lastFrameAt ? fmtDateTime(new Date(s.lastFrameAt), tz) : "never"}</dd>
      <dt>People tracked now · sightings</dt>
      <dd>
        {s.tracks} · {s.sightings}
      </dd>
      <dt>Faces not embedded</dt>
      <dd>
        {s.facesReused} already identified · {s.facesTooSmall} too small
      </dd>
      {s.workerRestarts > 0 && (
        <>
          <dt>Worker restarts</dt>
          <dd>{s.workerRestarts}</dd>
        </>
      )}
    </dl>
  );
}

/** The camera table; polled by htmx every 2 s (same component for the page and the fragment). */
export function CameraTable({ cameras }: { cameras: CameraView[] }) {
  return (
    <div id="camera-table" hx-get="/cameras" hx-trigger="every 2s" hx-select="#camera-table" hx-swap="outerHTML">
      {cameras.length === 0 ? (
        <p class="muted">No cameras yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Direction</th>
              <th>Source</th>
              <th>State</th>
              <th>fps in / out</th>
              <th>Dropped</th>
              <th>Skipped (still)</th>
            </tr>
          </thead>
          <tbody>
            {cameras.map((c) => (
              <tr>
                <td>
                  <a href={`/cameras/${c.id}`}>{c.name}</a>
                </td>
                <td>{c.direction}</td>
                <td>
                  <code>{c.url}</code>
                </td>
                <td>
                  <StatusBadge s={c.status} />
                  {c.status.state === "error" && c.status.reason && <div class="muted">{c.status.reason}</div>}
                </td>
                <td>
                  {c.status.fpsIn} / {c.status.fpsOut}
                </td>
                <td>{c.status.dropped}</td>
                <td>{c.status.skippedStill}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

export interface CameraFormValues {
  name?: string;
  url?: string;
  direction?: string;
  fps?: string | number;
  enabled?: boolean;
  liveness?: boolean;
}

export function CameraForm({ action, values, errors, submit, allowFiles }: { action: string; values: CameraFormValues; errors?: Record<string, string>; submit: string; allowFiles: boolean }) {
  const invalid = (k: string) => (errors?.[k] ? "true" : undefined);
  return (
    <form id="camera-form" method="post" action={action} class="stack" novalidate>
      {errors?._ && <Flash kind="bad">{errors._}</Flash>}
      <div>
        <label for="name">Name</label>
        <input id="name" name="name" value={values.name ?? ""} required maxlength={100} aria-invalid={invalid("name")} />
        <FieldError errors={errors} name="name" />
      </div>
      <div>
        <label for="url">Source URL</label>
        <input id="url" name="url" value={values.url ?? ""} required placeholder="rtsp://user:password@192.168.1.20:554/stream1" aria-invalid={invalid("url")} />
        <div class="muted">rtsp:// (over TCP), http(s):// MJPEG, or an http(s):// JPEG snapshot URL{allowFiles ? "; file:// video files are allowed on this server" : ""}. Passwords are never shown again.</div>
        <FieldError errors={errors} name="url" />
      </div>
      <div class="row">
        <div>
          <label for="direction">Direction</label>
          <select id="direction" name="direction" aria-invalid={invalid("direction")}>
            {(["in", "out", "both"] as const).map((d) => (
              <option value={d} selected={(values.direction ?? "in") === d}>
                {d === "in" ? "Entrance (check-in)" : d === "out" ? "Exit (check-out)" : "Both ways"}
              </option>
            ))}
          </select>
          <FieldError errors={errors} name="direction" />
        </div>
        <div>
          <label for="fps">Frames per second</label>
          <input id="fps" name="fps" type="number" step="0.1" min="0.2" max="30" value={String(values.fps ?? 5)} aria-invalid={invalid("fps")} />
          <FieldError errors={errors} name="fps" />
        </div>
      </div>
      <label class="check">
        <input type="checkbox" name="enabled" value="1" checked={values.enabled ?? true} /> Enabled
      </label>
      <label class="check">
        <input type="checkbox" name="liveness" value="1" checked={values.liveness ?? false} /> Liveness check (photos and screens never count as a match)
      </label>
      <div class="actions">
        <button type="submit">{submit}</button>
        <button type="submit" class="secondary" formaction="/cameras/test" formnovalidate>
          Test connection
        </button>
      </div>
    </form>
  );
}

export function CamerasPage({ cameras, canEdit, form, allowFiles }: { cameras: CameraView[]; canEdit: boolean; form?: { values: CameraFormValues; errors?: Record<string, string> }; allowFiles: boolean }) {
  return (
    <>
      <Panel title="Cameras">
        <CameraTable cameras={cameras} />
        <p class="actions">
          <a class="btn secondary" href="/live">
            Live wall
          </a>
          {canEdit && (
            <a class="btn secondary" href="/unknown">
              Unknown faces
            </a>
          )}
        </p>
      </Panel>
      {canEdit && (
        <Panel title="Add a camera">
          <CameraForm action="/cameras" values={form?.values ?? {}} errors={form?.errors} submit="Add camera" allowFiles={allowFiles} />
        </Panel>
      )}
    </>
  );
}

export function TestResult({ ok, message, image }: { ok: boolean; message: string; image?: string }) {
  return (
    <Panel title="Test connection">
      <Flash kind={ok ? "ok" : "bad"}>{message}</Flash>
      {image && <img class="snapshot" src={image} alt="Frame grabbed from the camera" />}
      <p>
        <a href="/cameras" class="btn secondary">
          Back to cameras
        </a>
      </p>
    </Panel>
  );
}

export function CameraDetail({ camera, canEdit, tz, form, allowFiles, flash }: { camera: CameraView; canEdit: boolean; tz: string; form?: { values: CameraFormValues; errors?: Record<string, string> }; allowFiles: boolean; flash?: string }) {
  return (
    <>
      <Panel title={camera.name}>
        {flash && <Flash>{flash}</Flash>}
        <div class="camera-detail">
          <img class="live" src={`/cameras/${camera.id}/live.mjpg`} alt={`Live view of ${camera.name}`} width="640" />
          <div id="camera-status" hx-get={`/cameras/${camera.id}`} hx-trigger="every 2s" hx-select="#camera-status" hx-swap="outerHTML">
            <StatusFacts s={camera.status} tz={tz} />
          </div>
        </div>
        <p class="muted">
          Source <code>{camera.url}</code> · direction {camera.direction} · {camera.fps} fps{camera.liveness ? " · liveness on" : ""}
        </p>
      </Panel>
      {canEdit && (
        <Panel title="Edit">
          <CameraForm action={`/cameras/${camera.id}`} values={form?.values ?? { name: camera.name, url: "", direction: camera.direction, fps: camera.fps, enabled: camera.enabled, liveness: camera.liveness }} errors={form?.errors} submit="Save" allowFiles={allowFiles} />
          <p class="muted">Leave the source URL empty to keep the current one.</p>
          <form method="post" action={`/cameras/${camera.id}/delete`} class="actions">
            <button type="submit" class="danger">
              Delete camera
            </button>
          </form>
        </Panel>
      )}
    </>
  );
}

export function LivePage({ cameras, tz }: { cameras: CameraView[]; tz: string }) {
  return (
    <div class="live-layout">
      <Panel title="Live">
        {cameras.length === 0 ? (
          <p class="muted">
            No cameras yet. <a href="/cameras">Add one</a>.
          </p>
        ) : (
          // One request every 5 s refreshes every caption (by id); the streams keep playing.
          <div class="wall" hx-get="/live" hx-trigger="every 5s" hx-swap="none" hx-select-oob="figcaption.wall-caption">
            {cameras.map((c) => (
              <figure>
                <a href={`/cameras/${c.id}`}>
                  <img src={`/cameras/${c.id}/live.mjpg`} alt={`Live view of ${c.name}`} />
                </a>
                <figcaption id={`cap-${c.id}`} class="wall-caption">
                  {c.name} <StatusBadge s={c.status} />
                </figcaption>
              </figure>
            ))}
          </div>
        )}
      </Panel>
      <Panel title="Sightings">
        <ul id="feed" class="feed" hx-sse:connect="/live/feed" hx-swap="afterbegin">
          <li class="muted feed-empty">Waiting for people…</li>
        </ul>
        <p class="muted">Times in {tz}.</p>
      </Panel>
    </div>
  );
}
