import { PersonPicker } from "../partials/person-picker";
import { Panel } from "../layout";
import { Flash, Pager, fmtDateTime } from "../partials/common";
import type { UnknownFaceRow } from "../../src/db/repos/cameras";

export interface ReviewGroup {
  groupId: number;
  size: number;
  lastTs: Date;
  kind: string;
  candidate: string | null;
  faces: UnknownFaceRow[];
}

export function ReviewPage({ groups, total, limit, offset, tz, flash, flashBad, errors }: { groups: ReviewGroup[]; total: number; limit: number; offset: number; tz: string; flash?: string; flashBad?: boolean; errors?: { groupId: number; message: string } }) {
  return (
    <Panel title="Unknown faces">
      {flash && <Flash kind={flashBad ? "bad" : "ok"}>{flash}</Flash>}
      <p class="muted">Faces the cameras saw but could not match, grouped by similarity. Enrol a group as a new person (with their consent), add it to someone already enrolled, or dismiss it.</p>
      <div id="review">
        {groups.length === 0 && <p class="muted">Nothing to review.</p>}
        {groups.map((g) => (
          <article class="review-group" id={`group-${g.groupId}`}>
            <header>
              <strong>{g.kind === "uncertain" && g.candidate ? `Maybe ${g.candidate}?` : "Unknown person"}</strong>
              <span class="muted">
                {" "}
                · seen {g.size} time{g.size === 1 ? "" : "s"}, last {fmtDateTime(g.lastTs, tz)}
              </span>
            </header>
            <div class="thumbs">
              {g.faces.map((f) => (
                <img src={`/media/${f.cropPath}`} alt="" width="72" height="72" />
              ))}
            </div>
            {errors?.groupId === g.groupId && <Flash kind="bad">{errors.message}</Flash>}
            <div class="review-actions">
              <form method="post" action={`/unknown/${g.groupId}/enroll`} class="inline-form">
                <input name="name" placeholder="Full name" required maxlength={200} aria-label="Full name" />
                <input name="employeeCode" placeholder="Employee code" required maxlength={64} aria-label="Employee code" />
                <label class="check">
                  <input type="checkbox" name="consent" value="1" /> Consent recorded
                </label>
                <button type="submit">Enrol as new person</button>
              </form>
              <form method="post" action={`/unknown/${g.groupId}/assign`} class="inline-form">
                <PersonPicker id={`assign-${g.groupId}`} label="Add to an enrolled person" name="person" required />
                <button type="submit" class="secondary">
                  Add to this person
                </button>
              </form>
              <form method="post" action={`/unknown/${g.groupId}/dismiss`}>
                <button type="submit" class="secondary">
                  Dismiss
                </button>
              </form>
            </div>
          </article>
        ))}
        <Pager base="/unknown" params={{}} total={total} limit={limit} offset={offset} target="#review" />
      </div>
    </Panel>
  );
}
