import type { Context } from "hono";
import { DepartmentsPage, ImportPage, type ImportJobView, PeoplePage, PersonForm, PersonPage, type FormValues } from "../../views/pages/people";
import type { AppDeps, AppEnv } from "../app-env";
import { csvRow, decodeCsv, ENCODING_NAMES } from "../domain/csv";
import { HttpError, fieldErrors, formFields, idParam } from "../lib/http";
import type { ImportReport } from "../services/schemas";
import { EnrollRejected } from "../services/faces";
import { CSV_COLUMNS } from "../services/people";
import { departmentCreateSchema, listQuerySchema, peopleQuerySchema, personCreateSchema, personPatchSchema, type PeopleQuery } from "../services/schemas";
import { actorOf, canEdit, redirectAfterPost, type Router } from "./router";
import { FacesPanel, type UploadOutcome } from "../../views/pages/faces";

const FLASH: Record<string, string> = { created: "Person added.", saved: "Changes saved.", consent: "Consent recorded." };

/** Query string → people filter; nonsense values fall back to defaults instead of failing the page. */
export function peopleQuery(c: Context): PeopleQuery {
  const raw = c.req.query();
  const r = peopleQuerySchema.safeParse(raw);
  if (r.success) return r.data;
  const clean: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (!r.error.issues.some((i) => i.path[0] === k)) clean[k] = v;
  return peopleQuerySchema.parse(clean);
}

function personFromForm(f: Record<string, string>, withConsent: boolean) {
  return {
    name: f.name ?? "",
    employeeCode: f.employeeCode ?? "",
    departmentId: f.departmentId ?? "",
    email: f.email ?? "",
    notes: f.notes ?? "",
    active: f.active === "on",
    ...(withConsent ? { consent: f.consent === "on" } : {}),
  };
}

function formValues(f: Record<string, string>): FormValues {
  return { ...f, active: f.active === "on" ? "on" : "off" };
}

