import { describe, expect, test } from "bun:test";
import { Gallery, decide, type Decision } from "../../src/domain/face/matching";
import type { Box } from "../../src/domain/face/types";
import { Ballot, DEFAULT_TRACKER_CONFIG, Tracker, observationWeight, type Observation, type Sighting, type TrackerConfig } from "../../src/domain/tracking";
import { rng } from "../support/random";

const DIM = 32;
const ALICE = 1, BOB = 2, CAROL = 3;
const FRAME_MS = 200; // 5 fps

/** Each person's face is one axis; a stranger's face is another. Cosine between different faces is 0. */
const faceOf = (axis: number) => {
  const v = new Float32Array(DIM);
  v[axis] = 1;
  return v;
};
const STRANGER = 10;
const random = rng(42);
/** A frame's embedding of a face: the face plus small noise (cosine to the face ≈ 0.99). */
function seen(axis: number): Float32Array {
  const v = faceOf(axis);
  for (let i = 0; i < DIM; i++) v[i]! += (random() - 0.5) * 0.05;
  return v;
}

const SHARP = { faceSize: 120, sharpness: 300 };

function obs(axis: number, box: Box, decision: Decision, personId: number | null, similarity: number, extra: Partial<Observation<string>> = {}): Observation<string> {
  return { box, embedding: seen(axis), quality: SHARP, detScore: 1, decision: { decision, personId, similarity }, ...extra };
}
const alice = (box: Box, similarity = 0.6) => obs(ALICE, box, "match", ALICE, similarity);
const bob = (box: Box, similarity = 0.6) => obs(BOB, box, "match", BOB, similarity);

/** Feeds frames FRAME_MS apart from `t0`; returns every sighting decided on the way (flush included when asked). */
function run(tracker: Tracker<string>, frames: Observation<string>[][], t0 = 0, flush = true): Sighting<string>[] {
  const out: Sighting<string>[] = [];
  frames.forEach((dets, i) => out.push(...tracker.update(t0 + i * FRAME_MS, dets).finished));
  if (flush) out.push(...tracker.flush());
  return out;
}

const sorted = (s: Sighting<string>[]) => [...s].sort((a, b) => a.trackId.localeCompare(b.trackId));

