import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import ExcelJS from "exceljs";
import { inArray } from "drizzle-orm";
import { SYSTEM_ACTOR } from "../src/db/repos/audit";
import { people } from "../src/db/schema";
import { DAY_STATE_LABELS, daysOf, hhmm, hours, MAX_RANGE_DAYS, punchLabel, rangeProblem, STATUS_CODES, STATUS_LABELS } from "../src/domain/attendance/report";
import { parseCsv } from "../src/domain/csv";
import { dailyColumns, matrixColumns, summaryColumns, timesheetColumns, type ColumnKind } from "../src/domain/reports/columns";
import { addDays, dayStart, localDay, parseClock, zonedInstant } from "../src/domain/time";
import { dbKinds, makeApp, json, type TestApp } from "./helpers";

// The preload's default timeout does not reach files when several run together; these start the app.
setDefaultTimeout(120_000);

const TZ = "Europe/Berlin";

/** The cells' text of a page's table, by section (thead, tbody, tfoot), read with Bun's HTMLRewriter. */
async function pageTable(html: string, selector: string): Promise<{ section: string; cells: string[] }[]> {
  const rows: { section: string; cells: string[] }[] = [];
  let section = "";
  const text = (t: string) => t.replaceAll("&amp;", "&").replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&quot;", '"').replaceAll("&#39;", "'");
  await new HTMLRewriter()
    .on(`${selector} thead, ${selector} tbody, ${selector} tfoot`, { element: (e) => void (section = e.tagName) })
    .on(`${selector} tr`, { element: () => void rows.push({ section, cells: [] }) })
    .on(`${selector} th, ${selector} td`, {
      element: () => void rows.at(-1)!.cells.push(""),
      text: (t) => {
        const cells = rows.at(-1)!.cells;
        cells[cells.length - 1] += text(t.text);
      },
    })
    .transform(new Response(html))
    .text();
  return rows;
}

/** A page cell and a file cell in the same terms: hours as decimal hours, minutes as numbers, statuses as their label, flags as the page lists them. */
function sameTerms(kind: ColumnKind, page: string, file: string): [string, string] {
  const label = (s: string) => (s === "" ? DAY_STATE_LABELS.not_computed : (STATUS_LABELS[s as keyof typeof STATUS_LABELS] ?? s));
  switch (kind) {
    case "hours": {
      const [h, m] = page ? page.split(":").map(Number) : [0, 0];
      return [String(hours(h! * 60 + m!)), file];
    }
    case "minutes":
      return [page ? page.replace(/ min$/, "") : "0", file];
    case "status":
      return [label(page), label(file)];
    case "flags":
      return [page, file.split(" ").filter((f) => f && f !== "no_schedule").join(", ")];
    default:
      return [page, file];
  }
}

