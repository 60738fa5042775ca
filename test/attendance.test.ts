import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { sql } from "drizzle-orm";
import { SYSTEM_ACTOR } from "../src/db/repos/audit";
import { addDays, localDay, parseClock, zonedInstant } from "../src/domain/time";
import { RECOMPUTE_SYNC_LIMIT, SCHEDULE_RECOMPUTE_DAYS } from "../src/services/attendance";
import { dbKinds, form, json, makeApp, type TestApp } from "./helpers";

// The preload's default timeout does not reach files when several run together; these start the app.
setDefaultTimeout(120_000);

const TZ = "Europe/Berlin";
const CAMERA = { id: null, label: "camera" };
const everyDay = (start: string, end: string) => Array.from({ length: 7 }, () => ({ start, end }));

for (const kind of dbKinds()) {
  describe(`attendance events and daily statuses on ${kind}`, () => {
    let t: TestApp;
    let personId: number;
    let otherId: number;
    let departmentId: number;
    let scheduleId: number;
    const today = localDay(new Date(), TZ);
    const day = addDays(today, -3);
    const at = (d: string, clock: string) => zonedInstant(d, parseClock(clock), TZ);
    const as = (role: string, path: string, init: RequestInit = {}) => t.req(path, { as: role, ...init });
    const status = (pid: number, d: string) => t.deps.services.attendance.status(pid, d);

    beforeAll(async () => {
      t = await makeApp(kind, { TZ });
      const s = await as("operator", "/api/v1/schedules", { method: "POST", ...json({ name: "Office", pattern: everyDay("09:00", "17:00"), graceMinutes: 5, breakMinutes: 30 }) });
      expect(s.status).toBe(201);
      scheduleId = (await s.json()).id;
      departmentId = (await (await as("operator", "/api/v1/departments", { method: "POST", ...json({ name: "Support" }) })).json()).id;
      expect((await as("operator", `/api/v1/departments/${departmentId}/schedule`, { method: "PUT", ...json({ scheduleId }) })).status).toBe(200);
      personId = (await (await as("operator", "/api/v1/people", { method: "POST", ...json({ name: "Grace Hopper", employeeCode: "GH-1", departmentId }) })).json()).id;
      otherId = (await (await as("operator", "/api/v1/people", { method: "POST", ...json({ name: "Alan Turing", employeeCode: "AT-1", departmentId }) })).json()).id;
      // Both have worked here for a month: the past days these tests correct are days they were expected.
      await t.rows(sql`update people set created_at = created_at - interval '30 days' where id in (${personId}, ${otherId})`);
    });
    afterAll(() => t.close());

    test("a camera check-in 20 minutes after the start makes the day late; correcting it makes it present", async () => {
      const att = t.deps.services.attendance;
      const checkIn = await att.recordEvent({ personId, kind: "check_in", ts: at(day, "09:20"), source: "camera", similarity: 0.71 }, CAMERA);
      await att.recordEvent({ personId, kind: "check_out", ts: at(day, "17:05"), source: "camera" }, CAMERA);
      expect(await status(personId, day)).toMatchObject({ status: "late", lateMinutes: 20, earlyMinutes: 0, workedMinutes: 435 });

      const noReason = await as("operator", `/api/v1/attendance/${checkIn.id}`, { method: "PATCH", ...json({ ts: at(day, "08:58").toISOString() }) });
      expect(noReason.status).toBe(422);
      expect((await noReason.json()).fields.reason).toBe("A reason is required for every correction");
      const blank = await as("operator", `/api/v1/attendance/${checkIn.id}`, { method: "PATCH", ...json({ ts: at(day, "08:58").toISOString(), reason: "  " }) });
      expect(blank.status).toBe(422);
      expect((await status(personId, day))!.status).toBe("late");

      const fixed = await as("operator", `/api/v1/attendance/${checkIn.id}`, { method: "PATCH", ...json({ ts: at(day, "08:58").toISOString(), reason: "Badge reader at the side door was down" }) });
      expect(fixed.status).toBe(200);
      const body = await fixed.json();
      expect(body.replaced).toBe(checkIn.id);
      expect(body.event).toMatchObject({ source: "manual", kind: "check_in", reason: "Badge reader at the side door was down", createdBy: "operator@test.local", voided: false });
      expect(body.event.id).not.toBe(checkIn.id);
      expect(await status(personId, day)).toMatchObject({ status: "present", lateMinutes: 0 });

      // The camera event was never deleted: voided, with who and why, and audited before/after.
      const original = await as("admin", `/api/v1/attendance/${checkIn.id}`);
      expect(original.status).toBe(200);
      expect(await original.json()).toMatchObject({ source: "camera", voided: true, voidedBy: "operator@test.local", voidReason: "Corrected: Badge reader at the side door was down" });
      const audit = await t.deps.services.audit.list({ entity: "attendance_event", entityId: String(checkIn.id) });
      expect(audit.map((a) => a.action)).toEqual(["void"]);
      expect(audit[0]!.before).toMatchObject({ voidedAt: null, source: "camera" });
      expect((audit[0]!.after as { voidedBy: string }).voidedBy).toBe("operator@test.local");
      const created = await t.deps.services.audit.list({ entity: "attendance_event", entityId: String(body.event.id) });
      expect(created[0]).toMatchObject({ action: "create", before: null });
      expect(created[0]!.after).toMatchObject({ replaces: checkIn.id, source: "manual" });

      // A manual event is corrected in place, and the audit keeps the old time.
      const again = await as("operator", `/api/v1/attendance/${body.event.id}`, { method: "PATCH", ...json({ ts: at(day, "09:30").toISOString(), reason: "Wrong time typed in" }) });
      expect(again.status).toBe(200);
      const againBody = await again.json();
      expect(againBody.replaced).toBeNull();
      expect(againBody.event.id).toBe(body.event.id);
      expect(await status(personId, day)).toMatchObject({ status: "late", lateMinutes: 30 });
      const updates = await t.deps.services.audit.list({ entity: "attendance_event", entityId: String(body.event.id) });
      expect(updates[0]).toMatchObject({ action: "update" });
      expect((updates[0]!.before as { ts: string }).ts).toBe(at(day, "08:58").toISOString());
      expect((updates[0]!.after as { ts: string }).ts).toBe(at(day, "09:30").toISOString());
    });

    test("voided events are visible to admins only", async () => {
      const d = addDays(today, -4);
      const add = await as("operator", "/api/v1/attendance", { method: "POST", ...json({ personId: otherId, kind: "check_in", ts: at(d, "09:00").toISOString(), reason: "Forgot the badge" }) });
      expect(add.status).toBe(201);
      const ev = await add.json();
      expect(await status(otherId, d)).toMatchObject({ status: "incomplete" });
      expect((await as("operator", `/api/v1/attendance/${ev.id}/void`, { method: "POST", ...json({}) })).status).toBe(422);
      const voided = await as("operator", `/api/v1/attendance/${ev.id}/void`, { method: "POST", ...json({ reason: "Was on a business trip" }) });
      expect(voided.status).toBe(200);
      expect((await voided.json()).voided).toBe(true);
      expect(await status(otherId, d)).toMatchObject({ status: "absent", firstIn: null });
      expect((await as("operator", `/api/v1/attendance/${ev.id}/void`, { method: "POST", ...json({ reason: "twice" }) })).status).toBe(404);
      expect((await as("admin", `/api/v1/attendance/${ev.id}/void`, { method: "POST", ...json({ reason: "twice" }) })).status).toBe(409);

      const range = `from=${d}&to=${d}&personId=${otherId}`;
      for (const role of ["viewer", "operator"]) {
        expect((await (await as(role, `/api/v1/attendance?${range}`)).json()).total).toBe(0);
        expect((await as(role, `/api/v1/attendance/${ev.id}`)).status).toBe(404);
        expect((await as(role, `/api/v1/attendance?${range}&includeVoided=true`)).status).toBe(403);
      }
      expect((await (await as("admin", `/api/v1/attendance?${range}`)).json()).total).toBe(0);
      const adminList = await (await as("admin", `/api/v1/attendance?${range}&includeVoided=true`)).json();
      expect(adminList.items.map((e: { id: number; voided: boolean; voidReason: string }) => [e.id, e.voided, e.voidReason])).toEqual([[ev.id, true, "Was on a business trip"]]);

      const page = await (await as("admin", `/attendance?from=${d}&to=${d}&person=AT-1&includeVoided=true`)).text();
      expect(page).toContain(`id="event-${ev.id}"`);
      expect(page).toContain("Was on a business trip");
      const viewerPage = await (await as("viewer", `/attendance?from=${d}&to=${d}&person=AT-1&includeVoided=true`)).text();
      expect(viewerPage).not.toContain(`id="event-${ev.id}"`);
      expect(viewerPage).not.toContain("Show voided");
    });

    test("manual events: bad input gets clear 4xx answers", async () => {
      const post = (body: unknown) => as("operator", "/api/v1/attendance", { method: "POST", ...json(body) });
      const future = await post({ personId, kind: "check_in", ts: new Date(Date.now() + 3600_000).toISOString(), reason: "test" });
      expect(future.status).toBe(422);
      expect((await future.json()).fields.ts).toContain("future");
      const ancient = await post({ personId, kind: "check_in", ts: "2020-01-01T09:00:00Z", reason: "test" });
      expect((await ancient.json()).fields.ts).toContain("366 days ago");
      const noOffset = await post({ personId, kind: "check_in", ts: "2026-01-01 09:00", reason: "test" });
      expect((await noOffset.json()).fields.ts).toContain("ISO 8601");
      const bad = await post({ personId: 999999, kind: "lunch", ts: at(day, "09:00").toISOString(), reason: "okay", extra: true });
      expect(bad.status).toBe(422);
      expect(Object.keys((await bad.json()).fields).sort()).toEqual(["_", "kind"].sort());
      const nobody = await post({ personId: 999999, kind: "check_in", ts: at(day, "09:00").toISOString(), reason: "test" });
      expect((await nobody.json()).fields.personId).toBe("Person 999999 does not exist");
      expect((await post({ personId, kind: "check_in", ts: at(day, "09:00").toISOString(), reason: "ab" })).status).toBe(422);
      expect((await as("viewer", "/api/v1/attendance", { method: "POST", ...json({ personId, kind: "check_in", ts: at(day, "09:00").toISOString(), reason: "viewer" }) })).status).toBe(403);
      expect((await as("operator", "/api/v1/attendance?from=2026-02-30")).status).toBe(422);
      expect((await as("operator", `/api/v1/attendance?from=${today}&to=${addDays(today, -1)}`)).status).toBe(422);
      expect((await as("operator", "/api/v1/attendance/abc")).status).toBe(404);
      const last = (await (await as("operator", `/api/v1/attendance?personId=${personId}&limit=1`)).json()).items[0];
      const same = await as("operator", `/api/v1/attendance/${last.id}`, { method: "PATCH", ...json({ reason: "nothing at all" }) });
      expect(same.status).toBe(422);
      expect((await same.json()).fields._).toContain("changes nothing");
      await expect(t.deps.services.attendance.recordEvent({ personId, kind: "check_in", ts: new Date(Number.NaN), source: "camera" }, CAMERA)).rejects.toMatchObject({ status: 422 });
    });

    test("a holiday turns an absence into a holiday; deleting it turns it back", async () => {
      const d = addDays(today, -5);
      const ev = await (await as("operator", "/api/v1/attendance", { method: "POST", ...json({ personId: otherId, kind: "check_in", ts: at(d, "10:00").toISOString(), reason: "Phoned in" }) })).json();
      await as("operator", `/api/v1/attendance/${ev.id}/void`, { method: "POST", ...json({ reason: "Did not come in after all" }) });
      expect((await status(otherId, d))!.status).toBe("absent");
      const h = await as("operator", "/api/v1/holidays", { method: "POST", ...json({ from: d, name: "Founders' day" }) });
      expect(h.status).toBe(201);
      const hb = await h.json();
      expect(hb.recompute.rows).toBeGreaterThanOrEqual(1);
      expect((await status(otherId, d))!.status).toBe("holiday");
      const daily = await (await as("viewer", `/api/v1/reports/daily?date=${d}&departmentId=${departmentId}`)).json();
      expect(daily.rows.find((r: { personId: number }) => r.personId === otherId).status).toBe("holiday");
      expect((await as("operator", `/api/v1/holidays/${hb.items[0].id}`, { method: "DELETE" })).status).toBe(200);
      expect((await status(otherId, d))!.status).toBe("absent");
    });

    test("the sweep fills in absences and leave for days nobody touched, from the day someone was added", async () => {
      const att = t.deps.services.attendance;
      const p = await (await as("operator", "/api/v1/people", { method: "POST", ...json({ name: "Sweep Person", employeeCode: "SW-1", departmentId }) })).json();
      const d1 = addDays(today, 1);
      const d2 = addDays(today, 2);
      const leave = await as("operator", "/api/v1/leaves", { method: "POST", ...json({ personId: p.id, from: d2, to: d2, kind: "vacation" }) });
      expect(leave.status).toBe(201);
      await att.settle(at(d2, "12:00"));
      // The day they were added counts too (absent only if they were added before the shift started).
      expect(["not_started", "absent"]).toContain((await status(p.id, today))?.status ?? "none");
      expect((await status(p.id, d1))!.status).toBe("absent");
      expect((await status(p.id, d2))!.status).toBe("on_leave");
      // Before the shift starts on the sweep's day the status is not final; the next sweep revisits it.
      await att.settle(at(addDays(today, 3), "08:00"));
      expect((await status(p.id, addDays(today, 3)))!.status).toBe("not_started");
      await att.settle(at(addDays(today, 3), "09:30"));
      expect((await status(p.id, addDays(today, 3)))!.status).toBe("absent");
    });

    test("recordEvent attributes a night shift's check-out to the day the shift started", async () => {
      const att = t.deps.services.attendance;
      const night = await (await as("operator", "/api/v1/schedules", { method: "POST", ...json({ name: "Night", pattern: everyDay("22:00", "06:00") }) })).json();
      const p = await (await as("operator", "/api/v1/people", { method: "POST", ...json({ name: "Night Owl", employeeCode: "NO-1" }) })).json();
      const put = await as("operator", `/api/v1/people/${p.id}/schedule`, { method: "PUT", ...json({ scheduleId: night.id }) });
      expect(put.status).toBe(200);
      const d = addDays(today, -6);
      await att.recordEvent({ personId: p.id, kind: "check_in", ts: at(d, "21:55"), source: "kiosk" }, CAMERA);
      await att.recordEvent({ personId: p.id, kind: "check_out", ts: at(addDays(d, 1), "06:10"), source: "kiosk" }, CAMERA);
      const s = await status(p.id, d);
      expect(s).toMatchObject({ status: "present", lateMinutes: 0 });
      expect(s!.workedMinutes).toBe(8 * 60 + 15 - 30);
      expect(await status(p.id, addDays(d, 1))).toBeNull();
      expect(await att.lastEvent(p.id)).toMatchObject({ kind: "check_out" });
    });

    test("moving a person to another schedule recomputes their recent days; big changes run as a job", async () => {
      const d = addDays(today, -3);
      expect((await status(personId, d))!.status).toBe("late");
      const lenient = await (await as("operator", "/api/v1/schedules", { method: "POST", ...json({ name: "Lenient", pattern: everyDay("09:00", "17:00"), graceMinutes: 45 }) })).json();
      const put = await (await as("operator", `/api/v1/people/${personId}/schedule`, { method: "PUT", ...json({ scheduleId: lenient.id }) })).json();
      expect(put.recompute.rows).toBeGreaterThanOrEqual(1);
      expect((await status(personId, d))!.status).toBe("present");
      const audit = await t.deps.services.audit.list({ entity: "person", entityId: String(personId) });
      expect(audit[0]).toMatchObject({ action: "update", before: { scheduleId: null }, after: { scheduleId: lenient.id } });

      // Enough people that their recent days exceed the inline limit: the change runs in the background.
      const needed = Math.ceil(RECOMPUTE_SYNC_LIMIT / SCHEDULE_RECOMPUTE_DAYS) + 1;
      for (let i = 0; i < needed; i++) await t.deps.services.people.create({ name: `Bulk ${i}`, employeeCode: `BULK-${i}`, departmentId, active: true }, SYSTEM_ACTOR);
      const res = await as("operator", `/api/v1/schedules/${scheduleId}`, { method: "PATCH", ...json({ graceMinutes: 10 }) });
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.graceMinutes).toBe(10);
      expect(typeof body.recompute.job).toBe("string");
      expect(body.recompute.total).toBeGreaterThan(RECOMPUTE_SYNC_LIMIT);
      await t.deps.services.jobs.idle();
      const job = await (await as("operator", `/api/v1/recompute/${body.recompute.job}`)).json();
      expect(job).toMatchObject({ finished: true, error: null, done: body.recompute.total, total: body.recompute.total });
      expect((await as("viewer", `/api/v1/recompute/${body.recompute.job}`)).status).toBe(403);
      expect((await as("admin", `/api/v1/recompute/${body.recompute.job}`)).status).toBe(404);
      const page = await (await as("operator", `/schedules/${scheduleId}?job=${body.recompute.job}`)).text();
      expect(page).toContain("Stored days recomputed");
    });

    test("pages: list with filters and htmx pagination, add with inline errors, correct, void", async () => {
      const list = await as("viewer", `/attendance?person=GH-1&from=${addDays(today, -10)}&to=${today}`);
      expect(list.status).toBe(200);
      const html = await list.text();
      expect(html).toContain('id="events-table"');
      expect(html).toContain("Grace Hopper");
      expect(html).not.toContain("Alan Turing</a>");
      expect(html).not.toContain('href="/attendance/new"');
      const frag = await as("viewer", "/attendance?limit=1&offset=1", { headers: { "HX-Request": "true", "HX-Request-Type": "partial" } });
      const fragHtml = await frag.text();
      expect(fragHtml).not.toContain("<html");
      expect(fragHtml).toContain('rel="prev"');
      expect(await (await as("viewer", "/attendance?person=NOPE-9")).text()).toContain("Nobody is called NOPE-9");
      expect((await as("viewer", "/attendance?from=yesterday")).status).toBe(422);

      const d = addDays(today, -7);
      const noReason = await as("operator", "/attendance", { method: "POST", ...form({ employeeCode: "GH-1", kind: "check_in", at: `${d}T09:00`, reason: "" }) });
      expect(noReason.status).toBe(422);
      expect(await noReason.text()).toContain("Give a reason (at least 3 characters)");
      const unknown = await as("operator", "/attendance", { method: "POST", ...form({ employeeCode: "ZZ-404", kind: "check_in", at: "", reason: "because" }) });
      const unknownHtml = await unknown.text();
      expect(unknownHtml).toContain("Nobody is called ZZ-404");
      expect(unknownHtml).toContain("Enter the date and time");
      const ok = await as("operator", "/attendance", { method: "POST", ...form({ employeeCode: "GH-1", kind: "check_in", at: `${d}T09:40`, reason: "Came through the loading bay" }) });
      expect(ok.status).toBe(303);
      expect((await status(personId, d))!.status).toBe("incomplete");
      const ev = (await (await as("operator", `/api/v1/attendance?personId=${personId}&from=${d}&to=${d}`)).json()).items[0];
      expect(ev.ts).toBe(at(d, "09:40").toISOString());
      const edit = await (await as("operator", `/attendance/${ev.id}/edit`)).text();
      expect(edit).toContain(`value="${d}T09:40"`);
      const corrected = await as("operator", `/attendance/${ev.id}`, { method: "POST", ...form({ employeeCode: "GH-1", kind: "check_in", at: `${d}T08:55`, reason: "Typo" }) });
      expect(corrected.status).toBe(303);
      expect((await (await as("operator", `/api/v1/attendance/${ev.id}`)).json()).ts).toBe(at(d, "08:55").toISOString());
      const voidNoReason = await as("operator", `/attendance/${ev.id}/void`, { method: "POST", ...form({ reason: "" }) });
      expect(voidNoReason.status).toBe(422);
      expect((await as("operator", `/attendance/${ev.id}/void`, { method: "POST", ...form({ reason: "Duplicate entry" }) })).status).toBe(303);
      expect((await as("operator", `/attendance/${ev.id}/edit`)).status).toBe(404);
      expect((await as("admin", `/attendance/${ev.id}/edit`)).status).toBe(200);
    });
  });
}