describe("association", () => {
  /**
   * Alice and Bob stand side by side for three frames, then walk past each other between two
   * frames (5 fps): each one's detection lands exactly on the other's last box.
   */
  function crossing(): Observation<string>[][] {
    const left: Box = [200, 100, 100, 100];
    const right: Box = [260, 100, 100, 100];
    const frames: Observation<string>[][] = [];
    for (let k = 0; k < 3; k++) frames.push(k % 2 ? [bob(right), alice(left)] : [alice(left), bob(right)]);
    for (let k = 0; k < 4; k++) {
      const a: Box = [260 + 40 * k, 100, 100, 100];
      const b: Box = [200 - 40 * k, 100, 100, 100];
      frames.push(k % 2 ? [bob(b), alice(a)] : [alice(a), bob(b)]);
    }
    return frames;
  }
  const noEarly = { earlyMinFaces: Infinity };

  test("two people crossing paths keep their tracks: the embedding wins over IoU", () => {
    const s = sorted(run(new Tracker<string>(noEarly), crossing()));
    expect(s.map((x) => [x.trackId, x.personId, x.decision, x.faces])).toEqual([
      ["t-1", ALICE, "match", 7],
      ["t-2", BOB, "match", 7],
    ]);
    // Without the cosine veto the mixed affinity alone still keeps them apart…
    const mixed = sorted(run(new Tracker<string>({ ...noEarly, rejectCos: -1 }), crossing()));
    expect(mixed.map((x) => [x.personId, x.faces])).toEqual([[ALICE, 7], [BOB, 7]]);
    // …while overlap alone swaps them at the crossing (each track ends up 3 frames one, 4 the other).
    const iouOnly = sorted(run(new Tracker<string>({ ...noEarly, rejectCos: -1, iouWeight: 1 }), crossing()));
    expect(iouOnly.map((x) => [x.personId, x.decision])).toEqual([[BOB, "uncertain"], [ALICE, "uncertain"]]);
  });

  test("a fast walker with no overlap between frames stays one track by appearance", () => {
    const frames = [0, 1, 2, 3].map((k) => [alice([150 * k, 100, 100, 100])]);
    const tracker = new Tracker<string>(noEarly);
    const views = frames.map((dets, i) => tracker.update(i * FRAME_MS, dets).tracks);
    expect(views.map((v) => v.map((t) => t.id))).toEqual([["t-1"], ["t-1"], ["t-1"], ["t-1"]]);
    // Control: with appearance unable to link (minCos above any cosine) every jump starts a track.
    const byOverlap = new Tracker<string>({ ...noEarly, minCos: 2 });
    const last = frames.map((dets, i) => byOverlap.update(i * FRAME_MS, dets).tracks).at(-1)!;
    expect(last.map((t) => t.id)).toEqual(["t-1", "t-2", "t-3", "t-4"]);
  });

  test("velocity prediction links a steady walk with little raw overlap", () => {
    // Appearance is switched off (minCos above any cosine), so only overlap links.
    const off = { earlyMinFaces: Infinity, minCos: 2 };
    const at = (x: number) => [alice([x, 100, 100, 100])];
    const walking = new Tracker<string>(off);
    walking.update(0, at(100));
    // A 30 px step (IoU 70/130 ≈ 0.54) links and sets a velocity of 30 px per frame.
    walking.update(FRAME_MS, at(130));
    // A 70 px step: IoU with the last box 30/170 ≈ 0.18 < minIoU, with the predicted box (160) 60/140 ≈ 0.43.
    expect(walking.update(2 * FRAME_MS, at(200)).tracks.map((v) => v.id)).toEqual(["t-1"]);
    // Control: the same 70 px step from a standing track (no velocity) starts a new track.
    const standing = new Tracker<string>(off);
    standing.update(0, at(130));
    standing.update(FRAME_MS, at(130));
    expect(standing.update(2 * FRAME_MS, at(200)).tracks.map((v) => v.id)).toEqual(["t-1", "t-2"]);
  });

  test("a different face on the spot a person just left starts a new track (cosine veto)", () => {
    const box: Box = [100, 100, 100, 100];
    const tracker = new Tracker<string>();
    tracker.update(0, [alice(box)]);
    const r = tracker.update(FRAME_MS, [obs(STRANGER, box, "unknown", null, 0.1)]);
    expect(r.tracks.map((t) => [t.id, t.faces])).toEqual([["t-1", 1], ["t-2", 1]]);
  });

  test("several faces in one frame start several tracks, ids from the prefix, and keep them", () => {
    const boxes: Box[] = [[0, 0, 80, 80], [200, 0, 80, 80], [400, 0, 80, 80]];
    const tracker = new Tracker<string>({ idPrefix: "cam7", earlyMinFaces: Infinity });
    const frames = [0, 1, 2].map(() => [alice(boxes[0]!), bob(boxes[1]!), obs(CAROL, boxes[2]!, "match", CAROL, 0.7)]);
    const views = frames.map((dets, i) => tracker.update(i * FRAME_MS, dets).tracks);
    expect(views.at(-1)!.map((t) => [t.id, t.faces, t.box])).toEqual([
      ["cam7-1", 3, boxes[0]],
      ["cam7-2", 3, boxes[1]],
      ["cam7-3", 3, boxes[2]],
    ]);
    expect(sorted(tracker.flush()).map((s) => s.personId)).toEqual([ALICE, BOB, CAROL]);
  });

  test("a timestamp going backwards is taken as the previous one", () => {
    const box: Box = [0, 0, 100, 100];
    const tracker = new Tracker<string>();
    tracker.update(10_000, [alice(box)]);
    const r = tracker.update(9_000, [alice(box)]);
    expect(r.tracks.map((t) => [t.id, t.lastSeenAt, t.faces])).toEqual([["t-1", 10_000, 2]]);
  });
});