async function streamCsv(c: Context, filename: string, rows: AsyncGenerator<string>) {
  const enc = new TextEncoder();
  const body = new ReadableStream({
    async pull(ctrl) {
      const { value, done } = await rows.next();
      if (done) ctrl.close();
      else ctrl.enqueue(enc.encode(value));
    },
  });
  return c.body(body, 200, { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": `attachment; filename="${filename}"` });
}

export function registerPeopleRoutes(r: Router, deps: AppDeps) {
  const { services, config } = deps;
  const people = services.people;

  r.get("/people", "viewer", async (c) => {
    const query = peopleQuery(c);
    const [{ rows, total }, departments] = await Promise.all([people.list(query), people.departmentOptions()]);
    const flash = FLASH[c.req.query("done") ?? ""];
    return c.get("render").page("People", <PeoplePage query={query} rows={rows} total={total} departments={departments} canEdit={canEdit(c)} flash={flash} />, { active: "people" });
  });

  r.get("/people/export.csv", "viewer", async (c) => {
    const { limit: _l, offset: _o, ...filter } = peopleQuery(c);
    return streamCsv(c, "people.csv", people.exportCsv(filter));
  });

  r.get("/people/new", "operator", async (c) => {
    return c.get("render").page("Add person", <PersonForm departments={await people.departmentOptions()} values={{ departmentId: c.req.query("departmentId") }} />, { active: "people" });
  });

  r.post("/people", "operator", async (c) => {
    const f = await formFields(c);
    const parsed = personCreateSchema.safeParse(personFromForm(f, true));
    const again = async (errors: Record<string, string>) =>
      c.get("render").page("Add person", <PersonForm departments={await people.departmentOptions()} values={formValues(f)} errors={errors} />, { status: 422, active: "people" });
    if (!parsed.success) return again(fieldErrors(parsed.error));
    try {
      const p = await people.create(parsed.data, actorOf(c));
      return redirectAfterPost(c, `/people/${p.id}?done=created`);
    } catch (e) {
      if (e instanceof HttpError && e.status === 422) return again((e.details?.fields as Record<string, string>) ?? { _: e.message });
      throw e;
    }
  });

  r.get("/people/import", "operator", (c) => c.get("render").page("Import people", <ImportPage />, { active: "people" }));

  r.get("/people/import/template.csv", "operator", (c) =>
    c.body(csvRow([...CSV_COLUMNS].slice(0, 6)) + csvRow(["E-0001", "Ada Lovelace", "Engineering", "ada@example.com", "yes", ""]), 200, {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": 'attachment; filename="people-template.csv"',
    }),
  );

  r.post("/people/import", "operator", async (c) => {
    const body = await c.req.parseBody();
    const file = body.file;
    const fail = (msg: string) => c.get("render").page("Import people", <ImportPage error={msg} />, { status: 422, active: "people" });
    if (!(file instanceof File) || file.size === 0) return fail("Choose a CSV file to import.");
    const decoded = decodeCsv(new Uint8Array(await file.arrayBuffer()));
    if ("error" in decoded) return fail(`${decoded.error}. Save it from your spreadsheet as “CSV UTF-8”.`);
    const encoding = ENCODING_NAMES[decoded.encoding];
    const actor = actorOf(c);
    const job = services.jobs.start<ImportReport>(
      "people-import",
      c.get("user")!.id,
      async (progress) => ({ encoding, ...(await people.importCsv(decoded.text, actor, progress)) }),
      (e) => (e instanceof HttpError ? e.message : null),
    );
    await Bun.sleep(0);
    const view: ImportJobView = { id: job.id, done: job.done, total: job.total, finished: job.finished, error: job.error, report: job.result };
    return c.get("render").page("Import people", <ImportPage job={view} />, { status: 202, active: "people" });
  });

  r.get("/people/import/:job", "operator", async (c) => {
    const job = services.jobs.get<ImportReport>(c.req.param("job") ?? "", c.get("user")!.id);
    if (!job) throw new HttpError(404, "This import is unknown or too old");
    const view: ImportJobView = { id: job.id, done: job.done, total: job.total, finished: job.finished, error: job.error, report: job.result };
    return c.get("render").page("Import people", <ImportPage job={view} />, { active: "people" });
  });

  const personPage = async (c: Context<AppEnv>, id: number, extra: { outcomes?: UploadOutcome[]; flash?: string } = {}) => {
    const p = await people.get(id);
    const faceRows = await services.faces.listFaces(id);
    const edit = canEdit(c);
    return c.get("render").page(
      p.name,
      <PersonPage person={p} canEdit={edit} tz={config.TZ} flash={extra.flash}>
        <FacesPanel personId={id} faces={faceRows} canEdit={edit} consent={!!p.consentAt} engineReady={services.faces.status().ready} outcomes={extra.outcomes} />
      </PersonPage>,
      { active: "people" },
    );
  };

  r.get("/people/:id", "viewer", (c) => personPage(c, idParam(c), { flash: FLASH[c.req.query("done") ?? ""] }));

  r.get("/people/:id/faces/:file", "viewer", async (c) => {
    const m = /^(\d{1,9})\.jpg$/.exec(c.req.param("file") ?? "");
    if (!m) throw new HttpError(404, "No such face");
    const crop = await services.faces.cropBytes(idParam(c), Number(m[1]));
    return new Response(crop as Uint8Array<ArrayBuffer>, { headers: { "Content-Type": "image/jpeg", "Cache-Control": "private, max-age=3600" } });
  });

  r.post("/people/:id/faces", "operator", async (c) => {
    const id = idParam(c);
    await people.get(id);
    const body = await c.req.parseBody({ all: true });
    const files = ([] as unknown[]).concat(body.image ?? []).filter((f): f is File => f instanceof File && f.size > 0);
    if (files.length === 0) return personPage(c, id, { outcomes: [{ file: "—", ok: false, message: "Choose one or more photos first." }] });
    const outcomes: UploadOutcome[] = [];
    for (const f of files.slice(0, 20)) {
      const bytes = new Uint8Array(await f.arrayBuffer());
      try {
        const r = await services.faces.enroll(id, bytes, actorOf(c), "upload");
        outcomes.push({ file: f.name, ok: true, message: `enrolled (face ${Math.round(r.quality.faceSize)} px)` });
      } catch (e) {
        if (!(e instanceof HttpError) || e.status >= 500) throw e;
        // Refused only as a photo of a photo: held so the operator can accept it with one click.
        const held = e instanceof EnrollRejected && e.acceptable ? (services.heldUploads.hold({ personId: id, userId: c.get("user")!.id, file: f.name, bytes }) ?? undefined) : undefined;
        outcomes.push({ file: f.name, ok: false, message: e.message, held });
      }
    }
    if (files.length > 20) outcomes.push({ file: `${files.length - 20} more`, ok: false, message: "At most 20 photos per upload; send the rest again." });
    return personPage(c, id, { outcomes });
  });

  // One click (confirmed in the browser) on a photo refused only as a photo of a photo; audited as accept_spoof.
  r.post("/people/:id/faces/accept", "operator", async (c) => {
    const id = idParam(c);
    await people.get(id);
    const held = services.heldUploads.take((await formFields(c)).held ?? "", id, c.get("user")!.id);
    if (!held) return personPage(c, id, { outcomes: [{ file: "—", ok: false, message: "This photo is no longer held (it is kept for 30 minutes); upload it again." }] });
    try {
      const r = await services.faces.enroll(id, held.bytes, actorOf(c), "upload", { acceptSpoof: true });
      return personPage(c, id, { outcomes: [{ file: held.file, ok: true, message: `accepted by you and enrolled (face ${Math.round(r.quality.faceSize)} px)` }] });
    } catch (e) {
      if (e instanceof HttpError && e.status < 500) return personPage(c, id, { outcomes: [{ file: held.file, ok: false, message: e.message }] });
      throw e;
    }
  });

  r.post("/people/:id/faces/:faceId/delete", "operator", async (c) => {
    const id = idParam(c);
    await services.faces.deleteFace(id, idParam(c, "faceId"), actorOf(c));
    return personPage(c, id);
  });

  r.get("/people/:id/edit", "operator", async (c) => {
    const p = await people.get(idParam(c));
    const values: FormValues = { name: p.name, employeeCode: p.employeeCode, departmentId: p.departmentId ? String(p.departmentId) : "", email: p.email ?? "", notes: p.notes ?? "", active: p.active ? "on" : "off" };
    return c.get("render").page(`Edit ${p.name}`, <PersonForm personId={p.id} values={values} departments={await people.departmentOptions()} />, { active: "people" });
  });

  r.post("/people/:id", "operator", async (c) => {
    const id = idParam(c);
    await people.get(id);
    const f = await formFields(c);
    const parsed = personPatchSchema.safeParse(personFromForm(f, false));
    const again = async (errors: Record<string, string>) =>
      c.get("render").page("Edit person", <PersonForm personId={id} departments={await people.departmentOptions()} values={formValues(f)} errors={errors} />, { status: 422, active: "people" });
    if (!parsed.success) return again(fieldErrors(parsed.error));
    try {
      await people.update(id, parsed.data, actorOf(c));
      return redirectAfterPost(c, `/people/${id}?done=saved`);
    } catch (e) {
      if (e instanceof HttpError && e.status === 422) return again((e.details?.fields as Record<string, string>) ?? { _: e.message });
      throw e;
    }
  });

  r.post("/people/:id/consent", "operator", async (c) => {
    const id = idParam(c);
    const f = await formFields(c);
    const p = await people.update(id, { consent: f.consent === "on" }, actorOf(c));
    return c.get("render").page(p.name, <PersonPage person={p} canEdit tz={config.TZ} flash={f.consent === "on" ? FLASH.consent : undefined} />, { active: "people" });
  });

  r.post("/people/:id/delete", "operator", async (c) => {
    const report = await services.erasure.erasePerson(idParam(c), actorOf(c));
    return redirectAfterPost(c, `/erasures/${report.id}?done=erased`);
  });

  // ---------------------------------------------------------------- departments

  const departmentsPage = async (c: Context<AppEnv>, extra: { values?: FormValues; errors?: Record<string, string>; editing?: number; status?: number } = {}) => {
    const q = listQuerySchema.safeParse(c.req.query());
    const query = q.success ? q.data : listQuerySchema.parse({});
    const editRaw = c.req.query("edit");
    const editing = extra.editing ?? (editRaw && /^\d+$/.test(editRaw) ? Number(editRaw) : undefined);
    const { rows, total } = await people.listDepartments(query);
    return c.get("render").page(
      "Departments",
      <DepartmentsPage rows={rows} total={total} q={query.q} limit={query.limit} offset={query.offset} canEdit={canEdit(c)} values={extra.values} errors={extra.errors} editing={editing} />,
      { active: "people", status: extra.status },
    );
  };

  r.get("/departments", "viewer", (c) => departmentsPage(c));

  r.post("/departments", "operator", async (c) => {
    const f = await formFields(c);
    const parsed = departmentCreateSchema.safeParse({ name: f.name ?? "", description: f.description ?? "" });
    if (!parsed.success) return departmentsPage(c, { values: f, errors: fieldErrors(parsed.error), status: 422 });
    try {
      await people.createDepartment(parsed.data, actorOf(c));
    } catch (e) {
      if (e instanceof HttpError && e.status === 422) return departmentsPage(c, { values: f, errors: e.details?.fields as Record<string, string>, status: 422 });
      throw e;
    }
    return redirectAfterPost(c, "/departments");
  });

  r.post("/departments/:id", "operator", async (c) => {
    const id = idParam(c);
    await people.getDepartment(id);
    const f = await formFields(c);
    const parsed = departmentCreateSchema.safeParse({ name: f.name ?? "", description: f.description ?? "" });
    if (!parsed.success) return departmentsPage(c, { values: f, errors: fieldErrors(parsed.error), editing: id, status: 422 });
    try {
      await people.updateDepartment(id, parsed.data, actorOf(c));
    } catch (e) {
      if (e instanceof HttpError && e.status === 422) return departmentsPage(c, { values: f, errors: e.details?.fields as Record<string, string>, editing: id, status: 422 });
      throw e;
    }
    return redirectAfterPost(c, "/departments");
  });

  r.post("/departments/:id/delete", "operator", async (c) => {
    await people.deleteDepartment(idParam(c), actorOf(c));
    return redirectAfterPost(c, "/departments");
  });
}
