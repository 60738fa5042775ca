import type { Context } from "hono";
import type { Child } from "hono/jsx";
import { z } from "zod";
import { ChartScripts } from "../../views/partials/chart";
import { DailyPage, MatrixPage, ReportsIndex, SummaryPage, TimesheetPage } from "../../views/pages/reports";
import type { AppDeps, AppEnv } from "../app-env";
import { fieldErrors, HttpError } from "../lib/http";
import { errorSchema } from "../services/schemas";
import {
  dailyJson,
  dailyQuerySchema,
  dailyReportSchema,
  matrixJson,
  matrixQuerySchema,
  matrixSchema,
  summaryJson,
  summaryQuerySchema,
  summarySchema,
  timesheetJson,
  timesheetQuerySchema,
  timesheetSchema,
} from "../services/report-schemas";
import { dailyTable, matrixTable, summaryTable, timesheetTable, toCsv, toXlsx, type ReportTable } from "../services/reports/export";
import { type Api, parseQuery } from "./openapi";
import type { Router } from "./router";

const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/**
 * Query → schema with defaults filled in and `overrides` on top (an undefined override drops the key);
 * the problem as one sentence when it does not fit.
 */
function pageQuery<S extends z.ZodType>(c: Context, schema: S, defaults: Record<string, string>, overrides: Record<string, string | undefined> = {}): { data?: z.infer<S>; problem?: string; raw: Record<string, string> } {
  const raw: Record<string, string> = { ...defaults, ...Object.fromEntries(Object.entries(c.req.query()).filter(([, v]) => v !== "")) };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete raw[k];
    else raw[k] = v;
  }
  const r = schema.safeParse(raw);
  return r.success ? { data: r.data, raw } : { problem: Object.values(fieldErrors(r.error)).join(" "), raw };
}

/** The report's problem for the page (422), or rethrows anything that is not a client error. */
function clientProblem(e: unknown): string {
  if (e instanceof HttpError && e.status < 500) return e.message === "Validation failed" ? Object.values((e.details?.fields as Record<string, string>) ?? {}).join(" ") : e.message;
  throw e;
}

