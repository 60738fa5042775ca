// Every live event, declared once: name → payload. The services publish them, src/routes/sse.tsx
// streams them (JSON for integrations, rendered feed items for the pages) and views/partials/feed.tsx
// renders them, all against these types.
import type { EventKind } from "../domain/events";
import type { CameraStatus } from "../services/cameras";
import { EventBus, type BusEvent } from "./bus";

/** A check-in or check-out was recorded (camera, kiosk or a manual entry shown on the dashboard). */
export interface AttendanceCreated {
  id: number;
  personId: number;
  name: string;
  kind: EventKind;
  ts: string;
  source: "camera" | "kiosk" | "manual";
  cameraId: number | null;
  /** The camera's name, or the source when there is no camera ("kiosk", "manual"). */
  camera: string;
  similarity: number | null;
  evidenceUrl: string | null;
}

/** A face no one (or not surely anyone) matched went to the review queue. */
export interface UnknownSighting {
  id: number;
  groupId: number;
  kind: "unknown" | "uncertain";
  cameraId: number;
  camera: string;
  ts: string;
  cropUrl: string;
  /** For "uncertain": who it might be. */
  candidatePersonId: number | null;
  similarity: number;
}

/** A camera's pipeline status changed (or its counters were refreshed). */
export type CameraStatusChanged = { cameraId: number; name: string } & CameraStatus;

export interface LiveEvents {
  "attendance.created": AttendanceCreated;
  "sighting.unknown": UnknownSighting;
  "camera.status": CameraStatusChanged;
}

export type LiveEvent = BusEvent<LiveEvents>;
/** The events shown as items of the live feed (Live page and dashboard). */
export type FeedEvent = Extract<LiveEvent, { name: "attendance.created" | "sighting.unknown" }>;

export const isFeedEvent = (e: LiveEvent): e is FeedEvent => e.name === "attendance.created" || e.name === "sighting.unknown";

export type LiveBus = EventBus<LiveEvents>;

export const createLiveBus = (): LiveBus => new EventBus<LiveEvents>();

/** The attendance.created payload of a recorded event (as published, and as listed for the dashboard). */
export function attendanceCreated(e: {
  id: number;
  personId: number;
  personName: string;
  kind: EventKind;
  ts: Date;
  source: AttendanceCreated["source"];
  cameraId: number | null;
  cameraName: string | null;
  similarity: number | null;
  evidencePath: string | null;
}): AttendanceCreated {
  return {
    id: e.id,
    personId: e.personId,
    name: e.personName,
    kind: e.kind,
    ts: e.ts.toISOString(),
    source: e.source,
    cameraId: e.cameraId,
    camera: e.cameraName ?? e.source,
    similarity: e.similarity,
    evidenceUrl: e.evidencePath ? `/media/${e.evidencePath}` : null,
  };
}
