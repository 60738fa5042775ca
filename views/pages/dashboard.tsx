import { Panel } from "../layout";
import { AttendanceFeedItem } from "../partials/feed";
import { CameraTable } from "./cameras";
import { dayStateTone } from "../partials/report-table";
import { Chart, ChartScripts, type ChartSpec } from "../partials/chart";
import { DAY_STATE_LABELS, type DayState } from "../../src/domain/attendance/report";
import type { AttendanceCreated } from "../../src/live/events";
import type { CameraView } from "../../src/services/cameras";

export interface Overview {
  activePeople: number;
  allPeople: number;
  departments: number;
  faces: number;
  cameras: number;
  eventsToday: number;
}

export interface Today {
  /** People per state today, as the daily sheet counts them. */
  counts: Record<DayState, number>;
  arrivals: ChartSpec;
}

/** The cards of today, in the daily sheet's words and colours; "no status yet" only when there is any. */
const TODAY_CARDS: DayState[] = ["present", "late", "absent", "on_leave", "not_started", "not_computed"];

/**
 * Today at a glance; the #today block refreshes itself every 30 s (same component for the page and
 * the fragment), the feed comes over SSE, the camera table polls its own status.
 */
export function Dashboard({ o, day, today, cameras, recent, tz }: { o: Overview; day: string; today: Today; cameras: CameraView[]; recent: AttendanceCreated[]; tz: string }) {
  const empty = o.allPeople === 0;
  return (
    <>
      <ChartScripts />
      <div id="today" hx-get="/" hx-trigger="every 30s" hx-select="#today" hx-swap="outerHTML">
        <Panel title={`Today, ${day}`}>
          <div class="cards">
            {TODAY_CARDS.filter((state) => state !== "not_computed" || today.counts.not_computed > 0).map((state) => (
              <a class={`card ${dayStateTone(state)}`.trim()} href={`/reports/daily?date=${day}`}>
                <div class="n">{today.counts[state]}</div>
                <div>{DAY_STATE_LABELS[state]}</div>
              </a>
            ))}
          </div>
          <Chart spec={today.arrivals} />
        </Panel>
      </div>
      <div class="live-layout">
        <Panel title="Cameras">
          <CameraTable cameras={cameras} />
        </Panel>
        <Panel title="Check-ins">
          <ul id="feed" class="feed" hx-sse:connect="/live/feed" hx-swap="afterbegin">
            {recent.map((e) => (
              <AttendanceFeedItem e={e} tz={tz} />
            ))}
            <li class="muted feed-empty">Nobody yet today.</li>
          </ul>
        </Panel>
      </div>
      <Panel title="Overview">
      <div class="cards" id="overview">
        <a class="card" href="/people">
          <div class="n">{o.activePeople}</div>
          <div>active people{o.allPeople > o.activePeople ? ` (${o.allPeople - o.activePeople} inactive)` : ""}</div>
        </a>
        <a class="card" href="/departments">
          <div class="n">{o.departments}</div>
          <div>departments</div>
        </a>
        <div class="card">
          <div class="n">{o.faces}</div>
          <div>enrolled face photos</div>
        </div>
        <div class="card">
          <div class="n">{o.cameras}</div>
          <div>cameras</div>
        </div>
        <div class="card">
          <div class="n">{o.eventsToday}</div>
          <div>check-ins and check-outs today</div>
        </div>
      </div>
      {empty && (
        <p class="muted">
          Nobody is enrolled yet. Start by <a href="/people/new">adding people</a> or <a href="/people/import">importing a CSV</a>.
        </p>
      )}
      </Panel>
    </>
  );
}
