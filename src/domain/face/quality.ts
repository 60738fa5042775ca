import type { Detection, Point, RgbImage } from "./types";

export interface FaceQuality {
  /** Shorter side of the detected box, in original-image pixels. */
  faceSize: number;
  /** Variance of the 4-neighbour Laplacian over the grey aligned crop (higher = sharper). */
  sharpness: number;
  /** Mean grey level of the aligned crop's central area, 0–255. */
  brightness: number;
  /** Head turn left/right, degrees (0 = frontal; sign: nose towards the image's right is positive). */
  yaw: number;
  /** Head tilt up/down, degrees (0 = frontal; positive = nose closer to the mouth, looking down). */
  pitch: number;
  /** In-plane rotation of the eye line, degrees. */
  roll: number;
}

export interface QualityThresholds {
  minFaceSize: number;
  minSharpness: number;
  maxYaw: number;
  maxPitch: number;
  minBrightness: number;
  maxBrightness: number;
}

export type QualityReason = "too_small" | "blurry" | "extreme_pose" | "too_dark" | "too_bright";
export type QualityVerdict = { ok: true } | { ok: false; reason: QualityReason; message: string };

/** Nose-to-eyes over mouth-to-eyes distance on ArcFace's template: (71.74 − 51.60) / (92.29 − 51.60). */
const FRONTAL_PITCH_RATIO = 0.4949;
const deg = (r: number) => (r * 180) / Math.PI;
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/**
 * Pose from five landmarks. Roll is the angle of the eye line. The points are then rotated by −roll;
 * yaw = asin(2·dx) where dx is the nose's horizontal offset from the eyes' midpoint in units of the
 * eye distance (the nose reaches an eye at a full profile); pitch = asin(2·(r − r0)) where r is the
 * nose's vertical position between the eye line and the mouth line and r0 its frontal value.
 */
export function poseFromLandmarks(lm: Point[]): { yaw: number; pitch: number; roll: number } {
  const [re, le, nose, rm, lm2] = lm as [Point, Point, Point, Point, Point];
  const roll = Math.atan2(le[1] - re[1], le[0] - re[0]);
  const cos = Math.cos(-roll), sin = Math.sin(-roll);
  const rot = ([x, y]: Point): Point => [x * cos - y * sin, x * sin + y * cos];
  const [r1, l1, n1, m1, m2] = [re, le, nose, rm, lm2].map(rot) as [Point, Point, Point, Point, Point];
  const eyeDist = Math.hypot(l1[0] - r1[0], l1[1] - r1[1]) || 1;
  const eyeMid: Point = [(r1[0] + l1[0]) / 2, (r1[1] + l1[1]) / 2];
  const mouthY = (m1[1] + m2[1]) / 2;
  const dx = (n1[0] - eyeMid[0]) / eyeDist;
  const span = mouthY - eyeMid[1];
  const r = span !== 0 ? (n1[1] - eyeMid[1]) / span : FRONTAL_PITCH_RATIO;
  return { yaw: deg(Math.asin(clamp(2 * dx, -1, 1))), pitch: deg(Math.asin(clamp(2 * (r - FRONTAL_PITCH_RATIO), -1, 1))), roll: deg(roll) };
}

export function grey(img: RgbImage): Float32Array {
  const g = new Float32Array(img.width * img.height);
  for (let i = 0; i < g.length; i++) g[i] = 0.299 * img.data[i * 3]! + 0.587 * img.data[i * 3 + 1]! + 0.114 * img.data[i * 3 + 2]!;
  return g;
}

/**
 * Variance of the Laplacian (4-neighbour kernel) over the inner region (a margin of `margin` px);
 * with `inside`, only where the pixel and its four neighbours are marked 1 in it.
 */
export function laplacianVariance(g: Float32Array, width: number, height: number, margin = 1, inside?: Uint8Array): number {
  let sum = 0, sum2 = 0, n = 0;
  for (let y = Math.max(1, margin); y < height - Math.max(1, margin); y++) {
    for (let x = Math.max(1, margin); x < width - Math.max(1, margin); x++) {
      const i = y * width + x;
      if (inside && !(inside[i] && inside[i - 1] && inside[i + 1] && inside[i - width] && inside[i + width])) continue;
      const l = g[i - 1]! + g[i + 1]! + g[i - width]! + g[i + width]! - 4 * g[i]!;
      sum += l;
      sum2 += l * l;
      n++;
    }
  }
  if (n === 0) return 0;
  const mean = sum / n;
  return sum2 / n - mean * mean;
}

/**
 * Quality measures of one detected face and its aligned crop; `inside` (from alignFace) keeps
 * the black band of a face cut by the image's edge out of sharpness and brightness.
 */
export function faceQuality(aligned: RgbImage, det: Detection, inside?: Uint8Array): FaceQuality {
  const g = grey(aligned);
  const m = Math.round(aligned.width * 0.2);
  let bsum = 0, bn = 0;
  for (let y = m; y < aligned.height - m; y++)
    for (let x = m; x < aligned.width - m; x++) {
      const i = y * aligned.width + x;
      if (inside && !inside[i]) continue;
      bsum += g[i]!;
      bn++;
    }
  const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;
  const pose = poseFromLandmarks(det.landmarks);
  return {
    faceSize: round(Math.min(det.box[2], det.box[3])),
    sharpness: round(laplacianVariance(g, aligned.width, aligned.height, m, inside)),
    brightness: round(bn ? bsum / bn : 0),
    yaw: round(pose.yaw),
    pitch: round(pose.pitch),
    roll: round(pose.roll),
  };
}

/** The first failed check, with a message for the person being enrolled, or ok. */
export function qualityVerdict(q: FaceQuality, t: QualityThresholds): QualityVerdict {
  if (q.faceSize < t.minFaceSize) return { ok: false, reason: "too_small", message: `The face is ${Math.round(q.faceSize)} px wide; come closer or use a larger photo (at least ${t.minFaceSize} px)` };
  if (Math.abs(q.yaw) > t.maxYaw || Math.abs(q.pitch) > t.maxPitch)
    return { ok: false, reason: "extreme_pose", message: `The head is turned too far (yaw ${Math.round(q.yaw)}°, pitch ${Math.round(q.pitch)}°); look straight at the camera` };
  if (q.brightness < t.minBrightness) return { ok: false, reason: "too_dark", message: "The face is too dark; add light in front of the person" };
  if (q.brightness > t.maxBrightness) return { ok: false, reason: "too_bright", message: "The face is overexposed; avoid direct light or flash" };
  if (q.sharpness < t.minSharpness) return { ok: false, reason: "blurry", message: "The photo is blurry; hold still and make sure the face is in focus" };
  return { ok: true };
}
