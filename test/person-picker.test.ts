import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { sql } from "drizzle-orm";
import { SYSTEM_ACTOR } from "../src/db/repos/audit";
import { dbKinds, form, makeApp, type TestApp } from "./helpers";

// The preload's default timeout does not reach files when several run together; these start the app.
setDefaultTimeout(120_000);

const pick = (id: string, name: string) => JSON.stringify({ id, label: "Person", name });

for (const kind of dbKinds()) {
  describe(`person picker on ${kind}`, () => {
    let t: TestApp;
    const ids: Record<string, number> = {};
    let scheduleId = 0;
    beforeAll(async () => {
      t = await makeApp(kind);
      const ppl = t.deps.services.people;
      const dept = await ppl.createDepartment({ name: "Front desk" }, SYSTEM_ACTOR);
      for (const [code, name] of [
        ["BO-44", "Barack Obama"],
        ["JL-1", "Jordan Lee"],
        ["JL-2", "jordan lee"],
        ["MO-1", "Michelle Obama"],
      ] as const) {
        ids[code] = (await ppl.create({ name, employeeCode: code, departmentId: dept.id, active: true, consent: true }, SYSTEM_ACTOR)).id;
        await t.deps.services.attendance.addManual({ personId: ids[code]!, kind: "check_in", ts: new Date("2026-01-04T09:00:00Z"), reason: "seed" }, SYSTEM_ACTOR);
        await t.deps.services.attendance.createLeave({ personId: ids[code]!, from: "2026-03-02", to: "2026-03-03", kind: "vacation", note: "" }, SYSTEM_ACTOR);
      }
      const s = await t.deps.services.attendance.createSchedule({ name: "Office", pattern: [null, { start: "09:00", end: "17:00" }, null, null, null, null, null] }, SYSTEM_ACTOR);
      scheduleId = s.id;
    });
    afterAll(() => t.close());

    const as = (path: string, init: RequestInit & { as?: string } = {}) => t.req(path, { as: "operator", ...init });
    const post = (path: string, data: Record<string, string>) => as(path, { method: "POST", ...form(data) });

    test("the search fragment finds people by part of a name and by code, with code and department", async () => {
      const byName = await as(`/people/pick?${new URLSearchParams({ pick: pick("x", "person"), person: "obam" })}`, { as: "viewer" });
      expect(byName.status).toBe(200);
      const html = await byName.text();
      expect(html).toContain("Barack Obama");
      expect(html).toContain("Michelle Obama");
      expect(html).toContain("BO-44");
      expect(html).toContain("Front desk");
      expect(html).not.toContain("Jordan Lee");
      const byCode = await (await as(`/people/pick?${new URLSearchParams({ pick: pick("x", "employeeCode"), employeeCode: "jl-2" })}`)).text();
      expect(byCode).toContain("jordan lee");
      expect(byCode).not.toContain("Obama");
      const none = await (await as(`/people/pick?${new URLSearchParams({ pick: pick("x", "person"), person: "zzz" })}`)).text();
      expect(none).toContain("Nobody matches");
      // Choosing one renders the picker with that person's name and hidden id.
      const chosen = await (await as(`/people/pick?${new URLSearchParams({ pick: pick("t-person", "person"), choose: String(ids["BO-44"]) })}`)).text();
      expect(chosen).toContain(`value="Barack Obama"`);
      expect(chosen).toContain(`name="personId" value="${ids["BO-44"]}"`);
      expect(chosen).toContain(`id="t-person-picker"`);
      expect((await as(`/people/pick?${new URLSearchParams({ pick: "nonsense", person: "a" })}`)).status).toBe(400);
      expect((await as(`/people/pick?${new URLSearchParams({ pick: pick("x", "person"), choose: "999999" })}`)).status).toBe(404);
      expect((await t.req(`/people/pick?${new URLSearchParams({ pick: pick("x", "person"), person: "obam" })}`)).status).not.toBe(200);
    });

    /** Each person form: a unique name, an ambiguous one, an unknown one and a picked id (with stale text ignored). */
    const cases = [
      { form: "timesheet", field: "person" },
      { form: "attendance filter", field: "person" },
      { form: "daily sheet", field: "person" },
      { form: "leave filter", field: "person" },
      { form: "manual event", field: "employeeCode" },
      { form: "leave", field: "employeeCode" },
      { form: "schedule", field: "employeeCode" },
      { form: "unknown face", field: "person" },
    ] as const;
    const submit = async (which: (typeof cases)[number]["form"], text: string, personId = ""): Promise<Response> => {
      const q = (extra: Record<string, string>) => new URLSearchParams({ person: text, personId, ...extra });
      switch (which) {
        case "timesheet":
          return as(`/reports/timesheet?${q({ from: "2026-01-01", to: "2026-01-31" })}`, { as: "viewer" });
        case "attendance filter":
          return as(`/attendance?${q({})}`, { as: "viewer" });
        case "daily sheet":
          return as(`/reports/daily?${q({ date: "2026-01-05" })}`, { as: "viewer" });
        case "leave filter":
          return as(`/leaves?${q({})}`, { as: "viewer" });
        case "manual event":
          return post("/attendance", { employeeCode: text, personId, kind: "check_in", at: "2026-01-05T09:00", reason: "forgot badge" });
        case "leave":
          return post("/leaves", { employeeCode: text, personId, from: "2026-02-02", to: "2026-02-03", kind: "vacation", note: "" });
        case "schedule":
          return post(`/schedules/${scheduleId}/assign`, { employeeCode: text, personId });
        case "unknown face": {
          const [g] = await t.rows(sql`select coalesce(max(group_id), 0) + 1 as g from unknown_faces`);
          const group = Number(g!.g);
          await t.rows(sql`insert into unknown_faces (ts, crop_path, model_id, embedding, group_id) values (now(), 'missing/crop.jpg', 'm', '\\x00'::bytea, ${group})`);
          return post(`/unknown/${group}/assign`, { person: text, personId });
        }
      }
    };
    /** Whom the form acted on: the timesheet's title, the events' or leave's person, the schedule or group owner. */
    const chosen = async (which: (typeof cases)[number]["form"], res: Response): Promise<string> => {
      const html = await res.text();
      switch (which) {
        case "timesheet":
          return html.match(/Timesheet: ([^<]+)</)?.[1] ?? "";
        case "manual event": {
          const [r] = await t.rows(sql`select p.employee_code from attendance_events e join people p on p.id = e.person_id where e.source = 'manual' order by e.id desc limit 1`);
          return String(r?.employee_code);
        }
        case "leave": {
          const [r] = await t.rows(sql`select p.employee_code from leaves l join people p on p.id = l.person_id order by l.id desc limit 1`);
          return String(r?.employee_code);
        }
        case "schedule": {
          const [r] = await t.rows(sql`select employee_code from people where schedule_id = ${scheduleId} order by updated_at desc limit 1`);
          return String(r?.employee_code);
        }
        case "unknown face": {
          const [r] = await t.rows(sql`select p.employee_code from unknown_faces u join people p on p.id = u.person_id order by u.id desc limit 1`);
          return String(r?.employee_code);
        }
        default:
          // Filters: the employee codes listed (the box itself shows only what was typed).
          return Object.keys(ids)
            .filter((code) => html.includes(`>${code}<`))
            .join(" ");
      }
    };

    for (const c of cases) {
      test(`${c.form}: a unique name works, an ambiguous or unknown name is a 422, a picked id works`, async () => {
        const unique = await submit(c.form, "barack obama ");
        expect([200, 303]).toContain(unique.status);
        expect(await chosen(c.form, unique)).toMatch(c.form === "timesheet" ? /^Barack Obama$/ : /BO-44|Barack Obama/);

        const ambiguous = await submit(c.form, "Jordan Lee");
        expect(ambiguous.status).toBe(422);
        expect(await ambiguous.text()).toContain("Several people are called Jordan Lee: pick one from the list");

        const unknown = await submit(c.form, "Barack Obamaa");
        expect(unknown.status).toBe(422);
        const unknownHtml = await unknown.text();
        expect(unknownHtml).toContain("Nobody is called Barack Obamaa");
        expect(unknownHtml).not.toContain("employee code Barack");

        // The picked one of the two namesakes; a picked id whose text was then changed does not count.
        const picked = await submit(c.form, "Jordan Lee", String(ids["JL-2"]));
        expect([200, 303]).toContain(picked.status);
        expect(await chosen(c.form, picked)).toMatch(c.form === "timesheet" ? /^jordan lee$/ : /JL-2|jordan lee/);
        const stale = await submit(c.form, "MO-1", String(ids["JL-2"]));
        expect([200, 303]).toContain(stale.status);
        expect(await chosen(c.form, stale)).toMatch(c.form === "timesheet" ? /^Michelle Obama$/ : /MO-1|Michelle Obama/);
      });
    }

    test("filters: a picked id counts only with its text; an emptied box means everyone", async () => {
      const html = await (await as(`/attendance?${new URLSearchParams({ person: "", personId: String(ids["BO-44"]) })}`, { as: "viewer" })).text();
      expect(html).toContain("Jordan Lee");
      expect(html).toContain("Barack Obama");
    });
  });
}
