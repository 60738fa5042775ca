import type { Actor, AuditService } from "../db/repos/audit";
import { isUniqueViolation } from "../db/client";
import type { DepartmentsRepo, DepartmentView, PeopleFilter, PeopleRepo, PersonRow, PersonView } from "../db/repos/people";
import { CsvError, csvRow, parseCsv } from "../domain/csv";
import { HttpError } from "../lib/http";
import {
  type DepartmentCreate,
  type DepartmentPatch,
  type ImportReport,
  type PersonCreate,
  type PersonPatch,
  personCreateSchema,
  personPatchSchema,
} from "./schemas";

/** Called after a person is erased (the face engine drops them from the gallery). */
export type PersonDeletedHook = (personId: number) => Promise<void> | void;
/** Called after a person changes (the face engine follows active/inactive). */
export type PersonChangedHook = (before: PersonView, after: PersonView) => Promise<void> | void;
export type PeopleAddedHook = (personIds: number[]) => Promise<void> | void;

export const IMPORT_MAX_ROWS = 20_000;

export const CSV_COLUMNS = ["employee_code", "name", "department", "email", "active", "notes", "consent_at"] as const;

/** How many matches the person picker lists. */
const PICK_LIMIT = 8;

/** A person field's outcome: the person, or what is wrong. */
export type PersonPick = { person: PersonView } | { problem: string };

function validation(fields: Record<string, string>, message = "Validation failed"): HttpError {
  return new HttpError(422, message, { fields });
}

function snapshot(p: PersonRow | PersonView | null) {
  if (!p) return null;
  const { name, employeeCode, departmentId, email, active, consentAt, consentBy, notes } = p;
  return { name, employeeCode, departmentId, email, active, consentAt, consentBy, notes };
}

