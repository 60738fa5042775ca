import type { Child } from "hono/jsx";
import type { DepartmentView, PersonView } from "../../src/db/repos/people";
import type { ImportReport, PeopleQuery } from "../../src/services/schemas";
import { Panel } from "../layout";
import { DeleteForm, FieldError, Flash, Pager, fmtDateTime, qs } from "../partials/common";

type Option = { id: number; name: string };
export type FormValues = Record<string, string | undefined>;

function filterParams(q: PeopleQuery) {
  return { q: q.q, departmentId: q.departmentId === null ? "none" : q.departmentId, active: q.active, sort: q.sort === "name" ? undefined : q.sort };
}

export function PeoplePage(props: { query: PeopleQuery; rows: PersonView[]; total: number; departments: Option[]; canEdit: boolean; flash?: string }) {
  const { query, departments, canEdit } = props;
  const exportHref = `/people/export.csv${qs(filterParams(query))}`;
  return (
    <Panel
      title="People"
      actions={
        <>
          <a class="btn secondary" href={exportHref} download>
            Export CSV
          </a>
          {canEdit && (
            <a class="btn secondary" href="/people/import">
              Import CSV
            </a>
          )}
          <a class="btn secondary" href="/departments">
            Departments
          </a>
          {canEdit && (
            <a class="btn" href="/people/new">
              Add person
            </a>
          )}
        </>
      }
    >
      {props.flash && <Flash>{props.flash}</Flash>}
      <form class="filters" method="get" action="/people" role="search" hx-get="/people" hx-trigger="input delay:300ms, submit" hx-target="#people-table" hx-select="#people-table" hx-swap="outerHTML" hx-push-url="true">
        <div>
          <label for="q">Search</label>
          <input id="q" name="q" type="search" value={query.q ?? ""} placeholder="Name, code or e-mail" autocomplete="off" />
        </div>
        <div>
          <label for="departmentId">Department</label>
          <select id="departmentId" name="departmentId">
            <option value="">All departments</option>
            <option value="none" selected={query.departmentId === null}>
              No department
            </option>
            {departments.map((d) => (
              <option value={String(d.id)} selected={query.departmentId === d.id}>
                {d.name}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="active">Status</label>
          <select id="active" name="active">
            <option value="">Active and inactive</option>
            <option value="true" selected={query.active === true}>
              Active
            </option>
            <option value="false" selected={query.active === false}>
              Inactive
            </option>
          </select>
        </div>
        <div>
          <label for="sort">Sort by</label>
          <select id="sort" name="sort">
            {(["name", "code", "department", "created"] as const).map((s) => (
              <option value={s} selected={query.sort === s}>
                {{ name: "Name", code: "Employee code", department: "Department", created: "Newest first" }[s]}
              </option>
            ))}
          </select>
        </div>
        <input type="hidden" name="limit" value={String(query.limit)} />
        <noscript>
          <button type="submit">Filter</button>
        </noscript>
      </form>
      <PeopleTable {...props} />
    </Panel>
  );
}

export function PeopleTable({ query, rows, total, canEdit }: { query: PeopleQuery; rows: PersonView[]; total: number; canEdit: boolean }) {
  return (
    <div id="people-table">
      {rows.length === 0 ? (
        <p class="muted">{total === 0 && !query.q && query.departmentId == null && query.active === undefined ? "No people yet. Add someone or import a CSV file." : "Nobody matches these filters."}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Code</th>
              <th>Department</th>
              <th>E-mail</th>
              <th>Faces</th>
              <th>Status</th>
              {canEdit && <th />}
            </tr>
          </thead>
          <tbody>
            {rows.map((p) => (
              <tr id={`person-${p.id}`}>
                <td>
                  <a href={`/people/${p.id}`}>{p.name}</a>
                </td>
                <td>
                  <code>{p.employeeCode}</code>
                </td>
                <td>{p.departmentName ?? <span class="muted">—</span>}</td>
                <td>{p.email ?? ""}</td>
                <td>{p.faceCount}</td>
                <td>
                  {p.active ? <span class="badge ok">active</span> : <span class="badge">inactive</span>}{" "}
                  {!p.consentAt && <span class="badge warn" title="No consent to face enrollment recorded">no consent</span>}
                </td>
                {canEdit && (
                  <td>
                    <a href={`/people/${p.id}/edit`}>Edit</a>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager base="/people" params={filterParams(query)} total={total} limit={query.limit} offset={query.offset} target="#people-table" />
    </div>
  );
}

export function PersonForm({ values = {}, errors = {}, departments, personId }: { values?: FormValues; errors?: Record<string, string>; departments: Option[]; personId?: number }) {
  const action = personId ? `/people/${personId}` : "/people";
  return (
    <Panel title={personId ? `Edit ${values.name ?? "person"}` : "Add person"}>
      <form id="person-form" method="post" action={action} hx-post={action} hx-target="#person-form" hx-select="#person-form" hx-swap="outerHTML" novalidate>
        {errors._ && <Flash kind="bad">{errors._}</Flash>}
        <div class="form-grid">
          <div>
            <label for="name">Name</label>
            <input id="name" name="name" value={values.name ?? ""} required maxlength={200} aria-invalid={errors.name ? "true" : undefined} style="width:100%" />
            <FieldError errors={errors} name="name" />
          </div>
          <div>
            <label for="employeeCode">Employee code</label>
            <input id="employeeCode" name="employeeCode" value={values.employeeCode ?? ""} required maxlength={64} aria-invalid={errors.employeeCode ? "true" : undefined} style="width:100%" />
            <FieldError errors={errors} name="employeeCode" />
          </div>
          <div>
            <label for="departmentId">Department</label>
            <select id="departmentId" name="departmentId" style="width:100%">
              <option value="">No department</option>
              {departments.map((d) => (
                <option value={String(d.id)} selected={values.departmentId === String(d.id)}>
                  {d.name}
                </option>
              ))}
            </select>
            <FieldError errors={errors} name="departmentId" />
          </div>
          <div>
            <label for="email">E-mail (optional)</label>
            <input id="email" name="email" type="email" value={values.email ?? ""} maxlength={200} style="width:100%" />
            <FieldError errors={errors} name="email" />
          </div>
        </div>
        <label for="notes">Notes</label>
        <textarea id="notes" name="notes" rows={3} maxlength={2000} style="width:100%">
          {values.notes ?? ""}
        </textarea>
        <FieldError errors={errors} name="notes" />
        <label class="check">
          <input type="checkbox" name="active" value="on" checked={values.active !== "off"} /> Active (expected at work and recognised)
        </label>
        {!personId && (
          <label class="check">
            <input type="checkbox" name="consent" value="on" checked={values.consent === "on"} /> The person has consented to face enrollment (you are recorded as the witness)
          </label>
        )}
        <p class="actions">
          <button type="submit">{personId ? "Save changes" : "Add person"}</button>
          <a class="btn secondary" href={personId ? `/people/${personId}` : "/people"}>
            Cancel
          </a>
        </p>
      </form>
    </Panel>
  );
}

export function PersonPage({ person: p, canEdit, tz, children, flash }: { person: PersonView; canEdit: boolean; tz: string; children?: Child; flash?: string }) {
  return (
    <>
      <Panel
        title={p.name}
        actions={
          canEdit && (
            <>
              <a class="btn secondary" href={`/people/${p.id}/edit`}>
                Edit
              </a>
              <form method="post" action={`/people/${p.id}/delete`} hx-post={`/people/${p.id}/delete`} hx-confirm={`Delete ${p.name}? Their faces, attendance events, photos and the camera faces linked to them are erased for good; the audit log keeps a pseudonym.`}>
                <button class="danger" type="submit">
                  Delete
                </button>
              </form>
            </>
          )
        }
      >
        {flash && <Flash>{flash}</Flash>}
        <dl class="facts">
          <dt>Employee code</dt>
          <dd>
            <code>{p.employeeCode}</code>
          </dd>
          <dt>Department</dt>
          <dd>{p.departmentName ?? "—"}</dd>
          <dt>E-mail</dt>
          <dd>{p.email ?? "—"}</dd>
          <dt>Status</dt>
          <dd>{p.active ? "Active" : "Inactive"}</dd>
          <dt>Notes</dt>
          <dd class="pre">{p.notes ?? "—"}</dd>
          <dt>Added</dt>
          <dd>{fmtDateTime(p.createdAt, tz)}</dd>
        </dl>
      </Panel>
      <ConsentPanel person={p} canEdit={canEdit} tz={tz} />
      {children}
    </>
  );
}

export function ConsentPanel({ person: p, canEdit, tz }: { person: PersonView; canEdit: boolean; tz: string }) {
  return (
    <section class="panel" id="consent">
      <h2>Consent to face recognition</h2>
      {p.consentAt ? (
        <p>
          Recorded {fmtDateTime(p.consentAt, tz)} by {p.consentBy}.
        </p>
      ) : (
        <p class="muted">No consent recorded. Faces cannot be enrolled until it is.</p>
      )}
      {canEdit && (
        <form method="post" action={`/people/${p.id}/consent`} hx-post={`/people/${p.id}/consent`} hx-target="#consent" hx-select="#consent" hx-swap="outerHTML">
          <input type="hidden" name="consent" value={p.consentAt ? "off" : "on"} />
          <button type="submit" class={p.consentAt ? "secondary" : ""}>
            {p.consentAt ? "Withdraw consent" : "Record consent now"}
          </button>
        </form>
      )}
    </section>
  );
}

export interface ImportJobView {
  id: string;
  done: number;
  total: number;
  finished: boolean;
  error?: string;
  report?: ImportReport;
}

export function ImportPage({ error, job }: { error?: string; job?: ImportJobView }) {
  return (
    <Panel title="Import people from CSV">
      <p>
        The first line must name the columns. Required: <code>employee_code</code>, <code>name</code>. Optional: <code>department</code> (created when new), <code>email</code>, <code>active</code> (yes/no),{" "}
        <code>notes</code>. Rows whose employee code already exists update that person. Consent is never imported: record it on the person's page.
      </p>
      <p>
        <a href="/people/import/template.csv" download>
          Download a template
        </a>
      </p>
      <form method="post" action="/people/import" enctype="multipart/form-data" hx-post="/people/import" hx-target="#import-status" hx-select="#import-status" hx-swap="outerHTML">
        <label for="file">CSV file (comma or semicolon separated; UTF-8, UTF-16 or Windows-1252)</label>
        <input id="file" name="file" type="file" accept=".csv,text/csv" required />
        <p>
          <button type="submit">Import</button>
        </p>
      </form>
      <ImportStatus job={job} error={error} />
    </Panel>
  );
}

export function ImportStatus({ job, error }: { job?: ImportJobView; error?: string }) {
  if (!job) return <div id="import-status">{error && <Flash kind="bad">{error}</Flash>}</div>;
  const poll = !job.finished ? { "hx-get": `/people/import/${job.id}`, "hx-trigger": "load delay:500ms", "hx-target": "#import-status", "hx-select": "#import-status", "hx-swap": "outerHTML" } : {};
  const r = job.report;
  return (
    <div id="import-status" data-job={job.id} {...poll}>
      {!job.finished && (
        <>
          <p>
            Importing… {job.done} of {job.total} rows
          </p>
          <progress max={job.total || 1} value={job.done} />
        </>
      )}
      {job.error && <Flash kind="bad">{job.error}</Flash>}
      {r && (
        <>
          <Flash kind={r.failed ? "bad" : "ok"}>
            {r.created} created, {r.updated} updated, {r.failed} failed.
          </Flash>
          {r.encoding && <p class="muted">The file was read as {r.encoding}.</p>}
          {r.failed > 0 && (
            <table>
              <thead>
                <tr>
                  <th>Line</th>
                  <th>Employee code</th>
                  <th>Problem</th>
                </tr>
              </thead>
              <tbody>
                {r.rows
                  .filter((x) => x.status === "failed")
                  .map((x) => (
                    <tr>
                      <td>{x.line}</td>
                      <td>{x.employeeCode ?? "—"}</td>
                      <td>{x.error}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
          )}
          <p>
            <a href="/people">Back to people</a>
          </p>
        </>
      )}
    </div>
  );
}

export function DepartmentsPage({ rows, total, q, limit, offset, canEdit, values, errors, editing }: { rows: DepartmentView[]; total: number; q?: string; limit: number; offset: number; canEdit: boolean; values?: FormValues; errors?: Record<string, string>; editing?: number }) {
  return (
    <Panel title="Departments" actions={<a class="btn secondary" href="/people">People</a>}>
      <form class="filters" method="get" action="/departments" role="search" hx-get="/departments" hx-trigger="input delay:300ms, submit" hx-target="#departments-table" hx-select="#departments-table" hx-swap="outerHTML" hx-push-url="true">
        <div>
          <label for="dq">Search</label>
          <input id="dq" name="q" type="search" value={q ?? ""} autocomplete="off" />
        </div>
      </form>
      <div id="departments-table">
        {rows.length === 0 ? (
          <p class="muted">{q ? "No department matches." : "No departments yet."}</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Description</th>
                <th>People</th>
                {canEdit && <th />}
              </tr>
            </thead>
            <tbody>
              {rows.map((d) =>
                editing === d.id ? (
                  <tr id={`department-${d.id}`}>
                    <td colspan={canEdit ? 4 : 3}>
                      <DepartmentForm values={values ?? { name: d.name, description: d.description ?? "" }} errors={errors} id={d.id} />
                    </td>
                  </tr>
                ) : (
                  <tr id={`department-${d.id}`}>
                    <td>
                      <a href={`/people?departmentId=${d.id}`}>{d.name}</a>
                    </td>
                    <td>{d.description ?? ""}</td>
                    <td>{d.peopleCount}</td>
                    {canEdit && (
                      <td class="actions">
                        <a href={`/departments?edit=${d.id}`}>Edit</a>
                        <DeleteForm action={`/departments/${d.id}/delete`} confirm={`Delete department ${d.name}? Its ${d.peopleCount} people stay, without a department.`} />
                      </td>
                    )}
                  </tr>
                ),
              )}
            </tbody>
          </table>
        )}
        <Pager base="/departments" params={{ q }} total={total} limit={limit} offset={offset} target="#departments-table" />
      </div>
      {canEdit && editing === undefined && (
        <>
          <h2>Add department</h2>
          <DepartmentForm values={values} errors={errors} />
        </>
      )}
    </Panel>
  );
}

export function DepartmentForm({ values = {}, errors = {}, id }: { values?: FormValues; errors?: Record<string, string>; id?: number }) {
  const action = id ? `/departments/${id}` : "/departments";
  const formId = id ? `department-form-${id}` : "department-form";
  return (
    <form id={formId} class="inline-form" method="post" action={action} hx-post={action} hx-target={`#${formId}`} hx-select={`#${formId}`} hx-swap="outerHTML" novalidate>
      <div>
        <label for={`${formId}-name`}>Name</label>
        <input id={`${formId}-name`} name="name" value={values.name ?? ""} required maxlength={120} />
        <FieldError errors={errors} name="name" />
      </div>
      <div>
        <label for={`${formId}-description`}>Description</label>
        <input id={`${formId}-description`} name="description" value={values.description ?? ""} maxlength={1000} />
        <FieldError errors={errors} name="description" />
      </div>
      <div class="actions">
        <button type="submit">{id ? "Save" : "Add department"}</button>
        {id && (
          <a class="btn secondary" href="/departments">
            Cancel
          </a>
        )}
      </div>
    </form>
  );
}
