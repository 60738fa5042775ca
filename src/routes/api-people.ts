import { z } from "zod";
import { decodeCsv, ENCODING_NAMES } from "../domain/csv";
import type { AppDeps } from "../app-env";
import { HttpError, idParam, parseJson } from "../lib/http";
import { departmentJson, personJson } from "../services/people";
import {
  departmentCreateSchema,
  departmentPatchSchema,
  departmentSchema,
  erasureReportSchema,
  errorSchema,
  importReportSchema,
  listQuerySchema,
  pageOf,
  peopleQuerySchema,
  personCreateSchema,
  personPatchSchema,
  personSchema,
} from "../services/schemas";
import { type Api, parseQuery } from "./openapi";
import { actorOf } from "./router";

const notFound = { description: "No such record", schema: errorSchema };

export function registerPeopleApi(api: Api, deps: AppDeps) {
  const people = deps.services.people;

  api.op(
    { method: "GET", path: "/api/v1/people", tag: "People", summary: "List people (search, filter, paginate)", access: "viewer", query: peopleQuerySchema, responses: { 200: { description: "A page of people", schema: pageOf(personSchema) } } },
    async (c) => {
      const q = parseQuery(c, peopleQuerySchema);
      const { rows, total } = await people.list(q);
      return c.json({ items: rows.map(personJson), total, limit: q.limit, offset: q.offset });
    },
  );

  api.op(
    { method: "POST", path: "/api/v1/people", tag: "People", summary: "Create a person", access: "operator", body: personCreateSchema, responses: { 201: { description: "Created", schema: personSchema } } },
    async (c) => {
      const input = await parseJson(c, personCreateSchema);
      const p = await people.create(input, actorOf(c));
      c.header("Location", `/api/v1/people/${p.id}`);
      return c.json(personJson(p), 201);
    },
  );

  api.op(
    {
      method: "POST",
      path: "/api/v1/people/import",
      tag: "People",
      summary: "Import people from CSV (employee_code, name, department, email, active, notes); upserts by employee code",
      access: "operator",
      body: z.string().describe("CSV text with a header line: UTF-8 (with or without BOM), UTF-16 with a BOM, or Windows-1252"),
      bodyContentType: "text/csv",
      responses: { 200: { description: "Per-row report", schema: importReportSchema } },
    },
    async (c) => {
      if (!(c.req.header("content-type") ?? "").includes("text/csv")) throw new HttpError(415, "Send the CSV file as text/csv");
      const decoded = decodeCsv(new Uint8Array(await c.req.arrayBuffer()));
      if ("error" in decoded) throw new HttpError(422, decoded.error);
      return c.json({ encoding: ENCODING_NAMES[decoded.encoding], ...(await people.importCsv(decoded.text, actorOf(c))) });
    },
  );

  api.op(
    { method: "GET", path: "/api/v1/people/export.csv", tag: "People", summary: "Export people as CSV (same filters as the list)", access: "viewer", query: peopleQuerySchema.omit({ limit: true, offset: true }), responses: { 200: { description: "CSV", contentType: "text/csv" } } },
    async (c) => {
      const { sort, ...rest } = parseQuery(c, peopleQuerySchema.omit({ limit: true, offset: true }));
      let out = "";
      for await (const chunk of people.exportCsv({ ...rest, sort })) out += chunk;
      return c.body(out, 200, { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": 'attachment; filename="people.csv"' });
    },
  );

  api.op({ method: "GET", path: "/api/v1/people/:id", tag: "People", summary: "One person", access: "viewer", responses: { 200: { description: "The person", schema: personSchema }, 404: notFound } }, async (c) =>
    c.json(personJson(await people.get(idParam(c)))),
  );

  api.op(
    { method: "PATCH", path: "/api/v1/people/:id", tag: "People", summary: "Change a person (only the fields sent)", access: "operator", body: personPatchSchema, responses: { 200: { description: "The updated person", schema: personSchema }, 404: notFound } },
    async (c) => {
      const id = idParam(c);
      await people.get(id);
      const patch = await parseJson(c, personPatchSchema);
      return c.json(personJson(await people.update(id, patch, actorOf(c))));
    },
  );

  api.op(
    {
      method: "DELETE",
      path: "/api/v1/people/:id",
      tag: "People",
      summary: "Erase a person: faces, embeddings, crops, negatives, events and their photos, unknown faces assigned to them; the audit log keeps a pseudonym",
      access: "operator",
      responses: { 200: { description: "Erased; the erasure report", schema: erasureReportSchema }, 404: notFound },
    },
    async (c) => c.json(await deps.services.erasure.erasePerson(idParam(c), actorOf(c))),
  );

  api.op(
    { method: "GET", path: "/api/v1/erasures", tag: "People", summary: "The erasure log: a report per erased person, newest first", access: "admin", query: listQuerySchema, responses: { 200: { description: "A page of erasure reports", schema: pageOf(erasureReportSchema) } } },
    async (c) => {
      const q = parseQuery(c, listQuerySchema);
      const { rows, total } = await deps.services.erasure.list(q.limit, q.offset);
      return c.json({ items: rows, total, limit: q.limit, offset: q.offset });
    },
  );

  api.op(
    { method: "GET", path: "/api/v1/erasures/:id", tag: "People", summary: "One erasure report", access: "operator", responses: { 200: { description: "The erasure report", schema: erasureReportSchema }, 404: notFound } },
    async (c) => c.json(await deps.services.erasure.get(idParam(c))),
  );

  api.op(
    { method: "GET", path: "/api/v1/departments", tag: "Departments", summary: "List departments", access: "viewer", query: listQuerySchema, responses: { 200: { description: "A page of departments", schema: pageOf(departmentSchema) } } },
    async (c) => {
      const q = parseQuery(c, listQuerySchema);
      const { rows, total } = await people.listDepartments(q);
      return c.json({ items: rows.map(departmentJson), total, limit: q.limit, offset: q.offset });
    },
  );

  api.op(
    { method: "POST", path: "/api/v1/departments", tag: "Departments", summary: "Create a department", access: "operator", body: departmentCreateSchema, responses: { 201: { description: "Created", schema: departmentSchema } } },
    async (c) => {
      const d = await people.createDepartment(await parseJson(c, departmentCreateSchema), actorOf(c));
      c.header("Location", `/api/v1/departments/${d.id}`);
      return c.json(departmentJson(d), 201);
    },
  );

  api.op({ method: "GET", path: "/api/v1/departments/:id", tag: "Departments", summary: "One department", access: "viewer", responses: { 200: { description: "The department", schema: departmentSchema }, 404: notFound } }, async (c) =>
    c.json(departmentJson(await people.getDepartment(idParam(c)))),
  );

  api.op(
    { method: "PATCH", path: "/api/v1/departments/:id", tag: "Departments", summary: "Change a department", access: "operator", body: departmentPatchSchema, responses: { 200: { description: "Updated", schema: departmentSchema }, 404: notFound } },
    async (c) => {
      const id = idParam(c);
      await people.getDepartment(id);
      return c.json(departmentJson(await people.updateDepartment(id, await parseJson(c, departmentPatchSchema), actorOf(c))));
    },
  );

  api.op(
    { method: "DELETE", path: "/api/v1/departments/:id", tag: "Departments", summary: "Delete a department (its people stay, without one)", access: "operator", responses: { 204: { description: "Deleted" }, 404: notFound } },
    async (c) => {
      await people.deleteDepartment(idParam(c), actorOf(c));
      return c.body(null, 204);
    },
  );
}
