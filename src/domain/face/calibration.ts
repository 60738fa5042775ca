// Verification metrics and threshold calibration from scored pairs (used by bench/engine.ts, whose
// results set the thresholds shipped in models/manifest.json).

export interface ScoredPair {
  score: number;
  same: boolean;
}

/**
 * The lowest threshold t such that at most `far` of the impostor scores are ≥ t: with impostors
 * sorted high to low, t sits just above the (⌊far·n⌋+1)-th highest one, so exactly ⌊far·n⌋ pass
 * (fewer when scores tie).
 */
export function thresholdAtFar(impostors: ArrayLike<number>, far: number): number {
  if (impostors.length === 0) throw new Error("no impostor scores");
  if (!(far >= 0 && far < 1)) throw new Error("far must be in [0, 1)");
  const desc = Float64Array.from(impostors).sort().reverse();
  const k = Math.floor(far * desc.length);
  return desc[k]! + 1e-6;
}

/** Fraction of scores at or above t. */
export function rateAtOrAbove(scores: ArrayLike<number>, t: number): number {
  if (scores.length === 0) return 0;
  let n = 0;
  for (let i = 0; i < scores.length; i++) if (scores[i]! >= t) n++;
  return n / scores.length;
}

/**
 * The threshold with the highest accuracy on these pairs, placed halfway between the two scores it
 * separates (ties: the lowest such gap).
 */
export function bestThreshold(pairs: ScoredPair[]): { threshold: number; accuracy: number } {
  if (pairs.length === 0) throw new Error("no pairs");
  const sorted = [...pairs].sort((a, b) => a.score - b.score);
  // Threshold below everything: every pair is called "same".
  let correct = sorted.filter((p) => p.same).length;
  let best = { threshold: sorted[0]!.score - 1e-6, accuracy: correct / sorted.length };
  for (let i = 0; i < sorted.length; i++) {
    // Moving the threshold just above sorted[i] turns it into "different".
    correct += sorted[i]!.same ? -1 : 1;
    if (i + 1 < sorted.length && sorted[i + 1]!.score === sorted[i]!.score) continue;
    const acc = correct / sorted.length;
    const next = sorted[i + 1]?.score ?? sorted[i]!.score + 2e-6;
    if (acc > best.accuracy) best = { threshold: (sorted[i]!.score + next) / 2, accuracy: acc };
  }
  return best;
}

/**
 * LFW-style verification accuracy: pairs are split into `folds` interleaved folds; each fold is
 * scored at the best threshold of the other folds; the result is the mean over folds.
 */
export function crossValidatedAccuracy(pairs: ScoredPair[], folds = 10): { accuracy: number; std: number; thresholds: number[] } {
  if (pairs.length < folds) throw new Error("fewer pairs than folds");
  const accs: number[] = [];
  const thresholds: number[] = [];
  for (let f = 0; f < folds; f++) {
    const train = pairs.filter((_, i) => i % folds !== f);
    const test = pairs.filter((_, i) => i % folds === f);
    const { threshold } = bestThreshold(train);
    thresholds.push(threshold);
    accs.push(test.filter((p) => p.score >= threshold === p.same).length / test.length);
  }
  const mean = accs.reduce((a, b) => a + b, 0) / folds;
  const std = Math.sqrt(accs.reduce((a, b) => a + (b - mean) ** 2, 0) / folds);
  return { accuracy: mean, std, thresholds };
}

/** True accept rate at a false accept rate: the threshold from the impostors, applied to the genuine pairs. */
export function tarAtFar(pairs: ScoredPair[], far: number): { tar: number; threshold: number; impostors: number } {
  const impostors = pairs.filter((p) => !p.same).map((p) => p.score);
  const genuine = pairs.filter((p) => p.same).map((p) => p.score);
  const threshold = thresholdAtFar(impostors, far);
  return { tar: rateAtOrAbove(genuine, threshold), threshold, impostors: impostors.length };
}

/** Points (per-pair false accept rate, score threshold) of an impostor curve, rate falling, score rising. */
export type ImpostorCurve = ReadonlyArray<readonly [far: number, threshold: number]>;

/** True when the curve has points and, point after point, the rate falls and the threshold does not. */
export function isImpostorCurve(curve: ImpostorCurve): boolean {
  return curve.length > 0 && curve.every(([f, t], i) => i === 0 || (f < curve[i - 1]![0] && t >= curve[i - 1]![1]));
}

/** The curve's threshold at each of these false accept rates (highest rate first). */
export function impostorCurve(impostors: ArrayLike<number>, fars: number[]): [number, number][] {
  return [...fars].sort((a, b) => b - a).map((f) => [f, thresholdAtFar(impostors, f)]);
}

/**
 * Match threshold for a gallery of `people`: a stranger is compared with every enrolled person, so
 * for a chance of about `strangerRate` that one of them passes, each comparison may pass with
 * strangerRate / people. The threshold for that rate is interpolated on the curve, linearly in
 * log(rate); rates above the curve's first point get its threshold (the floor: small galleries never
 * go below it), rates below its last point get the last one (the curve is not extrapolated).
 */
export function matchThresholdForGallery(curve: ImpostorCurve, people: number, strangerRate: number): number {
  if (!isImpostorCurve(curve)) throw new Error("impostor curve: needs points whose rates fall and thresholds do not");
  const far = strangerRate / Math.max(1, people);
  const first = curve[0]!, last = curve[curve.length - 1]!;
  if (far >= first[0]) return first[1];
  if (far <= last[0]) return last[1];
  const i = curve.findIndex(([f]) => f <= far);
  const [fHi, tLo] = curve[i - 1]!, [fLo, tHi] = curve[i]!;
  const w = Math.log(fHi / far) / Math.log(fHi / fLo);
  return tLo + w * (tHi - tLo);
}
