import { WEEKDAY_NAMES } from "../../src/domain/attendance";
import { weekday } from "../../src/domain/time";
import { Panel } from "../layout";
import { DeleteForm, FieldError, Flash, type FormErrors, type FormValues } from "../partials/common";
import { RecomputeStatus, type RecomputeView } from "../partials/recompute";

/** A holiday as the page lists it. */
export interface HolidayItem {
  id: number;
  day: string;
  name: string;
}

export function HolidaysPage({ rows, year, canEdit, values = {}, errors = {}, flash, recompute }: { rows: HolidayItem[]; year: number; canEdit: boolean; values?: FormValues; errors?: FormErrors; flash?: string; recompute?: RecomputeView }) {
  return (
    <Panel
      title={`Holidays ${year}`}
      actions={
        <>
          <a class="btn secondary" href={`/holidays?year=${year - 1}`} rel="prev">
            ← {year - 1}
          </a>
          <a class="btn secondary" href={`/holidays?year=${year + 1}`} rel="next">
            {year + 1} →
          </a>
          <a class="btn secondary" href="/schedules">
            Schedules
          </a>
        </>
      }
    >
      {flash && <Flash>{flash}</Flash>}
      <RecomputeStatus r={recompute} />
      {rows.length === 0 ? (
        <p class="muted">No holidays in {year}.</p>
      ) : (
        <table id="holidays-table">
          <thead>
            <tr>
              <th>Day</th>
              <th>Weekday</th>
              <th>Name</th>
              {canEdit && <th />}
            </tr>
          </thead>
          <tbody>
            {rows.map((h) => (
              <tr id={`holiday-${h.id}`}>
                <td>{h.day}</td>
                <td>{WEEKDAY_NAMES[weekday(h.day)]}</td>
                <td>{h.name}</td>
                {canEdit && (
                  <td>
                    <DeleteForm action={`/holidays/${h.id}/delete`} confirm={`Delete the holiday ${h.name} on ${h.day}?`} />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canEdit && (
        <>
          <h2>Add a holiday</h2>
          <form id="holiday-form" class="inline-form" method="post" action="/holidays" novalidate>
            <div>
              <label for="h-from">First day</label>
              <input id="h-from" name="from" type="date" value={values.from ?? ""} required aria-invalid={errors.from ? "true" : undefined} />
              <FieldError errors={errors} name="from" />
            </div>
            <div>
              <label for="h-to">Last day (optional)</label>
              <input id="h-to" name="to" type="date" value={values.to ?? ""} aria-invalid={errors.to ? "true" : undefined} />
              <FieldError errors={errors} name="to" />
            </div>
            <div>
              <label for="h-name">Name</label>
              <input id="h-name" name="name" value={values.name ?? ""} required maxlength={120} aria-invalid={errors.name ? "true" : undefined} />
              <FieldError errors={errors} name="name" />
            </div>
            <div class="actions">
              <button type="submit">Add holiday</button>
            </div>
          </form>
        </>
      )}
    </Panel>
  );
}
