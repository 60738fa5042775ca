// Decided camera tracks → attendance events (known people) or the unknown-faces review queue.
// Evidence is stored (DATA_DIR/media or the S3 bucket) before anything is recorded or announced.
import sharp from "sharp";
import type { Actor } from "../db/repos/audit";
import type { CamerasRepo } from "../db/repos/cameras";
import { cosine } from "../domain/face/matching";
import { eventForSighting, type CameraDirection, type EventKind } from "../domain/events";
import { dayStart, localDay, addDays } from "../domain/time";
import type { Logger } from "../lib/log";
import { attendanceCreated, type LiveBus } from "../live/events";
import type { FileQueue } from "./erasure";
import type { CameraSighting } from "./cameras";
import type { FaceService } from "./faces";
import type { MediaStore } from "./media";

/** The attendance side the camera pipeline needs (implemented by the attendance service). */
export interface AttendanceRecorder {
  lastEvent(personId: number): Promise<{ kind: EventKind; ts: Date } | null>;
  recordEvent(
    e: { personId: number; kind: EventKind; ts: Date; source: "camera" | "kiosk"; cameraId: number | null; similarity: number | null; evidencePath: string | null; trackId: string | null },
    actor: Actor,
  ): Promise<{ id: number }>;
}

export type KioskResult =
  | { result: "checked_in" | "checked_out"; name: string; personId: number; ts: string; eventId: number }
  | { result: "already"; name: string; personId: number; lastKind: EventKind; lastTs: string }
  | { result: "not_recognised" | "spoof" | "no_face" | "several_faces"; message: string };

/** Below this liveness a kiosk photo is treated as a photo of a photo or a screen. */
const KIOSK_MIN_LIVENESS = 0.2;

/** Unknown faces at least this similar to an open group's face join that group. */
const GROUP_SIMILARITY = 0.5;
const CAMERA_ACTOR: Actor = { id: null, label: "camera" };

export class SightingService {
  private readonly perPerson = new Map<number, Promise<unknown>>();
  private openUnknown: { groupId: number; embedding: Float32Array; modelId: string }[] | null = null;

  constructor(
    private readonly d: {
      repo: CamerasRepo;
      attendance: AttendanceRecorder;
      faces: FaceService;
      bus: LiveBus;
      media: MediaStore;
      /** Photos are queued as pending until their row commits: a crash or a failed insert leaves no orphan. */
      files: FileQueue;
      tz: string;
      dedupeMs: number;
      minIntervalMs: number;
      log: Logger;
    },
  ) {}

  /**
   * Stores a photo, then runs `commit` (which records the row referring to it); when `commit` fails
   * the photo is deleted again. The photo is queued as pending meanwhile, so a crash leaves none behind.
   */
  private async saveFor<T>(folder: "evidence" | "unknown", ts: Date, bytes: Uint8Array, commit: (rel: string) => Promise<T>): Promise<{ rel: string; out: T }> {
    const rel = `${folder}/${localDay(ts, this.d.tz)}/${crypto.randomUUID()}.jpg`;
    const out = await this.d.files.writeForRow("media", rel, () => this.d.media.put(rel, bytes), () => commit(rel));
    return { rel, out };
  }

  readonly handle = async (s: CameraSighting): Promise<void> => {
    const { sighting, camera } = s;
    const ts = new Date(sighting.endedAt);
    if (sighting.decision === "match" && sighting.personId !== null) {
      const personId = sighting.personId;
      await this.record({ personId, ts, direction: camera.direction, source: "camera", camera, similarity: sighting.similarity, evidence: () => s.evidence, trackId: sighting.trackId, actor: CAMERA_ACTOR }).catch((e) =>
        this.d.log.error("attendance from a sighting failed", { err: e, personId }),
      );
      return;
    }
    await this.recordUnknown(s, ts).catch((e) => this.d.log.error("unknown face from a sighting failed", { err: e, cameraId: camera.id }));
  };

  /**
   * A known person seen at a door (camera or kiosk): the event the rules give (or the reason there is
   * none), with the evidence stored before the event is recorded and announced. One person's
   * sightings are handled one after another, so the dedupe always sees the previous event.
   */
  private record(p: {
    personId: number;
    ts: Date;
    direction: CameraDirection;
    source: "camera" | "kiosk";
    camera: { id: number; name: string } | null;
    similarity: number;
    evidence: () => Promise<Uint8Array> | Uint8Array;
    trackId: string | null;
    actor: Actor;
  }): Promise<{ kind: EventKind; id: number } | { skip: true; last: { kind: EventKind; ts: Date } }> {
    const prev = this.perPerson.get(p.personId) ?? Promise.resolve();
    const job = prev.then(async () => {
      const attendance = this.d.attendance;
      const last = await attendance.lastEvent(p.personId);
      const rule = eventForSighting({
        sighting: { personId: p.personId, ts: p.ts.getTime() },
        direction: p.direction,
        lastEvent: last ? { kind: last.kind, ts: last.ts.getTime() } : null,
        dayStartMs: dayStart(localDay(p.ts, this.d.tz), this.d.tz).getTime(),
        dedupeMs: this.d.dedupeMs,
        minIntervalMs: this.d.minIntervalMs,
      });
      if ("skip" in rule) return { skip: true as const, last: last! };
      const similarity = Math.round(p.similarity * 1000) / 1000;
      const { rel: evidencePath, out: ev } = await this.saveFor("evidence", p.ts, await p.evidence(), (rel) =>
        attendance.recordEvent({ personId: p.personId, kind: rule.kind, ts: p.ts, source: p.source, cameraId: p.camera?.id ?? null, similarity, evidencePath: rel, trackId: p.trackId }, p.actor),
      );
      this.d.bus.publish("attendance.created", attendanceCreated({ id: ev.id, personId: p.personId, personName: await this.d.faces.nameOf(p.personId), kind: rule.kind, ts: p.ts, source: p.source, cameraId: p.camera?.id ?? null, cameraName: p.camera?.name ?? null, similarity, evidencePath }));
      return { kind: rule.kind, id: ev.id };
    });
    const settled = job.catch(() => undefined);
    this.perPerson.set(p.personId, settled);
    void settled.then(() => this.perPerson.get(p.personId) === settled && this.perPerson.delete(p.personId));
    return job;
  }

