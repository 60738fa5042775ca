import { setDefaultTimeout } from "bun:test";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { CsvError, csvCell, csvRow, decodeCsv, parseCsv } from "../src/domain/csv";
import { sql } from "drizzle-orm";
import { dbKinds, makeApp, type TestApp } from "./helpers";

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

/** "Zoë Müller-Straße,€ café" and friends as Excel's plain "CSV" writes them on a Western desktop. */
const CP1252 = {
  text: "employee_code,name,notes\r\nL-1,Zoë Müller,Straße\r\nL-2,René Dupré,costs 5 € a day\r\n",
  bytes: (s: string): Uint8Array<ArrayBuffer> =>
    Uint8Array.from([...s].map((ch) => {
      const table: Record<string, number> = { "€": 0x80, "ë": 0xeb, "ü": 0xfc, "ß": 0xdf, "é": 0xe9 };
      const b = table[ch] ?? ch.charCodeAt(0);
      if (b > 0x7f && !(ch in table)) throw new Error(`no byte for ${ch}`);
      return b;
    })),
};
const utf16 = (s: string, le: boolean, bom = true): Uint8Array<ArrayBuffer> => {
  const out = new Uint8Array((s.length + (bom ? 1 : 0)) * 2);
  const view = new DataView(out.buffer);
  [...(bom ? "\ufeff" : ""), ...s].forEach((ch, i) => view.setUint16(i * 2, ch.charCodeAt(0), le));
  return out;
};

describe("decodeCsv", () => {
  const text = "a,b\r\nZoë,Straße €\r\n";
  test("UTF-8 with and without a BOM", () => {
    expect(decodeCsv(new TextEncoder().encode(text))).toEqual({ text, encoding: "utf-8" });
    expect(decodeCsv(new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]))).toEqual({ text, encoding: "utf-8-bom" });
  });
  test("UTF-16 LE and BE with a BOM, and without one", () => {
    expect(decodeCsv(utf16(text, true))).toEqual({ text, encoding: "utf-16le" });
    expect(decodeCsv(utf16(text, false))).toEqual({ text, encoding: "utf-16be" });
    expect(decodeCsv(utf16(text, true, false))).toEqual({ text, encoding: "utf-16le" });
    expect(decodeCsv(utf16(text, false, false))).toEqual({ text, encoding: "utf-16be" });
  });
  test("anything that is not UTF-8 is read as Windows-1252, € included", () => {
    expect(decodeCsv(CP1252.bytes(CP1252.text))).toEqual({ text: CP1252.text, encoding: "windows-1252" });
    // Bytes 0x80–0x9f are Windows-1252 letters, not Latin-1 control characters.
    expect(decodeCsv(new Uint8Array([0x80, 0x8a, 0x9f]))).toEqual({ text: "€ŠŸ", encoding: "windows-1252" });
  });
  test("a BOM that lies, and NUL characters, are errors", () => {
    expect(decodeCsv(new Uint8Array([0xef, 0xbb, 0xbf, 0x61, 0xff]))).toEqual({ error: "The file is marked as UTF-8 with BOM but is not valid UTF-8 text" });
    expect(decodeCsv(new Uint8Array([0xff, 0xfe, 0x00, 0xd8, 0x61, 0x00]))).toEqual({ error: "The file is marked as UTF-16 LE but is not valid UTF-16 LE text" });
    expect(decodeCsv(new TextEncoder().encode("a,b\nc\0,d\n"))).toEqual({ error: "Line 2: the file contains NUL characters; it is not a text file" });
    expect(decodeCsv(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00]))).toMatchObject({ error: expect.stringContaining("NUL") });
  });
  test("empty input is empty UTF-8", () => {
    expect(decodeCsv(new Uint8Array())).toEqual({ text: "", encoding: "utf-8" });
  });
});

for (const kind of dbKinds()) {
  describe(`CSV import encodings on ${kind}`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await makeApp(kind);
    });
    afterAll(() => t.close());

    const names = async () => (await t.rows(sql`select employee_code, name, notes from people order by employee_code`)).map((r) => `${r.employee_code} ${r.name} ${r.notes}`);

    test("the import page reads a Windows-1252 file and says so", async () => {
      const fd = new FormData();
      fd.set("file", new File([CP1252.bytes(CP1252.text)], "people.csv", { type: "text/csv" }));
      const start = await t.req("/people/import", { as: "operator", method: "POST", body: fd });
      expect(start.status).toBe(202);
      const jobId = /data-job="([0-9a-f-]{36})"/.exec(await start.text())![1];
      await t.deps.services.jobs.idle();
      const done = await (await t.req(`/people/import/${jobId}`, { as: "operator" })).text();
      expect(done).toContain("2 created, 0 updated, 0 failed.");
      expect(done).toContain("The file was read as Windows-1252 (Latin-1).");
      expect(await names()).toEqual(["L-1 Zoë Müller Straße", "L-2 René Dupré costs 5 € a day"]);
    });

    test("the API reads UTF-16 with a BOM and UTF-8, and names the encoding", async () => {
      const api = (body: Uint8Array<ArrayBuffer>) => t.req("/api/v1/people/import", { as: "operator", method: "POST", body, headers: { "content-type": "text/csv" } });
      const r16 = await api(utf16("employee_code,name\r\nL-1,Zoë Müller (16)\r\n", true));
      expect(r16.status).toBe(200);
      expect(await r16.json()).toMatchObject({ encoding: "UTF-16 LE", updated: 1, failed: 0 });
      const r8 = await api(new TextEncoder().encode("employee_code,name\nL-2,René Dupré (8)\n"));
      expect(await r8.json()).toMatchObject({ encoding: "UTF-8", updated: 1 });
      expect(await names()).toEqual(["L-1 Zoë Müller (16) Straße", "L-2 René Dupré (8) costs 5 € a day"]);
      const bad = await api(new Uint8Array([0xfe, 0xff, 0xd8, 0x00]));
      expect(bad.status).toBe(422);
      expect((await bad.json()).error).toBe("The file is marked as UTF-16 BE but is not valid UTF-16 BE text");
    });
  });
}
