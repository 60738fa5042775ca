/**
 * Per-camera face tracking and per-track identity voting (pure: the clock comes in as `ts`, ms).
 *
 * A camera yields detections frame by frame, each already embedded and decided on its own
 * (match / unknown / uncertain, see ./face/matching `decide`). Single frames are noisy, so the tracker
 * links the detections of one face across frames into a track and decides each track ONCE by a
 * quality-weighted vote over its frames. The caller turns decided tracks (sightings) into attendance.
 *
 * Association, per frame:
 * - Tracks not seen for more than `maxAgeMs` end first (a gap of exactly `maxAgeMs` still links).
 * - Every (track, detection) pair gets an overlap and an appearance score:
 *   overlap = max(IoU with the track's last box, IoU with that box moved by the track's velocity);
 *   appearance = cosine between the detection's embedding and the track's mean embedding (the sum of
 *   its L2-normalised embeddings, whose direction is the mean direction).
 *   A pair is a candidate when overlap ≥ minIoU OR appearance ≥ minCos (a fast walker at 5 fps can
 *   have no overlap at all), unless appearance < rejectCos (clearly another face, however close).
 * - Candidates are taken greedily, best affinity first, one detection per track and one track per
 *   detection, with affinity = iouWeight · overlap + (1 − iouWeight) · appearance. Appearance weighs
 *   more by default so two people crossing paths keep their tracks: the cosine gap between the same
 *   and another face (≈ 0.5+) beats any overlap gap (≤ 1) scaled by 0.3.
 * - Detections left over start new tracks, with ids `${idPrefix}-${counter}` (counter from 1).
 *
 * Voting (see `Ballot`): each frame's weight is its quality,
 *   w = min(1, faceSize / refFaceSize) · min(1, sharpness / refSharpness) · detScore,
 * a small, blurry or doubtful face counts less. A frame whose decision names a person (match, or
 * uncertain with a person) votes w · similarity for that person; an unknown frame votes
 * w · unknownWeight for "unknown" (person votes are scaled by similarities of about 0.4–0.7, so the
 * unknown vote is scaled by a similar constant to stay comparable).
 * Let T be the total of all votes, P the leading person and R the runner-up option (a person or
 * unknown). The track is a "match" for P when P has ≥ minFaces frames decided "match" for P,
 * P / T ≥ minShare and (P − R) / T ≥ minMargin. Otherwise: a tie at the top, an unknown lead or no
 * votes at all is "unknown"; a strict lead of P that misses the rules is "uncertain" for P (it goes to
 * review, never to attendance on its own).
 *
 * When a track is decided:
 * - Early: right after a frame, an undecided track whose vote is a "match" with ≥ earlyMinFaces
 *   match frames for the winner is decided at once, so a check-in does not wait for the person to
 *   leave. Only matches are decided early; unknown and uncertain tracks wait, more frames may still
 *   make them a match.
 * - At the end (aged out, or `flush`): an undecided track with ≥ minFaces frames is decided by the
 *   vote as it stands; a shorter one is dropped and counted in `droppedShortTracks`.
 * Either way a track yields at most one sighting; frames after an early decision only extend the track
 * (box, embedding) and do not change its identity.
 */
import type { FaceQuality } from "./face/quality";
import { cosine, l2normalize, type Decision } from "./face/matching";
import { iou } from "./face/nms";
import type { Box } from "./face/types";

export interface FrameDecision {
  decision: Decision;
  personId: number | null;
  similarity: number;
}

/** One detected, embedded and decided face of one frame. `crop` is carried through as evidence. */
export interface Observation<T = unknown> {
  box: Box;
  embedding: Float32Array;
  quality: Pick<FaceQuality, "faceSize" | "sharpness"> & Partial<FaceQuality>;
  /** Detector confidence, 0–1. */
  detScore: number;
  decision: FrameDecision;
  crop?: T;
}

/** The identity of a track: decided, or (for drawing) the vote so far. */
export interface Identity {
  personId: number | null;
  decision: Decision;
  similarity: number;
}

/** An active track, for drawing. */
export interface TrackView extends Identity {
  id: string;
  /** Box of the latest frame that had this face (it may be older than the current frame). */
  box: Box;
  lastSeenAt: number;
  faces: number;
  /** True once the track has produced its sighting; the identity is then final. */
  decided: boolean;
}

