// The items of the live feed (Live page and dashboard): one component per live event, rendered in the
// page and sent as the SSE payload alike.
import type { AttendanceCreated, FeedEvent, UnknownSighting } from "../../src/live/events";
import { fmtDateTime } from "./common";

function Item({ kind, image, title, ts, camera, detail, tz }: { kind: string; image: string; title: string; ts: string; camera: string; detail: string; tz: string }) {
  return (
    <li class={`feed-item ${kind}`}>
      <img src={image} alt="" width="56" height="56" />
      <div>
        <strong>{title}</strong>
        <div class="muted">
          {fmtDateTime(new Date(ts), tz)} · {camera} · {detail}
        </div>
      </div>
    </li>
  );
}

export function AttendanceFeedItem({ e, tz }: { e: AttendanceCreated; tz: string }) {
  return (
    <Item
      kind="attendance"
      image={e.evidenceUrl ?? "/assets/favicon.svg"}
      title={`${e.name} — ${e.kind === "check_in" ? "checked in" : "checked out"}`}
      ts={e.ts}
      camera={e.camera}
      detail={e.similarity !== null ? `similarity ${e.similarity}` : e.source}
      tz={tz}
    />
  );
}

function UnknownFeedItem({ e, tz }: { e: UnknownSighting; tz: string }) {
  return <Item kind="unknown" image={e.cropUrl} title={e.kind === "uncertain" ? "Not sure who this is" : "Unknown person"} ts={e.ts} camera={e.camera} detail="in the review queue" tz={tz} />;
}

export function FeedItem({ e, tz }: { e: FeedEvent; tz: string }) {
  return e.name === "attendance.created" ? <AttendanceFeedItem e={e.data} tz={tz} /> : <UnknownFeedItem e={e.data} tz={tz} />;
}
