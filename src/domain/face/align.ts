import type { Box, Point, RgbImage } from "./types";

/** 2x3 affine matrix [a, b, tx, c, d, ty]: x' = a*x + b*y + tx, y' = c*x + d*y + ty. */
export type Affine = [number, number, number, number, number, number];

/** ArcFace's 112x112 five-point template (right eye, left eye, nose, right mouth, left mouth as seen). */
export const ARCFACE_TEMPLATE: Point[] = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

/**
 * Least-squares similarity transform (rotation, uniform scale, translation; no reflection) mapping
 * `src` onto `dst` — Umeyama (1991) restricted to proper rotations. In complex form the optimum is
 * a = Σ (w_i − w̄)·conj(z_i − z̄) / Σ |z_i − z̄|², b = w̄ − a·z̄, which is what this computes.
 */
export function umeyama(src: Point[], dst: Point[]): Affine {
  const n = src.length;
  if (n !== dst.length || n < 2) throw new Error("umeyama needs two equally long lists of at least 2 points");
  let msx = 0, msy = 0, mdx = 0, mdy = 0;
  for (let i = 0; i < n; i++) {
    msx += src[i]![0]; msy += src[i]![1];
    mdx += dst[i]![0]; mdy += dst[i]![1];
  }
  msx /= n; msy /= n; mdx /= n; mdy /= n;
  let num1 = 0, num2 = 0, den = 0;
  for (let i = 0; i < n; i++) {
    const xs = src[i]![0] - msx, ys = src[i]![1] - msy;
    const xd = dst[i]![0] - mdx, yd = dst[i]![1] - mdy;
    num1 += xd * xs + yd * ys;
    num2 += yd * xs - xd * ys;
    den += xs * xs + ys * ys;
  }
  if (den === 0) throw new Error("umeyama: source points coincide");
  const p = num1 / den;
  const q = num2 / den;
  return [p, -q, mdx - (p * msx - q * msy), q, p, mdy - (q * msx + p * msy)];
}

export function applyAffine(m: Affine, [x, y]: Point): Point {
  return [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]];
}

export function invertAffine(m: Affine): Affine {
  const [a, b, tx, c, d, ty] = m;
  const det = a * d - b * c;
  if (det === 0) throw new Error("affine matrix is not invertible");
  const ia = d / det, ib = -b / det, ic = -c / det, id = a / det;
  return [ia, ib, -(ia * tx + ib * ty), ic, id, -(ic * tx + id * ty)];
}

/**
 * Warps `img` with `m` (mapping source pixels to output pixels) into an outW x outH image, sampling
 * bilinearly at integer pixel coordinates (as OpenCV's warpAffine); outside the source is black.
 * `inside`, when given (outW x outH), is set to 1 where the sample lies within the source, else 0.
 */
export function warpAffine(img: RgbImage, m: Affine, outW: number, outH: number, inside?: Uint8Array): RgbImage {
  const inv = invertAffine(m);
  const out = new Uint8Array(outW * outH * 3);
  const { width: W, height: H, data } = img;
  for (let y = 0; y < outH; y++) {
    let sx = inv[1] * y + inv[2];
    let sy = inv[4] * y + inv[5];
    for (let x = 0; x < outW; x++, sx += inv[0], sy += inv[3]) {
      if (inside) inside[y * outW + x] = sx >= 0 && sy >= 0 && sx <= W - 1 && sy <= H - 1 ? 1 : 0;
      const x0 = Math.floor(sx), y0 = Math.floor(sy);
      if (x0 < -1 || y0 < -1 || x0 >= W || y0 >= H) continue;
      const fx = sx - x0, fy = sy - y0;
      const o = (y * outW + x) * 3;
      for (let c = 0; c < 3; c++) {
        const p = (xx: number, yy: number) => (xx < 0 || yy < 0 || xx >= W || yy >= H ? 0 : data[(yy * W + xx) * 3 + c]!);
        const top = p(x0, y0) * (1 - fx) + p(x0 + 1, y0) * fx;
        const bottom = p(x0, y0 + 1) * (1 - fx) + p(x0 + 1, y0 + 1) * fx;
        out[o + c] = Math.round(top * (1 - fy) + bottom * fy);
      }
    }
  }
  return { width: outW, height: outH, data: out };
}

/**
 * The ArcFace-aligned size x size crop for five landmarks. `inside` (size x size), when given, marks
 * the crop's pixels that come from the image: a face at the image's edge gets a black band whose
 * hard border must not count as detail when judging sharpness.
 */
export function alignFace(img: RgbImage, landmarks: Point[], size = 112, inside?: Uint8Array): RgbImage {
  const k = size / 112;
  const template = ARCFACE_TEMPLATE.map(([x, y]) => [x * k, y * k] as Point);
  return warpAffine(img, umeyama(landmarks, template), size, size, inside);
}

/**
 * The box scaled `scale` times about its centre (limited so it fits the image, then shifted inside
 * it), resized to outW x outH — the crop MiniFASNet liveness models expect (2.7x and 4.0x).
 */
export function cropScaled(img: RgbImage, box: Box, scale: number, outW: number, outH: number): RgbImage {
  const [x, y, w, h] = box;
  const s = Math.max(0.01, Math.min(scale, (img.width - 1) / Math.max(w, 1), (img.height - 1) / Math.max(h, 1)));
  const cw = w * s, ch = h * s;
  let left = x + w / 2 - cw / 2;
  let top = y + h / 2 - ch / 2;
  left = Math.min(Math.max(0, left), Math.max(0, img.width - 1 - cw));
  top = Math.min(Math.max(0, top), Math.max(0, img.height - 1 - ch));
  const sx = outW / cw, sy = outH / ch;
  return warpAffine(img, [sx, 0, -left * sx, 0, sy, -top * sy], outW, outH);
}
