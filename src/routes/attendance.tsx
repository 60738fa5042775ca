import type { Context } from "hono";
import type { z } from "zod";
import { AttendancePage, EventForm, type EventFilterParams, type FormValues } from "../../views/pages/attendance";
import { HolidaysPage } from "../../views/pages/holidays";
import { LeavesPage } from "../../views/pages/leaves";
import { ScheduleForm, SchedulePage, SchedulesPage, WEEK_ORDER } from "../../views/pages/schedules";
import { RecomputeStatus, type RecomputeView } from "../../views/partials/recompute";
import type { AppDeps, AppEnv } from "../app-env";
import type { EventView } from "../db/repos/attendance";
import type { ScheduleView } from "../db/repos/schedules";
import type { WeeklyPattern } from "../domain/attendance";
import { formatClock, isDay, localDay, parseClock, zonedInstant } from "../domain/time";
import { HttpError, fieldErrors, formFields, idParam } from "../lib/http";
import { eventPatchSchema, eventsQuerySchema, holidayCreateSchema, leaveCreateSchema, manualEventSchema, voidSchema, type RecomputeOutcome } from "../services/attendance";
import { actorOf, canEdit, isAdmin, redirectAfterPost, type Router } from "./router";

const FLASH: Record<string, string> = {
  added: "Event added.",
  corrected: "Correction saved.",
  replaced: "The camera event was voided and replaced by your manual event.",
  voided: "Event voided.",
  created: "Schedule created.",
  saved: "Schedule saved.",
  deleted: "Schedule deleted.",
  assigned: "Schedule assigned.",
  unassigned: "Assignment removed.",
  holiday: "Holiday added.",
  "holiday-deleted": "Holiday deleted.",
  leave: "Leave recorded.",
  "leave-deleted": "Leave deleted.",
};

/** Query parameters that say how recomputation went, for the page after a redirect. */
export function recomputeParams(r: RecomputeOutcome): string {
  return "job" in r ? `job=${encodeURIComponent(r.job)}` : `rows=${r.rows}`;
}

/** "2026-01-05T09:30" from a datetime-local input, in the site time zone. */
function localInputToIso(v: string | undefined, tz: string): string | null {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?$/.exec(v ?? "");
  if (!m || !isDay(m[1]!)) return null;
  try {
    return zonedInstant(m[1]!, parseClock(m[2]!), tz).toISOString();
  } catch {
    return null;
  }
}

/**
 * Schema errors plus the form's own (which win); a personId error is dropped when the employee code
 * it comes from already has one.
 */
function formErrors(parsed: { success: true } | { success: false; error: z.ZodError }, own: Record<string, string>): Record<string, string> {
  const out = { ...(parsed.success ? {} : fieldErrors(parsed.error)), ...own };
  if (own.employeeCode) delete out.personId;
  return out;
}

function isoToLocalInput(d: Date, tz: string): string {
  return `${localDay(d, tz)}T${formatClock(d, tz)}`;
}

/** Form fields of the schedule editor → the shape validateSchedule and the API take. */
function scheduleFromForm(f: Record<string, string>) {
  const num = (v: string | undefined) => (v === undefined || v.trim() === "" ? (v ?? "") : Number(v));
  const pattern = Array.from({ length: 7 }, (_, i) => (f[`d${i}_on`] === "on" ? { start: f[`d${i}_start`] ?? "", end: f[`d${i}_end`] ?? "" } : null));
  const auto = f.autoCheckoutMinutes ?? "";
  return {
    name: f.name ?? "",
    pattern,
    graceMinutes: num(f.graceMinutes),
    breakMinutes: num(f.breakMinutes),
    minHours: num(f.minHours),
    autoCheckoutMinutes: auto.trim() === "" ? null : Number(auto),
  };
}

function scheduleToForm(s: ScheduleView): FormValues {
  const v: FormValues = { name: s.name, graceMinutes: String(s.graceMinutes), breakMinutes: String(s.breakMinutes), minHours: String(s.minHours), autoCheckoutMinutes: s.autoCheckoutMinutes === null ? "" : String(s.autoCheckoutMinutes) };
  (s.pattern as WeeklyPattern).forEach((d, i) => {
    v[`d${i}_on`] = d ? "on" : "off";
    v[`d${i}_start`] = d?.start ?? "";
    v[`d${i}_end`] = d?.end ?? "";
  });
  return v;
}

