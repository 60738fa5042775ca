/**
 * Fits a srcW x srcH image into a dstW x dstH detector input keeping its aspect ratio, scaled by at
 * most `maxScale`. The image is scaled by `scale` to width x height and placed at the top-left
 * corner (padX = padY = 0); the rest is padding. A detector coordinate maps back with
 * (v - pad) / scale.
 */
export function letterbox(srcW: number, srcH: number, dstW: number, dstH: number, maxScale = Infinity) {
  const scale = Math.min(dstW / srcW, dstH / srcH, maxScale);
  const width = Math.max(1, Math.min(dstW, Math.round(srcW * scale)));
  const height = Math.max(1, Math.min(dstH, Math.round(srcH * scale)));
  return { scale, padX: 0, padY: 0, width, height };
}
