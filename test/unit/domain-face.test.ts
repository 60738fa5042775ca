import * as calibration from "../../src/domain/face/calibration";
import { describe, expect, test } from "bun:test";
import { gaussian, rng } from "../support/random";
import { ARCFACE_TEMPLATE, alignFace, applyAffine, cropScaled, invertAffine, umeyama, warpAffine, type Affine } from "../../src/domain/face/align";
import { letterbox } from "../../src/domain/face/letterbox";
import { Gallery, NegativeIndex, cosine, decide, dot, fuseTemplate, l2normalize } from "../../src/domain/face/matching";
import { iou, nms } from "../../src/domain/face/nms";
import { faceQuality, laplacianVariance, poseFromLandmarks, qualityVerdict } from "../../src/domain/face/quality";
import { simdHamming } from "../../src/domain/face/simd";
import type { Detection, Point, RgbImage } from "../../src/domain/face/types";
import { decodeYunet } from "../../src/domain/face/yunet";

const det = (box: [number, number, number, number], score: number): Detection => ({ box, score, landmarks: [] });

describe("boxes", () => {
  test("IoU by hand", () => {
    expect(iou([0, 0, 10, 10], [5, 5, 10, 10])).toBeCloseTo(25 / 175, 10);
    expect(iou([0, 0, 10, 10], [0, 0, 10, 10])).toBe(1);
    expect(iou([0, 0, 10, 10], [20, 20, 5, 5])).toBe(0);
    expect(iou([0, 0, 0, 0], [0, 0, 0, 0])).toBe(0);
  });

  test("NMS keeps the best of each overlapping group, best first, up to a maximum", () => {
    const kept = nms([det([0, 0, 10, 10], 0.8), det([1, 1, 10, 10], 0.9), det([50, 50, 10, 10], 0.7), det([52, 50, 10, 10], 0.75)], 0.3);
    expect(kept.map((d) => d.score)).toEqual([0.9, 0.75]);
    expect(nms([det([0, 0, 10, 10], 0.8), det([1, 1, 10, 10], 0.9)], 0.99).length).toBe(2);
    expect(nms([det([0, 0, 10, 10], 0.8), det([100, 0, 10, 10], 0.9)], 0.3, 1).map((d) => d.score)).toEqual([0.9]);
  });

  test("letterbox keeps the aspect ratio for landscape and portrait images", () => {
    expect(letterbox(1280, 720, 640, 640)).toEqual({ scale: 0.5, padX: 0, padY: 0, width: 640, height: 360 });
    const p = letterbox(480, 960, 640, 640);
    expect(p.scale).toBeCloseTo(2 / 3, 10);
    expect([p.width, p.height]).toEqual([320, 640]);
    expect(letterbox(100, 50, 640, 640)).toEqual({ scale: 6.4, padX: 0, padY: 0, width: 640, height: 320 });
    // A photo at its own size in an input rounded up to multiples of 32: not stretched, only padded.
    expect(letterbox(323, 260, 352, 288, 1)).toEqual({ scale: 1, padX: 0, padY: 0, width: 323, height: 260 });
    expect(letterbox(1280, 720, 640, 384, 1)).toEqual({ scale: 0.5, padX: 0, padY: 0, width: 640, height: 360 });
  });
});