const NEW_SCHEDULE: FormValues = Object.fromEntries(WEEK_ORDER.flatMap((i) => (i >= 1 && i <= 5 ? [[`d${i}_on`, "on"], [`d${i}_start`, "09:00"], [`d${i}_end`, "17:00"]] : [[`d${i}_on`, "off"]])));

export function registerAttendanceRoutes(r: Router, deps: AppDeps) {
  const { services, config } = deps;
  const att = services.attendance;
  const tz = config.TZ;
  const unprocessable = (e: unknown): Record<string, string> | null => (e instanceof HttpError && e.status === 422 ? ((e.details?.fields as Record<string, string>) ?? { _: e.message }) : null);

  /** The job's progress, or a count of rows, from ?job= / ?rows= after a redirect. */
  const recomputeView = (c: Context<AppEnv>): RecomputeView | undefined => {
    const jobId = c.req.query("job");
    if (jobId) {
      const job = services.jobs.get<number>(jobId, c.get("user")!.id);
      return job ? { job: { id: job.id, done: job.done, total: job.total, finished: job.finished, error: job.error } } : undefined;
    }
    const rows = c.req.query("rows");
    return rows && /^\d{1,9}$/.test(rows) ? { rows: Number(rows) } : undefined;
  };

  // ---------------------------------------------------------------- events

  r.get("/attendance", "viewer", async (c) => {
    const raw = c.req.query();
    const parsed = eventsQuerySchema.safeParse({ ...raw, includeVoided: isAdmin(c) ? raw.includeVoided : undefined });
    const [departments, cameras] = await Promise.all([services.people.departmentOptions(), att.cameraOptions()]);
    const page = (filter: EventFilterParams, rows: EventView[], total: number, problem?: string, status?: number) =>
      c.get("render").page(
        "Attendance",
        <AttendancePage filter={filter} rows={rows} total={total} departments={departments} cameras={cameras} canEdit={canEdit(c)} isAdmin={isAdmin(c)} tz={tz} flash={FLASH[c.req.query("done") ?? ""]} problem={problem} />,
        { active: "attendance", status },
      );
    if (!parsed.success) return page({ limit: 50, offset: 0 }, [], 0, Object.values(fieldErrors(parsed.error)).join(" "), 422);
    const q = parsed.data;
    const person = raw.person?.trim() || undefined;
    const filter: EventFilterParams = { ...q, person };
    // A submitted filter form decides alone: its picked id counts only while the text still names that person.
    let personId = raw.person === undefined ? q.personId : undefined;
    if (person) {
      const who = await services.people.resolve(person, raw.personId);
      if ("problem" in who) return page(filter, [], 0, who.problem, 422);
      personId = who.person.id;
    }
    try {
      const { rows, total } = await att.listEvents({ ...q, personId }, isAdmin(c));
      return page(filter, rows, total);
    } catch (e) {
      const fields = unprocessable(e);
      if (fields) return page(filter, [], 0, Object.values(fields).join(" "), 422);
      throw e;
    }
  });

  /** Person (name or employee code), kind, local date-time and reason from the event form → API-shaped input, or field errors. */
  const eventFromForm = async (f: Record<string, string>): Promise<{ input: Record<string, unknown>; errors: Record<string, string> }> => {
    const errors: Record<string, string> = {};
    let personId: number | undefined;
    const who = await services.people.resolve(f.employeeCode ?? "", f.personId);
    if ("problem" in who) errors.employeeCode = who.problem;
    else personId = who.person.id;
    const ts = localInputToIso(f.at, tz);
    if (!ts) errors.ts = "Enter the date and time";
    return { input: { personId, kind: f.kind, ts: ts ?? undefined, reason: f.reason ?? "" }, errors };
  };

  r.get("/attendance/new", "operator", (c) => c.get("render").page("Add event", <EventForm tz={tz} values={{ at: isoToLocalInput(new Date(), tz) }} />, { active: "attendance" }));

  r.post("/attendance", "operator", async (c) => {
    const f = await formFields(c);
    const again = (errors: Record<string, string>) => c.get("render").page("Add event", <EventForm tz={tz} values={f} errors={errors} />, { status: 422, active: "attendance" });
    const { input, errors } = await eventFromForm(f);
    const parsed = manualEventSchema.safeParse(input);
    if (!parsed.success || Object.keys(errors).length) return again(formErrors(parsed, errors));
    try {
      await att.addManual(parsed.data, actorOf(c));
    } catch (e) {
      const fields = unprocessable(e);
      if (fields) return again(fields);
      throw e;
    }
    return redirectAfterPost(c, "/attendance?done=added");
  });

  r.get("/attendance/recompute/:job", "operator", (c) => {
    const job = services.jobs.get<number>(c.req.param("job") ?? "", c.get("user")!.id);
    if (!job) throw new HttpError(404, "This recomputation is unknown or too old");
    return c.get("render").page("Recomputing", <RecomputeStatus r={{ job: { id: job.id, done: job.done, total: job.total, finished: job.finished, error: job.error } }} />, { active: "attendance" });
  });

  r.get("/attendance/:id/evidence", "viewer", async (c) => {
    const e = await att.getEvent(idParam(c), isAdmin(c));
    if (!e.evidencePath) throw new HttpError(404, "This event has no photo");
    const photo = await services.media.get(e.evidencePath);
    if (!photo) throw new HttpError(404, "The photo is no longer kept");
    return c.body(photo as Uint8Array<ArrayBuffer>, 200, { "Content-Type": "image/jpeg", "Cache-Control": "private, max-age=3600" });
  });

  const editPage = async (c: Context<AppEnv>, id: number, values?: FormValues, errors?: Record<string, string>, status?: number) => {
    const e = await att.getEvent(id, isAdmin(c));
    const v = values ?? { employeeCode: e.employeeCode, kind: e.kind, at: isoToLocalInput(e.ts, tz), reason: "" };
    return c.get("render").page(`Correct event ${id}`, <EventForm tz={tz} event={e} values={v} errors={errors} />, { active: "attendance", status });
  };

  r.get("/attendance/:id/edit", "operator", (c) => editPage(c, idParam(c)));

  r.post("/attendance/:id", "operator", async (c) => {
    const id = idParam(c);
    await att.getEvent(id, isAdmin(c));
    const f = await formFields(c);
    const { input, errors } = await eventFromForm(f);
    const parsed = eventPatchSchema.safeParse(input);
    if (!parsed.success || Object.keys(errors).length) return editPage(c, id, f, formErrors(parsed, errors), 422);
    try {
      const { replaced } = await att.editEvent(id, parsed.data, actorOf(c), isAdmin(c));
      return redirectAfterPost(c, `/attendance?done=${replaced ? "replaced" : "corrected"}`);
    } catch (e) {
      const fields = unprocessable(e);
      if (fields) return editPage(c, id, f, fields, 422);
      throw e;
    }
  });

  r.post("/attendance/:id/void", "operator", async (c) => {
    const id = idParam(c);
    const f = await formFields(c);
    const parsed = voidSchema.safeParse({ reason: f.reason ?? "" });
    if (!parsed.success) return editPage(c, id, { voidReason: f.reason }, { voidReason: fieldErrors(parsed.error).reason ?? "Give a reason" }, 422);
    await att.voidEvent(id, parsed.data.reason, actorOf(c), isAdmin(c));
    return redirectAfterPost(c, "/attendance?done=voided");
  });

  // ---------------------------------------------------------------- schedules

  r.get("/schedules", "viewer", async (c) => {
    return c.get("render").page("Schedules", <SchedulesPage rows={await att.listSchedules()} canEdit={canEdit(c)} flash={FLASH[c.req.query("done") ?? ""]} />, { active: "attendance" });
  });

  r.get("/schedules/new", "operator", (c) => c.get("render").page("New schedule", <ScheduleForm values={NEW_SCHEDULE} />, { active: "attendance" }));

  r.post("/schedules", "operator", async (c) => {
    const f = await formFields(c);
    try {
      const s = await att.createSchedule(scheduleFromForm(f), actorOf(c));
      return redirectAfterPost(c, `/schedules/${s.id}?done=created`);
    } catch (e) {
      const fields = unprocessable(e);
      if (fields) return c.get("render").page("New schedule", <ScheduleForm values={f} errors={fields} />, { status: 422, active: "attendance" });
      throw e;
    }
  });

  const schedulePage = async (c: Context<AppEnv>, id: number, extra: { errors?: Record<string, string>; assignPerson?: string; status?: number } = {}) => {
    const schedule = await att.getSchedule(id);
    const off = Number(c.req.query("offset") ?? 0);
    const offset = Number.isInteger(off) && off >= 0 && off <= 10_000_000 ? off : 0;
    const [departments, people, allDepartments] = await Promise.all([att.departmentsUsing(id), att.peopleOverriding(id, 50, offset), services.people.departmentOptions()]);
    return c.get("render").page(
      schedule.name,
      <SchedulePage
        d={{ schedule, departments, people: { ...people, limit: 50, offset }, allDepartments }}
        canEdit={canEdit(c)}
        flash={FLASH[c.req.query("done") ?? ""]}
        errors={extra.errors}
        assignPerson={extra.assignPerson}
        recompute={canEdit(c) ? recomputeView(c) : undefined}
      />,
      { active: "attendance", status: extra.status },
    );
  };

  r.get("/schedules/:id", "viewer", (c) => schedulePage(c, idParam(c)));

  r.get("/schedules/:id/edit", "operator", async (c) => {
    const s = await att.getSchedule(idParam(c));
    return c.get("render").page(`Edit ${s.name}`, <ScheduleForm id={s.id} values={scheduleToForm(s)} />, { active: "attendance" });
  });

  r.post("/schedules/:id", "operator", async (c) => {
    const id = idParam(c);
    await att.getSchedule(id);
    const f = await formFields(c);
    try {
      const { recompute } = await att.updateSchedule(id, scheduleFromForm(f), actorOf(c));
      return redirectAfterPost(c, `/schedules/${id}?done=saved&${recomputeParams(recompute)}`);
    } catch (e) {
      const fields = unprocessable(e);
      if (fields) return c.get("render").page("Edit schedule", <ScheduleForm id={id} values={f} errors={fields} />, { status: 422, active: "attendance" });
      throw e;
    }
  });

  r.post("/schedules/:id/delete", "operator", async (c) => {
    await att.deleteSchedule(idParam(c), actorOf(c));
    return redirectAfterPost(c, "/schedules?done=deleted");
  });

  r.post("/schedules/:id/assign", "operator", async (c) => {
    const id = idParam(c);
    await att.getSchedule(id);
    const f = await formFields(c);
    const text = (f.employeeCode ?? "").trim();
    const dept = f.departmentId ?? "";
    let outcome: RecomputeOutcome;
    if (text || f.personId) {
      const who = await services.people.resolve(text, f.personId);
      if ("problem" in who) return schedulePage(c, id, { errors: { employeeCode: who.problem }, assignPerson: text, status: 422 });
      outcome = await att.setPersonSchedule(who.person.id, id, actorOf(c));
    } else if (/^\d{1,9}$/.test(dept)) {
      outcome = await att.setDepartmentSchedule(Number(dept), id, actorOf(c));
    } else {
      return schedulePage(c, id, { errors: { departmentId: "Choose a department, or a person" }, status: 422 });
    }
    return redirectAfterPost(c, `/schedules/${id}?done=assigned&${recomputeParams(outcome)}`);
  });

  r.post("/schedules/:id/unassign", "operator", async (c) => {
    const id = idParam(c);
    await att.getSchedule(id);
    const f = await formFields(c);
    let outcome: RecomputeOutcome;
    if (/^\d{1,9}$/.test(f.personId ?? "")) outcome = await att.setPersonSchedule(Number(f.personId), null, actorOf(c));
    else if (/^\d{1,9}$/.test(f.departmentId ?? "")) outcome = await att.setDepartmentSchedule(Number(f.departmentId), null, actorOf(c));
    else throw new HttpError(422, "Say which department or person to take off this schedule");
    return redirectAfterPost(c, `/schedules/${id}?done=unassigned&${recomputeParams(outcome)}`);
  });

  // ---------------------------------------------------------------- holidays

  const holidaysPage = async (c: Context<AppEnv>, extra: { values?: FormValues; errors?: Record<string, string>; status?: number; year?: number } = {}) => {
    const y = Number(c.req.query("year"));
    const year = extra.year ?? (Number.isInteger(y) && y >= 1900 && y <= 2999 ? y : Number(att.today().slice(0, 4)));
    const rows = await att.listHolidays(`${year}-01-01`, `${year}-12-31`);
    return c.get("render").page(
      "Holidays",
      <HolidaysPage rows={rows} year={year} canEdit={canEdit(c)} values={extra.values} errors={extra.errors} flash={FLASH[c.req.query("done") ?? ""]} recompute={canEdit(c) ? recomputeView(c) : undefined} />,
      { active: "attendance", status: extra.status },
    );
  };

  r.get("/holidays", "viewer", (c) => holidaysPage(c));

  r.post("/holidays", "operator", async (c) => {
    const f = await formFields(c);
    const parsed = holidayCreateSchema.safeParse({ from: f.from ?? "", to: f.to || undefined, name: f.name ?? "" });
    if (!parsed.success) return holidaysPage(c, { values: f, errors: fieldErrors(parsed.error), status: 422 });
    try {
      const { recompute } = await att.createHolidays(parsed.data, actorOf(c));
      return redirectAfterPost(c, `/holidays?year=${parsed.data.from.slice(0, 4)}&done=holiday&${recomputeParams(recompute)}`);
    } catch (e) {
      const fields = unprocessable(e);
      if (fields) return holidaysPage(c, { values: f, errors: fields, status: 422, year: Number(parsed.data.from.slice(0, 4)) });
      throw e;
    }
  });

  r.post("/holidays/:id/delete", "operator", async (c) => {
    const id = idParam(c);
    const h = await att.getHoliday(id);
    const recompute = await att.deleteHoliday(id, actorOf(c));
    return redirectAfterPost(c, `/holidays?year=${h.day.slice(0, 4)}&done=holiday-deleted&${recomputeParams(recompute)}`);
  });

  // ---------------------------------------------------------------- leave

  const leavesPage = async (c: Context<AppEnv>, extra: { values?: FormValues; errors?: Record<string, string>; status?: number } = {}) => {
    const raw = c.req.query();
    const filter = { person: raw.person?.trim() || undefined, from: raw.from && isDay(raw.from) ? raw.from : undefined, to: raw.to && isDay(raw.to) ? raw.to : undefined };
    const off = Number(raw.offset ?? 0);
    const offset = Number.isInteger(off) && off >= 0 && off <= 10_000_000 ? off : 0;
    let rows: Awaited<ReturnType<typeof att.listLeaves>> = { rows: [], total: 0 };
    const who = filter.person ? await services.people.resolve(filter.person, raw.personId) : null;
    const personProblem = who && "problem" in who ? who.problem : undefined;
    const picked = who && "person" in who ? who.person : undefined;
    if (!personProblem) rows = await att.listLeaves({ personId: picked?.id, from: filter.from, to: filter.to, limit: 50, offset });
    return c.get("render").page(
      "Leave",
      <LeavesPage {...rows} limit={50} offset={offset} filter={filter} personProblem={personProblem} filterPersonId={picked && String(picked.id)} canEdit={canEdit(c)} values={extra.values} errors={extra.errors} flash={FLASH[c.req.query("done") ?? ""]} recompute={canEdit(c) ? recomputeView(c) : undefined} />,
      { active: "attendance", status: extra.status ?? (personProblem ? 422 : undefined) },
    );
  };

  r.get("/leaves", "viewer", (c) => leavesPage(c));

  r.post("/leaves", "operator", async (c) => {
    const f = await formFields(c);
    const who = await services.people.resolve(f.employeeCode ?? "", f.personId);
    const p = "person" in who ? who.person : null;
    const errors: Record<string, string> = {};
    if ("problem" in who) errors.employeeCode = who.problem;
    const parsed = leaveCreateSchema.safeParse({ personId: p?.id ?? 0, from: f.from ?? "", to: f.to ?? "", kind: f.kind || undefined, note: f.note ?? "" });
    if (!parsed.success || !p) return leavesPage(c, { values: f, errors: formErrors(parsed, errors), status: 422 });
    try {
      const { recompute } = await att.createLeave(parsed.data, actorOf(c));
      return redirectAfterPost(c, `/leaves?person=${encodeURIComponent(p.employeeCode)}&done=leave&${recomputeParams(recompute)}`);
    } catch (e) {
      const fields = unprocessable(e);
      if (fields) return leavesPage(c, { values: f, errors: fields, status: 422 });
      throw e;
    }
  });

  r.post("/leaves/:id/delete", "operator", async (c) => {
    const recompute = await att.deleteLeave(idParam(c), actorOf(c));
    return redirectAfterPost(c, `/leaves?done=leave-deleted&${recomputeParams(recompute)}`);
  });
}
