// Identity-disjoint calibration and open-set evaluation for bench/engine.ts: k folds by identity;
// the thresholds of each fold come from the impostor pairs of the other folds only, and the figures
// from the held-out fold's people, enrolled with 1, 3 or 5 photos each.
import { impostorCurve, matchThresholdForGallery, thresholdAtFar, type ImpostorCurve } from "../../src/domain/face/calibration";
import { cosine, decide, dot, fuseTemplate, l2normalize, type Candidate } from "../../src/domain/face/matching";
import type { Photo } from "./facescrub";

export type Embeddings = Map<string, Float32Array | null>;
/**
 * How an enrolled person is scored: mean cosine to their photos (the product's template), cosine to
 * the re-normalised mean, or the best of their photos (before templates).
 */
export type Scoring = "template" | "renormalised" | "bestPhoto";

/** Deterministic shuffle (mulberry32), so the folds are the same on every run. */
function shuffled<T>(xs: T[], seed: number): T[] {
  let a = seed >>> 0;
  const rnd = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Identities split into `k` folds (sorted, shuffled with a fixed seed, dealt round-robin). */
export function identityFolds(photos: Photo[], k: number, seed: number): Set<string>[] {
  const ids = shuffled([...new Set(photos.map((p) => p.identity))].sort(), seed);
  return Array.from({ length: k }, (_, f) => new Set(ids.filter((_, i) => i % k === f)));
}

/** Every cross-identity pair among the photos that have an embedding: the impostor distribution. */
export function impostorScores(emb: Embeddings, list: Photo[]): Float32Array {
  const have = list.filter((p) => emb.get(p.aligned));
  const out: number[] = [];
  for (let i = 0; i < have.length; i++)
    for (let j = i + 1; j < have.length; j++) if (have[i]!.identity !== have[j]!.identity) out.push(cosine(emb.get(have[i]!.aligned)!, emb.get(have[j]!.aligned)!));
  return Float32Array.from(out);
}

export interface FoldThresholds {
  matchCurve: [number, number][];
  unknown: number;
}

/** Thresholds from these photos' impostor pairs, as --calibrate ships them. */
export function calibrate(emb: Embeddings, list: Photo[], fars: number[]): FoldThresholds & { impostorPairs: number } {
  const imp = impostorScores(emb, list);
  return { matchCurve: impostorCurve(imp, fars), unknown: thresholdAtFar(imp, 1e-3), impostorPairs: imp.length };
}

export interface OpenSetCounts {
  enrolledPeople: number;
  genuine: number;
  correct: number;
  wrong: number;
  strangers: number;
  /** Strangers matched to someone in the held-out gallery (enrolledPeople − 1 people). */
  falseAccepts: number;
  /** Stranger-to-person comparisons, and those at or above the match threshold. */
  comparisons: number;
  comparisonsPassing: number;
}

/**
 * Open-set identification inside one held-out fold at one match threshold. People with at least
 * n + 1 photos are enrolled with their first n (photos without a face are skipped as the product
 * rejects them); their other photos are the genuine queries. Strangers: every photo of every
 * held-out person, searched against the gallery without that person.
 */
export function openSetFold(emb: Embeddings, heldOut: Photo[], n: number, t: { match: number; unknown: number; margin: number }, scoring: Scoring): OpenSetCounts {
  const byId = new Map<string, Photo[]>();
  for (const p of heldOut) byId.set(p.identity, [...(byId.get(p.identity) ?? []), p]);
  const people: { id: string; rows: Float32Array[]; template: Float32Array }[] = [];
  for (const [id, list] of [...byId].sort(([a], [b]) => a.localeCompare(b))) {
    if (list.length < n + 1) continue;
    const rows = list.slice(0, n).flatMap((p) => (emb.get(p.aligned) ? [l2normalize(emb.get(p.aligned)!)] : []));
    if (rows.length) people.push({ id, rows, template: scoring === "renormalised" ? l2normalize(fuseTemplate(rows)) : fuseTemplate(rows) });
  }
  const enrolledWith = new Map(people.map((p) => [p.id, new Set(byId.get(p.id)!.slice(0, n).map((x) => x.aligned))]));
  const score = (q: Float32Array, p: (typeof people)[number]) => (scoring === "bestPhoto" ? Math.max(...p.rows.map((r) => dot(q, r))) : dot(q, p.template));
  const res: OpenSetCounts = { enrolledPeople: people.length, genuine: 0, correct: 0, wrong: 0, strangers: 0, falseAccepts: 0, comparisons: 0, comparisonsPassing: 0 };
  const search = (q: Float32Array, without?: string) => {
    const c: Candidate[] = people.filter((p) => p.id !== without).map((p, i) => ({ personId: people.indexOf(p), faceId: i, similarity: score(q, p) }));
    return c.sort((a, b) => b.similarity - a.similarity);
  };
  for (const p of heldOut) {
    const e = emb.get(p.aligned);
    const q = e ? l2normalize(e) : null;
    const own = enrolledWith.get(p.identity);
    if (own && !own.has(p.aligned)) {
      res.genuine++;
      if (q) {
        const d = decide(search(q).slice(0, 5), { matchThreshold: t.match, unknownThreshold: t.unknown, margin: t.margin });
        if (d.decision === "match") people[d.personId!]!.id === p.identity ? res.correct++ : res.wrong++;
      }
    }
    res.strangers++;
    if (!q) continue;
    const c = search(q, p.identity);
    res.comparisons += c.length;
    res.comparisonsPassing += c.filter((x) => x.similarity >= t.match).length;
    if (decide(c.slice(0, 5), { matchThreshold: t.match, unknownThreshold: t.unknown, margin: t.margin }).decision === "match") res.falseAccepts++;
  }
  return res;
}

const pct = (x: number) => Math.round(x * 10000) / 100;
const stats = (xs: number[]) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean: pct(mean), min: pct(Math.min(...xs)), max: pct(Math.max(...xs)), sd: pct(Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length)) };
};