describe("YuNet decoding", () => {
  // 32x32 input: stride 8 → 4x4 cells, 16 → 2x2, 32 → 1x1.
  function outputs() {
    const o: Record<string, { data: Float32Array; dims: number[] }> = {};
    for (const [s, n] of [[8, 16], [16, 4], [32, 1]] as const) {
      o[`cls_${s}`] = { data: new Float32Array(n), dims: [1, n, 1] };
      o[`obj_${s}`] = { data: new Float32Array(n), dims: [1, n, 1] };
      o[`bbox_${s}`] = { data: new Float32Array(n * 4), dims: [1, n, 4] };
      o[`kps_${s}`] = { data: new Float32Array(n * 10), dims: [1, n, 10] };
    }
    return o;
  }

  test("decodes one anchor by hand and maps it back through the letterbox scale", () => {
    const o = outputs();
    // stride 8, cell 5 = row 1, col 1; score sqrt(0.81 * 1) = 0.9
    o.cls_8!.data[5] = 0.81;
    o.obj_8!.data[5] = 1;
    o.bbox_8!.data.set([0.5, 0.25, Math.log(2), 0], 20);
    o.kps_8!.data.set([0, 0, 1, 0, 0.5, 0.5, 0, 1, 1, 1], 50);
    const [d, ...rest] = decodeYunet(o, { inputWidth: 32, inputHeight: 32, scoreThreshold: 0.5, scaleX: 1, scaleY: 1 });
    expect(rest).toEqual([]);
    expect(d!.score).toBeCloseTo(0.9, 6);
    // centre (1.5*8, 1.25*8) = (12, 10); size (2*8, 1*8) = (16, 8)
    expect(d!.box.map((v) => +v.toFixed(6))).toEqual([4, 6, 16, 8]);
    expect(d!.landmarks).toEqual([[8, 8], [16, 8], [12, 12], [8, 16], [16, 16]]);
    const [half] = decodeYunet(o, { inputWidth: 32, inputHeight: 32, scoreThreshold: 0.5, scaleX: 0.5, scaleY: 0.5 });
    expect(half!.box.map((v) => +v.toFixed(6))).toEqual([8, 12, 32, 16]);
    expect(half!.landmarks[0]).toEqual([16, 16]);
  });

  test("scores are clamped, thresholded, and every stride is read", () => {
    const o = outputs();
    o.cls_32!.data[0] = 1.2; // clamps to 1
    o.obj_32!.data[0] = 0.64;
    o.cls_16!.data[3] = 0.2;
    o.obj_16!.data[3] = 0.2; // score 0.2 < threshold
    const dets = decodeYunet(o, { inputWidth: 32, inputHeight: 32, scoreThreshold: 0.5, scaleX: 1, scaleY: 1 });
    expect(dets.length).toBe(1);
    expect(dets[0]!.score).toBeCloseTo(0.8, 6);
    expect(dets[0]!.box.map((v) => +v.toFixed(6))).toEqual([-16, -16, 32, 32]); // centre (0+0)·32, size e⁰·32
    delete (o as Record<string, unknown>).kps_16;
    expect(() => decodeYunet(o, { inputWidth: 32, inputHeight: 32, scoreThreshold: 0.5, scaleX: 1, scaleY: 1 })).toThrow("stride 16");
  });
});

