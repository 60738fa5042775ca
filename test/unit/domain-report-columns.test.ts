import { describe, expect, test } from "bun:test";
import { dailyColumns, exportRows, matrixColumns, summaryColumns, timesheetColumns } from "../../src/domain/reports/columns";
import type { DailyRow, MatrixPerson, SummaryRow, TimesheetDay, Totals } from "../../src/domain/reports/model";
import { parseClock, zonedInstant } from "../../src/domain/time";

const TZ = "Europe/Berlin";
const at = (day: string, clock: string) => zonedInstant(day, parseClock(clock), TZ);
const figures = { status: null, firstIn: null, lastOut: null, workedMinutes: 0, lateMinutes: 0, earlyMinutes: 0, overtimeMinutes: 0, flags: [] };

describe("report columns", () => {
  test("daily sheet: punches in the site's zone (a night shift's check-out marked +1d), hours as decimal hours, flags spaced", () => {
    const row: DailyRow = { ...figures, personId: 1, name: "Ada", employeeCode: "R-1", departmentName: null, status: "late", firstIn: at("2026-03-02", "22:05"), lastOut: at("2026-03-03", "06:10"), workedMinutes: 465, lateMinutes: 5, flags: ["auto_checkout", "no_schedule"] };
    const columns = dailyColumns("2026-03-02", TZ);
    expect(columns.map((c) => c.header)).toEqual(["Employee code", "Name", "Department", "Status", "First in", "Last out", "Worked hours", "Late minutes", "Early minutes", "Overtime hours", "Flags"]);
    expect(exportRows(columns, [row])).toEqual([["R-1", "Ada", null, "late", "22:05", "06:10 +1d", 7.75, 5, 0, 0, "auto_checkout no_schedule"]]);
    expect(columns.some((c) => c.total)).toBe(false);
  });

  test("timesheet: the totals row fills only the columns that have a total", () => {
    const day: TimesheetDay = { ...figures, day: "2026-03-02", weekday: "Monday", status: null };
    const totals: Totals = { workedMinutes: 889, overtimeMinutes: 4, lateMinutes: 15, earlyMinutes: 0, present: 2, late: 1, absent: 1, onLeave: 0, holiday: 0, incomplete: 0 };
    const rows = exportRows(timesheetColumns(TZ), [day], totals);
    expect(rows[0]).toEqual(["2026-03-02", "Monday", "", "", "", 0, 0, 0, 0, ""]);
    expect(rows[1]).toEqual(["Total", "", "2 present, 1 absent", "", "", 14.82, 15, 0, 0.07, ""]);
  });

  test("summary: per department or per person, every figure summed in the totals row, average lateness per late day", () => {
    const row: SummaryRow = { key: null, label: null, code: null, people: 2, days: 6, present: 2, late: 2, absent: 1, onLeave: 3, holiday: 0, incomplete: 0, workedMinutes: 90, lateMinutes: 25, earlyMinutes: 0, overtimeMinutes: 0 };
    const byDepartment = summaryColumns(false);
    const byPerson = summaryColumns(true);
    expect(byDepartment.slice(0, 2).map((c) => c.header)).toEqual(["Department", "People"]);
    expect(byPerson.slice(0, 2).map((c) => c.header)).toEqual(["Name", "Employee code"]);
    expect(byDepartment.every((c) => c.total)).toBe(true);
    const [body, total] = exportRows(byDepartment, [row], { ...row, label: "Total" });
    expect(body).toEqual(["No department", 2, 6, 2, 2, 1, 3, 0, 0, 1.5, 25, 0, 0, 13]);
    expect(total).toEqual(["Total", ...body!.slice(1)]);
  });

  test("matrix: one column per day holding the status's one-letter code, empty when never computed", () => {
    const person: MatrixPerson = { id: 1, name: "Bob", employeeCode: "R-2", departmentName: "Ops", codes: [], statuses: ["on_leave", null, "present"] };
    const columns = matrixColumns(["2026-03-02", "2026-03-03", "2026-03-04"]);
    expect(columns.map((c) => c.header)).toEqual(["Employee code", "Name", "Department", "2026-03-02", "2026-03-03", "2026-03-04"]);
    expect(exportRows(columns, [person])).toEqual([["R-2", "Bob", "Ops", "V", "", "P"]]);
  });
});
