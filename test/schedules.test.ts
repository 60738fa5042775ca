import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { addDays } from "../src/domain/time";
import { dbKinds, form, json, makeApp, type TestApp } from "./helpers";

// The preload's default timeout does not reach files when several run together; these start the app.
setDefaultTimeout(120_000);

const nine = { start: "09:00", end: "17:00" };
const office = [null, nine, nine, nine, nine, nine, null];

for (const kind of dbKinds()) {
  describe(`schedules, holidays and leave on ${kind}`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await makeApp(kind);
    });
    afterAll(() => t.close());

    const api = (path: string, init: RequestInit & { as?: string } = {}) => t.req(path, { as: "operator", ...init });
    const post = (path: string, body: unknown) => api(path, { method: "POST", ...json(body) });
    const fieldsOf = async (res: Response) => {
      expect(res.status).toBe(422);
      return (await res.json()).fields as Record<string, string>;
    };

    test("API: create, read, list, patch, delete, with audit", async () => {
      const created = await post("/api/v1/schedules", { name: "Office", pattern: office });
      expect(created.status).toBe(201);
      expect(created.headers.get("location")).toMatch(/^\/api\/v1\/schedules\/\d+$/);
      const s = await created.json();
      expect(s).toMatchObject({ name: "Office", pattern: office, graceMinutes: 5, breakMinutes: 30, minHours: 0, autoCheckoutMinutes: null, departmentCount: 0, overrideCount: 0 });
      expect(await (await api(`/api/v1/schedules/${s.id}`, { as: "viewer" })).json()).toMatchObject({ id: s.id, name: "Office" });
      const list = await (await api("/api/v1/schedules", { as: "viewer" })).json();
      expect(list.items.map((x: { name: string }) => x.name)).toContain("Office");

      const patched = await api(`/api/v1/schedules/${s.id}`, { method: "PATCH", ...json({ graceMinutes: 10, autoCheckoutMinutes: 60 }) });
      expect(patched.status).toBe(200);
      const p = await patched.json();
      expect(p).toMatchObject({ name: "Office", pattern: office, graceMinutes: 10, autoCheckoutMinutes: 60, recompute: { rows: 0 } });
      const audit = await t.deps.services.audit.list({ entity: "schedule", entityId: String(s.id) });
      expect(audit.map((a) => a.action)).toEqual(["update", "create"]);
      expect(audit[0]!.before).toMatchObject({ graceMinutes: 5, autoCheckoutMinutes: null });
      expect(audit[0]!.after).toMatchObject({ graceMinutes: 10, autoCheckoutMinutes: 60 });

      expect((await api(`/api/v1/schedules/${s.id}`, { method: "PATCH", as: "viewer", ...json({ graceMinutes: 1 }) })).status).toBe(403);
      expect((await api(`/api/v1/schedules/${s.id}`, { method: "DELETE" })).status).toBe(200);
      expect((await api(`/api/v1/schedules/${s.id}`)).status).toBe(404);
      expect((await api(`/api/v1/schedules/${s.id}`, { method: "DELETE" })).status).toBe(404);
    });

    test("API: overlapping, inverted-length, malformed and out-of-range schedules get a message per field", async () => {
      // Monday's night shift runs to 08:00 on Tuesday, after Tuesday's 06:00 start.
      const overlap = await fieldsOf(await post("/api/v1/schedules", { name: "Overlap", pattern: [null, { start: "22:00", end: "08:00" }, { start: "06:00", end: "14:00" }, null, null, null, null] }));
      expect(overlap["pattern.2.start"]).toBe("Tuesday's shift starts at 06:00, before Monday's overnight shift ends at 08:00");
      // Saturday night into Sunday wraps around the week.
      const wrap = await fieldsOf(await post("/api/v1/schedules", { name: "Wrap", pattern: [{ start: "05:00", end: "12:00" }, null, null, null, null, null, { start: "23:00", end: "07:00" }] }));
      expect(wrap["pattern.0.start"]).toContain("before Saturday's overnight shift ends at 07:00");
      const empty = await fieldsOf(await post("/api/v1/schedules", { name: "Zero", pattern: [null, { start: "09:00", end: "09:00" }, null, null, null, null, null] }));
      expect(empty["pattern.1.end"]).toContain("starts and ends at 09:00");
      const malformed = await fieldsOf(await post("/api/v1/schedules", { name: "", pattern: [null, { start: "25:00", end: "9" }, "monday", null, null, null, null], graceMinutes: -1, breakMinutes: 2.5, minHours: 30, autoCheckoutMinutes: 5000, colour: "red" }));
      expect(malformed).toMatchObject({
        name: "Enter a name",
        "pattern.1.start": expect.stringContaining("is not a time of day"),
        "pattern.1.end": expect.stringContaining("is not a time of day"),
        "pattern.2": "Tuesday must have a start and an end, or be a day off",
        graceMinutes: "Grace cannot be negative",
        breakMinutes: "Break must be a whole number of minutes",
        minHours: "Minimum hours must be between 0 and 24",
        autoCheckoutMinutes: expect.stringContaining("cannot be more than 1440"),
        colour: expect.stringContaining("Unknown field"),
      });
      const longBreak = await fieldsOf(await post("/api/v1/schedules", { name: "Short", pattern: [null, { start: "09:00", end: "10:00" }, null, null, null, null, null], breakMinutes: 60 }));
      expect(longBreak.breakMinutes).toContain("not shorter than the 1 h 00 min shift on Monday");
      expect((await fieldsOf(await post("/api/v1/schedules", { name: "Six days", pattern: [null, nine] }))).pattern).toContain("exactly 7 days");
      expect((await fieldsOf(await post("/api/v1/schedules", { name: "No pattern" }))).pattern).toContain("exactly 7 days");
      expect((await api("/api/v1/schedules", { method: "POST", body: "{", headers: { "content-type": "application/json" } })).status).toBe(400);
      expect((await api("/api/v1/schedules", { method: "POST", ...json([1]) })).status).toBe(422);

      const ok = await post("/api/v1/schedules", { name: "Early", pattern: office });
      expect(ok.status).toBe(201);
      const dup = await fieldsOf(await post("/api/v1/schedules", { name: "EARLY", pattern: office }));
      expect(dup.name).toBe("A schedule called Early already exists");
      const badPatch = await fieldsOf(await api(`/api/v1/schedules/${(await ok.json()).id}`, { method: "PATCH", ...json({ pattern: [null, { start: "22:00", end: "10:00" }, { start: "08:00", end: "16:00" }, null, null, null, null] }) }));
      expect(badPatch["pattern.2.start"]).toContain("before Monday's overnight shift ends at 10:00");
      expect((await (await api("/api/v1/schedules")).json()).items.map((s: { name: string }) => s.name)).toEqual(["Early"]);
    });

    test("assignment to departments and people, with the effective schedule following", async () => {
      const s = await (await post("/api/v1/schedules", { name: "Shop floor", pattern: office })).json();
      const dept = await (await post("/api/v1/departments", { name: "Assembly" })).json();
      const person = await (await post("/api/v1/people", { name: "Ada", employeeCode: "A-1", departmentId: dept.id })).json();
      expect((await api(`/api/v1/departments/${dept.id}/schedule`, { method: "PUT", ...json({ scheduleId: 999999 }) })).status).toBe(422);
      expect((await api(`/api/v1/departments/999999/schedule`, { method: "PUT", ...json({ scheduleId: s.id }) })).status).toBe(404);
      expect((await api(`/api/v1/departments/${dept.id}/schedule`, { method: "PUT", ...json({}) })).status).toBe(422);
      expect((await api(`/api/v1/departments/${dept.id}/schedule`, { method: "PUT", ...json({ scheduleId: s.id }) })).status).toBe(200);
      expect((await (await api(`/api/v1/departments/${dept.id}`)).json()).scheduleId).toBe(s.id);
      expect((await (await api(`/api/v1/schedules/${s.id}`)).json()).departmentCount).toBe(1);
      expect(await t.deps.services.attendance.dayOf(person.id, new Date("2026-03-02T12:00:00Z"))).toBe("2026-03-02");

      const other = await (await post("/api/v1/schedules", { name: "Own", pattern: office })).json();
      expect((await api(`/api/v1/people/${person.id}/schedule`, { method: "PUT", ...json({ scheduleId: other.id }) })).status).toBe(200);
      expect((await (await api(`/api/v1/schedules/${other.id}`)).json()).overrideCount).toBe(1);
      const page = await (await api(`/schedules/${other.id}`, { as: "viewer" })).text();
      expect(page).toContain("A-1");
      expect(page).not.toContain("/unassign");

      // Form assignment by employee code and removal.
      const byCode = await api(`/schedules/${s.id}/assign`, { method: "POST", ...form({ employeeCode: "nobody" }) });
      expect(byCode.status).toBe(422);
      expect(await byCode.text()).toContain("Nobody is called nobody");
      expect((await api(`/schedules/${s.id}/assign`, { method: "POST", ...form({}) })).status).toBe(422);
      expect((await api(`/schedules/${s.id}/assign`, { method: "POST", ...form({ employeeCode: "A-1" }) })).status).toBe(303);
      expect((await t.deps.services.people.get(person.id)).scheduleId).toBe(s.id);
      expect((await api(`/schedules/${s.id}/unassign`, { method: "POST", ...form({ personId: String(person.id) }) })).status).toBe(303);
      expect((await t.deps.services.people.get(person.id)).scheduleId).toBeNull();
      expect((await api(`/schedules/${s.id}/unassign`, { method: "POST", ...form({ departmentId: String(dept.id) }) })).status).toBe(303);
      expect((await t.deps.services.people.getDepartment(dept.id)).scheduleId).toBeNull();
      expect((await api(`/schedules/${s.id}/unassign`, { method: "POST", ...form({}) })).status).toBe(422);
    });

    test("pages: the form shows inline errors, creates, edits and deletes", async () => {
      const list = await t.req("/schedules", { as: "viewer" });
      expect(list.status).toBe(200);
      expect(await list.text()).not.toContain('href="/schedules/new"');
      const fresh = await (await t.req("/schedules/new", { as: "operator" })).text();
      expect(fresh).toContain('name="d1_start" value="09:00"');

      const fields = { name: "Nights", d1_on: "on", d1_start: "22:00", d1_end: "08:00", d2_on: "on", d2_start: "06:00", d2_end: "14:00", graceMinutes: "5", breakMinutes: "x", minHours: "0", autoCheckoutMinutes: "" };
      const bad = await api("/schedules", { method: "POST", ...form(fields) });
      expect(bad.status).toBe(422);
      const html = await bad.text();
      expect(html).toContain("Tuesday&#39;s shift starts at 06:00, before Monday&#39;s overnight shift ends at 08:00");
      expect(html).toContain("Break must be a whole number of minutes");
      expect(html).toContain('value="22:00"');

      const good = await api("/schedules", { method: "POST", ...form({ ...fields, d2_start: "22:00", d2_end: "06:00", breakMinutes: "45", autoCheckoutMinutes: "120" }) });
      expect(good.status).toBe(303);
      const loc = good.headers.get("location")!;
      const id = Number(loc.split("/")[2]!.split("?")[0]);
      const s = await (await api(`/api/v1/schedules/${id}`)).json();
      expect(s.pattern).toEqual([null, { start: "22:00", end: "08:00" }, { start: "22:00", end: "06:00" }, null, null, null, null]);
      expect(s).toMatchObject({ breakMinutes: 45, autoCheckoutMinutes: 120 });
      const detail = await (await t.req(loc, { as: "operator" })).text();
      expect(detail).toContain("Schedule created.");
      expect(detail).toContain("22:00–08:00 (+1)");

      const edit = await (await t.req(`/schedules/${id}/edit`, { as: "operator" })).text();
      expect(edit).toContain('name="d1_on" value="on" checked');
      const saved = await api(`/schedules/${id}`, { method: "POST", ...form({ ...fields, d2_on: "off", breakMinutes: "30" }) });
      expect(saved.status).toBe(303);
      expect(saved.headers.get("location")).toMatch(new RegExp(`^/schedules/${id}\\?done=saved&rows=\\d+$`));
      expect((await (await api(`/api/v1/schedules/${id}`)).json()).pattern[2]).toBeNull();
      expect((await api(`/schedules/${id}/delete`, { method: "POST", ...form({}) })).status).toBe(303);
      expect((await t.req(`/schedules/${id}`, { as: "viewer" })).status).toBe(404);
    });

    test("holidays: ranges, duplicates and limits", async () => {
      const bad = async (body: unknown) => fieldsOf(await post("/api/v1/holidays", body));
      expect((await bad({ from: "2026-12-26", to: "2026-12-24", name: "Backwards" })).to).toBe("The start date 2026-12-26 is after the end date 2026-12-24");
      expect((await bad({ from: "2026-01-01", to: "2027-01-05", name: "Too long" })).to).toContain("at most 366 days");
      expect((await bad({ from: "2026-02-30", name: "No such day" })).from).toContain("YYYY-MM-DD");
      expect((await bad({ from: "2026-05-01" })).name).toBe("Enter a name");
      const ok = await post("/api/v1/holidays", { from: "2026-12-24", to: "2026-12-26", name: "Christmas" });
      expect(ok.status).toBe(201);
      const body = await ok.json();
      expect(body.items.map((h: { day: string }) => h.day)).toEqual(["2026-12-24", "2026-12-25", "2026-12-26"]);
      expect((await bad({ from: "2026-12-25", name: "Again" })).from).toBe("2026-12-25 (Christmas) is already a holiday");
      const list = await (await api("/api/v1/holidays?from=2026-12-25&to=2026-12-31", { as: "viewer" })).json();
      expect(list.items.map((h: { day: string }) => h.day)).toEqual(["2026-12-25", "2026-12-26"]);
      const moved = await api(`/api/v1/holidays/${body.items[2].id}`, { method: "PATCH", ...json({ day: "2026-12-24" }) });
      expect((await fieldsOf(moved)).day).toContain("already a holiday");
      const renamed = await api(`/api/v1/holidays/${body.items[2].id}`, { method: "PATCH", ...json({ name: "Boxing Day" }) });
      expect((await renamed.json()).name).toBe("Boxing Day");
      expect((await api(`/api/v1/holidays/${body.items[0].id}`, { method: "DELETE" })).status).toBe(200);
      expect((await api(`/api/v1/holidays/${body.items[0].id}`, { method: "DELETE" })).status).toBe(404);

      const page = await (await t.req("/holidays?year=2026", { as: "viewer" })).text();
      expect(page).toContain("Boxing Day");
      expect(page).not.toContain('id="holiday-form"');
      const formBad = await api("/holidays", { method: "POST", ...form({ from: "2026-07-10", to: "2026-07-01", name: "Summer" }) });
      expect(formBad.status).toBe(422);
      expect(await formBad.text()).toContain("is after the end date");
      const formOk = await api("/holidays", { method: "POST", ...form({ from: "2026-07-01", to: "", name: "Summer" }) });
      expect(formOk.status).toBe(303);
      expect(formOk.headers.get("location")).toStartWith("/holidays?year=2026&done=holiday&rows=");
    });

    test("leave: ranges, overlaps, unknown people and limits", async () => {
      const person = await (await post("/api/v1/people", { name: "Lea", employeeCode: "L-1" })).json();
      const bad = async (body: unknown) => fieldsOf(await post("/api/v1/leaves", body));
      expect((await bad({ personId: person.id, from: "2026-08-10", to: "2026-08-01" })).to).toContain("is after the end date");
      expect((await bad({ personId: person.id, from: "2025-01-01", to: "2026-06-01" })).to).toContain("at most 366 days");
      expect((await bad({ personId: 999999, from: "2026-08-01", to: "2026-08-02" })).personId).toBe("Person 999999 does not exist");
      expect((await bad({ personId: person.id, from: "2026-08-01", to: "2026-08-02", kind: "party" })).kind).toContain("kind is one of");
      const ok = await post("/api/v1/leaves", { personId: person.id, from: "2026-08-01", to: "2026-08-14", kind: "vacation", note: "Lake" });
      expect(ok.status).toBe(201);
      const leave = await ok.json();
      expect(leave).toMatchObject({ personId: person.id, employeeCode: "L-1", from: "2026-08-01", to: "2026-08-14", kind: "vacation", note: "Lake" });
      expect((await bad({ personId: person.id, from: "2026-08-14", to: "2026-08-20" })).from).toBe("This overlaps their vacation from 2026-08-01 to 2026-08-14; change that one instead");
      const patched = await api(`/api/v1/leaves/${leave.id}`, { method: "PATCH", ...json({ to: "2026-08-07" }) });
      expect((await patched.json()).to).toBe("2026-08-07");
      expect((await fieldsOf(await api(`/api/v1/leaves/${leave.id}`, { method: "PATCH", ...json({ from: "2026-09-01" }) }))).to).toContain("is after the end date");
      expect((await post("/api/v1/leaves", { personId: person.id, from: "2026-08-14", to: "2026-08-20" })).status).toBe(201);
      const list = await (await api(`/api/v1/leaves?personId=${person.id}&from=2026-08-05&to=2026-08-06`, { as: "viewer" })).json();
      expect(list.items.map((l: { id: number }) => l.id)).toEqual([leave.id]);
      const audit = await t.deps.services.audit.list({ entity: "leave", entityId: String(leave.id) });
      expect(audit.map((a) => a.action)).toEqual(["update", "create"]);
      expect((await api(`/api/v1/leaves/${leave.id}`, { method: "DELETE" })).status).toBe(200);
      expect((await api(`/api/v1/leaves/${leave.id}`)).status).toBe(404);

      const page = await api("/leaves", { method: "POST", ...form({ employeeCode: "L-1", from: "2026-10-02", to: "2026-10-01", kind: "sick" }) });
      expect(page.status).toBe(422);
      expect(await page.text()).toContain("is after the end date");
      const unknown = await api("/leaves", { method: "POST", ...form({ employeeCode: "L-404", from: "2026-10-01", to: "2026-10-01" }) });
      const unknownHtml = await unknown.text();
      expect(unknownHtml).toContain("Nobody is called L-404");
      expect(unknownHtml).not.toContain("personId must be positive");
      const added = await api("/leaves", { method: "POST", ...form({ employeeCode: "L-1", from: "2026-10-01", to: addDays("2026-10-01", 2), kind: "sick", note: "" }) });
      expect(added.status).toBe(303);
      const listed = await (await t.req("/leaves?person=L-1", { as: "viewer" })).text();
      expect(listed).toContain("2026-10-03");
      expect(listed).toContain("Sick");
    });
  });
}
