/**
 * Reading a CSV file's bytes: its character encoding (UTF-8 with or without BOM, UTF-16 LE/BE, or
 * Windows-1252 — what Excel's plain "CSV" writes on many Western desktops) and the text.
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

export type CsvEncoding = "utf-8" | "utf-8-bom" | "utf-16le" | "utf-16be" | "windows-1252";

/** How the import report names each encoding. */
export const ENCODING_NAMES: Record<CsvEncoding, string> = {
  "utf-8": "UTF-8",
  "utf-8-bom": "UTF-8 with BOM",
  "utf-16le": "UTF-16 LE",
  "utf-16be": "UTF-16 BE",
  "windows-1252": "Windows-1252 (Latin-1)",
};

export type DecodedCsv = { text: string; encoding: CsvEncoding } | { error: string };

/** UTF-16 without a BOM shows as a zero byte in every other position (for Latin text). */
function utf16WithoutBom(bytes: Uint8Array): "utf-16le" | "utf-16be" | null {
  const n = Math.min(bytes.length, 4096) & ~1;
  if (n < 4) return null;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) evenZeros++;
    if (bytes[i + 1] === 0) oddZeros++;
  }
  const pairs = n / 2;
  if (oddZeros > pairs * 0.4 && evenZeros < pairs * 0.05) return "utf-16le";
  if (evenZeros > pairs * 0.4 && oddZeros < pairs * 0.05) return "utf-16be";
  return null;
}

/**
 * Finds the encoding and decodes: a BOM decides (UTF-8, UTF-16 LE/BE); without one, valid UTF-8 is
 * UTF-8, a zero byte in every other position is UTF-16, and anything else is Windows-1252 (a
 * superset of Latin-1 in which every byte is a character). Text with NUL characters is not CSV.
 */
export function decodeCsv(bytes: Uint8Array): DecodedCsv {
  const strict = (label: string, from = 0) => {
    try {
      return new TextDecoder(label, { fatal: true, ignoreBOM: true }).decode(bytes.subarray(from));
    } catch {
      return null;
    }
  };
  let encoding: CsvEncoding;
  let text: string | null;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    encoding = "utf-8-bom";
    text = strict("utf-8", 3);
  } else if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    encoding = "utf-16le";
    text = strict("utf-16le", 2);
  } else if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    encoding = "utf-16be";
    text = strict("utf-16be", 2);
  } else {
    const wide = utf16WithoutBom(bytes);
    text = wide ? strict(wide) : strict("utf-8");
    encoding = wide ?? "utf-8";
    if (text === null && !wide) {
      encoding = "windows-1252";
      text = new TextDecoder("windows-1252").decode(bytes);
    }
  }
  if (text === null) return { error: `The file is marked as ${ENCODING_NAMES[encoding]} but is not valid ${ENCODING_NAMES[encoding].replace(" with BOM", "")} text` };
  const nul = text.indexOf("\0");
  if (nul >= 0) return { error: `Line ${text.slice(0, nul).split(/\r\n|\r|\n/).length}: the file contains NUL characters; it is not a text file` };
  return { text, encoding };
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