/**
 * A decided track. `similarity` is the winner's highest frame similarity; for unknown, the highest
 * similarity any frame had to anyone.
 */
export interface Sighting<T = unknown> extends Identity {
  trackId: string;
  /** Frames in the track when it was decided (frames after an early decision are not counted). */
  faces: number;
  /** The winner's frame with the highest vote (for unknown: the highest-quality frame), as evidence. */
  bestObservation: Observation<T>;
  startedAt: number;
  /** Time of the last frame counted (for an early decision: the deciding frame). */
  endedAt: number;
  /** Decided before the track ended. */
  early: boolean;
}

export interface TrackerConfig {
  /** Track ids are `${idPrefix}-${n}`; include the camera (and a start time when ids must be unique across restarts). */
  idPrefix: string;
  /** A track not seen for longer than this ends (ms). */
  maxAgeMs: number;
  /** Overlap that alone lets a detection join a track. */
  minIoU: number;
  /** Cosine to the track's mean embedding that alone lets a detection join a track. */
  minCos: number;
  /** Below this cosine a detection never joins the track, whatever the overlap. */
  rejectCos: number;
  /** Share of overlap in the association affinity (the rest is the cosine). */
  iouWeight: number;
  /** Match frames the winner needs; shorter tracks are dropped at their end. */
  minFaces: number;
  /** Match frames the winner needs for a decision before the track ends (Infinity: never early). */
  earlyMinFaces: number;
  /** Winner's share of all votes. */
  minShare: number;
  /** Winner's lead over the runner-up (person or unknown), as a share of all votes. */
  minMargin: number;
  /** Face size (px, shorter box side) from which a frame gets full weight. */
  refFaceSize: number;
  /** Sharpness (Laplacian variance) from which a frame gets full weight. */
  refSharpness: number;
  /** Scale of an unknown frame's vote (person votes are scaled by their similarity). */
  unknownWeight: number;
}

export const DEFAULT_TRACKER_CONFIG: TrackerConfig = {
  idPrefix: "t",
  maxAgeMs: 1500,
  minIoU: 0.3,
  minCos: 0.5,
  rejectCos: 0.1,
  iouWeight: 0.3,
  minFaces: 3,
  earlyMinFaces: 5,
  minShare: 0.6,
  minMargin: 0.3,
  refFaceSize: 112,
  refSharpness: 200,
  unknownWeight: 0.5,
};

export type VoteConfig = Pick<TrackerConfig, "minFaces" | "minShare" | "minMargin" | "refFaceSize" | "refSharpness" | "unknownWeight">;

/** Quality weight of one frame: min(1, faceSize/ref) · min(1, sharpness/ref) · detScore, clamped to ≥ 0. */
export function observationWeight(o: Observation<unknown>, c: Pick<VoteConfig, "refFaceSize" | "refSharpness">): number {
  const size = Math.min(1, Math.max(0, o.quality.faceSize) / c.refFaceSize);
  const sharp = Math.min(1, Math.max(0, o.quality.sharpness) / c.refSharpness);
  return size * sharp * Math.max(0, o.detScore);
}

/** Votes of one option (a person, or unknown) over a track's frames. */
interface Tally<T> {
  weight: number;
  matchFaces: number;
  maxSimilarity: number;
  best: Observation<T>;
  bestVote: number;
}

/** A track's votes, kept as running totals so frames (and their crops) need not be stored. */
export class Ballot<T = unknown> {
  private readonly people = new Map<number, Tally<T>>();
  private unknown: Tally<T> | null = null;
  /** Highest-quality frame overall (evidence for an unknown result). */
  private bestOverall: { o: Observation<T>; w: number } | null = null;
  private maxSimilarity = -Infinity;
  faces = 0;

  constructor(private readonly config: VoteConfig) {}

  add(o: Observation<T>) {
    const w = observationWeight(o, this.config);
    const { decision, personId, similarity } = o.decision;
    this.faces++;
    this.maxSimilarity = Math.max(this.maxSimilarity, similarity);
    if (!this.bestOverall || w > this.bestOverall.w) this.bestOverall = { o, w };
    const isPerson = personId !== null && decision !== "unknown";
    const vote = isPerson ? w * Math.max(0, similarity) : w * this.config.unknownWeight;
    const tally = isPerson ? this.people.get(personId) : this.unknown;
    if (!tally) {
      const fresh: Tally<T> = { weight: vote, matchFaces: decision === "match" ? 1 : 0, maxSimilarity: similarity, best: o, bestVote: vote };
      if (isPerson) this.people.set(personId, fresh);
      else this.unknown = fresh;
      return;
    }
    tally.weight += vote;
    if (decision === "match") tally.matchFaces++;
    tally.maxSimilarity = Math.max(tally.maxSimilarity, similarity);
    if (vote > tally.bestVote) {
      tally.best = o;
      tally.bestVote = vote;
    }
  }

