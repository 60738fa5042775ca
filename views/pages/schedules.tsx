import { PersonPicker } from "../partials/person-picker";
import type { WeeklyPattern } from "../../src/domain/attendance";
import { WEEKDAY_NAMES } from "../../src/domain/attendance";
import { Panel } from "../layout";
import { FieldError, Flash, Pager, type FormErrors, type FormValues } from "../partials/common";
import { RecomputeStatus, type RecomputeView } from "../partials/recompute";

type Option = { id: number; name: string };

/** A schedule as the pages show it, with how many departments and people use it. */
export interface ScheduleItem {
  id: number;
  name: string;
  /** A WeeklyPattern (stored as JSON). */
  pattern: unknown;
  graceMinutes: number;
  breakMinutes: number;
  minHours: number;
  autoCheckoutMinutes: number | null;
  departmentCount: number;
  overrideCount: number;
}

/** Monday first, as people read a week; values are weekday() indexes (0 = Sunday). */
export const WEEK_ORDER = [1, 2, 3, 4, 5, 6, 0] as const;

function shiftText(p: WeeklyPattern, i: number): string {
  const s = p[i];
  return s ? `${s.start}–${s.end}${s.end <= s.start ? " (+1)" : ""}` : "off";
}

export function SchedulesPage({ rows, canEdit, flash }: { rows: ScheduleItem[]; canEdit: boolean; flash?: string }) {
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

export function ScheduleForm({ values = {}, errors = {}, id }: { values?: FormValues; errors?: FormErrors; id?: number }) {
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
  schedule: ScheduleItem;
  departments: { id: number; name: string; peopleCount: number }[];
  people: { rows: { id: number; name: string; employeeCode: string; departmentName: string | null }[]; total: number; limit: number; offset: number };
  allDepartments: Option[];
}

export function SchedulePage({ d, canEdit, flash, errors = {}, assignPerson, recompute }: { d: ScheduleDetail; canEdit: boolean; flash?: string; errors?: FormErrors; assignPerson?: string; recompute?: RecomputeView }) {
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
