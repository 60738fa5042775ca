import { setDefaultTimeout } from "bun:test";
import { describe, expect, test } from "bun:test";
import { CsvError, csvCell, csvRow, parseCsv } from "../src/domain/csv";

// Tests here start real processes, engines or browsers (Bun applies a default per file only).
setDefaultTimeout(60_000);

describe("parseCsv", () => {
  test("plain rows with CRLF, LF and a BOM", () => {
    expect(parseCsv("\ufeffa,b\r\n1,2\n3,4")).toEqual([
      { line: 1, fields: ["a", "b"] },
      { line: 2, fields: ["1", "2"] },
      { line: 3, fields: ["3", "4"] },
    ]);
  });
  test("quoted fields with commas, doubled quotes and line breaks keep their line numbers", () => {
    const r = parseCsv('name,notes\r\n"Doe, Jane","said ""hi""\r\nthen left"\r\nBob,\r\n');
    expect(r).toEqual([
      { line: 1, fields: ["name", "notes"] },
      { line: 2, fields: ["Doe, Jane", 'said "hi"\r\nthen left'] },
      { line: 4, fields: ["Bob", ""] },
    ]);
  });
  test("blank lines are skipped but an empty quoted field is a record", () => {
    expect(parseCsv("a\n\n\nb\n")).toEqual([
      { line: 1, fields: ["a"] },
      { line: 4, fields: ["b"] },
    ]);
    expect(parseCsv('""\n')).toEqual([{ line: 1, fields: [""] }]);
  });
  test("an unclosed quote is an error naming the line", () => {
    expect(() => parseCsv('a\n"b,c\n')).toThrow(CsvError);
    expect(() => parseCsv('a\n"b,c\n')).toThrow("Line 2");
  });
  test("semicolon delimiter", () => {
    expect(parseCsv("a;b\n")).toEqual([{ line: 1, fields: ["a", "b"] }]);
  });
});

describe("csv writing", () => {
  test("quotes only when needed", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell('a "b", c')).toBe('"a ""b"", c"');
    expect(csvCell(null)).toBe("");
    expect(csvCell(12)).toBe("12");
    expect(csvCell(-3.5)).toBe("-3.5");
  });
  test("formula injection is neutralised", () => {
    expect(csvCell("=HYPERLINK(\"x\")")).toBe("\"'=HYPERLINK(\"\"x\"\")\"");
    expect(csvCell("+1-2")).toBe("'+1-2");
    expect(csvCell("@SUM(A1)")).toBe("'@SUM(A1)");
  });
  test("round trip", () => {
    const rows = [["id", "name"], ["1", 'x,"y"\nz']];
    const text = rows.map(csvRow).join("");
    expect(parseCsv(text).map((r) => r.fields)).toEqual(rows);
  });
});
