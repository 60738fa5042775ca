import { Panel } from "../layout";
import { Flash, Pager, fmtDateTime } from "../partials/common";
import type { ErasureReport } from "../../src/services/erasure";

const KINDS: [keyof ErasureReport["counts"], string][] = [
  ["faces", "Enrolled faces"],
  ["embeddings", "Face embeddings"],
  ["faceCrops", "Face crops"],
  ["negatives", "“Not this person” examples"],
  ["events", "Attendance events"],
  ["evidencePhotos", "Evidence photos"],
  ["unknownFaces", "Unknown faces assigned to them (with embeddings)"],
  ["unknownCrops", "Unknown-face crops"],
  ["leaves", "Leaves"],
  ["dailyRecords", "Daily attendance records"],
  ["auditRowsPseudonymised", "Audit rows pseudonymised"],
];

function files(r: ErasureReport, tz: string): string {
  if (r.filesRemaining > 0) return `${r.filesRemaining} of ${r.filesQueued} photo files not deleted yet (storage unreachable); retried until gone`;
  return `${r.filesQueued} photo files deleted${r.filesDoneAt ? ` (${fmtDateTime(new Date(r.filesDoneAt), tz)})` : ""}`;
}

/** One erasure report: what was removed, per kind. */
export function ErasurePage({ report: r, tz, flash }: { report: ErasureReport; tz: string; flash?: string }) {
  return (
    <Panel title={`Erasure report #${r.id}`} actions={<a class="btn secondary" href="/erasures">Erasure log</a>}>
      {flash && <Flash>{flash}</Flash>}
      <p>
        Person {r.personId} was erased by {r.erasedBy ?? "system"} on {fmtDateTime(new Date(r.erasedAt), tz)}. The audit log now calls them <strong>{r.pseudonym}</strong>.
      </p>
      <table id="erasure-counts">
        <thead>
          <tr>
            <th>Removed</th>
            <th class="num">Count</th>
          </tr>
        </thead>
        <tbody>
          {KINDS.map(([k, label]) => (
            <tr>
              <td>{label}</td>
              <td class="num" data-kind={k}>
                {r.counts[k]}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class={r.filesRemaining > 0 ? "flash bad" : "muted"}>{files(r, tz)}</p>
    </Panel>
  );
}

/** Every erasure, newest first. */
export function ErasuresPage({ rows, total, limit, offset, tz }: { rows: ErasureReport[]; total: number; limit: number; offset: number; tz: string }) {
  return (
    <Panel title="Erasure log">
      <div id="erasures">
        <p class="muted">Each erased person, under the pseudonym the audit log uses for them, with what was removed.</p>
        <table>
          <thead>
            <tr>
              <th>When</th>
              <th>Pseudonym</th>
              <th>By</th>
              <th class="num">Faces</th>
              <th class="num">Events</th>
              <th class="num">Unknown faces</th>
              <th>Files</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr>
                <td>
                  <a href={`/erasures/${r.id}`}>{fmtDateTime(new Date(r.erasedAt), tz)}</a>
                </td>
                <td>{r.pseudonym}</td>
                <td>{r.erasedBy}</td>
                <td class="num">{r.counts.faces}</td>
                <td class="num">{r.counts.events}</td>
                <td class="num">{r.counts.unknownFaces}</td>
                <td>{r.filesRemaining > 0 ? `${r.filesRemaining} left` : `${r.filesQueued} deleted`}</td>
              </tr>
            ))}
            {rows.length === 0 && (
              <tr>
                <td colspan={7} class="muted">
                  Nobody has been erased.
                </td>
              </tr>
            )}
          </tbody>
        </table>
        <Pager base="/erasures" params={{}} total={total} limit={limit} offset={offset} target="#erasures" />
      </div>
    </Panel>
  );
}
