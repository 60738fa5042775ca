import type { Detection, Point } from "./types";

export interface YunetOutput {
  data: Float32Array;
  dims: readonly number[];
}

export interface YunetDecodeOptions {
  inputWidth: number;
  inputHeight: number;
  scoreThreshold: number;
  /** Scale and padding applied to the original image to make the input (see letterbox). */
  scaleX: number;
  scaleY: number;
  padX?: number;
  padY?: number;
}

const STRIDES = [8, 16, 32] as const;
const clamp01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);

/**
 * Decodes YuNet (2023mar / dynamic) outputs into detections in original-image coordinates.
 * Per stride s there is one anchor per cell of the (W/s) x (H/s) grid, row-major:
 * score = sqrt(cls * obj); centre = ((col + dx) * s, (row + dy) * s); size = (exp(dw) * s, exp(dh) * s);
 * landmark k = ((col + kx_k) * s, (row + ky_k) * s).
 */
export function decodeYunet(outputs: Record<string, YunetOutput>, opts: YunetDecodeOptions): Detection[] {
  const padX = opts.padX ?? 0;
  const padY = opts.padY ?? 0;
  const toX = (v: number) => (v - padX) / opts.scaleX;
  const toY = (v: number) => (v - padY) / opts.scaleY;
  const dets: Detection[] = [];
  for (const s of STRIDES) {
    const cls = outputs[`cls_${s}`]?.data;
    const obj = outputs[`obj_${s}`]?.data;
    const bbox = outputs[`bbox_${s}`]?.data;
    const kps = outputs[`kps_${s}`]?.data;
    if (!cls || !obj || !bbox || !kps) throw new Error(`YuNet output for stride ${s} is missing`);
    const cols = Math.floor(opts.inputWidth / s);
    const rows = Math.floor(opts.inputHeight / s);
    const n = Math.min(cols * rows, cls.length);
    for (let i = 0; i < n; i++) {
      const score = Math.sqrt(clamp01(cls[i]!) * clamp01(obj[i]!));
      if (score < opts.scoreThreshold) continue;
      const row = Math.floor(i / cols);
      const col = i % cols;
      const cx = (col + bbox[i * 4]!) * s;
      const cy = (row + bbox[i * 4 + 1]!) * s;
      const w = Math.exp(bbox[i * 4 + 2]!) * s;
      const h = Math.exp(bbox[i * 4 + 3]!) * s;
      const landmarks: Point[] = [];
      for (let k = 0; k < 5; k++) landmarks.push([toX((col + kps[i * 10 + 2 * k]!) * s), toY((row + kps[i * 10 + 2 * k + 1]!) * s)]);
      const x0 = toX(cx - w / 2);
      const y0 = toY(cy - h / 2);
      dets.push({ box: [x0, y0, toX(cx + w / 2) - x0, toY(cy + h / 2) - y0], score, landmarks });
    }
  }
  return dets;
}