describe("report helpers", () => {
  test("rangeProblem accepts up to a year and explains everything else", () => {
    expect(rangeProblem("2026-01-01", "2026-01-01")).toBeNull();
    expect(rangeProblem("2024-01-01", "2024-12-31")).toBeNull(); // 366 days, a leap year
    expect(MAX_RANGE_DAYS).toBe(366);
    expect(rangeProblem("2026-01-01", "2027-01-01")).toBeNull(); // 366 days inclusive
    expect(rangeProblem("2026-01-01", "2027-01-02")).toBe("The range 2026-01-01 to 2027-01-02 covers 367 days; at most 366 days (one year) are allowed");
    expect(rangeProblem("2026-01-02", "2026-01-01")).toBe("The start date 2026-01-02 is after the end date 2026-01-01");
    expect(rangeProblem("2026-02-29", "2026-03-01")).toBe('The start date "2026-02-29" is not a date as YYYY-MM-DD');
    expect(rangeProblem("2026-01-01", "tomorrow")).toBe('The end date "tomorrow" is not a date as YYYY-MM-DD');
    expect(rangeProblem("2026-01-01", "2026-01-10", 7)).toContain("covers 10 days; at most 7 days");
  });

  test("daysOf lists the inclusive range across month and year ends", () => {
    expect(daysOf("2025-12-30", "2026-01-02")).toEqual(["2025-12-30", "2025-12-31", "2026-01-01", "2026-01-02"]);
    expect(daysOf("2026-01-02", "2026-01-01")).toEqual([]);
    expect(daysOf("2024-02-28", "2024-03-01")).toHaveLength(3);
  });

  test("minutes as h:mm and as decimal hours", () => {
    expect(hhmm(0)).toBe("0:00");
    expect(hhmm(454)).toBe("7:34");
    expect(hhmm(1505)).toBe("25:05");
    expect(hours(454)).toBe(7.57);
    expect(hours(4)).toBe(0.07);
    expect(hours(90)).toBe(1.5);
  });

  test("punch labels mark punches on another calendar day (night shifts)", () => {
    expect(punchLabel(null, "2026-03-28", TZ)).toBe("");
    expect(punchLabel(new Date("2026-03-28T21:55:00Z"), "2026-03-28", TZ)).toBe("22:55");
    // The night 2026-03-28 → 29 loses an hour in Berlin: 06:10 local is 04:10 UTC.
    expect(punchLabel(new Date("2026-03-29T04:10:00Z"), "2026-03-28", TZ)).toBe("06:10 +1d");
    expect(punchLabel(new Date("2026-03-27T22:30:00Z"), "2026-03-29", TZ)).toBe("23:30 -2d");
  });

  test("status codes are one distinct character each", () => {
    const codes = Object.values(STATUS_CODES);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) expect(c).toMatch(/^[A-Z]$/);
  });
});

