import { PersonPicker } from "../partials/person-picker";
import { DAY_STATE_LABELS, STATUS_CODES, STATUS_LABELS, hhmm, ATTENDANCE_STATUSES } from "../../src/domain/attendance/report";
import { dailyColumns, matrixColumns, summaryColumns, timesheetColumns } from "../../src/domain/reports/columns";
import type { DailyReport, Matrix, Summary, Timesheet } from "../../src/domain/reports/model";
import { parseDay } from "../../src/domain/time";
import { Panel } from "../layout";
import { Flash, Pager, qs } from "../partials/common";
import { Chart } from "../partials/chart";
import { isWeekend, ReportTable } from "../partials/report-table";

type Option = { id: number; name: string };
type Params = Record<string, string | number | undefined>;

const dayX = (day: string) => {
  const { y, m, d } = parseDay(day);
  return Date.UTC(y, m - 1, d) / 1000;
};

function Exports({ kind, params }: { kind: string; params: Params }) {
  const q = qs(params);
  return (
    <>
      <a class="btn secondary" href={`/api/v1/reports/${kind}.csv${q}`} download>
        CSV
      </a>
      <a class="btn secondary" href={`/api/v1/reports/${kind}.xlsx${q}`} download>
        Excel
      </a>
      <button type="button" class="secondary" data-print>
        Print
      </button>
    </>
  );
}

function DepartmentSelect({ departments, value, allLabel = "All departments" }: { departments: Option[]; value?: number; allLabel?: string }) {
  return (
    <select id="r-dept" name="departmentId">
      <option value="">{allLabel}</option>
      {departments.map((d) => (
        <option value={String(d.id)} selected={value === d.id}>
          {d.name}
        </option>
      ))}
    </select>
  );
}

function Problem({ problem }: { problem?: string }) {
  return problem ? <Flash kind="bad">{problem}</Flash> : null;
}

export function ReportsIndex({ departments, today, monthFrom, monthTo }: { departments: Option[]; today: string; monthFrom: string; monthTo: string }) {
  return (
    <Panel title="Reports">
      <div class="report-cards">
        <form class="card" method="get" action="/reports/daily">
          <h2>Daily sheet</h2>
          <p class="muted">Everyone's status, arrival and hours on one day.</p>
          <label for="i-date">Day</label>
          <input id="i-date" name="date" type="date" value={today} />
          <p>
            <button type="submit">Open</button>
          </p>
        </form>
        <form class="card" method="get" action="/reports/timesheet">
          <h2>Timesheet</h2>
          <p class="muted">One person's days over a range, with totals.</p>
          <PersonPicker id="i-person" label="Person" name="person" required />
          <label for="i-tfrom">From</label>
          <input id="i-tfrom" name="from" type="date" value={monthFrom} />
          <label for="i-tto">To</label>
          <input id="i-tto" name="to" type="date" value={monthTo} />
          <p>
            <button type="submit">Open</button>
          </p>
        </form>
        <form class="card" method="get" action="/reports/summary">
          <h2>Department summary</h2>
          <p class="muted">Days present, late and absent, hours and overtime, per department or per person of one.</p>
          <label for="r-dept">Department</label>
          <DepartmentSelect departments={departments} />
          <label for="i-sfrom">From</label>
          <input id="i-sfrom" name="from" type="date" value={monthFrom} />
          <label for="i-sto">To</label>
          <input id="i-sto" name="to" type="date" value={monthTo} />
          <p>
            <button type="submit">Open</button>
          </p>
        </form>
        <form class="card" method="get" action="/reports/matrix">
          <h2>Monthly matrix</h2>
          <p class="muted">People × days with a status code each.</p>
          <label for="i-mfrom">From</label>
          <input id="i-mfrom" name="from" type="date" value={monthFrom} />
          <label for="i-mto">To</label>
          <input id="i-mto" name="to" type="date" value={monthTo} />
          <p>
            <button type="submit">Open</button>
          </p>
        </form>
      </div>
    </Panel>
  );
}

function Counts({ counts }: { counts: DailyReport["counts"] }) {
  return (
    <div class="cards counts">
      {ATTENDANCE_STATUSES.filter((s) => counts[s] > 0 || ["present", "late", "absent", "on_leave"].includes(s)).map((s) => (
        <div class="card">
          <div class="n">{counts[s]}</div>
          <div>{DAY_STATE_LABELS[s]}</div>
        </div>
      ))}
      {counts.not_computed > 0 && (
        <div class="card">
          <div class="n">{counts.not_computed}</div>
          <div>{DAY_STATE_LABELS.not_computed}</div>
        </div>
      )}
    </div>
  );
}

function PersonInput({ person, personId }: { person?: string; personId?: number }) {
  return <PersonPicker id="r-person" label="Person" name="person" value={person} personId={personId} placeholder="Everyone" />;
}

