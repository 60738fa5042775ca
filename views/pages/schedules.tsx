import { PersonPicker } from "../partials/person-picker";
import type { HolidayRow, LeaveView, ScheduleView } from "../../src/db/repos/schedules";
import type { WeeklyPattern } from "../../src/domain/attendance";
import { WEEKDAY_NAMES } from "../../src/domain/attendance";
import { weekday } from "../../src/domain/time";
import { Panel } from "../layout";
import { FieldError, Flash, Pager, qs } from "../partials/common";

type Option = { id: number; name: string };
export type FormValues = Record<string, string | undefined>;
type Errors = Record<string, string>;

/** Monday first, as people read a week; values are weekday() indexes (0 = Sunday). */
export const WEEK_ORDER = [1, 2, 3, 4, 5, 6, 0] as const;

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

function shiftText(p: WeeklyPattern, i: number): string {
  const s = p[i];
  return s ? `${s.start}–${s.end}${s.end <= s.start ? " (+1)" : ""}` : "off";
}

export function SchedulesPage({ rows, canEdit, flash }: { rows: ScheduleView[]; canEdit: boolean; flash?: string }) {
  return (
    <Panel
      title="Work schedules"
      actions={
        <>
          <a class="btn secondary" href="/holidays">
            Holidays
          </a>
          <a class="btn secondary" href="/leaves">
            Leave
          </a>
          {canEdit && (
            <a class="btn" href="/schedules/new">
              New schedule
            </a>
          )}
        </>
      }
    >
      {flash && <Flash>{flash}</Flash>}
      <p class="muted">A department's schedule applies to its people; a person can have their own schedule instead. People without any schedule are never late or absent.</p>
      {rows.length === 0 ? (
        <p class="muted">No schedules yet.</p>
      ) : (
        <table id="schedules-table">
          <thead>
            <tr>
              <th>Name</th>
              {WEEK_ORDER.map((i) => (
                <th>{WEEKDAY_NAMES[i].slice(0, 3)}</th>
              ))}
              <th>Grace</th>
              <th>Break</th>
              <th>Used by</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((s) => (
              <tr id={`schedule-${s.id}`}>
                <td>
                  <a href={`/schedules/${s.id}`}>{s.name}</a>
                </td>
                {WEEK_ORDER.map((i) => (
                  <td class="nowrap">{shiftText(s.pattern as WeeklyPattern, i)}</td>
                ))}
                <td>{s.graceMinutes} min</td>
                <td>{s.breakMinutes} min</td>
                <td>
                  {s.departmentCount} department{s.departmentCount === 1 ? "" : "s"}, {s.overrideCount} {s.overrideCount === 1 ? "person" : "people"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Panel>
  );
}

export function ScheduleForm({ values = {}, errors = {}, id }: { values?: FormValues; errors?: Errors; id?: number }) {
  const action = id ? `/schedules/${id}` : "/schedules";
  const dayError = (i: number) => errors[`pattern.${i}.start`] ?? errors[`pattern.${i}.end`] ?? errors[`pattern.${i}`];
  return (
    <Panel title={id ? `Edit ${values.name || "schedule"}` : "New schedule"}>
      <form id="schedule-form" method="post" action={action} hx-post={action} hx-target="#schedule-form" hx-select="#schedule-form" hx-swap="outerHTML" novalidate>
        {errors._ && <Flash kind="bad">{errors._}</Flash>}
        {errors.pattern && <Flash kind="bad">{errors.pattern}</Flash>}
        <label for="s-name">Name</label>
        <input id="s-name" name="name" value={values.name ?? ""} required maxlength={120} aria-invalid={errors.name ? "true" : undefined} />
        <FieldError errors={errors} name="name" />
        <table class="week">
          <thead>
            <tr>
              <th>Day</th>
              <th>Works</th>
              <th>Start</th>
              <th>End</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {WEEK_ORDER.map((i) => (
              <tr id={`day-${i}`}>
                <td>{WEEKDAY_NAMES[i]}</td>
                <td>
                  <input type="checkbox" name={`d${i}_on`} value="on" checked={values[`d${i}_on`] === "on"} aria-label={`${WEEKDAY_NAMES[i]} is a working day`} />
                </td>
                <td>
                  <input type="time" name={`d${i}_start`} value={values[`d${i}_start`] ?? ""} aria-label={`${WEEKDAY_NAMES[i]} start`} aria-invalid={errors[`pattern.${i}.start`] ? "true" : undefined} />
                </td>
                <td>
                  <input type="time" name={`d${i}_end`} value={values[`d${i}_end`] ?? ""} aria-label={`${WEEKDAY_NAMES[i]} end`} aria-invalid={errors[`pattern.${i}.end`] ? "true" : undefined} />
                </td>
                <td>{dayError(i) && <div class="field-error">{dayError(i)}</div>}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p class="muted">An end before the start is an overnight shift ending the next morning.</p>
        <div class="form-grid">
          <div>
            <label for="s-grace">Grace (minutes late before it counts)</label>
            <input id="s-grace" name="graceMinutes" type="number" min={0} value={values.graceMinutes ?? "5"} aria-invalid={errors.graceMinutes ? "true" : undefined} />
            <FieldError errors={errors} name="graceMinutes" />
          </div>
          <div>
            <label for="s-break">Break (minutes, deducted after 6 h)</label>
            <input id="s-break" name="breakMinutes" type="number" min={0} value={values.breakMinutes ?? "30"} aria-invalid={errors.breakMinutes ? "true" : undefined} />
            <FieldError errors={errors} name="breakMinutes" />
          </div>
          <div>
            <label for="s-min">Minimum hours per day</label>
            <input id="s-min" name="minHours" type="number" min={0} max={24} step="0.25" value={values.minHours ?? "0"} aria-invalid={errors.minHours ? "true" : undefined} />
            <FieldError errors={errors} name="minHours" />
          </div>
          <div>
            <label for="s-auto">Automatic check-out after (minutes; empty = never)</label>
            <input id="s-auto" name="autoCheckoutMinutes" type="number" min={0} value={values.autoCheckoutMinutes ?? ""} aria-invalid={errors.autoCheckoutMinutes ? "true" : undefined} />
            <FieldError errors={errors} name="autoCheckoutMinutes" />
          </div>
        </div>
        {Object.keys(errors)
          .filter((k) => !/^(_|name|pattern(\.\d(\.(start|end))?)?|graceMinutes|breakMinutes|minHours|autoCheckoutMinutes)$/.test(k))
          .map((k) => (
            <div class="field-error">
              {k}: {errors[k]}
            </div>
          ))}
        <p class="actions">
          <button type="submit">{id ? "Save changes" : "Create schedule"}</button>
          <a class="btn secondary" href={id ? `/schedules/${id}` : "/schedules"}>
            Cancel
          </a>
        </p>
      </form>
    </Panel>
  );
}

export interface ScheduleDetail {
  schedule: ScheduleView;
  departments: { id: number; name: string; peopleCount: number }[];
  people: { rows: { id: number; name: string; employeeCode: string; departmentName: string | null }[]; total: number; limit: number; offset: number };
  allDepartments: Option[];
}

export function SchedulePage({ d, canEdit, flash, errors = {}, assignPerson, recompute }: { d: ScheduleDetail; canEdit: boolean; flash?: string; errors?: Errors; assignPerson?: string; recompute?: RecomputeView }) {
  const s = d.schedule;
  const p = s.pattern as WeeklyPattern;
  return (
    <>
      <Panel
        title={s.name}
        actions={
          <>
            <a class="btn secondary" href="/schedules">
              All schedules
            </a>
            {canEdit && (
              <>
                <a class="btn secondary" href={`/schedules/${s.id}/edit`}>
                  Edit
                </a>
                <form method="post" action={`/schedules/${s.id}/delete`} hx-post={`/schedules/${s.id}/delete`} hx-confirm={`Delete schedule ${s.name}? Its departments and people are left without one.`}>
                  <button class="danger" type="submit">
                    Delete
                  </button>
                </form>
              </>
            )}
          </>
        }
      >
        {flash && <Flash>{flash}</Flash>}
        <RecomputeStatus r={recompute} />
        <table class="week">
          <tbody>
            {WEEK_ORDER.map((i) => (
              <tr>
                <th>{WEEKDAY_NAMES[i]}</th>
                <td>{shiftText(p, i)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <dl class="facts">
          <dt>Grace</dt>
          <dd>{s.graceMinutes} minutes</dd>
          <dt>Break</dt>
          <dd>{s.breakMinutes} minutes (deducted once more than 6 h are worked)</dd>
          <dt>Minimum hours</dt>
          <dd>{s.minHours}</dd>
          <dt>Automatic check-out</dt>
          <dd>{s.autoCheckoutMinutes === null ? "never; a missing check-out makes the day incomplete" : `at the shift end, ${s.autoCheckoutMinutes} minutes after it passed`}</dd>
        </dl>
      </Panel>
      <section class="panel" id="assignments">
        <h2>Departments on this schedule</h2>
        {d.departments.length === 0 ? (
          <p class="muted">No department uses it.</p>
        ) : (
          <table>
            <tbody>
              {d.departments.map((dep) => (
                <tr>
                  <td>
                    <a href={`/people?departmentId=${dep.id}`}>{dep.name}</a>
                  </td>
                  <td>{dep.peopleCount} people</td>
                  {canEdit && (
                    <td>
                      <form method="post" action={`/schedules/${s.id}/unassign`}>
                        <input type="hidden" name="departmentId" value={String(dep.id)} />
                        <button type="submit" class="link danger-link">
                          Remove
                        </button>
                      </form>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {canEdit && (
          <form class="inline-form" method="post" action={`/schedules/${s.id}/assign`}>
            <div>
              <label for="assign-dept">Give a department this schedule</label>
              <select id="assign-dept" name="departmentId">
                <option value="">Choose a department</option>
                {d.allDepartments.map((o) => (
                  <option value={String(o.id)}>{o.name}</option>
                ))}
              </select>
              <FieldError errors={errors} name="departmentId" />
            </div>
            <div class="actions">
              <button type="submit">Assign</button>
            </div>
          </form>
        )}
        <h2>People with this schedule as their own</h2>
        {d.people.total === 0 ? (
          <p class="muted">Nobody has it as a personal schedule.</p>
        ) : (
          <div id="override-table">
            <table>
              <tbody>
                {d.people.rows.map((x) => (
                  <tr>
                    <td>
                      <a href={`/people/${x.id}`}>{x.name}</a>
                    </td>
                    <td>
                      <code>{x.employeeCode}</code>
                    </td>
                    <td>{x.departmentName ?? ""}</td>
                    {canEdit && (
                      <td>
                        <form method="post" action={`/schedules/${s.id}/unassign`}>
                          <input type="hidden" name="personId" value={String(x.id)} />
                          <button type="submit" class="link danger-link">
                            Back to department schedule
                          </button>
                        </form>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager base={`/schedules/${s.id}`} params={{}} total={d.people.total} limit={d.people.limit} offset={d.people.offset} target="#override-table" />
          </div>
        )}
        {canEdit && (
          <form class="inline-form" method="post" action={`/schedules/${s.id}/assign`}>
            <PersonPicker id="assign-person" label="Give a person this schedule" name="employeeCode" value={assignPerson} error={errors.employeeCode} />
            <div class="actions">
              <button type="submit">Assign</button>
            </div>
          </form>
        )}
      </section>
    </>
  );
}

export function HolidaysPage({ rows, year, canEdit, values = {}, errors = {}, flash, recompute }: { rows: HolidayRow[]; year: number; canEdit: boolean; values?: FormValues; errors?: Errors; flash?: string; recompute?: RecomputeView }) {
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
                    <form method="post" action={`/holidays/${h.id}/delete`} hx-post={`/holidays/${h.id}/delete`} hx-confirm={`Delete the holiday ${h.name} on ${h.day}?`}>
                      <button type="submit" class="link danger-link">
                        Delete
                      </button>
                    </form>
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

export const LEAVE_KIND_LABELS: Record<string, string> = { leave: "Leave", vacation: "Vacation", sick: "Sick", unpaid: "Unpaid leave", training: "Training" };

export function LeavesPage(props: {
  rows: LeaveView[];
  total: number;
  limit: number;
  offset: number;
  filter: { person?: string; from?: string; to?: string };
  canEdit: boolean;
  /** Why the person filter matches nobody (or several people). */
  personProblem?: string;
  filterPersonId?: string;
  values?: FormValues;
  errors?: Errors;
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
                      <form method="post" action={`/leaves/${l.id}/delete`} hx-post={`/leaves/${l.id}/delete`} hx-confirm={`Delete this leave of ${l.personName}?`}>
                        <button type="submit" class="link danger-link">
                          Delete
                        </button>
                      </form>
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