  /** The vote's result (see the module comment), with the winner's match-frame count. Needs ≥ 1 frame. */
  result(): Identity & { best: Observation<T>; matchFaces: number } {
    if (!this.bestOverall) throw new Error("an empty ballot has no result");
    const unknown = { personId: null, decision: "unknown" as const, similarity: this.maxSimilarity, best: this.bestOverall.o, matchFaces: 0 };
    const options: { personId: number | null; t: Tally<T> }[] = [...this.people.entries()].map(([personId, t]) => ({ personId, t }));
    if (this.unknown) options.push({ personId: null, t: this.unknown });
    options.sort((a, b) => b.t.weight - a.t.weight);
    const lead = options[0]!;
    const runnerUp = options[1];
    const total = options.reduce((s, o) => s + o.t.weight, 0);
    // Relative tolerance so equal vote totals summed in a different order still tie.
    const tied = runnerUp !== undefined && lead.t.weight - runnerUp.t.weight <= 1e-9 * total;
    if (total <= 0 || tied || lead.t === this.unknown) return unknown;
    const share = lead.t.weight / total;
    const margin = (lead.t.weight - (runnerUp?.t.weight ?? 0)) / total;
    const match = lead.t.matchFaces >= this.config.minFaces && share >= this.config.minShare && margin >= this.config.minMargin;
    return { personId: lead.personId, decision: match ? "match" : "uncertain", similarity: lead.t.maxSimilarity, best: lead.t.best, matchFaces: lead.t.matchFaces };
  }
}

interface Track<T> {
  id: string;
  box: Box;
  /** Centre velocity in px per ms, from the last two frames. */
  vx: number;
  vy: number;
  embeddingSum: Float32Array;
  startedAt: number;
  lastSeenAt: number;
  ballot: Ballot<T>;
  sighting: Sighting<T> | null;
}

const shift = (b: Box, dx: number, dy: number): Box => [b[0] + dx, b[1] + dy, b[2], b[3]];

export class Tracker<T = unknown> {
  readonly config: TrackerConfig;
  private tracks: Track<T>[] = [];
  private counter = 0;
  private lastTs = -Infinity;
  /** Tracks that ended undecided with fewer than minFaces frames (no sighting). */
  droppedShortTracks = 0;

  constructor(config: Partial<TrackerConfig> = {}) {
    this.config = { ...DEFAULT_TRACKER_CONFIG, ...config };
  }

  /**
   * Feeds one frame's detections at time `ts` (ms). A `ts` earlier than the previous frame's is
   * taken as the previous one (wall clocks can step back). Returns the active tracks and the
   * sightings decided in this call (early decisions and tracks that ended).
   */
  update(ts: number, detections: readonly Observation<T>[]): { tracks: TrackView[]; finished: Sighting<T>[] } {
    const now = Math.max(ts, this.lastTs);
    this.lastTs = now;
    const finished: Sighting<T>[] = [];
    const expired = this.tracks.filter((t) => now - t.lastSeenAt > this.config.maxAgeMs);
    this.tracks = this.tracks.filter((t) => now - t.lastSeenAt <= this.config.maxAgeMs);
    for (const t of expired) this.end(t, finished);

    const assigned = this.associate(now, detections);
    for (let d = 0; d < detections.length; d++) {
      const det = detections[d]!;
      const track = assigned[d] ?? this.start(now, det);
      this.extend(track, now, det);
      if (!track.sighting) this.decideEarly(track, finished);
    }
    return { tracks: this.tracks.map((t) => this.view(t)), finished };
  }

  /**
   * A frame at `ts` that was not analysed because nothing moved since the previous update (see
   * ../motion): the faces of that update are still where they were. Their tracks are seen again at
   * `ts` (same box, no velocity, no new vote: an unchanged frame is no new evidence); tracks not in
   * that update age as in `update`, and end when too old.
   */
  hold(ts: number): { tracks: TrackView[]; finished: Sighting<T>[] } {
    const previous = this.lastTs;
    const now = Math.max(ts, previous);
    for (const t of this.tracks) {
      if (t.lastSeenAt !== previous) continue;
      t.lastSeenAt = now;
      t.vx = 0;
      t.vy = 0;
    }
    return this.update(now, []);
  }