describe("alignment", () => {
  const rot = (deg: number, s: number, tx: number, ty: number): Affine => {
    const r = (deg * Math.PI) / 180;
    return [s * Math.cos(r), -s * Math.sin(r), tx, s * Math.sin(r), s * Math.cos(r), ty];
  };

  test("Umeyama recovers a known rotation, scale and translation exactly", () => {
    const m = rot(30, 2, 5, -3);
    const src = ARCFACE_TEMPLATE;
    const dst = src.map((p) => applyAffine(m, p));
    const fit = umeyama(src, dst);
    fit.forEach((v, i) => expect(v).toBeCloseTo(m[i]!, 9));
    const id = umeyama(ARCFACE_TEMPLATE, ARCFACE_TEMPLATE);
    [1, 0, 0, 0, 1, 0].forEach((v, i) => expect(id[i]!).toBeCloseTo(v, 12));
  });

  test("Umeyama is the least-squares fit for noisy points (no reflection)", () => {
    const src: Point[] = [[0, 0], [1, 0], [0, 1], [1, 1]];
    const dst: Point[] = [[0, 0], [2, 0], [0, 2], [2, 2.4]];
    const m = umeyama(src, dst);
    // centred sums: Σ(xd·xs + yd·ys) = 4.2, Σ(yd·xs − xd·ys) = 0.2, Σ|zs|² = 2 → p = 2.1, q = 0.1
    expect(m[0]).toBeCloseTo(2.1, 12);
    expect(m[3]).toBeCloseTo(0.1, 12);
    expect(m[1]).toBeCloseTo(-0.1, 12);
    // translation = mean(dst) − A·mean(src) = (1, 1.1) − (2.1·0.5 − 0.1·0.5, 0.1·0.5 + 2.1·0.5) = (0, 0)
    expect(m[2]).toBeCloseTo(0, 12);
    expect(m[5]).toBeCloseTo(0, 12);
    expect(() => umeyama([[1, 1], [1, 1]], [[0, 0], [1, 1]])).toThrow("coincide");
  });

  test("invertAffine undoes applyAffine", () => {
    const m = rot(-47, 0.7, 12, 3);
    const p: Point = [3.5, -8];
    const back = applyAffine(invertAffine(m), applyAffine(m, p));
    expect(back[0]).toBeCloseTo(3.5, 10);
    expect(back[1]).toBeCloseTo(-8, 10);
  });

  const img = (w: number, h: number, f: (x: number, y: number) => number): RgbImage => {
    const data = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.fill(f(x, y), (y * w + x) * 3, (y * w + x) * 3 + 3);
    return { width: w, height: h, data };
  };
  const red = (im: RgbImage) => Array.from({ length: im.width * im.height }, (_, i) => im.data[i * 3]!);

  test("warpAffine: a translation shifts pixels and fills black; a 90° rotation moves them exactly", () => {
    const src = img(3, 3, (x, y) => 10 * (y * 3 + x + 1));
    expect(red(warpAffine(src, [1, 0, 1, 0, 1, 0], 3, 3))).toEqual([0, 10, 20, 0, 40, 50, 0, 70, 80]);
    // (x, y) → (2 − y, x): rotate 90° clockwise
    expect(red(warpAffine(src, [0, -1, 2, 1, 0, 0], 3, 3))).toEqual([70, 40, 10, 80, 50, 20, 90, 60, 30]);
    // half-pixel shift averages neighbours
    expect(red(warpAffine(img(2, 1, (x) => (x ? 100 : 0)), [1, 0, -0.5, 0, 1, 0], 1, 1))).toEqual([50]);
  });

  test("alignFace maps the landmarks onto the ArcFace template", () => {
    // an image where each pixel's value encodes nothing; check the geometry via the transform instead
    const m = rot(12, 1.8, 40, 25);
    const landmarks = ARCFACE_TEMPLATE.map((p) => applyAffine(invertAffine(m), p));
    const big = img(200, 200, (x, y) => ((x >> 3) + (y >> 3)) % 2 ? 200 : 30);
    const aligned = alignFace(big, landmarks);
    expect([aligned.width, aligned.height]).toEqual([112, 112]);
    const back = warpAffine(big, m, 112, 112);
    expect(Array.from(aligned.data)).toEqual(Array.from(back.data));
  });

  test("cropScaled takes the box scaled about its centre, kept inside the image", () => {
    const src = img(100, 100, (x) => x);
    const c = cropScaled(src, [40, 40, 10, 10], 2, 20, 20);
    expect(c.data[0]).toBe(35); // left edge = centre 45 − 10
    const edge = cropScaled(src, [0, 0, 10, 10], 4, 40, 40);
    expect(edge.data[0]).toBe(0); // shifted inside, not padded
    const huge = cropScaled(src, [10, 10, 80, 80], 4, 10, 10); // scale limited to fit
    expect(huge.width).toBe(10);
  });
});

