/** Reports as files: each report's declared columns → a plain table → CSV or XLSX. */
import ExcelJS from "exceljs";
import { csvRow } from "../../domain/csv";
import { dailyColumns, exportRows, matrixColumns, summaryColumns, timesheetColumns, type Column } from "../../domain/reports/columns";
import type { DailyReport, Matrix, Summary, Timesheet } from "../../domain/reports/model";

/** A report as a plain table, for CSV and XLSX. */
export interface ReportTable {
  /** File name without extension, and the worksheet's name. */
  name: string;
  columns: { header: string; width: number }[];
  rows: (string | number | null)[][];
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, "_");

function table<R, T>(name: string, columns: Column<R, T>[], rows: R[], totals?: T): ReportTable {
  return { name, columns: columns.map((c) => ({ header: c.header, width: c.width })), rows: exportRows(columns, rows, totals) };
}

export function dailyTable(r: DailyReport, tz: string): ReportTable {
  return table(`daily-${r.date}`, dailyColumns(r.date, tz), r.rows);
}

export function timesheetTable(t: Timesheet, tz: string): ReportTable {
  return table(`timesheet-${safe(t.person.employeeCode)}-${t.from}-${t.to}`, timesheetColumns(tz), t.days, t.totals);
}

export function summaryTable(s: Summary): ReportTable {
  return table(`summary-${s.department ? safe(s.department.name) + "-" : ""}${s.from}-${s.to}`, summaryColumns(s.department !== null), s.rows, s.totals);
}

export function matrixTable(m: Matrix): ReportTable {
  return table(`matrix-${m.from}-${m.to}`, matrixColumns(m.days), m.people);
}

export function toCsv(t: ReportTable): string {
  return csvRow(t.columns.map((c) => c.header)) + t.rows.map((r) => csvRow(r)).join("");
}

export async function toXlsx(t: ReportTable): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  wb.creator = "Clockface";
  // Worksheet names: at most 31 characters, none of : \ / ? * [ ].
  const ws = wb.addWorksheet(t.name.replace(/[:\\/?*[\]]/g, "_").slice(0, 31), { views: [{ state: "frozen", ySplit: 1 }] });
  ws.columns = t.columns.map((c) => ({ header: c.header, width: c.width }));
  ws.getRow(1).font = { bold: true };
  ws.addRows(t.rows);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}