export function DailyPage({ date, departmentId, person, personId, departments, report, tz, problem }: { date: string; departmentId?: number; person?: string; personId?: number; departments: Option[]; report?: DailyReport; tz: string; problem?: string }) {
  const params = { date, departmentId, personId };
  return (
    <Panel title={`Daily sheet ${date}`} actions={report && <Exports kind="daily" params={params} />}>
      <form class="filters" method="get" action="/reports/daily">
        <div>
          <label for="d-date">Day</label>
          <input id="d-date" name="date" type="date" value={date} />
        </div>
        <div>
          <label for="r-dept">Department</label>
          <DepartmentSelect departments={departments} value={departmentId} />
        </div>
        <PersonInput person={person} personId={personId} />
        <div>
          <button type="submit">Show</button>
        </div>
      </form>
      <Problem problem={problem} />
      {report && (
        <>
          <Counts counts={report.counts} />
          {report.rows.some((r) => r.firstIn) && (
            <Chart
              spec={{
                title: "Arrivals per 15 minutes",
                xLabel: "From",
                tz,
                x: report.arrivals.start,
                series: [{ label: "Arrivals", values: report.arrivals.counts, kind: "bars", color: "#1f6feb", unit: "people" }],
              }}
            />
          )}
          <div class="scroll">
            <ReportTable id="daily-table" columns={dailyColumns(date, tz)} rows={report.rows} links={{ name: (r) => `/reports/timesheet${qs({ personId: r.personId, from: date, to: date })}` }} />
          </div>
        </>
      )}
    </Panel>
  );
}

export function TimesheetPage({ sheet, person, from, to, tz, problem, scheduleName }: { sheet?: Timesheet; person?: string; from: string; to: string; tz: string; problem?: string; scheduleName?: string | null }) {
  const params = sheet ? { personId: sheet.person.id, from, to } : {};
  const t = sheet?.totals;
  return (
    <Panel title={sheet ? `Timesheet: ${sheet.person.name}` : "Timesheet"} actions={sheet && <Exports kind="timesheet" params={params} />}>
      <form class="filters" method="get" action="/reports/timesheet">
        <PersonPicker id="t-person" label="Person" name="person" value={person ?? sheet?.person.name} personId={sheet?.person.id} required />
        <div>
          <label for="t-from">From</label>
          <input id="t-from" name="from" type="date" value={from} />
        </div>
        <div>
          <label for="t-to">To</label>
          <input id="t-to" name="to" type="date" value={to} />
        </div>
        <div>
          <button type="submit">Show</button>
        </div>
      </form>
      <Problem problem={problem} />
      {!sheet && !problem && <p class="muted">Choose a person and a range.</p>}
      {sheet && t && (
        <>
          <dl class="facts">
            <dt>Employee code</dt>
            <dd>
              <code>{sheet.person.employeeCode}</code>
            </dd>
            <dt>Department</dt>
            <dd>{sheet.person.departmentName ?? "—"}</dd>
            <dt>Schedule</dt>
            <dd>{scheduleName ?? "none"}</dd>
            <dt>Worked</dt>
            <dd>
              {hhmm(t.workedMinutes)} h, overtime {hhmm(t.overtimeMinutes)} h
            </dd>
            <dt>Days</dt>
            <dd>
              {t.present} present ({t.late} late), {t.absent} absent, {t.onLeave} on leave, {t.holiday} holidays{t.incomplete ? `, ${t.incomplete} incomplete` : ""}
            </dd>
            <dt>Late / early</dt>
            <dd>
              {t.lateMinutes} min late, {t.earlyMinutes} min early
            </dd>
          </dl>
          {sheet.days.length > 1 && (
            <Chart
              spec={{
                title: "Hours worked and minutes late per day",
                xLabel: "Day",
                tz: "UTC",
                x: sheet.days.map((d) => dayX(d.day)),
                series: [
                  { label: "Worked hours", values: sheet.days.map((d) => Math.round((d.workedMinutes / 60) * 100) / 100), kind: "bars", color: "#1a7f37", unit: "hours" },
                  { label: "Late minutes", values: sheet.days.map((d) => d.lateMinutes), kind: "line", color: "#cf222e", axis: 1, unit: "minutes" },
                ],
              }}
            />
          )}
          <div class="scroll">
            <ReportTable id="timesheet-table" columns={timesheetColumns(tz)} rows={sheet.days} totals={t} links={{ day: (d) => `/attendance${qs({ personId: sheet.person.id, from: d.day, to: d.day })}` }} rowClass={(d) => (isWeekend(d.day) ? "weekend" : undefined)} />
          </div>
        </>
      )}
    </Panel>
  );
}

