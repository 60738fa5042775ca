import { z } from "zod";
import type { AppDeps } from "../app-env";
import { HttpError, idParam, parseJson, readJson } from "../lib/http";
import {
  assignSchema,
  eventJson,
  eventPatchSchema,
  eventSchema,
  eventsQuerySchema,
  holidayCreateSchema,
  holidayJson,
  holidayPatchSchema,
  holidaySchema,
  holidaysQuerySchema,
  leaveCreateSchema,
  leaveJson,
  leavePatchSchema,
  leaveSchema,
  leavesQuerySchema,
  manualEventSchema,
  recomputeSchema,
  scheduleBodySchema,
  scheduleJson,
  scheduleSchema,
  voidSchema,
} from "../services/attendance";
import { errorSchema, pageOf } from "../services/schemas";
import { type Api, parseQuery } from "./openapi";
import { actorOf, isAdmin } from "./router";

const notFound = { description: "No such record", schema: errorSchema };
const withRecompute = z.object({ recompute: recomputeSchema });

export function registerAttendanceApi(api: Api, deps: AppDeps) {
  const { services } = deps;
  const att = services.attendance;

  // ---------------------------------------------------------------- events

  api.op(
    {
      method: "GET",
      path: "/api/v1/attendance",
      tag: "Attendance",
      summary: "List attendance events, newest first (days in the site time zone); voided ones only for admins with includeVoided",
      access: "viewer",
      query: eventsQuerySchema,
      responses: { 200: { description: "A page of events", schema: pageOf(eventSchema) }, 403: { description: "includeVoided without the admin role", schema: errorSchema } },
    },
    async (c) => {
      const q = parseQuery(c, eventsQuerySchema);
      const { rows, total } = await att.listEvents(q, isAdmin(c));
      return c.json({ items: rows.map(eventJson), total, limit: q.limit, offset: q.offset });
    },
  );

  api.op(
    { method: "POST", path: "/api/v1/attendance", tag: "Attendance", summary: "Add a manual check-in or check-out (a reason is required)", access: "operator", body: manualEventSchema, responses: { 201: { description: "Created", schema: eventSchema } } },
    async (c) => {
      const e = await att.addManual(await parseJson(c, manualEventSchema), actorOf(c));
      c.header("Location", `/api/v1/attendance/${e.id}`);
      return c.json(eventJson(e), 201);
    },
  );

  api.op({ method: "GET", path: "/api/v1/attendance/:id", tag: "Attendance", summary: "One event (voided events only for admins)", access: "viewer", responses: { 200: { description: "The event", schema: eventSchema }, 404: notFound } }, async (c) =>
    c.json(eventJson(await att.getEvent(idParam(c), isAdmin(c)))),
  );

  api.op(
    {
      method: "PATCH",
      path: "/api/v1/attendance/:id",
      tag: "Attendance",
      summary: "Correct an event (reason required). Manual events change in place; camera and kiosk events are voided and replaced by a manual event",
      access: "operator",
      body: eventPatchSchema,
      responses: {
        200: { description: "The resulting event, and the id of the voided one when it was replaced", schema: z.object({ event: eventSchema, replaced: z.number().int().nullable() }) },
        404: notFound,
        409: { description: "The event is voided", schema: errorSchema },
      },
    },
    async (c) => {
      const id = idParam(c);
      await att.getEvent(id, isAdmin(c));
      const { event, replaced } = await att.editEvent(id, await parseJson(c, eventPatchSchema), actorOf(c), isAdmin(c));
      return c.json({ event: eventJson(event), replaced });
    },
  );

  api.op(
    {
      method: "POST",
      path: "/api/v1/attendance/:id/void",
      tag: "Attendance",
      summary: "Void an event (reason required); it stays on record for admins and no longer counts",
      access: "operator",
      body: voidSchema,
      responses: { 200: { description: "The voided event", schema: eventSchema }, 404: notFound, 409: { description: "Already voided", schema: errorSchema } },
    },
    async (c) => {
      const id = idParam(c);
      await att.getEvent(id, isAdmin(c));
      const { reason } = await parseJson(c, voidSchema);
      return c.json(eventJson(await att.voidEvent(id, reason, actorOf(c), isAdmin(c))));
    },
  );

  api.op(
    {
      method: "GET",
      path: "/api/v1/recompute/:job",
      tag: "Attendance",
      summary: "Progress of a background recomputation of stored daily statuses (started by a schedule, holiday or leave change)",
      access: "operator",
      responses: {
        200: { description: "Progress", schema: z.object({ id: z.string(), done: z.number().int(), total: z.number().int(), finished: z.boolean(), rows: z.number().int().nullable(), error: z.string().nullable() }) },
        404: notFound,
      },
    },
    (c) => {
      const job = services.jobs.get<number>(c.req.param("job") ?? "", c.get("user")!.id);
      if (!job) throw new HttpError(404, "This recomputation is unknown or too old");
      return c.json({ id: job.id, done: job.done, total: job.total, finished: job.finished, rows: job.result ?? null, error: job.error ?? null });
    },
  );

  // ---------------------------------------------------------------- schedules

  api.op(
    { method: "GET", path: "/api/v1/schedules", tag: "Schedules", summary: "List work schedules", access: "viewer", responses: { 200: { description: "Every schedule", schema: z.object({ items: z.array(scheduleSchema) }) } } },
    async (c) => c.json({ items: (await att.listSchedules()).map(scheduleJson) }),
  );

  api.op(
    {
      method: "POST",
      path: "/api/v1/schedules",
      tag: "Schedules",
      summary: "Create a schedule (overlapping or inverted shifts, bad times and breaks get 422 with a message per field)",
      access: "operator",
      body: scheduleBodySchema,
      responses: { 201: { description: "Created", schema: scheduleSchema } },
    },
    async (c) => {
      const s = await att.createSchedule(await readJson(c), actorOf(c));
      c.header("Location", `/api/v1/schedules/${s.id}`);
      return c.json(scheduleJson(s), 201);
    },
  );

  api.op({ method: "GET", path: "/api/v1/schedules/:id", tag: "Schedules", summary: "One schedule", access: "viewer", responses: { 200: { description: "The schedule", schema: scheduleSchema }, 404: notFound } }, async (c) =>
    c.json(scheduleJson(await att.getSchedule(idParam(c)))),
  );

  api.op(
    {
      method: "PATCH",
      path: "/api/v1/schedules/:id",
      tag: "Schedules",
      summary: "Change a schedule (only the fields sent); the last 62 days of everyone on it are recomputed",
      access: "operator",
      body: scheduleBodySchema.partial(),
      responses: { 200: { description: "The updated schedule, with how recomputation went", schema: scheduleSchema }, 404: notFound },
    },
    async (c) => {
      const id = idParam(c);
      await att.getSchedule(id);
      const { schedule, recompute } = await att.updateSchedule(id, await readJson(c), actorOf(c));
      return c.json({ ...scheduleJson(schedule), recompute });
    },
  );

  api.op(
    { method: "DELETE", path: "/api/v1/schedules/:id", tag: "Schedules", summary: "Delete a schedule; its departments and people are left without one", access: "operator", responses: { 200: { description: "Deleted", schema: withRecompute }, 404: notFound } },
    async (c) => c.json({ recompute: await att.deleteSchedule(idParam(c), actorOf(c)) }),
  );

  api.op(
    {
      method: "PUT",
      path: "/api/v1/departments/:id/schedule",
      tag: "Schedules",
      summary: "Set a department's schedule (null removes it); its people without their own schedule follow it",
      access: "operator",
      body: assignSchema,
      responses: { 200: { description: "Assigned", schema: withRecompute }, 404: notFound },
    },
    async (c) => {
      const id = idParam(c);
      await services.people.getDepartment(id);
      const { scheduleId } = await parseJson(c, assignSchema);
      return c.json({ recompute: await att.setDepartmentSchedule(id, scheduleId, actorOf(c)) });
    },
  );

  api.op(
    {
      method: "PUT",
      path: "/api/v1/people/:id/schedule",
      tag: "Schedules",
      summary: "Give a person their own schedule, overriding their department's (null: follow the department again)",
      access: "operator",
      body: assignSchema,
      responses: { 200: { description: "Assigned", schema: withRecompute }, 404: notFound },
    },
    async (c) => {
      const id = idParam(c);
      await services.people.get(id);
      const { scheduleId } = await parseJson(c, assignSchema);
      return c.json({ recompute: await att.setPersonSchedule(id, scheduleId, actorOf(c)) });
    },
  );

  // ---------------------------------------------------------------- holidays

  api.op(
    { method: "GET", path: "/api/v1/holidays", tag: "Holidays and leave", summary: "List holidays, optionally within [from, to]", access: "viewer", query: holidaysQuerySchema, responses: { 200: { description: "Holidays by day", schema: z.object({ items: z.array(holidaySchema) }) } } },
    async (c) => {
      const q = parseQuery(c, holidaysQuerySchema);
      return c.json({ items: (await att.listHolidays(q.from, q.to)).map(holidayJson) });
    },
  );

  api.op(
    {
      method: "POST",
      path: "/api/v1/holidays",
      tag: "Holidays and leave",
      summary: "Add a holiday for everyone, one day or from–to (at most a year); the days are recomputed",
      access: "operator",
      body: holidayCreateSchema,
      responses: { 201: { description: "The holiday days created", schema: z.object({ items: z.array(holidaySchema), recompute: recomputeSchema }) } },
    },
    async (c) => {
      const { holidays, recompute } = await att.createHolidays(await parseJson(c, holidayCreateSchema), actorOf(c));
      return c.json({ items: holidays.map(holidayJson), recompute }, 201);
    },
  );

  api.op(
    { method: "PATCH", path: "/api/v1/holidays/:id", tag: "Holidays and leave", summary: "Rename or move a holiday", access: "operator", body: holidayPatchSchema, responses: { 200: { description: "Updated", schema: holidaySchema.extend({ recompute: recomputeSchema }) }, 404: notFound } },
    async (c) => {
      const id = idParam(c);
      await att.getHoliday(id);
      const { holiday, recompute } = await att.updateHoliday(id, await parseJson(c, holidayPatchSchema), actorOf(c));
      return c.json({ ...holidayJson(holiday), recompute });
    },
  );

  api.op(
    { method: "DELETE", path: "/api/v1/holidays/:id", tag: "Holidays and leave", summary: "Delete a holiday; its day is recomputed", access: "operator", responses: { 200: { description: "Deleted", schema: withRecompute }, 404: notFound } },
    async (c) => c.json({ recompute: await att.deleteHoliday(idParam(c), actorOf(c)) }),
  );

  // ---------------------------------------------------------------- leave

  api.op(
    { method: "GET", path: "/api/v1/leaves", tag: "Holidays and leave", summary: "List leave (of a person, overlapping [from, to])", access: "viewer", query: leavesQuerySchema, responses: { 200: { description: "A page of leave", schema: pageOf(leaveSchema) } } },
    async (c) => {
      const q = parseQuery(c, leavesQuerySchema);
      const { rows, total } = await att.listLeaves(q);
      return c.json({ items: rows.map(leaveJson), total, limit: q.limit, offset: q.offset });
    },
  );

  api.op(
    {
      method: "POST",
      path: "/api/v1/leaves",
      tag: "Holidays and leave",
      summary: "Record leave for a person, from–to inclusive (at most a year, not overlapping other leave); the days are recomputed",
      access: "operator",
      body: leaveCreateSchema,
      responses: { 201: { description: "Created", schema: leaveSchema.extend({ recompute: recomputeSchema }) } },
    },
    async (c) => {
      const { leave, recompute } = await att.createLeave(await parseJson(c, leaveCreateSchema), actorOf(c));
      c.header("Location", `/api/v1/leaves/${leave.id}`);
      return c.json({ ...leaveJson(leave), recompute }, 201);
    },
  );

  api.op({ method: "GET", path: "/api/v1/leaves/:id", tag: "Holidays and leave", summary: "One leave", access: "viewer", responses: { 200: { description: "The leave", schema: leaveSchema }, 404: notFound } }, async (c) =>
    c.json(leaveJson(await att.getLeave(idParam(c)))),
  );

  api.op(
    { method: "PATCH", path: "/api/v1/leaves/:id", tag: "Holidays and leave", summary: "Change a leave", access: "operator", body: leavePatchSchema, responses: { 200: { description: "Updated", schema: leaveSchema.extend({ recompute: recomputeSchema }) }, 404: notFound } },
    async (c) => {
      const id = idParam(c);
      await att.getLeave(id);
      const { leave, recompute } = await att.updateLeave(id, await parseJson(c, leavePatchSchema), actorOf(c));
      return c.json({ ...leaveJson(leave), recompute });
    },
  );

  api.op(
    { method: "DELETE", path: "/api/v1/leaves/:id", tag: "Holidays and leave", summary: "Delete a leave; its days are recomputed", access: "operator", responses: { 200: { description: "Deleted", schema: withRecompute }, 404: notFound } },
    async (c) => c.json({ recompute: await att.deleteLeave(idParam(c), actorOf(c)) }),
  );
}
