import { PersonPicker } from "../partials/person-picker";
import type { EventView } from "../../src/db/repos/attendance";
import { formatClock, localDay } from "../../src/domain/time";
import { Panel } from "../layout";
import { FieldError, Flash, Pager } from "../partials/common";

type Option = { id: number; name: string };
export type FormValues = Record<string, string | undefined>;

/** The list's filters as they appear in links (empty ones left out). */
export interface EventFilterParams {
  from?: string;
  to?: string;
  person?: string;
  personId?: number;
  departmentId?: number;
  cameraId?: number;
  source?: string;
  includeVoided?: boolean;
  limit: number;
  offset: number;
}

const SOURCE_LABELS: Record<string, string> = { camera: "camera", kiosk: "kiosk", manual: "manual" };

function linkParams(f: EventFilterParams) {
  return { from: f.from, to: f.to, person: f.person, personId: f.person ? undefined : f.personId, departmentId: f.departmentId, cameraId: f.cameraId, source: f.source, includeVoided: f.includeVoided || undefined };
}

export function AttendancePage(props: {
  filter: EventFilterParams;
  rows: EventView[];
  total: number;
  departments: Option[];
  cameras: Option[];
  canEdit: boolean;
  isAdmin: boolean;
  tz: string;
  flash?: string;
  problem?: string;
}) {
  const { filter: f, departments, cameras, canEdit, isAdmin } = props;
  return (
    <Panel
      title="Attendance events"
      actions={
        <>
          <a class="btn secondary" href="/schedules">
            Schedules
          </a>
          <a class="btn secondary" href="/holidays">
            Holidays
          </a>
          <a class="btn secondary" href="/leaves">
            Leave
          </a>
          {canEdit && (
            <a class="btn" href="/attendance/new">
              Add event
            </a>
          )}
        </>
      }
    >
      {props.flash && <Flash>{props.flash}</Flash>}
      <form class="filters" method="get" action="/attendance" role="search" hx-get="/attendance" hx-trigger="change, submit" hx-target="#events-table" hx-select="#events-table" hx-swap="outerHTML" hx-push-url="true">
        <div>
          <label for="f-from">From</label>
          <input id="f-from" name="from" type="date" value={f.from ?? ""} />
        </div>
        <div>
          <label for="f-to">To</label>
          <input id="f-to" name="to" type="date" value={f.to ?? ""} />
        </div>
        <PersonPicker id="f-person" label="Person" name="person" value={f.person} personId={f.personId} placeholder="Everyone" />
        <div>
          <label for="f-dept">Department</label>
          <select id="f-dept" name="departmentId">
            <option value="">All departments</option>
            {departments.map((d) => (
              <option value={String(d.id)} selected={f.departmentId === d.id}>
                {d.name}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="f-camera">Camera</label>
          <select id="f-camera" name="cameraId">
            <option value="">All cameras</option>
            {cameras.map((c) => (
              <option value={String(c.id)} selected={f.cameraId === c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="f-source">Source</label>
          <select id="f-source" name="source">
            <option value="">All sources</option>
            {Object.keys(SOURCE_LABELS).map((s) => (
              <option value={s} selected={f.source === s}>
                {SOURCE_LABELS[s]}
              </option>
            ))}
          </select>
        </div>
        {isAdmin && (
          <label class="check">
            <input type="checkbox" name="includeVoided" value="true" checked={!!f.includeVoided} /> Show voided
          </label>
        )}
        <input type="hidden" name="limit" value={String(f.limit)} />
        <div>
          <button type="submit">Filter</button>
        </div>
      </form>
      <EventsTable {...props} />
    </Panel>
  );
}

export function EventsTable({ filter: f, rows, total, canEdit, tz, problem }: { filter: EventFilterParams; rows: EventView[]; total: number; canEdit: boolean; tz: string; problem?: string }) {
  return (
    <div id="events-table">
      {problem && <Flash kind="bad">{problem}</Flash>}
      {rows.length === 0 ? (
        <p class="muted">{problem ? "" : "No events match these filters."}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Day</th>
              <th>Time</th>
              <th>Person</th>
              <th>Department</th>
              <th>Event</th>
              <th>Source</th>
              <th>Evidence</th>
              <th>Note</th>
              {canEdit && <th />}
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => (
              <tr id={`event-${e.id}`} class={e.voidedAt ? "voided" : undefined}>
                <td class="nowrap">{localDay(e.ts, tz)}</td>
                <td>{formatClock(e.ts, tz)}</td>
                <td>
                  <a href={`/people/${e.personId}`}>{e.personName}</a> <code>{e.employeeCode}</code>
                </td>
                <td>{e.departmentName ?? ""}</td>
                <td>
                  {e.kind === "check_in" ? "check-in" : "check-out"} {e.voidedAt && <span class="badge bad">voided</span>}
                </td>
                <td>
                  {e.source}
                  {e.cameraName ? ` · ${e.cameraName}` : ""}
                  {e.similarity !== null ? ` · ${e.similarity.toFixed(2)}` : ""}
                </td>
                <td>{e.evidencePath && <img src={`/attendance/${e.id}/evidence`} alt={`Photo at ${formatClock(e.ts, tz)}`} width={48} height={48} loading="lazy" class="evidence" />}</td>
                <td class="note">
                  {e.reason ?? ""}
                  {e.voidedAt && (
                    <div class="muted">
                      Voided by {e.voidedBy}: {e.voidReason}
                    </div>
                  )}
                </td>
                {canEdit && <td>{!e.voidedAt && <a href={`/attendance/${e.id}/edit`}>Correct</a>}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager base="/attendance" params={linkParams(f)} total={total} limit={f.limit} offset={f.offset} target="#events-table" />
    </div>
  );
}

/** Add a manual event, or correct one (`event` given): a camera event is voided and replaced. */
export function EventForm({ values = {}, errors = {}, event, tz }: { values?: FormValues; errors?: Record<string, string>; event?: EventView; tz: string }) {
  const action = event ? `/attendance/${event.id}` : "/attendance";
  return (
    <Panel title={event ? `Correct event ${event.id}` : "Add an attendance event"}>
      {event && (
        <p>
          {event.personName} ({event.employeeCode}), {event.kind === "check_in" ? "check-in" : "check-out"} on {localDay(event.ts, tz)} at {formatClock(event.ts, tz)}, from {event.source}
          {event.cameraName ? ` (${event.cameraName})` : ""}.{" "}
          {event.source === "manual" ? "This manual event is changed in place; the audit log keeps the old values." : "Camera and kiosk events are never changed: this one is voided and a manual event with your values replaces it."}
        </p>
      )}
      <form id="event-form" method="post" action={action} hx-post={action} hx-target="#event-form" hx-select="#event-form" hx-swap="outerHTML" novalidate>
        {errors._ && <Flash kind="bad">{errors._}</Flash>}
        <div class="form-grid">
          <PersonPicker id="e-code" label="Person" name="employeeCode" value={values.employeeCode} personId={values.personId} required error={errors.employeeCode ?? errors.personId} />
          <div>
            <label for="e-kind">Event</label>
            <select id="e-kind" name="kind">
              <option value="check_in" selected={values.kind !== "check_out"}>
                check-in
              </option>
              <option value="check_out" selected={values.kind === "check_out"}>
                check-out
              </option>
            </select>
            <FieldError errors={errors} name="kind" />
          </div>
          <div>
            <label for="e-ts">Date and time ({tz})</label>
            <input id="e-ts" name="at" type="datetime-local" value={values.at ?? ""} required aria-invalid={errors.ts ? "true" : undefined} />
            <FieldError errors={errors} name="ts" />
          </div>
        </div>
        <label for="e-reason">Reason (required)</label>
        <input id="e-reason" name="reason" value={values.reason ?? ""} required maxlength={500} style="width:100%" aria-invalid={errors.reason ? "true" : undefined} />
        <FieldError errors={errors} name="reason" />
        <p class="actions">
          <button type="submit">{event ? "Save correction" : "Add event"}</button>
          <a class="btn secondary" href="/attendance">
            Cancel
          </a>
        </p>
      </form>
      {event && (
        <>
          <h2>Void this event</h2>
          <p class="muted">A voided event no longer counts; it stays on record and admins can still see it.</p>
          <form id="void-form" class="inline-form" method="post" action={`/attendance/${event.id}/void`} hx-post={`/attendance/${event.id}/void`} hx-target="#void-form" hx-select="#void-form" hx-swap="outerHTML" novalidate>
            <div>
              <label for="v-reason">Reason (required)</label>
              <input id="v-reason" name="reason" value={values.voidReason ?? ""} required maxlength={500} aria-invalid={errors.voidReason ? "true" : undefined} />
              <FieldError errors={errors} name="voidReason" />
            </div>
            <div class="actions">
              <button type="submit" class="danger">
                Void
              </button>
            </div>
          </form>
        </>
      )}
    </Panel>
  );
}