export function registerReportRoutes(r: Router, api: Api, deps: AppDeps) {
  const { services } = deps;
  const reports = services.reports;
  const tz = reports.tz;
  const month = () => {
    const today = services.attendance.today();
    return { today, from: `${today.slice(0, 8)}01`, to: today };
  };
  const render = (c: Context<AppEnv>, title: string, body: Child, status?: number) =>
    c.get("render").page(
      title,
      <>
        <ChartScripts />
        {body}
      </>,
      { active: "reports", status },
    );
  const optionalNumber = (v: string | undefined) => (v && /^\d{1,9}$/.test(v) ? Number(v) : undefined);

  // ---------------------------------------------------------------- pages

  r.get("/reports", "viewer", async (c) => {
    const m = month();
    return c.get("render").page("Reports", <ReportsIndex departments={await services.people.departmentOptions()} today={m.today} monthFrom={m.from} monthTo={m.to} />, { active: "reports" });
  });

  /**
   * The optional person filter of a report page (name or employee code, with the picked id) → the
   * personId to use, or the problem. A submitted filter form decides alone: its picked id counts only
   * while the text still names that person, and an empty box means everyone.
   */
  const personFilter = async (c: Context): Promise<{ person?: string; ids: Record<string, string | undefined>; problem?: string }> => {
    const raw = c.req.query("person");
    if (raw === undefined) return { ids: {} };
    const person = raw.trim() || undefined;
    if (!person) return { ids: { personId: undefined } };
    const who = await services.people.resolve(person, c.req.query("personId"));
    return "person" in who ? { person, ids: { personId: String(who.person.id) } } : { person, ids: { personId: undefined }, problem: who.problem };
  };

  r.get("/reports/daily", "viewer", async (c) => {
    const departments = await services.people.departmentOptions();
    const who = await personFilter(c);
    const q = pageQuery(c, dailyQuerySchema, { date: month().today }, who.ids);
    const view = (extra: { report?: Awaited<ReturnType<typeof reports.daily>>; problem?: string }) => (
      <DailyPage date={q.data?.date ?? q.raw.date ?? ""} departmentId={q.data?.departmentId ?? optionalNumber(q.raw.departmentId)} person={who.person} personId={q.data?.personId} departments={departments} tz={tz} {...extra} />
    );
    const problem = who.problem ?? q.problem;
    if (problem || !q.data) return render(c, "Daily sheet", view({ problem }), 422);
    try {
      const report = await reports.daily(q.data.date, { departmentId: q.data.departmentId, personId: q.data.personId });
      return render(c, `Daily sheet ${q.data.date}`, view({ report }));
    } catch (e) {
      return render(c, "Daily sheet", view({ problem: clientProblem(e) }), 422);
    }
  });

  r.get("/reports/timesheet", "viewer", async (c) => {
    const m = month();
    const raw = c.req.query();
    const from = raw.from || m.from;
    const to = raw.to || m.to;
    const code = raw.person?.trim();
    let personId = raw.person === undefined ? raw.personId : undefined;
    if (code) {
      const who = await services.people.resolve(code, raw.personId);
      if ("problem" in who) return render(c, "Timesheet", <TimesheetPage person={code} from={from} to={to} tz={tz} problem={who.problem} />, 422);
      personId = String(who.person.id);
    }
    if (!personId) return render(c, "Timesheet", <TimesheetPage from={from} to={to} tz={tz} />);
    const parsed = timesheetQuerySchema.safeParse({ personId, from, to });
    if (!parsed.success) return render(c, "Timesheet", <TimesheetPage person={code} from={from} to={to} tz={tz} problem={Object.values(fieldErrors(parsed.error)).join(" ")} />, 422);
    try {
      const sheet = await reports.timesheet(parsed.data.personId, from, to);
      const own = sheet.person.scheduleId;
      const schedules = await services.attendance.scheduleOptions();
      const dept = sheet.person.departmentId ? await services.people.getDepartment(sheet.person.departmentId) : null;
      const effective = own ?? dept?.scheduleId ?? null;
      const scheduleName = effective === null ? null : (schedules.find((s) => s.id === effective)?.name ?? null);
      return render(c, `Timesheet ${sheet.person.name}`, <TimesheetPage sheet={sheet} from={from} to={to} tz={tz} scheduleName={scheduleName && (own ? `${scheduleName} (own)` : `${scheduleName} (department)`)} />);
    } catch (e) {
      return render(c, "Timesheet", <TimesheetPage person={code} from={from} to={to} tz={tz} problem={clientProblem(e)} />, 422);
    }
  });

  r.get("/reports/summary", "viewer", async (c) => {
    const m = month();
    const departments = await services.people.departmentOptions();
    const q = pageQuery(c, summaryQuerySchema, { from: m.from, to: m.to });
    const view = (extra: { summary?: Awaited<ReturnType<typeof reports.summary>>; problem?: string }) => (
      <SummaryPage departments={departments} departmentId={q.data?.departmentId ?? optionalNumber(q.raw.departmentId)} from={q.raw.from ?? m.from} to={q.raw.to ?? m.to} {...extra} />
    );
    if (!q.data) return render(c, "Department summary", view({ problem: q.problem }), 422);
    try {
      return render(c, "Department summary", view({ summary: await reports.summary(q.data.from, q.data.to, q.data.departmentId) }));
    } catch (e) {
      return render(c, "Department summary", view({ problem: clientProblem(e) }), 422);
    }
  });

  r.get("/reports/matrix", "viewer", async (c) => {
    const m = month();
    const departments = await services.people.departmentOptions();
    const who = await personFilter(c);
    const q = pageQuery(c, matrixQuerySchema, { from: m.from, to: m.to }, who.ids);
    const view = (extra: { matrix?: Awaited<ReturnType<typeof reports.matrix>>; problem?: string }) => (
      <MatrixPage departments={departments} departmentId={q.data?.departmentId ?? optionalNumber(q.raw.departmentId)} person={who.person} personId={q.data?.personId} from={q.raw.from ?? m.from} to={q.raw.to ?? m.to} {...extra} />
    );
    const problem = who.problem ?? q.problem;
    if (problem || !q.data) return render(c, "Matrix", view({ problem }), 422);
    try {
      const { from, to, departmentId, personId, limit, offset } = q.data;
      return render(c, "Matrix", view({ matrix: await reports.matrix(from, to, { departmentId, personId }, limit, offset) }));
    } catch (e) {
      return render(c, "Matrix", view({ problem: clientProblem(e) }), 422);
    }
  });

  // ---------------------------------------------------------------- API (JSON, CSV, XLSX)

  const csv = (c: Context, t: ReportTable) => c.body(toCsv(t), 200, { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": `attachment; filename="${t.name}.csv"` });
  const xlsx = async (c: Context, t: ReportTable) => c.body((await toXlsx(t)) as Uint8Array<ArrayBuffer>, 200, { "Content-Type": XLSX, "Content-Disposition": `attachment; filename="${t.name}.xlsx"` });

  /** One report as JSON, .csv and .xlsx, all in the OpenAPI document. */
  function formats<S extends z.ZodObject, E extends z.ZodObject>(def: {
    name: string;
    summary: string;
    query: S;
    exportQuery: E;
    schema: z.ZodType;
    json: (q: z.infer<S>) => Promise<unknown>;
    table: (q: z.infer<E>) => Promise<ReportTable>;
  }) {
    const path = `/api/v1/reports/${def.name}`;
    const range = { 422: { description: "Bad parameters, or a range over a year (the message says which)", schema: errorSchema } };
    api.op({ method: "GET", path, tag: "Reports", summary: def.summary, access: "viewer", query: def.query, responses: { 200: { description: "The report", schema: def.schema }, ...range } }, async (c) =>
      c.json((await def.json(parseQuery(c, def.query))) as object),
    );
    for (const [ext, send, type] of [
      ["csv", csv, "text/csv"],
      ["xlsx", xlsx, XLSX],
    ] as const) {
      api.op({ method: "GET", path: `${path}.${ext}`, tag: "Reports", summary: `${def.summary} (${ext.toUpperCase()})`, access: "viewer", query: def.exportQuery, responses: { 200: { description: `The report as ${ext.toUpperCase()}`, contentType: type }, ...range } }, async (c) =>
        send(c, await def.table(parseQuery(c, def.exportQuery))),
      );
    }
  }

  formats({
    name: "daily",
    summary: "Daily sheet: everyone's status on one day",
    query: dailyQuerySchema,
    exportQuery: dailyQuerySchema,
    schema: dailyReportSchema,
    json: async (q) => dailyJson(await reports.daily(q.date, { departmentId: q.departmentId, personId: q.personId })),
    table: async (q) => dailyTable(await reports.daily(q.date, { departmentId: q.departmentId, personId: q.personId }), tz),
  });

  formats({
    name: "timesheet",
    summary: "Timesheet: one person's days over a range (at most a year)",
    query: timesheetQuerySchema,
    exportQuery: timesheetQuerySchema,
    schema: timesheetSchema,
    json: async (q) => timesheetJson(await reports.timesheet(q.personId, q.from, q.to)),
    table: async (q) => timesheetTable(await reports.timesheet(q.personId, q.from, q.to), tz),
  });

  formats({
    name: "summary",
    summary: "Summary per department, or per person of one department, over a range (at most a year)",
    query: summaryQuerySchema,
    exportQuery: summaryQuerySchema,
    schema: summarySchema,
    json: async (q) => summaryJson(await reports.summary(q.from, q.to, q.departmentId)),
    table: async (q) => summaryTable(await reports.summary(q.from, q.to, q.departmentId)),
  });

  formats({
    name: "matrix",
    summary: "Matrix of people × days with one-letter status codes over a range (at most a year); JSON is paginated, the files hold everyone",
    query: matrixQuerySchema,
    exportQuery: matrixQuerySchema.omit({ limit: true, offset: true }),
    schema: matrixSchema,
    json: async (q) => matrixJson(await reports.matrix(q.from, q.to, { departmentId: q.departmentId, personId: q.personId }, q.limit, q.offset)),
    table: async (q) => matrixTable(await reports.matrixOfEveryone(q.from, q.to, { departmentId: q.departmentId, personId: q.personId })),
  });
}
