/**
 * Small faces in large photos. The detector sees a photo scaled down to its input size (640 px), so
 * in a 4000 px group photo a 60 px face shrinks to 10 px and is lost. For such photos the image is
 * ALSO searched at a higher resolution, in overlapping tiles of the detector's input size, and the
 * tiles' faces are added to the whole-image pass (which stays exactly as it was):
 *
 * - Tiling happens only when the whole-image pass scales the photo to at most half its size
 *   (`fullScale` ≤ TILE_BELOW_SCALE); the tiles see it TILE_ZOOM times larger than that pass, but never
 *   above its own pixels (scale ≤ 1). So a photo is cut into at most about TILE_ZOOM² tiles whatever
 *   its size.
 * - Neighbouring tiles overlap by at least `overlap` pixels (tile scale). Each tile owns a core: its
 *   area up to the middle of each overlap. A tile's face is kept only when its centre is in that core
 *   (so a face seen by two tiles counts once) and it is at most `overlap` pixels (tile scale) wide and
 *   high: such a face is whole in the tile that owns it. Larger faces are the whole-image pass's.
 * - A tile face needs a detector score of at least TILE_MIN_SCORE: at 20 px the detector also takes
 *   things like fingers for faces (0.69 on a hand in a 2000 px press photo), small real faces score higher.
 * - A tile face overlapping a whole-image face (IoU > `iouThreshold`, or half of the smaller box
 *   inside the other) is the same face and is dropped; so are tile faces overlapping a better tile
 *   face (greedy NMS).
 */
import { iou, nms } from "./nms";
import type { Box, Detection } from "./types";

/** Photos the whole-image pass shrinks to this fraction of their size or less are also tiled. */
export const TILE_BELOW_SCALE = 0.5;
/** Tiles see the photo this many times larger than the whole-image pass (capped at its own pixels). */
export const TILE_ZOOM = 4;
/** Minimum overlap of neighbouring tiles, pixels at tile scale; also the largest face a tile keeps. */
export const TILE_OVERLAP = 128;

/** Least detector score of a face only the tiles found. */
export const TILE_MIN_SCORE = 0.75;

export interface Tile {
  /** Position and size in the scaled image (pixels at `TilePlan.scale`). */
  x: number;
  y: number;
  width: number;
  height: number;
  /** The part of the tile this tile owns, as [x0, y0, x1, y1) in the scaled image. */
  core: [number, number, number, number];
}

export interface TilePlan {
  /** The photo is scaled by this (≤ 1) to `width` x `height` before it is cut. */
  scale: number;
  width: number;
  height: number;
  tiles: Tile[];
  overlap: number;
}

/** Start positions of tiles of `size` covering [0, length) with at least `overlap` between neighbours. */
export function tileStarts(length: number, size: number, overlap: number): number[] {
  if (length <= size) return [0];
  const n = Math.ceil((length - overlap) / (size - overlap));
  return Array.from({ length: n }, (_, i) => Math.round((i * (length - size)) / (n - 1)));
}

/**
 * The tiles for a photo of imgW x imgH that the whole-image pass scales by `fullScale`, for a
 * detector input of tileW x tileH; null when the photo needs no tiling.
 */
export function planTiles(imgW: number, imgH: number, fullScale: number, tileW: number, tileH: number, overlap = TILE_OVERLAP): TilePlan | null {
  if (!(fullScale <= TILE_BELOW_SCALE)) return null;
  const scale = Math.min(1, fullScale * TILE_ZOOM);
  const width = Math.max(1, Math.round(imgW * scale));
  const height = Math.max(1, Math.round(imgH * scale));
  const xs = tileStarts(width, tileW, overlap);
  const ys = tileStarts(height, tileH, overlap);
  const cores = (starts: number[], size: number, length: number) =>
    starts.map((s, i) => [i === 0 ? 0 : (starts[i - 1]! + size + s) / 2, i === starts.length - 1 ? length : (s + size + starts[i + 1]!) / 2] as const);
  const cx = cores(xs, tileW, width);
  const cy = cores(ys, tileH, height);
  const tiles: Tile[] = [];
  ys.forEach((y, j) =>
    xs.forEach((x, i) => tiles.push({ x, y, width: Math.min(tileW, width - x), height: Math.min(tileH, height - y), core: [cx[i]![0], cy[j]![0], cx[i]![1], cy[j]![1]] })),
  );
  return { scale, width, height, tiles, overlap };
}

/** Area of the intersection over the area of the smaller box (1 when one box lies inside the other). */
export function containment(a: Box, b: Box): number {
  const w = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
  const smaller = Math.min(a[2] * a[3], b[2] * b[3]);
  return w > 0 && h > 0 && smaller > 0 ? (w * h) / smaller : 0;
}

/**
 * Whether a face a tile found (box in original-image pixels) is that tile's to keep: its centre is in
 * the tile's core and it fits in the overlap.
 */
export function ownedByTile(box: Box, tile: Tile, plan: Pick<TilePlan, "scale" | "overlap">): boolean {
  const [x, y, w, h] = box.map((v) => v * plan.scale) as Box;
  const cx = x + w / 2;
  const cy = y + h / 2;
  const [x0, y0, x1, y1] = tile.core;
  return w <= plan.overlap && h <= plan.overlap && cx >= x0 && cx < x1 && cy >= y0 && cy < y1;
}

/**
 * The whole-image faces, unchanged, plus the tile faces (already filtered by `ownedByTile`) that
 * score at least `minScore` and are not one of them; best detector score first.
 */
export function mergeTiled(whole: Detection[], tiled: Detection[], iouThreshold = 0.3, minScore = TILE_MIN_SCORE): Detection[] {
  const same = (a: Box, b: Box) => iou(a, b) > iouThreshold || containment(a, b) >= 0.5;
  const extra = nms(
    tiled.filter((t) => t.score >= minScore && !whole.some((w) => same(w.box, t.box))),
    iouThreshold,
  ).filter((t, i, kept) => !kept.slice(0, i).some((k) => containment(k.box, t.box) >= 0.5));
  return [...whole, ...extra].sort((a, b) => b.score - a.score);
}