describe("track lifetime", () => {
  const box: Box = [100, 100, 100, 100];

  test("leaving and coming back after maxAge gives two sightings; a gap of exactly maxAge does not", () => {
    const tracker = new Tracker<string>({ earlyMinFaces: Infinity });
    const first = run(tracker, [[alice(box)], [alice(box)], [alice(box)], [alice(box)]], 0, false);
    expect(first).toEqual([]);
    // Last frame at 600 ms; 600 + 1500 is still the same track.
    expect(tracker.update(600 + DEFAULT_TRACKER_CONFIG.maxAgeMs, [alice(box)]).tracks.map((t) => t.id)).toEqual(["t-1"]);
    // Gone for 1501 ms: the old track ends (its sighting comes out with this frame) and a new one starts.
    const back = tracker.update(2100 + 1501, [alice(box)]);
    expect(back.finished.map((s) => [s.trackId, s.personId, s.faces, s.startedAt, s.endedAt, s.early])).toEqual([["t-1", ALICE, 5, 0, 2100, false]]);
    expect(back.tracks.map((t) => t.id)).toEqual(["t-2"]);
    run(tracker, [[alice(box)], [alice(box)]], 3601 + FRAME_MS, false);
    expect(tracker.flush().map((s) => [s.trackId, s.personId, s.faces])).toEqual([["t-2", ALICE, 3]]);
    expect(tracker.droppedShortTracks).toBe(0);
  });

  test("a track also ends when frames keep coming without it", () => {
    const tracker = new Tracker<string>({ earlyMinFaces: Infinity });
    run(tracker, [[alice(box)], [alice(box)], [alice(box)]], 0, false);
    expect(tracker.update(400 + 1500, []).finished).toEqual([]);
    const r = tracker.update(400 + 1501, []);
    expect(r.finished.map((s) => s.trackId)).toEqual(["t-1"]);
    expect(r.tracks).toEqual([]);
  });

  test("a single-frame false detection gives no sighting and is counted as dropped", () => {
    const tracker = new Tracker<string>({ earlyMinFaces: Infinity });
    const frames = [0, 1, 2, 3].map((k) => [alice(box)].concat(k === 1 ? [obs(STRANGER, [500, 300, 40, 40], "unknown", null, 0.05)] : []));
    const s = run(tracker, frames);
    expect(s.map((x) => [x.trackId, x.personId])).toEqual([["t-1", ALICE]]);
    expect(tracker.droppedShortTracks).toBe(1);
  });

  test("hold (a frame skipped because nothing moved): the faces of the last frame stay seen without new votes, others age out", () => {
    const tracker = new Tracker<string>({ earlyMinFaces: Infinity });
    run(tracker, [[alice(box), bob([400, 100, 100, 100])], [alice(box), bob([400, 100, 100, 100])], [alice(box)]], 0, false);
    // Alice was in the last frame (400 ms), Bob last at 200 ms. Ten still seconds later Alice is still
    // there with her 3 frames; Bob's track ended on time, with its 2 frames (too few: dropped).
    let finished: Sighting<string>[] = [];
    for (let ts = 600; ts <= 10_400; ts += FRAME_MS) finished.push(...tracker.hold(ts).finished);
    expect(finished).toEqual([]);
    expect(tracker.droppedShortTracks).toBe(1);
    const view = tracker.hold(10_600).tracks;
    expect(view.map((t) => [t.id, t.faces, t.lastSeenAt, t.box])).toEqual([["t-1", 3, 10_600, box]]);
    // The next analysed frame links to the held track (no gap) even though it was last detected 10 s ago.
    expect(tracker.update(10_800, [alice([104, 100, 100, 100])]).tracks.map((t) => [t.id, t.faces])).toEqual([["t-1", 4]]);
    // Once Alice leaves (frames without her), her track ends after maxAge like any other.
    finished = [];
    for (let ts = 11_000; ts <= 11_000 + 1600; ts += FRAME_MS) finished.push(...tracker.update(ts, []).finished);
    expect(finished.map((s) => [s.trackId, s.personId, s.faces, s.endedAt])).toEqual([["t-1", ALICE, 4, 10_800]]);
  });

  test("a track shorter than minFaces is dropped however confident its frames are", () => {
    const tracker = new Tracker<string>();
    expect(run(tracker, [[alice(box, 0.9)], [alice(box, 0.9)]])).toEqual([]);
    expect(tracker.droppedShortTracks).toBe(1);
  });
});