describe("quality", () => {
  test("pose of the ArcFace template is frontal; roll, yaw and pitch have the documented signs", () => {
    const p = poseFromLandmarks(ARCFACE_TEMPLATE);
    // eye line (38.29, 51.70) → (73.53, 51.50): atan2(−0.1949, 35.2372) = −0.317°
    expect(p.roll).toBeCloseTo(-0.3169, 3);
    expect(Math.abs(p.yaw)).toBeLessThan(0.5);
    expect(Math.abs(p.pitch)).toBeLessThan(0.5);
    const turned = ARCFACE_TEMPLATE.map(([x, y], i) => (i === 2 ? [x + 10, y] : [x, y]) as Point);
    // nose 10 px right of the eyes' midpoint: dx = (10 + 0.112) / 35.238, yaw = asin(2·dx) = 35.0°
    expect(poseFromLandmarks(turned).yaw).toBeCloseTo(35.0, 0);
    const down = ARCFACE_TEMPLATE.map(([x, y], i) => (i === 2 ? [x, y + 8] : [x, y]) as Point);
    expect(poseFromLandmarks(down).pitch).toBeGreaterThan(20);
    const tilted = ARCFACE_TEMPLATE.map(([x, y]) => [x * Math.cos(0.5) - y * Math.sin(0.5), x * Math.sin(0.5) + y * Math.cos(0.5)] as Point);
    expect(poseFromLandmarks(tilted).roll).toBeCloseTo(28.648 - 0.317, 1);
    expect(Math.abs(poseFromLandmarks(tilted).yaw)).toBeLessThan(0.5);
  });

  test("Laplacian variance: a checkerboard is sharp, a flat image has none", () => {
    const n = 8;
    const checker = new Float32Array(n * n).map((_, i) => (((i % n) + Math.floor(i / n)) % 2 ? 255 : 0));
    // every inner pixel: |4·v − 4·(255 − v)| = 1020 with alternating sign → variance 1020²
    expect(laplacianVariance(checker, n, n)).toBeCloseTo(1020 * 1020, 3);
    expect(laplacianVariance(new Float32Array(n * n).fill(99), n, n)).toBe(0);
  });

  test("the aligned crop's inside mask: landmarks shifted right by 50 px in a 112 px wide image", () => {
    // The crop then samples source x = crop x + 50: inside for crop x ≤ 61 only (source x ≤ 111).
    const shifted = ARCFACE_TEMPLATE.map(([x, y]) => [x + 50, y] as Point);
    const src: RgbImage = { width: 112, height: 112, data: new Uint8Array(112 * 112 * 3).fill(90) };
    const inside = new Uint8Array(112 * 112);
    const crop = alignFace(src, shifted, 112, inside);
    for (const y of [0, 56, 111]) {
      expect(inside[y * 112 + 61]).toBe(1);
      expect(inside[y * 112 + 62]).toBe(0);
    }
    expect(inside.reduce((a, b) => a + b, 0)).toBe(62 * 112);
    // The mask agrees with the pixels: grey inside, black well outside.
    expect([crop.data[(56 * 112 + 30) * 3], crop.data[(56 * 112 + 100) * 3]]).toEqual([90, 0]);
    const all = new Uint8Array(112 * 112);
    alignFace(src, ARCFACE_TEMPLATE, 112, all);
    expect(all.every((v) => v === 1)).toBe(true);
  });

  test("a black band from the image's edge is not sharpness and not darkness", () => {
    // A smooth face-grey crop whose left 40 columns are outside the image (black).
    const size = 112;
    const banded: RgbImage = { width: size, height: size, data: new Uint8Array(size * size * 3).map((_, i) => (Math.floor(i / 3) % size < 40 ? 0 : 150)) };
    const inside = new Uint8Array(size * size).map((_, i) => (i % size < 40 ? 0 : 1));
    const det = { box: [10, 10, 200, 200] as [number, number, number, number], score: 0.9, landmarks: ARCFACE_TEMPLATE };
    const naive = faceQuality(banded, det);
    // Inner region x, y ∈ [22, 90): per row the band's border gives +150 at x = 39 and −150 at
    // x = 40, so the variance is 2·150² / 68; 18 of the 68 columns are black.
    expect(naive.sharpness).toBeCloseTo((2 * 150 ** 2) / 68, 0);
    expect(naive.brightness).toBeCloseTo((150 * 50) / 68, 0);
    const masked = faceQuality(banded, det, inside);
    expect(masked.sharpness).toBe(0);
    expect(masked.brightness).toBe(150);
  });

  test("faceQuality and the verdict's reasons", () => {
    const sharp: RgbImage = { width: 112, height: 112, data: new Uint8Array(112 * 112 * 3).map((_, i) => (Math.floor(i / 3) % 2 ? 200 : 60)) };
    const q = faceQuality(sharp, { box: [10, 10, 80, 90], score: 0.9, landmarks: ARCFACE_TEMPLATE });
    expect(q.faceSize).toBe(80);
    expect(q.brightness).toBeCloseTo(130, 0);
    expect(q.sharpness).toBeGreaterThan(1000);
    const t = { minFaceSize: 60, minSharpness: 20, maxYaw: 40, maxPitch: 35, minBrightness: 40, maxBrightness: 220 };
    expect(qualityVerdict(q, t)).toEqual({ ok: true });
    expect(qualityVerdict({ ...q, faceSize: 30 }, t)).toMatchObject({ ok: false, reason: "too_small" });
    expect(qualityVerdict({ ...q, yaw: -50 }, t)).toMatchObject({ ok: false, reason: "extreme_pose" });
    expect(qualityVerdict({ ...q, brightness: 10 }, t)).toMatchObject({ ok: false, reason: "too_dark" });
    expect(qualityVerdict({ ...q, brightness: 250 }, t)).toMatchObject({ ok: false, reason: "too_bright" });
    expect(qualityVerdict({ ...q, sharpness: 3 }, t)).toMatchObject({ ok: false, reason: "blurry" });
  });
});