export function SummaryPage({ summary, departments, departmentId, from, to, problem }: { summary?: Summary; departments: Option[]; departmentId?: number; from: string; to: string; problem?: string }) {
  const byPerson = !!summary?.department;
  return (
    <Panel title={summary?.department ? `Summary: ${summary.department.name}` : "Department summary"} actions={summary && <Exports kind="summary" params={{ departmentId, from, to }} />}>
      <form class="filters" method="get" action="/reports/summary">
        <div>
          <label for="r-dept">Department</label>
          <DepartmentSelect departments={departments} value={departmentId} />
        </div>
        <div>
          <label for="s-from">From</label>
          <input id="s-from" name="from" type="date" value={from} />
        </div>
        <div>
          <label for="s-to">To</label>
          <input id="s-to" name="to" type="date" value={to} />
        </div>
        <div>
          <button type="submit">Show</button>
        </div>
      </form>
      <Problem problem={problem} />
      {summary && (
        <>
          {summary.trend.length > 1 && (
            <div class="charts">
              <Chart
                spec={{
                  title: "Lateness trend",
                  xLabel: "Day",
                tz: "UTC",
                  x: summary.trend.map((d) => dayX(d.day)),
                  series: [
                    { label: "People late", values: summary.trend.map((d) => d.late), kind: "bars", color: "#9a6700", unit: "people" },
                    { label: "Average minutes late", values: summary.trend.map((d) => (d.late ? Math.round(d.lateMinutes / d.late) : null)), kind: "line", color: "#cf222e", axis: 1, unit: "minutes" },
                  ],
                }}
              />
              <Chart
                spec={{
                  title: "Hours per day",
                  xLabel: "Day",
                tz: "UTC",
                  x: summary.trend.map((d) => dayX(d.day)),
                  series: [
                    { label: "Average hours per person present", values: summary.trend.map((d) => (d.present ? Math.round((d.workedMinutes / d.present / 60) * 100) / 100 : null)), kind: "line", color: "#1a7f37", unit: "hours" },
                    { label: "People present", values: summary.trend.map((d) => d.present), kind: "bars", color: "#1f6feb", axis: 1, unit: "people" },
                  ],
                }}
              />
            </div>
          )}
          {summary.rows.length === 0 ? (
            <p class="muted">No computed days in this range.</p>
          ) : (
            <div class="scroll">
              <ReportTable
                id="summary-table"
                columns={summaryColumns(byPerson)}
                rows={summary.rows}
                totals={summary.totals}
                links={{ name: (r) => (byPerson ? `/reports/timesheet${qs({ personId: r.key ?? undefined, from, to })}` : r.key === null ? undefined : `/reports/summary${qs({ departmentId: r.key, from, to })}`) }}
              />
            </div>
          )}
        </>
      )}
    </Panel>
  );
}

export function MatrixPage({ matrix, departments, departmentId, person, personId, from, to, problem }: { matrix?: Matrix; departments: Option[]; departmentId?: number; person?: string; personId?: number; from: string; to: string; problem?: string }) {
  return (
    <Panel title={`Matrix ${from} to ${to}`} actions={matrix && <Exports kind="matrix" params={{ departmentId, personId, from, to }} />}>
      <form class="filters" method="get" action="/reports/matrix">
        <div>
          <label for="r-dept">Department</label>
          <DepartmentSelect departments={departments} value={departmentId} />
        </div>
        <PersonInput person={person} personId={personId} />
        <div>
          <label for="m-from">From</label>
          <input id="m-from" name="from" type="date" value={from} />
        </div>
        <div>
          <label for="m-to">To</label>
          <input id="m-to" name="to" type="date" value={to} />
        </div>
        <div>
          <button type="submit">Show</button>
        </div>
      </form>
      <Problem problem={problem} />
      <p class="legend muted">
        {ATTENDANCE_STATUSES.map((s) => (
          <span>
            <b class={`code code-${s}`}>{STATUS_CODES[s]}</b> {STATUS_LABELS[s]}{" "}
          </span>
        ))}
      </p>
      {matrix && <MatrixTable matrix={matrix} departmentId={departmentId} person={person} />}
    </Panel>
  );
}

export function MatrixTable({ matrix: m, departmentId, person }: { matrix: Matrix; departmentId?: number; person?: string }) {
  return (
    <div id="matrix-table" class="scroll">
      <ReportTable class="matrix" columns={matrixColumns(m.days)} rows={m.people} links={{ name: (p) => `/reports/timesheet${qs({ personId: p.id, from: m.from, to: m.to })}` }} />
      <Pager base="/reports/matrix" params={{ departmentId, person, from: m.from, to: m.to }} total={m.total} limit={m.limit} offset={m.offset} target="#matrix-table" />
    </div>
  );
}