describe("voting", () => {
  const box: Box = [100, 100, 100, 100];
  /** One track of one face (Alice's) whose frames were decided as given. */
  const decided = (decisions: [Decision, number | null, number][], extra: Partial<TrackerConfig> = {}) => {
    const tracker = new Tracker<string>({ earlyMinFaces: Infinity, ...extra });
    const s = run(tracker, decisions.map(([d, p, sim]) => [obs(ALICE, box, d, p, sim)]));
    expect(s.length).toBe(1);
    return s[0]!;
  };

  test("noisy frames (4 × Alice 0.55, 1 × Bob 0.42, 1 unknown) give Alice once", () => {
    const tracker = new Tracker<string>();
    const frames: [Decision, number | null, number][] = [
      ["match", ALICE, 0.55],
      ["match", BOB, 0.42],
      ["match", ALICE, 0.55],
      ["unknown", null, 0.2],
      ["match", ALICE, 0.55],
      ["match", ALICE, 0.55],
    ];
    const s = run(tracker, frames.map(([d, p, sim]) => [obs(ALICE, box, d, p, sim)]));
    expect(s.map((x) => [x.personId, x.decision, x.faces, x.similarity, x.early])).toEqual([[ALICE, "match", 6, 0.55, false]]);
  });

  test("a 50/50 split is unknown", () => {
    const s = decided([
      ["match", ALICE, 0.55],
      ["match", BOB, 0.55],
      ["match", ALICE, 0.55],
      ["match", BOB, 0.55],
      ["match", ALICE, 0.55],
      ["match", BOB, 0.55],
    ]);
    expect([s.personId, s.decision]).toEqual([null, "unknown"]);
    expect(s.similarity).toBe(0.55);
  });

  test("a lead without enough share or margin is uncertain for the leader", () => {
    // Alice 3 × 0.55 = 1.65, Bob 2 × 0.55 = 1.1: share 0.6 passes, margin 0.2 < 0.3 fails.
    const s = decided([["match", ALICE, 0.55], ["match", BOB, 0.55], ["match", ALICE, 0.55], ["match", BOB, 0.55], ["match", ALICE, 0.55]]);
    expect([s.personId, s.decision]).toEqual([ALICE, "uncertain"]);
    // With a smaller required margin the same votes are a match.
    const m = decided([["match", ALICE, 0.55], ["match", BOB, 0.55], ["match", ALICE, 0.55], ["match", BOB, 0.55], ["match", ALICE, 0.55]], { minMargin: 0.2 });
    expect([m.personId, m.decision]).toEqual([ALICE, "match"]);
  });

  test("a sole candidate with too few match frames is uncertain", () => {
    const s = decided([["match", ALICE, 0.6], ["uncertain", ALICE, 0.45], ["match", ALICE, 0.6], ["uncertain", ALICE, 0.45]]);
    expect([s.personId, s.decision, s.similarity]).toEqual([ALICE, "uncertain", 0.6]);
  });

  test("unknown frames outvoting the matches give unknown", () => {
    const s = decided([["match", ALICE, 0.5], ["unknown", null, 0.2], ["match", ALICE, 0.5], ["unknown", null, 0.25], ["unknown", null, 0.2], ["match", ALICE, 0.5], ["unknown", null, 0.2]]);
    // Alice 3 × 0.5 = 1.5, unknown 4 × unknownWeight 0.5 = 2: unknown leads.
    expect([s.personId, s.decision]).toEqual([null, "unknown"]);
    expect(s.similarity).toBe(0.5);
  });

  test("an unknown frame weighs unknownWeight, on the scale of a match's similarity", () => {
    const frames: [Decision, number | null, number][] = [["match", ALICE, 0.5], ["unknown", null, 0.2], ["match", ALICE, 0.5], ["match", ALICE, 0.5], ["unknown", null, 0.2], ["match", ALICE, 0.5]];
    // Alice 4 × 0.5 = 2, unknown 2 × 0.5 = 1: share 0.67, margin 0.33.
    expect(decided(frames).decision).toBe("match");
    // Counting an unknown frame fully (2 × 1 = 2) ties Alice.
    expect(decided(frames, { unknownWeight: 1 }).decision).toBe("unknown");
  });

  test("a stranger's track is unknown with its sharpest frame as evidence", () => {
    const tracker = new Tracker<string>();
    const frames = ([[30, 0.1], [300, 0.12], [120, 0.11]] as const).map(([sharpness, sim], i) => [obs(STRANGER, box, "unknown", null, sim, { quality: { faceSize: 120, sharpness }, crop: `frame-${i}` })]);
    const [s] = run(tracker, frames);
    expect([s!.personId, s!.decision, s!.bestObservation.crop, s!.similarity]).toEqual([null, "unknown", "frame-1", 0.12]);
  });

  test("quality weights: many small blurry frames lose to fewer sharp ones", () => {
    const tiny = { quality: { faceSize: 28, sharpness: 300 } }; // weight 0.25
    const frames: Observation<string>[][] = [];
    for (let i = 0; i < 4; i++) frames.push([obs(ALICE, box, "match", BOB, 0.55, tiny)]);
    for (let i = 0; i < 3; i++) frames.push([obs(ALICE, box, "match", ALICE, 0.55, { crop: `sharp-${i}` })]);
    // Bob 4 × 0.25 × 0.55 = 0.55; Alice 3 × 0.55 = 1.65: share 0.75, margin 0.5.
    const [s] = run(new Tracker<string>({ earlyMinFaces: Infinity }), frames);
    expect([s!.personId, s!.decision, s!.faces]).toEqual([ALICE, "match", 7]);
    expect(s!.bestObservation.crop).toBe("sharp-0");
    // Counted by frames instead (all weights equal), Bob would lead.
    const flat = run(new Tracker<string>({ earlyMinFaces: Infinity, refFaceSize: 1 }), frames);
    expect([flat[0]!.personId, flat[0]!.decision]).toEqual([BOB, "uncertain"]);
  });

  test("observation weight is size × sharpness × detector score, each size/sharpness term capped at 1", () => {
    const c = { refFaceSize: 112, refSharpness: 200 };
    const o = (faceSize: number, sharpness: number, detScore: number) => obs(ALICE, box, "match", ALICE, 0.6, { quality: { faceSize, sharpness }, detScore });
    expect(observationWeight(o(56, 100, 0.8), c)).toBeCloseTo(0.5 * 0.5 * 0.8, 12);
    expect(observationWeight(o(500, 1000, 0.9), c)).toBeCloseTo(0.9, 12);
    expect(observationWeight(o(112, -5, 0.9), c)).toBe(0);
  });

  test("a ballot with only zero-weight frames is unknown", () => {
    const b = new Ballot<string>(DEFAULT_TRACKER_CONFIG);
    for (let i = 0; i < 4; i++) b.add(obs(ALICE, box, "match", ALICE, 0.7, { detScore: 0 }));
    expect(b.result().decision).toBe("unknown");
    expect(() => new Ballot<string>(DEFAULT_TRACKER_CONFIG).result()).toThrow();
  });
});

