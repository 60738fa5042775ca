// bun run bench:gallery → bench/results/gallery.json
// 1:N search over a gallery of 100,000 embeddings (512-d) on one core: latency of Gallery.search
// (int8 WebAssembly SIMD scan + exact rerank) against a plain float scan, and whether both find the
// same best person.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cpus } from "node:os";
import { Gallery, l2normalize } from "../src/domain/face/matching";
import { gaussian, rng } from "../test/support/random";

const N = Number(process.env.GALLERY_SIZE ?? 100_000);
const DIM = Number(process.env.GALLERY_DIM ?? 512);
const FACES_PER_PERSON = 5;
const QUERIES = 300;

const gauss = gaussian(rng(42));
const rand = rng(4242);
const randomUnit = () => l2normalize(Float32Array.from({ length: DIM }, gauss));
/** A face of a person: the person's centre plus noise, so faces of one person have cosine ≈ 0.6–0.7. */
const faceOf = (centre: Float32Array) => l2normalize(Float32Array.from(centre, (c) => c + gauss() * 0.045));

console.log(`building a gallery of ${N} faces (${N / FACES_PER_PERSON} people), ${DIM}-d`);
const centres: Float32Array[] = [];
const g = new Gallery(DIM, N);
for (let i = 0; i < N; i++) {
  const p = Math.floor(i / FACES_PER_PERSON);
  if (!centres[p]) centres[p] = randomUnit();
  g.add(i + 1, p + 1, faceOf(centres[p]!));
}

const queries = Array.from({ length: QUERIES }, (_, i) => (i % 2 === 0 ? { q: faceOf(centres[Math.floor(rand() * centres.length)]!), stranger: false } : { q: randomUnit(), stranger: true }));
/** The best person's score in a full scan: a person scores the mean of their faces' similarities (rows in the order added). */
const truth = queries.map(({ q }) => {
  const s = g.scores(q);
  let best = -Infinity;
  for (let p = 0; p < centres.length; p++) {
    let mean = 0;
    for (let k = 0; k < FACES_PER_PERSON; k++) mean += s[p * FACES_PER_PERSON + k]! / FACES_PER_PERSON;
    best = Math.max(best, mean);
  }
  return best;
});

function time(fn: () => unknown, reps: number) {
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(ms.length / 2)]!, p95: ms[Math.floor(ms.length * 0.95)]! };
}

for (let i = 0; i < 20; i++) g.search(queries[i]!.q, 5); // warm-up (JIT, page faults)
let k = 0;
const search = time(() => g.search(queries[k++ % QUERIES]!.q, 5), QUERIES);
k = 0;
const float = time(() => g.scores(queries[k++ % QUERIES]!.q), 30);
// Genuine queries must find exactly the best person of a full scan. For strangers the shortlist may
// miss the exact best (a random face's best score is noise around 0.2), so what must agree is the
// decision: both scores far below any match threshold.
let agree = 0;
let strangersBelow = 0;
let genuineSims = 0;
let strangerMax = -1;
queries.forEach(({ q, stranger }, i) => {
  const best = g.search(q, 1)[0]!;
  if (!stranger) {
    if (Math.abs(best.similarity - truth[i]!) < 1e-5) agree++;
    genuineSims += best.similarity;
  } else {
    strangerMax = Math.max(strangerMax, truth[i]!);
    if (best.similarity < 0.3 && truth[i]! < 0.3) strangersBelow++;
  }
});

const r2 = (x: number) => Math.round(x * 100) / 100;
const result = {
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, bun: Bun.version },
  gallery: { faces: N, dim: DIM, accelerated: g.accelerated },
  searchMs: { median: r2(search.median), p95: r2(search.p95) },
  floatScanMs: { median: r2(float.median), p95: r2(float.p95) },
  shortlist: Math.max(g.minShortlist, Math.ceil(N * g.shortlistFraction)),
  genuineBestEqualsFullScan: `${agree}/${QUERIES / 2}`,
  strangersBelow03BothWays: `${strangersBelow}/${QUERIES / 2}`,
  meanGenuineSimilarity: r2(genuineSims / (QUERIES / 2)),
  strangerMaxSimilarity: r2(strangerMax),
  targetMs: 5,
};
console.log(result);
mkdirSync(join(import.meta.dir, "results"), { recursive: true });
writeFileSync(join(import.meta.dir, "results/gallery.json"), JSON.stringify(result, null, 2) + "\n");