export function personJson(p: PersonView) {
  return {
    id: p.id,
    name: p.name,
    employeeCode: p.employeeCode,
    departmentId: p.departmentId,
    departmentName: p.departmentName,
    email: p.email,
    active: p.active,
    consentAt: p.consentAt ? p.consentAt.toISOString() : null,
    consentBy: p.consentBy,
    notes: p.notes,
    faceCount: p.faceCount,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

export function departmentJson(d: DepartmentView) {
  return {
    id: d.id,
    name: d.name,
    description: d.description,
    scheduleId: d.scheduleId,
    peopleCount: d.peopleCount,
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
  };
}

const TRUE = new Set(["1", "true", "yes", "y", "active", "x"]);
const FALSE = new Set(["0", "false", "no", "n", "inactive", ""]);

/** People and departments: validation that needs the database, auditing, CSV import/export. */
export class PeopleService {
  private readonly deletedHooks: PersonDeletedHook[] = [];
  private readonly changedHooks: PersonChangedHook[] = [];
  private readonly addedHooks: PeopleAddedHook[] = [];

  constructor(
    private readonly people: PeopleRepo,
    private readonly departments: DepartmentsRepo,
    private readonly audit: AuditService,
  ) {}

  onPersonDeleted(hook: PersonDeletedHook) {
    this.deletedHooks.push(hook);
  }

  onPersonChanged(hook: PersonChangedHook) {
    this.changedHooks.push(hook);
  }

  /** After people were created (one, or all of an import at once). */
  onPeopleAdded(hook: PeopleAddedHook) {
    this.addedHooks.push(hook);
  }

  private async added(ids: number[]) {
    if (ids.length) for (const hook of this.addedHooks) await hook(ids);
  }

  list(f: PeopleFilter) {
    return this.people.list(f);
  }

  iterate(f: Omit<PeopleFilter, "limit" | "offset">) {
    return this.people.iterate(f);
  }

  async get(id: number): Promise<PersonView> {
    const p = await this.people.get(id);
    if (!p) throw new HttpError(404, `Person ${id} does not exist`);
    return p;
  }

  /** The first PICK_LIMIT people whose name, employee code or email contains `q`, and whether more do. */
  async pickSearch(q: string): Promise<{ people: PersonView[]; more: boolean }> {
    const text = q.trim();
    if (!text) return { people: [], more: false };
    const { rows, total } = await this.people.list({ q: text, sort: "name", limit: PICK_LIMIT, offset: 0 });
    return { people: rows, more: total > rows.length };
  }

  /**
   * Who a person field means: the picked id while the typed text still names that person, else the
   * person with that employee code, else the one person with exactly that name.
   */
  async resolve(text: string, pickedId?: string): Promise<PersonPick> {
    const typed = text.trim();
    if (pickedId && /^\d{1,9}$/.test(pickedId)) {
      const p = await this.people.get(Number(pickedId));
      if (p && (!typed || typed.toLowerCase() === p.name.trim().toLowerCase() || typed === p.employeeCode)) return { person: p };
    }
    if (!typed) return { problem: "Choose a person" };
    const [byCode] = await this.people.byCodes([typed]);
    if (byCode) return { person: (await this.people.get(byCode.id))! };
    const named = await this.people.byName(typed, 2);
    if (named.length === 1) return { person: named[0]! };
    if (named.length > 1) return { problem: `Several people are called ${typed}: pick one from the list` };
    return { problem: `Nobody is called ${typed}` };
  }

  /** {@link resolve}, or a 422 naming the form field. */
  async resolveOrFail(text: string, pickedId: string | undefined, field: string): Promise<PersonView> {
    const r = await this.resolve(text, pickedId);
    if ("problem" in r) throw validation({ [field]: r.problem });
    return r.person;
  }

  private async checkRefs(input: { employeeCode?: string; departmentId?: number | null }, exceptId?: number) {
    const fields: Record<string, string> = {};
    if (input.employeeCode && (await this.people.codeTaken(input.employeeCode, exceptId)))
      fields.employeeCode = `Employee code ${input.employeeCode} is already used by someone else`;
    if (input.departmentId != null && !(await this.departments.get(input.departmentId)))
      fields.departmentId = `Department ${input.departmentId} does not exist`;
    if (Object.keys(fields).length) throw validation(fields);
  }

  private consentValues(consent: boolean | undefined, actor: Actor, current?: PersonRow | PersonView) {
    if (consent === undefined) return {};
    if (consent) return current?.consentAt ? {} : { consentAt: new Date(), consentBy: actor.label };
    return { consentAt: null, consentBy: null };
  }

  async create(input: PersonCreate, actor: Actor): Promise<PersonView> {
    const view = await this.insert(input, actor);
    await this.added([view.id]);
    return view;
  }

  private async insert(input: PersonCreate, actor: Actor): Promise<PersonView> {
    await this.checkRefs(input);
    const { consent, ...rest } = input;
    let row: PersonRow;
    try {
      row = await this.people.insert({ ...rest, ...this.consentValues(consent, actor) });
    } catch (e) {
      if (isUniqueViolation(e)) throw validation({ employeeCode: `Employee code ${input.employeeCode} is already used by someone else` });
      throw e;
    }
    await this.audit.record(actor, "create", "person", row.id, null, snapshot(row));
    return this.get(row.id);
  }

  async update(id: number, patch: PersonPatch, actor: Actor): Promise<PersonView> {
    const before = await this.get(id);
    await this.checkRefs(patch, id);
    const { consent, ...rest } = patch;
    let row: PersonRow | null;
    try {
      row = await this.people.update(id, { ...rest, ...this.consentValues(consent, actor, before) });
    } catch (e) {
      if (isUniqueViolation(e)) throw validation({ employeeCode: `Employee code ${patch.employeeCode} is already used by someone else` });
      throw e;
    }
    if (!row) throw new HttpError(404, `Person ${id} does not exist`);
    await this.audit.record(actor, patch.consent !== undefined && Object.keys(rest).length === 0 ? (patch.consent ? "consent" : "withdraw_consent") : "update", "person", id, snapshot(before), snapshot(row));
    const after = await this.get(id);
    for (const hook of this.changedHooks) await hook(before, after);
    return after;
  }

  /** After a person was erased (ErasureService): the face engine and the caches forget them. */
  async personErased(id: number): Promise<void> {
    for (const hook of this.deletedHooks) await hook(id);
  }

  // ------------------------------------------------------------ departments

  listDepartments(f: { q?: string; limit: number; offset: number }) {
    return this.departments.list(f);
  }

  departmentOptions() {
    return this.departments.options();
  }

  async getDepartment(id: number): Promise<DepartmentView> {
    const d = await this.departments.get(id);
    if (!d) throw new HttpError(404, `Department ${id} does not exist`);
    return d;
  }

  private async checkDepartmentName(name: string | undefined, exceptId?: number) {
    if (!name) return;
    const other = await this.departments.byName(name);
    if (other && other.id !== exceptId) throw validation({ name: `A department called ${other.name} already exists` });
  }

  async createDepartment(input: DepartmentCreate, actor: Actor): Promise<DepartmentView> {
    await this.checkDepartmentName(input.name);
    try {
      const row = await this.departments.insert(input);
      await this.audit.record(actor, "create", "department", row.id, null, input);
      return this.getDepartment(row.id);
    } catch (e) {
      if (isUniqueViolation(e)) throw validation({ name: `A department called ${input.name} already exists` });
      throw e;
    }
  }

  async updateDepartment(id: number, patch: DepartmentPatch, actor: Actor): Promise<DepartmentView> {
    const before = await this.getDepartment(id);
    await this.checkDepartmentName(patch.name, id);
    try {
      await this.departments.update(id, patch);
    } catch (e) {
      if (isUniqueViolation(e)) throw validation({ name: `A department called ${patch.name} already exists` });
      throw e;
    }
    const after = await this.getDepartment(id);
    await this.audit.record(actor, "update", "department", id, { name: before.name, description: before.description, scheduleId: before.scheduleId }, patch);
    return after;
  }

  /** Deletes a department; its people stay, without a department. */
  async deleteDepartment(id: number, actor: Actor): Promise<void> {
    const before = await this.getDepartment(id);
    await this.departments.delete(id);
    await this.audit.record(actor, "delete", "department", id, { name: before.name, peopleCount: before.peopleCount }, null);
  }

  // ------------------------------------------------------------ CSV

  /** CSV export of the people matching a filter, streamed page by page. */
  async *exportCsv(f: Omit<PeopleFilter, "limit" | "offset">): AsyncGenerator<string> {
    yield csvRow([...CSV_COLUMNS]);
    for await (const page of this.people.iterate(f))
      for (const p of page) yield csvRow([p.employeeCode, p.name, p.departmentName, p.email, p.active ? "yes" : "no", p.notes, p.consentAt]);
  }

  /**
   * Imports people from CSV, matching on employee code: new codes are created, known ones updated.
   * Each row succeeds or fails on its own; the report says which and why. Unknown departments are
   * created. Consent cannot be imported (it must be recorded by a person, in the app).
   */
  async importCsv(text: string, actor: Actor, onProgress?: (done: number, total: number) => void): Promise<ImportReport> {
    let records;
    try {
      records = parseCsv(text);
    } catch (e) {
      if (e instanceof CsvError) throw new HttpError(422, `The file is not valid CSV: ${e.message}`);
      throw e;
    }
    if (records.length === 0) throw new HttpError(422, "The file is empty");
    const header = records[0]!.fields.map((h) => h.trim().toLowerCase().replace(/[\s-]+/g, "_"));
    const col = (names: string[]) => header.findIndex((h) => names.includes(h));
    const idx = {
      code: col(["employee_code", "employeecode", "code", "id"]),
      name: col(["name", "full_name"]),
      department: col(["department", "department_name", "dept"]),
      email: col(["email", "e_mail"]),
      active: col(["active"]),
      notes: col(["notes", "note"]),
    };
    if (idx.code < 0 || idx.name < 0)
      throw new HttpError(422, `The first line must be a header with at least employee_code and name columns (found: ${header.join(", ") || "nothing"})`);
    const rows = records.slice(1);
    if (rows.length > IMPORT_MAX_ROWS) throw new HttpError(422, `At most ${IMPORT_MAX_ROWS} rows per import; this file has ${rows.length}`);

    const report: ImportReport = { created: 0, updated: 0, failed: 0, rows: [] };
    const addedIds: number[] = [];
    const deptIds = new Map<string, number>();
    const seen = new Set<string>();
    const existing = new Map((await this.people.byCodes(rows.map((r) => (r.fields[idx.code] ?? "").trim()).filter(Boolean))).map((p) => [p.employeeCode, p]));
    const cell = (r: string[], i: number) => (i >= 0 ? (r[i] ?? "").trim() : undefined);

    for (let n = 0; n < rows.length; n++) {
      const { line, fields } = rows[n]!;
      const code = cell(fields, idx.code) || null;
      const fail = (error: string) => {
        report.failed++;
        report.rows.push({ line, employeeCode: code, status: "failed", error });
      };
      try {
        if (code && seen.has(code)) {
          fail(`Employee code ${code} appears more than once in the file`);
          continue;
        }
        if (code) seen.add(code);
        const activeRaw = cell(fields, idx.active)?.toLowerCase();
        if (activeRaw !== undefined && !TRUE.has(activeRaw) && !FALSE.has(activeRaw)) {
          fail(`active must be yes or no, not "${activeRaw}"`);
          continue;
        }
        let departmentId: number | null | undefined;
        const deptName = cell(fields, idx.department);
        if (deptName) {
          departmentId = deptIds.get(deptName.toLowerCase());
          if (departmentId === undefined) {
            const d = (await this.departments.byName(deptName)) ?? (await this.createDepartment({ name: deptName }, actor));
            departmentId = d.id;
            deptIds.set(deptName.toLowerCase(), d.id);
          }
        } else if (deptName === "") departmentId = null;
        const input = {
          name: cell(fields, idx.name),
          employeeCode: code ?? "",
          ...(departmentId !== undefined ? { departmentId } : {}),
          ...(idx.email >= 0 ? { email: cell(fields, idx.email) } : {}),
          ...(activeRaw !== undefined ? { active: activeRaw === "" ? true : TRUE.has(activeRaw) } : {}),
          ...(idx.notes >= 0 ? { notes: cell(fields, idx.notes) } : {}),
        };
        const current = code ? existing.get(code) : undefined;
        const parsed = current ? personPatchSchema.safeParse(input) : personCreateSchema.safeParse(input);
        if (!parsed.success) {
          fail(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
          continue;
        }
        if (current) {
          await this.update(current.id, parsed.data as PersonPatch, actor);
          report.updated++;
          report.rows.push({ line, employeeCode: code, status: "updated" });
        } else {
          addedIds.push((await this.insert(parsed.data as PersonCreate, actor)).id);
          report.created++;
          report.rows.push({ line, employeeCode: code, status: "created" });
        }
      } catch (e) {
        if (e instanceof HttpError) fail(Object.values((e.details?.fields as Record<string, string>) ?? {}).join("; ") || e.message);
        else throw e;
      } finally {
        onProgress?.(n + 1, rows.length);
      }
    }
    await this.added(addedIds);
    return report;
  }
}