describe("matching", () => {
  const rand = (dim: number, seed: number) => {
    let s = seed;
    return l2normalize(Float32Array.from({ length: dim }, () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) - 0.5));
  };

  test("SIMD Hamming kernel equals a plain popcount of the XOR, row by row", () => {
    const mem = new WebAssembly.Memory({ initial: 2 });
    const hamming = simdHamming(mem)!;
    expect(hamming).not.toBeNull();
    const u8 = new Uint8Array(mem.buffer);
    const bytes = 64, n = 9, rows = 1024, out = 1024 + 16 * bytes;
    for (let i = 0; i < bytes; i++) u8[i] = (i * 151 + 7) & 255;
    for (let i = 0; i < bytes * n; i++) u8[rows + i] = (i * 97 + 13) & 255;
    u8.fill(0xff, rows + 3 * bytes, rows + 4 * bytes); // row 3: all ones
    u8.set(u8.subarray(0, bytes), rows + 5 * bytes); // row 5: equal to the query
    hamming(0, rows, n, bytes, out);
    const got = new Int32Array(mem.buffer, out, n);
    const pop = (x: number) => x.toString(2).split("").filter((c) => c === "1").length;
    for (let r = 0; r < n; r++) {
      let want = 0;
      for (let j = 0; j < bytes; j++) want += pop(u8[j]! ^ u8[rows + r * bytes + j]!);
      expect(got[r]).toBe(want);
    }
    expect(got[5]).toBe(0);
    let queryOnes = 0;
    for (let j = 0; j < bytes; j++) queryOnes += pop(u8[j]!);
    expect(got[3]).toBe(bytes * 8 - queryOnes);
  });

  test("the sign-bit shortlist finds the same best person as a full scan for genuine faces", () => {
    // 4,000 people x 5 faces, each face = the person's direction + noise (cosine ≈ 0.5 between faces of
    // one person); the shortlist is 1 % of the gallery, so most rows are never scored exactly.
    const dim = 512;
    const gauss = gaussian(rng(7));
    const centres = Array.from({ length: 4000 }, () => l2normalize(Float32Array.from({ length: dim }, gauss)));
    const face = (c: Float32Array) => l2normalize(Float32Array.from(c, (x) => x + gauss() * 0.044));
    const g = new Gallery(dim, 16, 64, 0.01);
    centres.forEach((c, p) => {
      for (let k = 0; k < 5; k++) g.add(p * 5 + k + 1, p + 1, face(c));
    });
    expect(g.accelerated).toBe(true);
    for (let i = 0; i < 40; i++) {
      const person = (i * 97) % centres.length;
      const q = face(centres[person]!);
      const exact = g.scores(q);
      let mean = 0;
      for (let k = 0; k < 5; k++) mean += exact[person * 5 + k]! / 5;
      const [top] = g.search(q, 1);
      expect(top!.personId).toBe(person + 1);
      // A person scores the query's mean cosine to their faces.
      expect(top!.similarity).toBeCloseTo(mean, 5);
      expect(top!.similarity).toBeGreaterThan(0.3);
    }
  }, 30_000);

  test("gallery counts people and faces per person through adds, replacements and removals", () => {
    const g = new Gallery(4, 2);
    const v = (i: number) => Float32Array.from([1, i, 0, 0]);
    g.add(1, 10, v(1));
    g.add(2, 10, v(2));
    g.add(3, 20, v(3));
    expect([g.people, g.countFor(10), g.countFor(20), g.countFor(30)]).toEqual([2, 2, 1, 0]);
    g.add(3, 30, v(3)); // face 3 re-added under another person: 20 has none left
    expect([g.people, g.size, g.countFor(20), g.countFor(30)]).toEqual([2, 3, 0, 1]);
    g.add(2, 10, v(4)); // same face, same person: no double count
    expect(g.countFor(10)).toBe(2);
    expect(g.removeFace(1)).toBe(true);
    expect([g.people, g.countFor(10)]).toEqual([2, 1]);
    expect(g.removePerson(10)).toBe(1);
    expect(g.removePerson(10)).toBe(0);
    expect([g.people, g.size]).toEqual([1, 1]);
    expect(g.search(v(3), 1)[0]!.personId).toBe(30);
  });

  test("a person's template is the mean of their normalised faces through adds, replacements and removals", () => {
    const dim = 64;
    const g = new Gallery(dim, 2);
    const faces = new Map<number, { person: number; v: Float32Array }>();
    const put = (face: number, person: number, seed: number) => {
      const v = Float32Array.from(rand(dim, seed), (x) => x * 3); // not normalised on the way in
      faces.set(face, { person, v });
      g.add(face, person, v);
    };
    for (let f = 1; f <= 12; f++) put(f, f % 3, f);
    put(4, 2, 40); // replaced: moves from person 1 to person 2
    put(5, 2, 50); // replaced within person 2
    g.removeFace(7);
    faces.delete(7);
    for (const person of [0, 1, 2]) {
      const rows = [...faces.values()].filter((f) => f.person === person).map((f) => f.v);
      const want = fuseTemplate(rows);
      const got = g.templateOf(person)!;
      want.forEach((x, i) => expect(got[i]!).toBeCloseTo(x, 5));
      const q = rand(dim, 900 + person);
      const mean = rows.reduce((a, v) => a + cosine(q, v), 0) / rows.length;
      expect(g.search(q, 3).find((c) => c.personId === person)!.similarity).toBeCloseTo(mean, 5);
    }
    g.removePerson(1);
    expect(g.templateOf(1)).toBeNull();
    expect(() => fuseTemplate([])).toThrow("no embeddings");
  });

  test("a stranger passes the single-photo threshold about as often whether people have 1, 3 or 5 photos", () => {
    // Faces share a common direction (as real embeddings do: every face looks like a face) plus the
    // person's own direction plus per-photo noise; cosine ≈ 0.6 between photos of one person and
    // ≈ 0.15 between people. The threshold is set on single-photo impostor pairs at a per-comparison
    // rate of 1 %; strangers are then searched against galleries whose people have 1, 3 or 5 photos.
    const dim = 512;
    const gauss = gaussian(rng(11));
    const unit = () => l2normalize(Float32Array.from({ length: dim }, gauss));
    const common = unit();
    const face = (person: Float32Array) => {
      const noise = unit();
      return l2normalize(Float32Array.from(person, (x, i) => 0.4 * common[i]! + 0.75 * x + 0.55 * noise[i]!));
    };
    const people = Array.from({ length: 200 }, unit);
    const strangers = Array.from({ length: 300 }, () => face(unit()));
    const single = people.map(face);
    const impostors: number[] = [];
    for (const s of strangers) for (const p of single) impostors.push(dot(s, p));
    const threshold = calibration.thresholdAtFar(impostors, 0.01);
    const rate = (photos: number, scoreBy: "template" | "bestPhoto") => {
      const g = new Gallery(dim, 16);
      people.forEach((p, i) => {
        for (let k = 0; k < photos; k++) g.add(i * 10 + k + 1, i + 1, photos === 1 ? single[i]! : face(p));
      });
      let passing = 0;
      for (const s of strangers) {
        const rows = g.scores(s); // rows in the order added: person i's photos at i·photos …
        const scores = scoreBy === "template" ? g.search(s, people.length).map((c) => c.similarity) : people.map((_, i) => Math.max(...rows.subarray(i * photos, (i + 1) * photos)));
        passing += scores.filter((x) => x >= threshold).length;
      }
      return passing / (strangers.length * people.length);
    };
    const one = rate(1, "template");
    expect(one).toBeCloseTo(0.01, 3);
    for (const n of [3, 5]) expect(rate(n, "template")).toBeLessThanOrEqual(0.01 * 1.2);
    // Scoring a person by their best photo (the old way) multiplies a stranger's chances.
    expect(rate(5, "bestPhoto")).toBeGreaterThan(0.03);
  });

  test("gallery search equals brute force, before and after removals", () => {
    const dim = 128;
    const g = new Gallery(dim, 4); // 300 rows, under the shortlist size: every row is scored exactly
    const embs = new Map<number, { person: number; v: Float32Array }>();
    for (let f = 1; f <= 300; f++) {
      const v = rand(dim, f);
      embs.set(f, { person: f % 40, v });
      g.add(f, f % 40, v);
    }
    expect(g.size).toBe(300);
    expect(g.accelerated).toBe(true);
    const brute = (q: Float32Array) => {
      const all = new Map<number, number[]>();
      for (const { person, v } of embs.values()) all.set(person, [...(all.get(person) ?? []), cosine(q, v)]);
      return [...all.entries()].map(([p, c]) => [p, c.reduce((a, b) => a + b, 0) / c.length] as const).sort((a, b) => b[1] - a[1]).slice(0, 3);
    };
    for (let s = 1000; s < 1010; s++) {
      const q = rand(dim, s);
      const got = g.search(q, 3).map((c) => [c.personId, c.similarity]);
      const want = brute(q);
      got.forEach(([p, sim], i) => {
        expect(p).toBe(want[i]![0]);
        expect(sim!).toBeCloseTo(want[i]![1], 5);
      });
    }
    for (let f = 1; f <= 300; f += 3) {
      expect(g.removeFace(f)).toBe(true);
      embs.delete(f);
    }
    expect(g.removeFace(1)).toBe(false);
    expect(g.removePerson(7)).toBe([...embs.values()].filter((e) => e.person === 7).length + 0 || 0);
    for (const [f, e] of embs) if (e.person === 7) embs.delete(f);
    expect(g.size).toBe(embs.size);
    for (let s = 2000; s < 2010; s++) {
      const q = rand(dim, s);
      const got = g.search(q, 3);
      const want = brute(q);
      expect(got.map((c) => c.personId)).toEqual(want.map((w) => w[0]));
      for (const c of got) expect(embs.get(c.faceId)!.person).toBe(c.personId);
    }
    const lone = rand(dim, 4242);
    g.add(5000, 99, lone);
    expect(g.search(lone, 1)[0]).toMatchObject({ personId: 99, faceId: 5000 });
    expect(g.search(lone, 1)[0]!.similarity).toBeCloseTo(1, 5);
    expect(() => g.add(999, 1, new Float32Array(3))).toThrow("expects 128");
  });

  test("decide: match needs threshold and margin; unknown below; uncertain between; vetoes skip a person", () => {
    const opts = { matchThreshold: 0.4, unknownThreshold: 0.28, margin: 0.05 };
    const c = (personId: number, similarity: number) => ({ personId, faceId: personId * 10, similarity });
    expect(decide([c(1, 0.6), c(2, 0.3)], opts)).toEqual({ decision: "match", personId: 1, similarity: 0.6 });
    expect(decide([c(1, 0.6), c(2, 0.57)], opts)).toEqual({ decision: "uncertain", personId: 1, similarity: 0.6 });
    expect(decide([c(1, 0.35)], opts)).toEqual({ decision: "uncertain", personId: 1, similarity: 0.35 });
    expect(decide([c(1, 0.2)], opts)).toEqual({ decision: "unknown", personId: null, similarity: 0.2 });
    expect(decide([], opts)).toEqual({ decision: "unknown", personId: null, similarity: 0 });
    expect(decide([c(1, 0.7), c(2, 0.5)], { ...opts, vetoed: (p) => p === 1 })).toEqual({ decision: "match", personId: 2, similarity: 0.5 });
    expect(decide([c(1, 0.4), c(2, 0.1)], opts).decision).toBe("match");
  });

  test("negative examples block a person only for similar faces", () => {
    const neg = new NegativeIndex();
    const a = rand(64, 1);
    neg.add(1, 42, a);
    expect(neg.blocks(a, 42, 0.5)).toBe(true);
    expect(neg.blocks(a, 43, 0.5)).toBe(false);
    expect(neg.blocks(rand(64, 2), 42, 0.5)).toBe(false);
    neg.remove(1);
    expect(neg.blocks(a, 42, 0.5)).toBe(false);
    expect(neg.size).toBe(0);
  });
});

