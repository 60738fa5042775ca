/**
 * RFC 4180 CSV: parsing (quotes, doubled quotes, CRLF/LF/CR line ends, a leading BOM, quoted line
 * breaks) and writing with spreadsheet formula-injection protection.
 */

export interface CsvRecord {
  /** 1-based line number where the record starts in the source (for error reports). */
  line: number;
  fields: string[];
}

export class CsvError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`Line ${line}: ${message}`);
  }
}

/** "," unless the first line has semicolons and no commas (Excel in many European locales). */
export function detectDelimiter(text: string): "," | ";" {
  const first = text.slice(0, Math.max(0, text.search(/\r|\n/)) || text.length);
  return first.includes(";") && !first.includes(",") ? ";" : ",";
}

/** Splits CSV text into records; empty lines are skipped. Throws CsvError on an unclosed quote. */
export function parseCsv(text: string, delimiter: string = detectDelimiter(text)): CsvRecord[] {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const out: CsvRecord[] = [];
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let fieldWasQuoted = false;
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === "" && !fieldWasQuoted)) out.push({ line: recordLine, fields });
    fields = [];
    field = "";
    fieldWasQuoted = false;
  };
  while (i < src.length) {
    const ch = src[i]!;
    if (quoted) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      if (ch === "\n" || (ch === "\r" && src[i + 1] !== "\n")) line++;
      field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === "") {
      quoted = true;
      fieldWasQuoted = true;
      i++;
    } else if (ch === delimiter) {
      fields.push(field);
      field = "";
      fieldWasQuoted = false;
      i++;
    } else if (ch === "\r" || ch === "\n") {
      endRecord();
      i += ch === "\r" && src[i + 1] === "\n" ? 2 : 1;
      line++;
      recordLine = line;
    } else {
      field += ch;
      i++;
    }
  }
  if (quoted) throw new CsvError("a quoted field is never closed", recordLine);
  if (field !== "" || fields.length > 0 || fieldWasQuoted) endRecord();
  return out;
}

/** One CSV cell: quoted when needed; cells a spreadsheet would run as a formula get a leading '. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  let s = value instanceof Date ? value.toISOString() : String(value);
  if (/^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function csvRow(values: unknown[]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}