  private async recordUnknown(s: CameraSighting, ts: Date) {
    const modelId = this.d.faces.recognizerId;
    if (!this.openUnknown) this.openUnknown = (await this.d.repo.openUnknownEmbeddings(modelId)).filter((u) => u.groupId !== null).map((u) => ({ groupId: u.groupId!, embedding: u.embedding, modelId }));
    let best: { groupId: number; sim: number } | null = null;
    for (const u of this.openUnknown) {
      if (u.modelId !== modelId || u.embedding.length !== s.embedding.length) continue;
      const sim = cosine(u.embedding, s.embedding);
      if (sim >= GROUP_SIMILARITY && (!best || sim > best.sim)) best = { groupId: u.groupId, sim };
    }
    const kind = s.sighting.decision === "uncertain" ? "uncertain" : "unknown";
    const { rel: cropPath, out: row } = await this.saveFor("unknown", ts, s.evidence, (rel) =>
      this.d.repo.insertUnknown({ cameraId: s.camera.id, ts, cropPath: rel, modelId, embedding: s.embedding, groupId: best?.groupId ?? null, kind, personId: kind === "uncertain" ? s.sighting.personId : null, similarity: s.sighting.similarity, trackId: s.sighting.trackId }),
    );
    const groupId = best?.groupId ?? (await this.d.repo.setGroup(row.id, row.id));
    this.openUnknown.push({ groupId, embedding: s.embedding, modelId });
    if (this.openUnknown.length > 5000) this.openUnknown.shift();
    this.d.bus.publish("sighting.unknown", { id: row.id, groupId, kind, cameraId: s.camera.id, camera: s.camera.name, ts: ts.toISOString(), cropUrl: `/media/${cropPath}`, candidatePersonId: row.personId, similarity: s.sighting.similarity });
  }

  /**
   * A kiosk tablet's photo: exactly one live face that matches becomes a check-in or check-out (the
   * kiosk is an in-and-out door), with the photo as evidence; everything else is answered plainly.
   */
  async punch(image: Uint8Array, kioskLabel: string): Promise<KioskResult> {
    const r = await this.d.faces.recognize(image, { liveness: true });
    if (r.faces.length === 0) return { result: "no_face", message: "No face found; look at the camera" };
    if (r.faces.length > 1) return { result: "several_faces", message: "One person at a time, please" };
    const f = r.faces[0]!;
    if (f.liveness !== null && f.liveness < KIOSK_MIN_LIVENESS) return { result: "spoof", message: "Not recognised, please see reception" };
    if (f.decision !== "match" || !f.match) return { result: "not_recognised", message: "Not recognised, please see reception" };
    const { personId, name, similarity } = f.match;
    const ts = new Date();
    const out = await this.record({
      personId,
      ts,
      direction: "both",
      source: "kiosk",
      camera: null,
      similarity,
      evidence: async () => new Uint8Array(await sharp(image).rotate().resize({ width: 640, withoutEnlargement: true }).jpeg({ quality: 85 }).toBuffer()),
      trackId: null,
      actor: { id: null, label: kioskLabel },
    });
    if ("skip" in out) return { result: "already", name, personId, lastKind: out.last.kind, lastTs: out.last.ts.toISOString() };
    return { result: out.kind === "check_in" ? "checked_in" : "checked_out", name, personId, ts: ts.toISOString(), eventId: out.id };
  }

  /** Forgets cached groups (after a review action changed them). */
  invalidateGroups() {
    this.openUnknown = null;
  }

  /**
   * Retention: deletes unknown faces older than `days` (rows and crops) and evidence photos in
   * day folders older than that. Returns what was removed.
   */
  async purge(now: Date, days: number): Promise<{ unknownFaces: number; evidenceDays: number }> {
    const cutoffDay = addDays(localDay(now, this.d.tz), -days);
    const cutoff = dayStart(cutoffDay, this.d.tz);
    const crops = await this.d.repo.purgeUnknownBefore(cutoff);
    for (const c of crops) await this.d.media.remove(c);
    const evidenceDays = await this.d.media.purgeBefore("evidence", cutoffDay);
    await this.d.media.purgeBefore("unknown", cutoffDay);
    this.invalidateGroups();
    return { unknownFaces: crops.length, evidenceDays };
  }
}