describe("calibration", () => {
  const { thresholdAtFar, rateAtOrAbove, bestThreshold, crossValidatedAccuracy, tarAtFar } = calibration;
  test("threshold at a false accept rate lets through exactly ⌊far·n⌋ impostors", () => {
    const imp = Array.from({ length: 1000 }, (_, i) => i / 1000); // 0.000 … 0.999
    const t = thresholdAtFar(imp, 0.01);
    expect(rateAtOrAbove(imp, t)).toBe(0.01); // 0.990 … 0.999 pass
    expect(t).toBeCloseTo(0.989, 5);
    expect(rateAtOrAbove(imp, thresholdAtFar(imp, 0))).toBe(0);
    expect(() => thresholdAtFar([], 0.1)).toThrow();
    expect(() => thresholdAtFar(imp, 1)).toThrow();
  });

  test("match threshold follows the gallery size along the impostor curve", () => {
    const { matchThresholdForGallery, impostorCurve } = calibration;
    const curve = [[1e-4, 0.3], [1e-5, 0.4]] as const;
    // 10 people at 1 %: 1e-3 per comparison, above the curve → its floor.
    expect(matchThresholdForGallery(curve, 10, 0.01)).toBe(0.3);
    expect(matchThresholdForGallery(curve, 0, 0.01)).toBe(0.3); // an empty gallery counts as one person
    expect(matchThresholdForGallery(curve, 100, 0.01)).toBeCloseTo(0.3, 12); // exactly the first point
    // 1,000 people: 1e-5, the last point; 10,000 people: beyond it, not extrapolated.
    expect(matchThresholdForGallery(curve, 1000, 0.01)).toBeCloseTo(0.4, 12);
    expect(matchThresholdForGallery(curve, 10_000, 0.01)).toBe(0.4);
    // 316 people: 3.16e-5, half way in log(rate) → half way in score.
    expect(matchThresholdForGallery(curve, Math.sqrt(10) * 100, 0.01)).toBeCloseTo(0.35, 10);
    // 200 people: log10(1e-4 / 5e-5) = 0.30103 of the way.
    expect(matchThresholdForGallery(curve, 200, 0.01)).toBeCloseTo(0.3 + 0.030103, 6);
    // A stricter stranger rate raises it: 100 people at 0.1 % = 1e-5.
    expect(matchThresholdForGallery(curve, 100, 0.001)).toBeCloseTo(0.4, 12);
    expect(() => matchThresholdForGallery([], 10, 0.01)).toThrow();
    expect(() => matchThresholdForGallery([[1e-5, 0.4], [1e-4, 0.3]], 10, 0.01)).toThrow(); // wrong order
    // Built from impostor scores: thresholds at each rate, highest rate first.
    const imp = Array.from({ length: 100_000 }, (_, i) => i / 100_000);
    const c = impostorCurve(imp, [1e-5, 1e-4]);
    expect(c.map(([f]) => f)).toEqual([1e-4, 1e-5]);
    expect(c[0]![1]).toBeCloseTo(0.99989 + 1e-6, 9); // just above the 11th highest: 10 of 100,000 pass
    expect(c[1]![1]).toBeCloseTo(0.99998 + 1e-6, 9); // 1 passes
  });

  test("best threshold and cross-validated accuracy by hand", () => {
    const pairs = [
      { score: 0.1, same: false },
      { score: 0.2, same: false },
      { score: 0.35, same: true }, // one genuine pair below an impostor
      { score: 0.4, same: false },
      { score: 0.6, same: true },
      { score: 0.7, same: true },
    ];
    const b = bestThreshold(pairs);
    // Between 0.2 and 0.35: 0.4 is wrongly "same" → 5/6; between 0.4 and 0.6: 0.35 is wrongly
    // "different" → 5/6; the lower gap wins, at its midpoint.
    expect(b.accuracy).toBeCloseTo(5 / 6, 10);
    expect(b.threshold).toBeCloseTo(0.275, 10);
    const separable = Array.from({ length: 40 }, (_, i) => ({ score: i < 20 ? i / 100 : 0.5 + i / 100, same: i >= 20 }));
    expect(crossValidatedAccuracy(separable, 10).accuracy).toBe(1);
    const t = tarAtFar(pairs, 0);
    expect(t.threshold).toBeCloseTo(0.4, 5);
    expect(t.tar).toBeCloseTo(2 / 3, 10);
  });
});
