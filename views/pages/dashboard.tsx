import { Panel } from "../layout";

export interface Overview {
  activePeople: number;
  allPeople: number;
  departments: number;
  faces: number;
  cameras: number;
  eventsToday: number;
}

export function Dashboard({ o, day }: { o: Overview; day: string }) {
  const empty = o.allPeople === 0;
  return (
    <Panel title={`Today, ${day}`}>
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
  );
}
