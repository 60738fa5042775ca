/**
 * A report's table on the page, drawn from the same column declarations as its CSV and XLSX
 * (src/domain/reports/columns.ts): same columns, same headers, same values, same totals row.
 */
import type { Child } from "hono/jsx";
import type { AttendanceStatus } from "../../src/domain/attendance";
import { DAY_STATE_LABELS, hhmm, isAttendanceStatus, STATUS_CODES, STATUS_LABELS } from "../../src/domain/attendance/report";
import type { Cell, Column } from "../../src/domain/reports/columns";
import { weekday } from "../../src/domain/time";

/** The colour of a day's state on badges and the dashboard's cards: ok, warn, bad or none. */
export function dayStateTone(status: string): "ok" | "warn" | "bad" | "" {
  return status === "present" ? "ok" : status === "late" || status === "incomplete" ? "warn" : status === "absent" ? "bad" : "";
}

export function StatusBadge({ status }: { status: string | null }) {
  if (!status) return <span class="muted">{DAY_STATE_LABELS.not_computed}</span>;
  return <span class={`badge ${dayStateTone(status)}`}>{STATUS_LABELS[status as keyof typeof STATUS_LABELS] ?? status}</span>;
}

export const isWeekend = (day: string) => weekday(day) === 0 || weekday(day) === 6;

/** A cell's content as the page shows it: h:mm for hours, "n min" for minutes, zeros left out except in the totals row. */
function content(kind: Column<unknown>["kind"], v: Cell, total: boolean): Child {
  switch (kind) {
    case "status":
      return typeof v === "string" && !isAttendanceStatus(v) ? v : <StatusBadge status={v as AttendanceStatus | null} />;
    case "hours":
      return v || total ? hhmm(v as number) : "";
    case "minutes":
      return v || total ? `${v as number} min` : "";
    case "flags":
      return (v as string[]).filter((f) => f !== "no_schedule").join(", ");
    default:
      return v === null ? "" : String(v);
  }
}

function Th<R, T>({ column: c }: { column: Column<R, T> }) {
  if (c.kind !== "day") return <th>{c.header}</th>;
  return (
    <th class={isWeekend(c.header) ? "weekend" : undefined} title={c.header}>
      {Number(c.header.slice(8))}
    </th>
  );
}

function Td<R, T>({ column: c, v, link, total }: { column: Column<R, T>; v: Cell; link?: string; total?: boolean }) {
  if (c.kind === "day") {
    const s = v as AttendanceStatus | null;
    return (
      <td class={s ? `code code-${s}` : "code"} title={`${c.header}: ${DAY_STATE_LABELS[s ?? "not_computed"]}`}>
        {s ? STATUS_CODES[s] : ""}
      </td>
    );
  }
  const Tag = total ? "th" : "td";
  const body = content(c.kind, v, !!total);
  return <Tag class={c.kind === "flags" ? "muted" : c.kind === "text" ? "nowrap" : undefined}>{link ? <a href={link}>{body}</a> : body}</Tag>;
}

/**
 * The table of a report: one column per declared column, a row per row, and the totals row in the
 * footer when given. `links` makes a column's cells links (by column id); `rowClass` marks rows.
 */
export function ReportTable<R, T = never>({ id, class: cls = "report", columns, rows, totals, links = {}, rowClass }: { id?: string; class?: string; columns: Column<R, T>[]; rows: R[]; totals?: T; links?: Record<string, (row: R) => string | undefined>; rowClass?: (row: R) => string | undefined }) {
  return (
    <table class={cls} id={id}>
      <thead>
        <tr>
          {columns.map((c) => (
            <Th column={c} />
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr class={rowClass?.(r)}>
            {columns.map((c) => (
              <Td column={c} v={c.value(r)} link={links[c.id]?.(r)} />
            ))}
          </tr>
        ))}
      </tbody>
      {totals !== undefined && (
        <tfoot>
          <tr>
            {columns.map((c) => (c.total ? <Td column={c} v={c.total(totals)} total /> : <th />))}
          </tr>
        </tfoot>
      )}
    </table>
  );
}