  /** Ends every active track (camera stopped); returns their sightings. */
  flush(): Sighting<T>[] {
    const finished: Sighting<T>[] = [];
    for (const t of this.tracks) this.end(t, finished);
    this.tracks = [];
    return finished;
  }

  /** For each detection index, the track it joins (undefined: it starts a new one). */
  private associate(now: number, detections: readonly Observation<T>[]): (Track<T> | undefined)[] {
    const c = this.config;
    const pairs: { t: Track<T>; d: number; affinity: number }[] = [];
    for (const t of this.tracks) {
      const dt = now - t.lastSeenAt;
      const predicted = shift(t.box, t.vx * dt, t.vy * dt);
      for (let d = 0; d < detections.length; d++) {
        const box = detections[d]!.box;
        const overlap = Math.max(iou(t.box, box), iou(predicted, box));
        const appearance = cosine(t.embeddingSum, detections[d]!.embedding);
        if (appearance < c.rejectCos || (overlap < c.minIoU && appearance < c.minCos)) continue;
        pairs.push({ t, d, affinity: c.iouWeight * overlap + (1 - c.iouWeight) * appearance });
      }
    }
    pairs.sort((a, b) => b.affinity - a.affinity);
    const out: (Track<T> | undefined)[] = new Array(detections.length);
    const taken = new Set<Track<T>>();
    for (const p of pairs) {
      if (out[p.d] || taken.has(p.t)) continue;
      out[p.d] = p.t;
      taken.add(p.t);
    }
    return out;
  }

  private start(now: number, det: Observation<T>): Track<T> {
    const t: Track<T> = {
      id: `${this.config.idPrefix}-${++this.counter}`,
      box: det.box,
      vx: 0,
      vy: 0,
      embeddingSum: new Float32Array(det.embedding.length),
      startedAt: now,
      lastSeenAt: now,
      ballot: new Ballot<T>(this.config),
      sighting: null,
    };
    this.tracks.push(t);
    return t;
  }

  private extend(t: Track<T>, now: number, det: Observation<T>) {
    const dt = now - t.lastSeenAt;
    if (dt > 0) {
      // Velocity of the box centre, px per ms.
      t.vx = (det.box[0] + det.box[2] / 2 - (t.box[0] + t.box[2] / 2)) / dt;
      t.vy = (det.box[1] + det.box[3] / 2 - (t.box[1] + t.box[3] / 2)) / dt;
    }
    t.box = det.box;
    t.lastSeenAt = now;
    const e = l2normalize(det.embedding);
    for (let i = 0; i < e.length; i++) t.embeddingSum[i]! += e[i]!;
    t.ballot.add(det);
  }

  private decideEarly(t: Track<T>, finished: Sighting<T>[]) {
    const r = t.ballot.result();
    if (r.decision !== "match" || r.matchFaces < this.config.earlyMinFaces) return;
    t.sighting = this.sighting(t, r, true);
    finished.push(t.sighting);
  }

  private end(t: Track<T>, finished: Sighting<T>[]) {
    if (t.sighting) return;
    if (t.ballot.faces < this.config.minFaces) {
      this.droppedShortTracks++;
      return;
    }
    t.sighting = this.sighting(t, t.ballot.result(), false);
    finished.push(t.sighting);
  }

  private sighting(t: Track<T>, r: ReturnType<Ballot<T>["result"]>, early: boolean): Sighting<T> {
    return {
      trackId: t.id,
      personId: r.personId,
      decision: r.decision,
      similarity: r.similarity,
      faces: t.ballot.faces,
      bestObservation: r.best,
      startedAt: t.startedAt,
      endedAt: t.lastSeenAt,
      early,
    };
  }

  private view(t: Track<T>): TrackView {
    const identity = t.sighting ?? t.ballot.result();
    return {
      id: t.id,
      box: t.box,
      lastSeenAt: t.lastSeenAt,
      faces: t.ballot.faces,
      decided: t.sighting !== null,
      personId: identity.personId,
      decision: identity.decision,
      similarity: identity.similarity,
    };
  }
}
