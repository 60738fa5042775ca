import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { and, eq } from "drizzle-orm";
import { SYSTEM_ACTOR } from "../src/db/repos/audit";
import { dailyStatus, people } from "../src/db/schema";
import { addDays, dayStart, localDay, parseClock, zonedInstant } from "../src/domain/time";
import { dbKinds, json, makeApp, type TestApp } from "./helpers";

// The preload's default timeout does not reach files when several run together; these start the app.
setDefaultTimeout(120_000);

const TZ = "Europe/Berlin";

/** The status cards of a page (dashboard or daily sheet): label → number. */
function cards(html: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of html.matchAll(/<div class="n">(\d+)<\/div><div>([^<]+)<\/div>/g)) out[m[2]!] = Number(m[1]);
  return out;
}

for (const kind of dbKinds()) {
  describe(`attendance from the first day on ${kind}`, () => {
    let t: TestApp;
    let officeId: number;
    let departmentId: number;
    const today = localDay(new Date(), TZ);
    const at = (d: string, clock: string) => zonedInstant(d, parseClock(clock), TZ);
    const op = (path: string, body: unknown, method = "POST") => t.req(path, { as: "operator", method, ...json(body) });
    const status = (pid: number, d: string) => t.deps.services.attendance.status(pid, d);
    const addPerson = async (name: string, employeeCode: string) => {
      const r = await op("/api/v1/people", { name, employeeCode, departmentId });
      expect(r.status).toBe(201);
      return (await r.json()).id as number;
    };

    beforeAll(async () => {
      t = await makeApp(kind, { TZ });
      // A shift over the whole day: whenever the test runs, someone without events is "not started yet".
      const s = await op("/api/v1/schedules", { name: "All day", pattern: Array.from({ length: 7 }, () => ({ start: "00:00", end: "23:59" })) });
      expect(s.status).toBe(201);
      officeId = (await s.json()).id;
      departmentId = (await (await op("/api/v1/departments", { name: "Front desk" })).json()).id;
      expect((await op(`/api/v1/departments/${departmentId}/schedule`, { scheduleId: officeId }, "PUT")).status).toBe(200);
    });
    afterAll(() => t.close());

    test("someone added today has today's status at once, and the sweep fills it in when missing", async () => {
      const id = await addPerson("Nina New", "FD-1");
      expect((await status(id, today))?.status).toBe("not_started");
      await t.deps.database.db.delete(dailyStatus).where(and(eq(dailyStatus.personId, id), eq(dailyStatus.day, today)));
      await t.deps.services.attendance.settle();
      expect((await status(id, today))?.status).toBe("not_started");
      // Nothing before the day they were added.
      expect(await status(id, addDays(today, -1))).toBeNull();
    });

    test("a CSV import gives everyone it adds today's status", async () => {
      const report = await t.deps.services.people.importCsv("employee_code,name,department\nFD-2,Ivo Imported,Front desk\nFD-3,Ida Imported,Front desk\n", SYSTEM_ACTOR);
      expect(report.created).toBe(2);
      const [ivo] = await t.deps.database.db.select({ id: people.id }).from(people).where(eq(people.employeeCode, "FD-2"));
      expect((await status(ivo!.id, today))?.status).toBe("not_started");
    });

    test("leave for this week, recorded on the first day: on leave on the daily sheet and the dashboard, in the same words", async () => {
      const leaving = await addPerson("Lea Leave", "FD-4");
      const staying = await addPerson("Sam Stay", "FD-5");
      const from = addDays(today, -2);
      const r = await op("/api/v1/leaves", { personId: leaving, from, to: addDays(today, 4), kind: "vacation" });
      expect(r.status).toBe(201);
      const leaveId = (await r.json()).id;
      expect((await status(leaving, today))?.status).toBe("on_leave");
      // Leave recorded for days before they were added shows as well; it is all that those days have.
      expect((await status(leaving, from))?.status).toBe("on_leave");
      expect((await status(staying, today))?.status).toBe("not_started");

      const sheetRes = await t.req(`/reports/daily?date=${today}`, { as: "viewer" });
      expect(sheetRes.status).toBe(200);
      const sheet = await sheetRes.text();
      const dashRes = await t.req("/", { as: "viewer" });
      expect(dashRes.status).toBe(200);
      const dashboard = await dashRes.text();
      const onSheet = cards(sheet);
      const onDashboard = cards(dashboard);
      expect(onSheet["on leave"]).toBe(1);
      expect(onDashboard["on leave"]).toBe(1);
      // Five people added today, one on leave: the same four "not started yet" on both pages.
      expect(onSheet["not started yet"]).toBe(4);
      expect(onDashboard["not started yet"]).toBe(4);
      for (const html of [sheet, dashboard]) {
        expect(html).not.toContain("not computed");
        expect(html).not.toContain("no status yet");
      }
      const row = sheet.slice(sheet.indexOf("Lea Leave"), sheet.indexOf("</tr>", sheet.indexOf("Lea Leave")));
      expect(row).toContain(">on leave<");

      // Taking the leave back: today is "not started yet" again, the day before they were added has nothing.
      expect((await t.req(`/api/v1/leaves/${leaveId}`, { as: "operator", method: "DELETE" })).status).toBe(200);
      expect((await status(leaving, today))?.status).toBe("not_started");
      expect(await status(leaving, from)).toBeNull();
    });

    test("a correction or a holiday on a past day recomputes that day", async () => {
      const id = await addPerson("Pat Past", "FD-6");
      await t.deps.database.db.update(people).set({ createdAt: dayStart(addDays(today, -10), TZ) }).where(eq(people.id, id));
      const day = addDays(today, -3);
      await t.deps.services.attendance.settle();
      expect((await status(id, day))?.status).toBe("absent");

      const added = await op("/api/v1/attendance", { personId: id, kind: "check_in", ts: at(day, "00:00").toISOString(), reason: "Forgot to look at the camera" });
      expect(added.status).toBe(201);
      expect((await status(id, day))?.status).toBe("incomplete");
      const voided = await op(`/api/v1/attendance/${(await added.json()).id}/void`, { reason: "Entered for the wrong person" });
      expect(voided.status).toBe(200);
      expect((await status(id, day))?.status).toBe("absent");

      const h = await op("/api/v1/holidays", { from: day, name: "Founders' day" });
      expect(h.status).toBe(201);
      expect((await status(id, day))?.status).toBe("holiday");
      expect((await t.req(`/api/v1/holidays/${(await h.json()).items[0].id}`, { as: "operator", method: "DELETE" })).status).toBe(200);
      expect((await status(id, day))?.status).toBe("absent");

      // A correction on a day before someone was added makes that day, and voiding it removes it again.
      const newcomer = await addPerson("Cora Correction", "FD-7");
      const before = addDays(today, -2);
      const punch = await op("/api/v1/attendance", { personId: newcomer, kind: "check_in", ts: at(before, "08:00").toISOString(), reason: "Trial day before the contract" });
      expect(punch.status).toBe(201);
      expect((await status(newcomer, before))?.status).toBe("incomplete");
      expect((await op(`/api/v1/attendance/${(await punch.json()).id}/void`, { reason: "Trial days are not recorded" })).status).toBe(200);
      expect(await status(newcomer, before)).toBeNull();
    });
  });
}