for (const kind of dbKinds()) {
  describe(`reports on ${kind}`, () => {
    let t: TestApp;
    const today = localDay(new Date(), TZ);
    const d1 = addDays(today, -10);
    const d2 = addDays(today, -9);
    const d3 = addDays(today, -8);
    const at = (d: string, clock: string) => zonedInstant(d, parseClock(clock), TZ);
    const ids: Record<string, number> = {};
    const dept: Record<string, number> = {};
    const get = (path: string, role = "viewer") => t.req(path, { as: role });

    beforeAll(async () => {
      t = await makeApp(kind, { TZ });
      const op = (path: string, body: unknown, method = "POST") => t.req(path, { as: "operator", method, ...json(body) }).then((r) => r.json());
      const office = await op("/api/v1/schedules", { name: "Office", pattern: Array.from({ length: 7 }, () => ({ start: "09:00", end: "17:00" })) });
      dept.ops = (await op("/api/v1/departments", { name: "Ops" })).id;
      await op(`/api/v1/departments/${dept.ops}/schedule`, { scheduleId: office.id }, "PUT");
      dept.lab = (await op("/api/v1/departments", { name: "Lab" })).id;
      ids.ada = (await op("/api/v1/people", { name: "Ada", employeeCode: "R-1", departmentId: dept.ops })).id;
      ids.bob = (await op("/api/v1/people", { name: "Bob", employeeCode: "R-2", departmentId: dept.ops })).id;
      ids.cy = (await op("/api/v1/people", { name: "Cy", employeeCode: "R-3", departmentId: dept.lab })).id;
      // Everyone joined before the period, so days without events count as absences.
      await t.deps.database.db.update(people).set({ createdAt: dayStart(addDays(d1, -5), TZ) }).where(inArray(people.id, Object.values(ids)));
      await op("/api/v1/leaves", { personId: ids.bob, from: d1, to: d3, kind: "vacation" });
      const att = t.deps.services.attendance;
      const cam = { id: null, label: "camera" };
      for (const [pid, d, kind, clock] of [
        [ids.ada, d1, "check_in", "08:58"],
        [ids.ada, d1, "check_out", "17:02"],
        [ids.ada, d2, "check_in", "09:15"],
        [ids.ada, d2, "check_out", "17:00"],
        [ids.cy, d2, "check_in", "10:00"],
        [ids.cy, d2, "check_out", "12:00"],
      ] as const)
        await att.recordEvent({ personId: pid, kind, ts: at(d, clock), source: "camera" }, cam);
      await att.recompute(null, daysOf(d1, d3), SYSTEM_ACTOR);
    });
    afterAll(() => t.close());

    test("daily sheet: statuses, counts and arrivals", async () => {
      const r = await get(`/api/v1/reports/daily?date=${d2}`);
      expect(r.status).toBe(200);
      const body = await r.json();
      expect(body.rows.map((x: { name: string; status: string; lateMinutes: number }) => [x.name, x.status, x.lateMinutes])).toEqual([
        ["Ada", "late", 15],
        ["Bob", "on_leave", 0],
        ["Cy", "present", 0],
      ]);
      expect(body.counts).toMatchObject({ present: 1, late: 1, on_leave: 1, absent: 0, not_computed: 0 });
      expect(body.rows[2]).toMatchObject({ workedMinutes: 120, flags: ["no_schedule"], firstIn: at(d2, "10:00").toISOString() });
      expect((await (await get(`/api/v1/reports/daily?date=${d2}&personId=${ids.cy}`)).json()).rows.map((x: { name: string }) => x.name)).toEqual(["Cy"]);
      const ops = await (await get(`/api/v1/reports/daily?date=${d2}&departmentId=${dept.ops}`)).json();
      expect(ops.rows.map((x: { name: string }) => x.name)).toEqual(["Ada", "Bob"]);
      const report = await t.deps.services.reports.daily(d2);
      expect(report.arrivals.counts.reduce((a, b) => a + b, 0)).toBe(2);
      expect(report.arrivals.counts[Math.round((at(d2, "09:15").getTime() - dayStart(d2, TZ).getTime()) / 900_000)]).toBe(1);
    });

    test("timesheet: every day of the range with totals", async () => {
      const body = await (await get(`/api/v1/reports/timesheet?personId=${ids.ada}&from=${d1}&to=${addDays(d3, 1)}`)).json();
      expect(body.days.map((d: { status: string | null }) => d.status)).toEqual(["present", "late", "absent", null]);
      expect(body.days[0]).toMatchObject({ workedMinutes: 454, overtimeMinutes: 4, lateMinutes: 0, lastOut: at(d1, "17:02").toISOString() });
      expect(body.totals).toMatchObject({ present: 2, late: 1, absent: 1, workedMinutes: 454 + 435, lateMinutes: 15, onLeave: 0 });
      expect(body.person).toMatchObject({ id: ids.ada, employeeCode: "R-1", departmentName: "Ops" });
    });

    test("summary: per department, and per person of one department", async () => {
      const body = await (await get(`/api/v1/reports/summary?from=${d1}&to=${d3}`)).json();
      expect(body.rows.map((r: { name: string; people: number; days: number; present: number; late: number; absent: number; onLeave: number }) => [r.name, r.people, r.days, r.present, r.late, r.absent, r.onLeave])).toEqual([
        ["Lab", 1, 3, 1, 0, 0, 0],
        ["Ops", 2, 6, 2, 1, 1, 3],
      ]);
      expect(body.totals).toMatchObject({ people: 3, days: 9, present: 3, workedMinutes: 454 + 435 + 120 });
      expect(body.trend.map((d: { day: string; late: number }) => [d.day, d.late])).toEqual([
        [d1, 0],
        [d2, 1],
        [d3, 0],
      ]);
      const one = await (await get(`/api/v1/reports/summary?departmentId=${dept.ops}&from=${d1}&to=${d3}`)).json();
      expect(one.department).toEqual({ id: dept.ops, name: "Ops" });
      expect(one.rows.map((r: { name: string; employeeCode: string; present: number }) => [r.name, r.employeeCode, r.present])).toEqual([
        ["Ada", "R-1", 2],
        ["Bob", "R-2", 0],
      ]);
    });

    test("matrix: people × days with codes, paginated", async () => {
      const body = await (await get(`/api/v1/reports/matrix?from=${d1}&to=${d3}`)).json();
      expect(body.days).toEqual([d1, d2, d3]);
      expect(body.people.map((p: { name: string; codes: string[] }) => [p.name, p.codes.join("")])).toEqual([
        ["Ada", "PLA"],
        ["Bob", "VVV"],
        ["Cy", "OPO"],
      ]);
      const page = await (await get(`/api/v1/reports/matrix?from=${d1}&to=${d3}&limit=1&offset=1`)).json();
      expect(page).toMatchObject({ total: 3, limit: 1, offset: 1 });
      expect(page.people.map((p: { name: string }) => p.name)).toEqual(["Bob"]);

      // Inactive people appear only where they have stored days.
      const op = (path: string, body: unknown, method = "POST") => t.req(path, { as: "operator", method, ...json(body) });
      expect((await op("/api/v1/people", { name: "Dee", employeeCode: "R-4", departmentId: dept.lab, active: false })).status).toBe(201);
      expect((await op(`/api/v1/people/${ids.cy}`, { active: false }, "PATCH")).status).toBe(200);
      const inactive = await (await get(`/api/v1/reports/matrix?from=${d1}&to=${d3}`)).json();
      expect(inactive.people.map((p: { name: string; codes: string[] }) => [p.name, p.codes.join("")])).toEqual([
        ["Ada", "PLA"],
        ["Bob", "VVV"],
        ["Cy", "OPO"],
      ]);
      expect((await (await get(`/api/v1/reports/matrix?from=${addDays(d3, 1)}&to=${addDays(d3, 1)}`)).json()).people.map((p: { name: string }) => p.name)).toEqual(["Ada", "Bob"]);
      expect((await op(`/api/v1/people/${ids.cy}`, { active: true }, "PATCH")).status).toBe(200);
    });

    test("ranges over a year, backwards ranges, bad dates and unknown filters get a clear 422", async () => {
      for (const path of [
        `/api/v1/reports/timesheet?personId=${ids.ada}&from=2025-01-01&to=2026-01-02`,
        "/api/v1/reports/summary?from=2025-01-01&to=2026-01-02",
        "/api/v1/reports/summary.csv?from=2025-01-01&to=2026-01-02",
        "/api/v1/reports/summary.xlsx?from=2025-01-01&to=2026-01-02",
        "/api/v1/reports/matrix?from=2025-01-01&to=2026-01-02",
        "/api/v1/reports/matrix.xlsx?from=2025-01-01&to=2026-01-02",
      ]) {
        const r = await get(path);
        expect(r.status).toBe(422);
        expect((await r.json()).error).toBe("The range 2025-01-01 to 2026-01-02 covers 367 days; at most 366 days (one year) are allowed");
      }
      const backwards = await get(`/api/v1/reports/summary?from=${d3}&to=${d1}`);
      expect((await backwards.json()).error).toBe(`The start date ${d3} is after the end date ${d1}`);
      const badDate = await get("/api/v1/reports/daily?date=2026-13-01");
      expect(badDate.status).toBe(422);
      expect((await badDate.json()).fields.date).toBe("Give the date as a real date YYYY-MM-DD");
      expect((await (await get("/api/v1/reports/daily")).json()).fields.date).toBe("Give the date as YYYY-MM-DD");
      expect((await (await get(`/api/v1/reports/summary?departmentId=999999&from=${d1}&to=${d3}`)).json()).fields.departmentId).toBe("Department 999999 does not exist");
      expect((await get(`/api/v1/reports/timesheet?personId=999999&from=${d1}&to=${d3}`)).status).toBe(404);
      expect((await get(`/api/v1/reports/timesheet?personId=abc&from=${d1}&to=${d3}`)).status).toBe(422);
      expect((await get(`/api/v1/reports/matrix?from=${d1}&to=${d3}&limit=0`)).status).toBe(422);
      expect((await t.req(`/api/v1/reports/daily?date=${d2}`)).status).toBe(401);

      const page = await get("/reports/summary?from=2025-01-01&to=2026-01-02");
      expect(page.status).toBe(422);
      expect(await page.text()).toContain("covers 367 days; at most 366 days (one year) are allowed");
      const matrixPage = await get(`/reports/matrix?from=${d3}&to=${d1}`);
      expect(matrixPage.status).toBe(422);
      expect(await matrixPage.text()).toContain("is after the end date");
      const nobody = await get(`/reports/timesheet?person=NOPE&from=${d1}&to=${d3}`);
      expect(nobody.status).toBe(422);
      expect(await nobody.text()).toContain("Nobody is called NOPE");
    });

    test("CSV downloads parse back", async () => {
      const daily = await get(`/api/v1/reports/daily.csv?date=${d2}`);
      expect(daily.headers.get("content-type")).toBe("text/csv; charset=utf-8");
      expect(daily.headers.get("content-disposition")).toBe(`attachment; filename="daily-${d2}.csv"`);
      const rows = parseCsv(await daily.text()).map((r) => r.fields);
      expect(rows[0]).toEqual(["Employee code", "Name", "Department", "Status", "First in", "Last out", "Worked hours", "Late minutes", "Early minutes", "Overtime hours", "Flags"]);
      expect(rows.slice(1).map((r) => [r[0], r[3], r[4], r[5], r[6], r[7]])).toEqual([
        ["R-1", "late", "09:15", "17:00", "7.25", "15"],
        ["R-2", "on_leave", "", "", "0", "0"],
        ["R-3", "present", "10:00", "12:00", "2", "0"],
      ]);

      const sheet = parseCsv(await (await get(`/api/v1/reports/timesheet.csv?personId=${ids.ada}&from=${d1}&to=${d3}`)).text()).map((r) => r.fields);
      expect(sheet).toHaveLength(5);
      expect(sheet[1]!.slice(0, 9)).toEqual([d1, expect.any(String), "present", "08:58", "17:02", "7.57", "0", "0", "0.07"]);
      expect(sheet[4]!.slice(0, 6)).toEqual(["Total", "", "2 present, 1 absent", "", "", "14.82"]);

      const summary = parseCsv(await (await get(`/api/v1/reports/summary.csv?from=${d1}&to=${d3}`)).text()).map((r) => r.fields);
      expect(summary.map((r) => r.slice(0, 7))).toEqual([
        ["Department", "People", "Days", "Present", "Late", "Absent", "On leave"],
        ["Lab", "1", "3", "1", "0", "0", "0"],
        ["Ops", "2", "6", "2", "1", "1", "3"],
        ["Total", "3", "9", "3", "1", "1", "3"],
      ]);
      const matrix = parseCsv(await (await get(`/api/v1/reports/matrix.csv?from=${d1}&to=${d3}&departmentId=${dept.ops}`)).text()).map((r) => r.fields);
      expect(matrix).toEqual([
        ["Employee code", "Name", "Department", d1, d2, d3],
        ["R-1", "Ada", "Ops", "P", "L", "A"],
        ["R-2", "Bob", "Ops", "V", "V", "V"],
      ]);
    });

    test("XLSX downloads open in exceljs with numbers as numbers", async () => {
      const load = async (path: string) => {
        const r = await get(path);
        expect(r.status).toBe(200);
        expect(r.headers.get("content-type")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        const wb = new ExcelJS.Workbook();
        await wb.xlsx.load(await r.arrayBuffer());
        const ws = wb.worksheets[0]!;
        return Array.from({ length: ws.rowCount }, (_, i) => (ws.getRow(i + 1).values as unknown[]).slice(1));
      };
      const sheet = await load(`/api/v1/reports/timesheet.xlsx?personId=${ids.ada}&from=${d1}&to=${d3}`);
      expect(sheet[0]).toEqual(["Day", "Weekday", "Status", "First in", "Last out", "Worked hours", "Late minutes", "Early minutes", "Overtime hours", "Flags"]);
      expect(sheet[2]!.slice(0, 9)).toEqual([d2, expect.any(String), "late", "09:15", "17:00", 7.25, 15, 0, 0]);
      expect(sheet[4]![5]).toBe(14.82);
      const summary = await load(`/api/v1/reports/summary.xlsx?departmentId=${dept.ops}&from=${d1}&to=${d3}`);
      expect(summary.map((r) => r.slice(0, 5))).toEqual([
        ["Name", "Employee code", "Days", "Present", "Late"],
        ["Ada", "R-1", 3, 2, 1],
        ["Bob", "R-2", 3, 0, 0],
        ["Total", "", 6, 2, 1],
      ]);
      const daily = await load(`/api/v1/reports/daily.xlsx?date=${d1}`);
      expect(daily.map((r) => [r[0], r[3]])).toEqual([
        ["Employee code", "Status"],
        ["R-1", "present"],
        ["R-2", "on_leave"],
        ["R-3", "day_off"],
      ]);
      const matrix = await load(`/api/v1/reports/matrix.xlsx?from=${d1}&to=${d3}`);
      expect(matrix[3]).toEqual(["R-3", "Cy", "Lab", "O", "P", "O"]);
    });

    test("each report's page, CSV and XLSX show the same columns, headers, rows and totals", async () => {
      const xlsxRows = async (path: string) => {
        const wb = new ExcelJS.Workbook();
        await wb.xlsx.load(await (await get(path)).arrayBuffer());
        const ws = wb.worksheets[0]!;
        return Array.from({ length: ws.rowCount }, (_, i) => Array.from({ length: ws.columnCount }, (_, j) => String(ws.getRow(i + 1).getCell(j + 1).value ?? "")));
      };
      const reports = [
        { page: `/reports/daily?date=${d2}`, file: `/api/v1/reports/daily?date=${d2}`, table: "#daily-table", kinds: dailyColumns(d2, TZ).map((c) => c.kind), totals: false },
        { page: `/reports/daily?date=${d1}`, file: `/api/v1/reports/daily?date=${d1}`, table: "#daily-table", kinds: dailyColumns(d1, TZ).map((c) => c.kind), totals: false },
        { page: `/reports/timesheet?personId=${ids.ada}&from=${d1}&to=${addDays(d3, 1)}`, file: `/api/v1/reports/timesheet?personId=${ids.ada}&from=${d1}&to=${addDays(d3, 1)}`, table: "#timesheet-table", kinds: timesheetColumns(TZ).map((c) => c.kind), totals: true },
        { page: `/reports/summary?from=${d1}&to=${d3}`, file: `/api/v1/reports/summary?from=${d1}&to=${d3}`, table: "#summary-table", kinds: summaryColumns(false).map((c) => c.kind), totals: true },
        { page: `/reports/summary?departmentId=${dept.ops}&from=${d1}&to=${d3}`, file: `/api/v1/reports/summary?departmentId=${dept.ops}&from=${d1}&to=${d3}`, table: "#summary-table", kinds: summaryColumns(true).map((c) => c.kind), totals: true },
        { page: `/reports/matrix?from=${d1}&to=${d3}`, file: `/api/v1/reports/matrix?from=${d1}&to=${d3}`, table: "#matrix-table", kinds: matrixColumns([d1, d2, d3]).map((c) => c.kind), totals: false },
      ];
      for (const r of reports) {
        const page = await pageTable(await (await get(r.page)).text(), r.table);
        const csv = parseCsv(await (await get(r.file.replace("?", ".csv?"))).text()).map((x) => x.fields);
        expect(await xlsxRows(r.file.replace("?", ".xlsx?"))).toEqual(csv);
        expect(page.map((x) => x.section)).toEqual(["thead", ...csv.slice(1).map((_, i) => (r.totals && i === csv.length - 2 ? "tfoot" : "tbody"))]);
        const [header, ...rows] = csv;
        // The matrix heads its day columns with the day of the month (the full date is the title).
        expect(page[0]!.cells).toEqual(header!.map((h, i) => (r.kinds[i] === "day" ? String(Number(h.slice(8))) : h)));
        expect(r.kinds).toHaveLength(header!.length);
        rows.forEach((row, i) => {
          const cells = page[i + 1]!.cells;
          expect(cells).toHaveLength(row.length);
          const pairs = row.map((file, j) => sameTerms(r.kinds[j]!, cells[j]!, file));
          expect(pairs.map(([p]) => p)).toEqual(pairs.map(([, f]) => f));
        });
      }
    });

    test("pages: index, daily sheet with a chart, timesheet, summary, matrix with htmx paging, print styles", async () => {
      const index = await get("/reports");
      expect(index.status).toBe(200);
      expect(await index.text()).toContain('action="/reports/matrix"');
      const daily = await (await get(`/reports/daily?date=${d2}`)).text();
      expect(daily).toContain("Daily sheet " + d2);
      expect(daily).toContain('data-chart="{&quot;title&quot;:&quot;Arrivals per 15 minutes&quot;');
      expect(daily).toContain('<script src="/assets/js/charts.js" defer="">');
      expect(daily).toContain(`href="/api/v1/reports/daily.xlsx?date=${d2}"`);
      expect(daily).toMatch(/Ada<\/a>.*?late/s);
      const onlyAda = await (await get(`/reports/daily?date=${d2}&person=R-1`)).text();
      expect(onlyAda).toContain("Ada</a>");
      expect(onlyAda).not.toContain("Bob</a>");
      expect(onlyAda).toContain(`href="/api/v1/reports/daily.csv?date=${d2}&amp;personId=${ids.ada}"`);
      const nobodyDaily = await get(`/reports/daily?date=${d2}&person=R-404`);
      expect(nobodyDaily.status).toBe(422);
      expect(await nobodyDaily.text()).toContain("Nobody is called R-404");
      const sheet = await (await get(`/reports/timesheet?person=R-1&from=${d1}&to=${d3}`)).text();
      expect(sheet).toContain("Timesheet: Ada");
      expect(sheet).toContain("Office (department)");
      expect(sheet).toContain("Hours worked and minutes late per day");
      expect(await (await get("/reports/timesheet")).text()).toContain("Choose a person and a range.");
      const summary = await (await get(`/reports/summary?from=${d1}&to=${d3}`)).text();
      expect(summary).toContain("Lateness trend");
      expect(summary).toContain(`href="/reports/summary?departmentId=${dept.ops}&amp;from=${d1}&amp;to=${d3}"`);
      const bobOnly = await (await get(`/reports/matrix?from=${d1}&to=${d3}&person=R-2`)).text();
      expect(bobOnly).toContain("Bob</a>");
      expect(bobOnly).not.toContain("Ada</a>");
      const matrix = await (await get(`/reports/matrix?from=${d1}&to=${d3}&limit=2`)).text();
      expect(matrix).toContain('class="code code-late"');
      expect(matrix).toContain('rel="next"');
      const frag = await t.req(`/reports/matrix?from=${d1}&to=${d3}&limit=2&offset=2`, { as: "viewer", headers: { "HX-Request": "true", "HX-Request-Type": "partial" } });
      const fragHtml = await frag.text();
      expect(fragHtml).not.toContain("<html");
      expect(fragHtml).toContain("Cy</a>");
      expect(fragHtml).not.toContain("Ada</a>");
      const charts = await t.req("/assets/js/charts.js");
      expect(charts.status).toBe(200);
      expect(await charts.text()).toContain("new uPlot(");
      const css = await (await t.req("/assets/css/app.css")).text();
      expect(css.slice(css.lastIndexOf("@media print"))).toContain(".chart, .chart-area { break-inside:avoid; }");
    });

    test("the OpenAPI document lists the attendance, schedule and report endpoints", async () => {
      const doc = await (await t.req("/api/v1/openapi.json")).json();
      for (const p of ["/api/v1/attendance", "/api/v1/attendance/{id}", "/api/v1/attendance/{id}/void", "/api/v1/schedules", "/api/v1/schedules/{id}", "/api/v1/holidays", "/api/v1/leaves/{id}", "/api/v1/people/{id}/schedule"])
        expect(doc.paths[p]).toBeDefined();
      for (const r of ["daily", "timesheet", "summary", "matrix"]) for (const ext of ["", ".csv", ".xlsx"]) expect(doc.paths[`/api/v1/reports/${r}${ext}`].get["x-required-role"]).toBe("viewer");
      expect(doc.paths["/api/v1/reports/summary"].get.parameters.map((p: { name: string }) => p.name).sort()).toEqual(["departmentId", "from", "to"]);
      expect(doc.paths["/api/v1/attendance/{id}"].patch.requestBody.content["application/json"].schema.required).toEqual(["reason"]);
    });
  });
}
