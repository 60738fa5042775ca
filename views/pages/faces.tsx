import type { FaceRow } from "../../src/db/repos/faces";
import type { FaceQuality } from "../../src/domain/face/quality";
import { DeleteForm, Flash } from "../partials/common";

export interface UploadOutcome {
  file: string;
  ok: boolean;
  message: string;
  /** A photo refused only as a photo of a photo, held so an operator can accept it. */
  held?: string;
}

/** Enrolled faces of a person with upload and delete; the same component is the htmx fragment. */
export function FacesPanel({ personId, faces, canEdit, consent, engineReady, outcomes }: { personId: number; faces: FaceRow[]; canEdit: boolean; consent: boolean; engineReady: boolean; outcomes?: UploadOutcome[] }) {
  return (
    <section class="panel" id="faces">
      <div class="panel-head">
        <h2>Enrolled faces ({faces.length})</h2>
      </div>
      {outcomes && outcomes.length > 0 && (
        <ul class="outcomes" aria-label="Upload results">
          {outcomes.map((o) => (
            <li class={o.ok ? "ok" : "bad"}>
              <strong>{o.file}</strong>: {o.message}
              {o.held && canEdit && (
                <form
                  method="post"
                  action={`/people/${personId}/faces/accept`}
                  hx-post={`/people/${personId}/faces/accept`}
                  hx-target="#faces"
                  hx-select="#faces"
                  hx-swap="outerHTML"
                  hx-confirm={`Accept ${o.file} anyway? It was refused only as a likely photo of a photo or of a screen. Accept it if you know it is a real photo of this person; your decision is recorded in the audit log.`}
                  class="inline"
                >
                  <input type="hidden" name="held" value={o.held} />
                  <button type="submit" class="link">
                    Accept anyway
                  </button>
                </form>
              )}
            </li>
          ))}
        </ul>
      )}
      {faces.length === 0 ? (
        <p class="muted">No faces yet. Upload a few clear, frontal photos of this person alone (3 to 5 work best).</p>
      ) : (
        <div class="thumbs">
          {faces.map((f) => {
            const q = f.quality as FaceQuality;
            return (
              <figure id={`face-${f.id}`}>
                <img src={`/people/${personId}/faces/${f.id}.jpg`} width={112} height={112} alt={`Enrolled face ${f.id}`} loading="lazy" />
                <figcaption class="muted">
                  {Math.round(q.faceSize)} px · sharp {Math.round(q.sharpness)}
                </figcaption>
                {canEdit && (
                  <DeleteForm action={`/people/${personId}/faces/${f.id}/delete`} swap="#faces" confirm="Delete this face? Its photo and embedding are erased." />
                )}
              </figure>
            );
          })}
        </div>
      )}
      {canEdit &&
        (!engineReady ? (
          <Flash kind="bad">Face recognition is disabled, so photos cannot be enrolled now.</Flash>
        ) : !consent ? (
          <p class="muted">Record consent above to enroll faces.</p>
        ) : (
          <form method="post" action={`/people/${personId}/faces`} enctype="multipart/form-data" hx-post={`/people/${personId}/faces`} hx-target="#faces" hx-select="#faces" hx-swap="outerHTML" class="inline-form">
            <div>
              <label for="images">Add photos (JPEG, PNG or WebP; several at once)</label>
              <input id="images" name="image" type="file" accept="image/jpeg,image/png,image/webp" multiple required />
            </div>
            <div class="actions">
              <button type="submit">Upload and enroll</button>
              <a class="btn secondary" href={`/people/${personId}/webcam`}>
                Use the webcam
              </a>
            </div>
            <progress class="htmx-indicator" aria-label="Uploading" />
          </form>
        ))}
    </section>
  );
}
