/**
 * Motion gating for cameras (pure; the clock comes in as `ts`, ms). A door camera is empty most of
 * the time, and an empty frame costs as much detection as a busy one. As NVRs do, each frame is
 * reduced to a small grey thumbnail (THUMB_WIDTH pixels wide, box-averaged, which also averages out
 * sensor noise) and compared with the thumbnail of the last frame that was analysed: a thumbnail
 * pixel whose grey level differs by more than `threshold` has changed, and the frame has motion when
 * at least MIN_CHANGED pixels changed. Comparing with the last ANALYSED frame (not the previous one)
 * lets slow motion add up.
 *
 * A frame is analysed (faces detected) when:
 * - gating is off (`threshold` 0), or the frame has no thumbnail, or nothing was analysed yet;
 * - at least `fullFrameMs` passed since the last analysed frame (so someone standing still is found);
 * - it has motion;
 * - a face whose identity is still open was in the last analysed frame (its track needs more frames
 *   to be decided; an unchanged frame would add no evidence, but the person may turn or come closer).
 * Otherwise it is skipped: nothing moved, so the faces in view are those of the last analysed frame.
 *
 * An analysed frame is also `changed` when it has motion or comes after skipped frames (periodic):
 * the faces seen in the last analysed frame may be other people now, so a face in the same place must
 * be recognised afresh rather than keep the identity found there. Without a comparison (gating off,
 * the first frame) nothing is known to have changed.
 */

export interface GreyImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export const THUMB_WIDTH = 64;
/** Changed thumbnail pixels that make motion (a 40 px face in a 640 px frame covers about 4x4). */
export const MIN_CHANGED = 4;

/**
 * Grey thumbnail `width` pixels wide (height keeping the aspect ratio) of a packed RGB24 image: each
 * thumbnail pixel is the mean luma (0.299 R + 0.587 G + 0.114 B) of the source pixels it covers.
 */
export function greyThumb(rgb: Uint8Array, srcW: number, srcH: number, width = THUMB_WIDTH): GreyImage {
  const w = Math.max(1, Math.min(width, srcW));
  const h = Math.max(1, Math.min(srcH, Math.round((srcH * w) / srcW)));
  const sum = new Float64Array(w * h);
  const count = new Uint32Array(w * h);
  const col = new Uint32Array(srcW);
  for (let x = 0; x < srcW; x++) col[x] = Math.min(w - 1, Math.floor((x * w) / srcW));
  for (let y = 0; y < srcH; y++) {
    const row = Math.min(h - 1, Math.floor((y * h) / srcH)) * w;
    for (let x = 0, s = y * srcW * 3; x < srcW; x++, s += 3) {
      const i = row + col[x]!;
      sum[i]! += 0.299 * rgb[s]! + 0.587 * rgb[s + 1]! + 0.114 * rgb[s + 2]!;
      count[i]!++;
    }
  }
  const data = new Uint8Array(w * h);
  for (let i = 0; i < data.length; i++) data[i] = Math.round(sum[i]! / count[i]!);
  return { width: w, height: h, data };
}

/** Thumbnail pixels whose grey level differs by more than `threshold`; every pixel when the sizes differ. */
export function changedPixels(a: GreyImage, b: GreyImage, threshold: number): number {
  if (a.width !== b.width || a.height !== b.height) return Math.max(a.data.length, b.data.length);
  let n = 0;
  for (let i = 0; i < a.data.length; i++) if (Math.abs(a.data[i]! - b.data[i]!) > threshold) n++;
  return n;
}

export interface MotionConfig {
  /** Grey-level difference (0–255) above which a thumbnail pixel has changed; 0 turns gating off. */
  threshold: number;
  /** Longest time between two analysed frames (ms). */
  fullFrameMs: number;
}

export type GateReason = "off" | "first" | "periodic" | "motion" | "open_track" | "still";

/** Decides frame by frame whether to run detection; remembers the last analysed frame's thumbnail. */
export class MotionGate {
  private reference: GreyImage | null = null;
  private analysedAt = -Infinity;

  constructor(private readonly config: MotionConfig) {}

  /**
   * Whether the frame at `ts` is to be analysed, and whether the scene may have changed since the
   * last analysed frame (see the module comment). When it is analysed, its thumbnail becomes the
   * reference for the next frames.
   */
  check(ts: number, thumb: GreyImage | undefined, openTrack: boolean): { analyse: boolean; reason: GateReason; changed: boolean } {
    const reason = this.reason(ts, thumb, openTrack);
    if (reason !== "still") {
      this.reference = thumb ?? null;
      this.analysedAt = ts;
    }
    return { analyse: reason !== "still", reason, changed: reason === "motion" || reason === "periodic" };
  }

  private reason(ts: number, thumb: GreyImage | undefined, openTrack: boolean): GateReason {
    if (this.config.threshold <= 0) return "off";
    if (!thumb || !this.reference) return "first";
    // A clock that stepped back counts as time passed.
    if (ts - this.analysedAt >= this.config.fullFrameMs || ts < this.analysedAt) return "periodic";
    if (changedPixels(this.reference, thumb, this.config.threshold) >= MIN_CHANGED) return "motion";
    return openTrack ? "open_track" : "still";
  }
}