/**
 * k-fold by identity: per fold, thresholds from the other folds' impostor pairs; for each number of
 * enrolment photos and gallery size, the match threshold for that many people is applied in the
 * held-out fold. The held-out galleries hold tens of people, so the stranger rate of a gallery of
 * `people` is extrapolated from the measured per-comparison rate p as 1 − (1 − p)^people (each
 * enrolled person is one comparison); correct and wrong-person rates are measured in the held-out
 * gallery at that threshold. Figures: pooled over folds, and mean/min/max/sd across folds.
 */
export function crossValidate(
  emb: Embeddings,
  photos: Photo[],
  o: { folds: number; seed: number; fars: number[]; strangerRate: number; margin: number; photosPerPerson: number[]; galleries: number[]; scoring: Scoring; calibrationEmb?: Embeddings },
) {
  const folds = identityFolds(photos, o.folds, o.seed);
  const thresholds = folds.map((f) => calibrate(o.calibrationEmb ?? emb, photos.filter((p) => !f.has(p.identity)), o.fars));
  const out: Record<string, unknown>[] = [];
  for (const n of o.photosPerPerson)
    for (const people of o.galleries) {
      const per = folds.map((f, i) => {
        const th = thresholds[i]!;
        const match = matchThresholdForGallery(th.matchCurve as ImpostorCurve, people, o.strangerRate);
        return { match, ...openSetFold(emb, photos.filter((p) => f.has(p.identity)), n, { match, unknown: th.unknown, margin: o.margin }, o.scoring) };
      });
      const sum = (k: keyof OpenSetCounts) => per.reduce((a, r) => a + r[k], 0);
      const p = sum("comparisonsPassing") / sum("comparisons");
      const strangerAt = (r: { comparisonsPassing: number; comparisons: number }) => 1 - (1 - r.comparisonsPassing / r.comparisons) ** people;
      out.push({
        photosPerPerson: n,
        galleryPeople: people,
        enrolledPeoplePerFold: per.map((r) => r.enrolledPeople),
        genuine: sum("genuine"),
        strangerPhotos: sum("strangers"),
        comparisons: sum("comparisons"),
        comparisonsPassing: sum("comparisonsPassing"),
        matchThresholdPerFold: per.map((r) => Math.round(r.match * 1000) / 1000),
        correctMatchRate: pct(sum("correct") / sum("genuine")),
        wrongMatchRate: pct(sum("wrong") / sum("genuine")),
        strangersAcceptedInHeldOutGallery: pct(sum("falseAccepts") / sum("strangers")),
        perComparisonRate: Math.round(p * 1e7) / 1e7,
        strangerAcceptRateExtrapolated: pct(1 - (1 - p) ** people),
        acrossFolds: {
          correctMatchRate: stats(per.map((r) => r.correct / r.genuine)),
          wrongMatchRate: stats(per.map((r) => r.wrong / r.genuine)),
          strangerAcceptRateExtrapolated: stats(per.map(strangerAt)),
        },
      });
    }
  return {
    folds: folds.map((f) => f.size),
    calibrationImpostorPairs: thresholds.map((t) => t.impostorPairs),
    foldCurves: thresholds.map((t) => t.matchCurve.map(([f, s]) => [f, Math.round(s * 1000) / 1000] as [number, number])),
    foldUnknown: thresholds.map((t) => Math.round(t.unknown * 1000) / 1000),
    results: out,
  };
}