describe("early decision", () => {
  const box: Box = [100, 100, 100, 100];

  test("fires once, at the earlyMinFaces-th match frame, and later frames do not change the identity", () => {
    const tracker = new Tracker<string>();
    const out: { i: number; s: Sighting<string> }[] = [];
    const frames = Array.from({ length: 12 }, (_, i) => [i < 6 ? alice(box) : obs(ALICE, box, "match", BOB, 0.7)]);
    let last = [] as ReturnType<Tracker<string>["update"]>["tracks"];
    frames.forEach((dets, i) => {
      const r = tracker.update(i * FRAME_MS, dets);
      for (const s of r.finished) out.push({ i, s });
      last = r.tracks;
    });
    expect(out.map(({ i, s }) => [i, s.trackId, s.personId, s.decision, s.faces, s.early, s.startedAt, s.endedAt])).toEqual([[4, "t-1", ALICE, "match", 5, true, 0, 800]]);
    expect(last.map((t) => [t.id, t.personId, t.decision, t.decided, t.faces])).toEqual([["t-1", ALICE, "match", true, 12]]);
    expect(tracker.flush()).toEqual([]);
    expect(tracker.droppedShortTracks).toBe(0);
  });

  test("uncertain or unknown tracks are not decided early", () => {
    const tracker = new Tracker<string>();
    const frames = Array.from({ length: 8 }, (_, i) => [i % 2 ? alice(box) : obs(ALICE, box, "match", BOB, 0.6)]);
    expect(run(tracker, frames, 0, false)).toEqual([]);
    const [s] = tracker.flush();
    expect([s!.decision, s!.early, s!.faces]).toEqual(["unknown", false, 8]);
  });

  test("before the decision the drawn label is the vote so far", () => {
    const tracker = new Tracker<string>();
    const views = [0, 1, 2].map((i) => tracker.update(i * FRAME_MS, [alice(box)]).tracks[0]!);
    expect(views.map((v) => [v.personId, v.decision, v.decided])).toEqual([
      [ALICE, "uncertain", false],
      [ALICE, "uncertain", false],
      [ALICE, "match", false],
    ]);
  });
});

describe("with the real gallery and decide()", () => {
  test("frames embedded near enrolled faces become per-person sightings", () => {
    const gallery = new Gallery(DIM, 16, 16);
    gallery.add(11, ALICE, faceOf(ALICE));
    gallery.add(12, BOB, faceOf(BOB));
    const opts = { matchThreshold: 0.4, unknownThreshold: 0.25, margin: 0.05 };
    const observe = (axis: number, box: Box): Observation<string> => {
      const embedding = seen(axis);
      return { box, embedding, quality: SHARP, detScore: 0.9, decision: decide(gallery.search(embedding), opts) };
    };
    const tracker = new Tracker<string>({ idPrefix: "door" });
    const frames = [0, 1, 2, 3].map((k) => [observe(ALICE, [10 * k, 0, 90, 90]), observe(BOB, [300, 10 * k, 90, 90]), observe(STRANGER, [600, 0, 90, 90])]);
    const s = sorted(run(tracker, frames));
    expect(s.map((x) => [x.trackId, x.personId, x.decision, x.faces])).toEqual([
      ["door-1", ALICE, "match", 4],
      ["door-2", BOB, "match", 4],
      ["door-3", null, "unknown", 4],
    ]);
  });
});
