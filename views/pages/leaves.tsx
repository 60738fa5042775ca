import { PersonPicker } from "../partials/person-picker";
import { Panel } from "../layout";
import { DeleteForm, FieldError, Flash, Pager, qs, type FormErrors, type FormValues } from "../partials/common";
import { RecomputeStatus, type RecomputeView } from "../partials/recompute";

/** A leave as the page lists it. */
export interface LeaveItem {
  id: number;
  personId: number;
  personName: string;
  employeeCode: string;
  fromDay: string;
  toDay: string;
  kind: string;
  note: string | null;
}

export const LEAVE_KIND_LABELS: Record<string, string> = { leave: "Leave", vacation: "Vacation", sick: "Sick", unpaid: "Unpaid leave", training: "Training" };

export function LeavesPage(props: {
  rows: LeaveItem[];
  total: number;
  limit: number;
  offset: number;
  filter: { person?: string; from?: string; to?: string };
  canEdit: boolean;
  /** Why the person filter matches nobody (or several people). */
  personProblem?: string;
  filterPersonId?: string;
  values?: FormValues;
  errors?: FormErrors;
  flash?: string;
  recompute?: RecomputeView;
}) {
  const { filter, values = {}, errors = {} } = props;
  return (
    <Panel
      title="Leave"
      actions={
        <a class="btn secondary" href="/schedules">
          Schedules
        </a>
      }
    >
      {props.flash && <Flash>{props.flash}</Flash>}
      <RecomputeStatus r={props.recompute} />
      <form class="filters" method="get" action="/leaves" role="search">
        <PersonPicker id="l-person" label="Person" name="person" value={filter.person} personId={props.filterPersonId} placeholder="Everyone" error={props.personProblem} />
        <div>
          <label for="l-from">From</label>
          <input id="l-from" name="from" type="date" value={filter.from ?? ""} />
        </div>
        <div>
          <label for="l-to">To</label>
          <input id="l-to" name="to" type="date" value={filter.to ?? ""} />
        </div>
        <div>
          <button type="submit">Filter</button>
        </div>
      </form>
      <div id="leaves-table">
        {props.rows.length === 0 ? (
          <p class="muted">No leave recorded{filter.person || filter.from || filter.to ? " that matches" : ""}.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Person</th>
                <th>From</th>
                <th>To</th>
                <th>Kind</th>
                <th>Note</th>
                {props.canEdit && <th />}
              </tr>
            </thead>
            <tbody>
              {props.rows.map((l) => (
                <tr id={`leave-${l.id}`}>
                  <td>
                    <a href={`/people/${l.personId}`}>{l.personName}</a> <code>{l.employeeCode}</code>
                  </td>
                  <td>{l.fromDay}</td>
                  <td>{l.toDay}</td>
                  <td>{LEAVE_KIND_LABELS[l.kind] ?? l.kind}</td>
                  <td>{l.note ?? ""}</td>
                  {props.canEdit && (
                    <td>
                      <DeleteForm action={`/leaves/${l.id}/delete`} confirm={`Delete this leave of ${l.personName}?`} />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <Pager base="/leaves" params={filter} total={props.total} limit={props.limit} offset={props.offset} target="#leaves-table" />
      </div>
      {props.canEdit && (
        <>
          <h2>Record leave</h2>
          <form id="leave-form" class="inline-form" method="post" action={`/leaves${qs(filter)}`} novalidate>
            <PersonPicker id="lf-code" label="Person" name="employeeCode" value={values.employeeCode} personId={values.personId} required error={errors.employeeCode ?? errors.personId} />
            <div>
              <label for="lf-from">First day</label>
              <input id="lf-from" name="from" type="date" value={values.from ?? ""} required aria-invalid={errors.from ? "true" : undefined} />
              <FieldError errors={errors} name="from" />
            </div>
            <div>
              <label for="lf-to">Last day</label>
              <input id="lf-to" name="to" type="date" value={values.to ?? ""} required aria-invalid={errors.to ? "true" : undefined} />
              <FieldError errors={errors} name="to" />
            </div>
            <div>
              <label for="lf-kind">Kind</label>
              <select id="lf-kind" name="kind">
                {Object.entries(LEAVE_KIND_LABELS).map(([k, label]) => (
                  <option value={k} selected={(values.kind ?? "leave") === k}>
                    {label}
                  </option>
                ))}
              </select>
              <FieldError errors={errors} name="kind" />
            </div>
            <div>
              <label for="lf-note">Note</label>
              <input id="lf-note" name="note" value={values.note ?? ""} maxlength={500} />
              <FieldError errors={errors} name="note" />
            </div>
            <div class="actions">
              <button type="submit">Record leave</button>
            </div>
          </form>
        </>
      )}
    </Panel>
  );
}
