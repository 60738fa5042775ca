/** Embedding maths, the in-memory gallery and the match / unknown / uncertain decision. */
import { simdHamming, type HammingKernel } from "./simd";

export function l2normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const n = Math.sqrt(s);
  const out = new Float32Array(v.length);
  if (n === 0) return out;
  for (let i = 0; i < v.length; i++) out[i] = v[i]! / n;
  return out;
}

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Cosine similarity (does not assume normalised inputs). */
export function cosine(a: Float32Array, b: Float32Array): number {
  const d = Math.sqrt(dot(a, a) * dot(b, b));
  return d === 0 ? 0 : dot(a, b) / d;
}

/**
 * One template per person: the mean of the L2-normalised embeddings of their photos, NOT
 * re-normalised, so a query's dot product with it is its mean cosine to the person's photos. A
 * stranger then faces one comparison per person however many photos the person has (scored by the
 * best photo, every extra photo was one more chance to pass), and an average of several cosines
 * reaches a high score no more often than one cosine does, so the match threshold calibrated on
 * single photos keeps its stranger rate. Re-normalising would not: it lengthens the part all faces
 * share, which lifts strangers' scores (3x the per-comparison rate with 3 photos on held-out
 * facescrub identities, bench/results/engine.json).
 */
export function fuseTemplate(embeddings: Float32Array[]): Float32Array {
  if (!embeddings.length) throw new Error("no embeddings to fuse");
  const sum = new Float32Array(embeddings[0]!.length);
  for (const e of embeddings) {
    const v = l2normalize(e);
    for (let i = 0; i < sum.length; i++) sum[i]! += v[i]!;
  }
  for (let i = 0; i < sum.length; i++) sum[i]! /= embeddings.length;
  return sum;
}

export interface Candidate {
  personId: number;
  faceId: number;
  similarity: number;
}

const QUERY_AT = 0;
const ROWS_AT = 65536;
const PAGE = 65536;
/** Bytes of sign bits the kernel can sum per row (an i8 lane collects ≤ 8 bits per 16 bytes). */
const MAX_BIT_BYTES = 496;

/** Sign bits of a vector, bit i set when v[i] > 0 (the rest of `into` left zero). */
function signBits(v: Float32Array, into: Uint8Array) {
  into.fill(0);
  for (let i = 0; i < v.length; i++) if (v[i]! > 0) into[i >> 3]! |= 1 << (i & 7);
}

/**
 * All enrolled embeddings of one recogniser as one flat row-major matrix (L2-normalised rows), with
 * the person and face id of each row, and the sum of each person's rows, whose mean is the fused
 * template (fuseTemplate) that search scores people by. Adding appends a row and adds it to the sum,
 * O(dim); removing or replacing a face swaps the last row into the hole and sums that person's rows
 * again (one pass over the person ids), so the gallery never needs reloading.
 *
 * Search is two-stage. A WebAssembly SIMD scan computes the Hamming distance between the sign bits
 * of the query and of every row; the angle between two vectors is about π · distance / dim (random
 * hyperplane hashing), so the rows with the smallest distances are the likely best matches. The best
 * `shortlist` rows (at least `minShortlist`, or `shortlistFraction` of the gallery) are then scored
 * exactly in float32. With 512 dimensions a face at cosine 0.4 (the match threshold's region) sits
 * about 6 standard deviations below random faces in distance, so it is never left off a 0.5 %
 * shortlist (which needs only 2.6);
 * galleries up to `minShortlist` rows are scored exactly in full.
 */
export class Gallery {
  private data: Float32Array;
  private personIds: Int32Array;
  private faceIds: Int32Array;
  private rowOf = new Map<number, number>();
  /** Faces per enrolled person. */
  private perPerson = new Map<number, number>();
  /** Sum of each person's rows; divided by their count (perPerson) it is their template. */
  private sums = new Map<number, Float32Array>();
  private rows = 0;
  private readonly memory: WebAssembly.Memory | null;
  private readonly kernel: HammingKernel | null;
  /** Bytes of sign bits per row, a multiple of 16. */
  private readonly bitBytes: number;

  constructor(
    readonly dim: number,
    capacity = 1024,
    readonly minShortlist = 512,
    readonly shortlistFraction = 0.005,
  ) {
    this.data = new Float32Array(capacity * dim);
    this.personIds = new Int32Array(capacity);
    this.faceIds = new Int32Array(capacity);
    this.bitBytes = Math.ceil(dim / 128) * 16;
    const memory = this.bitBytes <= MAX_BIT_BYTES ? new WebAssembly.Memory({ initial: this.pagesFor(capacity) }) : null;
    this.kernel = memory ? simdHamming(memory) : null;
    this.memory = this.kernel ? memory : null;
  }

  /** True when the SIMD prefilter is in use (false: every search scores all rows exactly). */
  get accelerated(): boolean {
    return this.kernel !== null;
  }

  private pagesFor(capacity: number) {
    return Math.ceil((ROWS_AT + capacity * this.bitBytes + capacity * 4) / PAGE);
  }

  get size(): number {
    return this.rows;
  }

  has(faceId: number): boolean {
    return this.rowOf.has(faceId);
  }

  private grow() {
    const cap = Math.max(16, this.personIds.length * 2);
    const data = new Float32Array(cap * this.dim);
    data.set(this.data.subarray(0, this.rows * this.dim));
    const p = new Int32Array(cap);
    p.set(this.personIds.subarray(0, this.rows));
    const f = new Int32Array(cap);
    f.set(this.faceIds.subarray(0, this.rows));
    this.data = data;
    this.personIds = p;
    this.faceIds = f;
    if (this.memory) {
      const need = this.pagesFor(cap) - this.memory.buffer.byteLength / PAGE;
      if (need > 0) this.memory.grow(need);
    }
  }

  private bitRow(row: number): Uint8Array {
    return new Uint8Array(this.memory!.buffer, ROWS_AT + row * this.bitBytes, this.bitBytes);
  }

  /** Adds (or replaces) the embedding of a face. */
  add(faceId: number, personId: number, embedding: Float32Array) {
    if (embedding.length !== this.dim) throw new Error(`embedding has ${embedding.length} values, the gallery expects ${this.dim}`);
    let row = this.rowOf.get(faceId);
    const previous = row === undefined ? undefined : this.personIds[row]!;
    if (row === undefined) {
      if (this.rows === this.personIds.length) this.grow();
      row = this.rows++;
      this.rowOf.set(faceId, row);
    } else this.uncount(previous!);
    this.perPerson.set(personId, (this.perPerson.get(personId) ?? 0) + 1);
    const v = l2normalize(embedding);
    this.data.set(v, row * this.dim);
    this.personIds[row] = personId;
    this.faceIds[row] = faceId;
    if (this.memory) signBits(v, this.bitRow(row));
    if (previous === undefined) this.accumulate(personId, v);
    else {
      if (previous !== personId) this.rebuildTemplate(previous);
      this.rebuildTemplate(personId);
    }
  }

  /** Adds one normalised row to a person's sum. */
  private accumulate(personId: number, v: Float32Array) {
    const sum = this.sums.get(personId) ?? new Float32Array(this.dim);
    for (let i = 0; i < this.dim; i++) sum[i]! += v[i]!;
    this.sums.set(personId, sum);
  }

  /** Sums a person's rows again after a change other than an added face. */
  private rebuildTemplate(personId: number) {
    this.sums.delete(personId);
    for (let r = 0; r < this.rows; r++) if (this.personIds[r] === personId) this.accumulate(personId, this.data.subarray(r * this.dim, (r + 1) * this.dim));
  }

  /** A person's fused template (null when they have no face). */
  templateOf(personId: number): Float32Array | null {
    const sum = this.sums.get(personId);
    const n = this.perPerson.get(personId);
    return sum && n ? sum.map((x) => x / n) : null;
  }

  removeFace(faceId: number): boolean {
    const row = this.rowOf.get(faceId);
    if (row === undefined) return false;
    const personId = this.personIds[row]!;
    this.uncount(personId);
    const last = this.rows - 1;
    if (row !== last) {
      this.data.copyWithin(row * this.dim, last * this.dim, (last + 1) * this.dim);
      this.personIds[row] = this.personIds[last]!;
      this.faceIds[row] = this.faceIds[last]!;
      if (this.memory) new Uint8Array(this.memory.buffer).copyWithin(ROWS_AT + row * this.bitBytes, ROWS_AT + last * this.bitBytes, ROWS_AT + (last + 1) * this.bitBytes);
      this.rowOf.set(this.faceIds[row]!, row);
    }
    this.rowOf.delete(faceId);
    this.rows = last;
    this.rebuildTemplate(personId);
    return true;
  }

  private uncount(personId: number) {
    const n = this.perPerson.get(personId)! - 1;
    if (n) this.perPerson.set(personId, n);
    else this.perPerson.delete(personId);
  }

  /** Number of people with at least one face. */
  get people(): number {
    return this.perPerson.size;
  }

  removePerson(personId: number): number {
    if (!this.perPerson.has(personId)) return 0;
    const faces: number[] = [];
    for (let r = 0; r < this.rows; r++) if (this.personIds[r] === personId) faces.push(this.faceIds[r]!);
    for (const f of faces) this.removeFace(f);
    return faces.length;
  }

  /** Number of faces enrolled for a person. */
  countFor(personId: number): number {
    return this.perPerson.get(personId) ?? 0;
  }

  /** Exact float similarity of the (normalised) query to one row. */
  private exact(q: Float32Array, row: number): number {
    const { dim, data } = this;
    const base = row * dim;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    let i = 0;
    for (; i + 3 < dim; i += 4) {
      s0 += data[base + i]! * q[i]!;
      s1 += data[base + i + 1]! * q[i + 1]!;
      s2 += data[base + i + 2]! * q[i + 2]!;
      s3 += data[base + i + 3]! * q[i + 3]!;
    }
    for (; i < dim; i++) s0 += data[base + i]! * q[i]!;
    return s0 + s1 + s2 + s3;
  }

  /** Exact float similarity of the query to every row (query must be L2-normalised). */
  scores(query: Float32Array): Float32Array {
    const out = new Float32Array(this.rows);
    for (let r = 0; r < this.rows; r++) out[r] = this.exact(query, r);
    return out;
  }

  /** Rows worth scoring exactly: all of them, or the `shortlist` closest in sign-bit distance. */
  private shortlist(q: Float32Array): ArrayLike<number> {
    const want = Math.max(this.minShortlist, Math.ceil(this.rows * this.shortlistFraction));
    if (!this.memory || !this.kernel || this.rows <= want) return Array.from({ length: this.rows }, (_, r) => r);
    signBits(q, new Uint8Array(this.memory.buffer, QUERY_AT, this.bitBytes));
    const outAt = ROWS_AT + this.personIds.length * this.bitBytes;
    this.kernel(QUERY_AT, ROWS_AT, this.rows, this.bitBytes, outAt);
    const dist = new Int32Array(this.memory.buffer, outAt, this.rows);
    // Counting sort by distance (0 … dim): find the cut-off distance, then collect the rows.
    const counts = new Int32Array(this.dim + 2);
    for (let r = 0; r < this.rows; r++) counts[dist[r]!]!++;
    let cut = 0;
    for (let seen = 0; cut <= this.dim && seen + counts[cut]! < want; cut++) seen += counts[cut]!;
    const out = new Int32Array(want);
    let n = 0;
    for (let r = 0; r < this.rows && n < want; r++) if (dist[r]! < cut) out[n++] = r;
    for (let r = 0; r < this.rows && n < want; r++) if (dist[r] === cut) out[n++] = r;
    return out.subarray(0, n);
  }

  /**
   * The `k` most similar people, best first: each person with a shortlisted face is scored by the
   * query's mean cosine to their photos (its dot product with their template: one comparison per
   * person, so the match threshold's stranger rate holds whatever the number of photos); faceId is
   * their closest shortlisted face.
   */
  search(query: Float32Array, k = 5): Candidate[] {
    const q = l2normalize(query);
    const closest = new Map<number, { faceId: number; s: number }>();
    const rows = this.shortlist(q);
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      const s = this.exact(q, r);
      const pid = this.personIds[r]!;
      const cur = closest.get(pid);
      if (!cur || s > cur.s) closest.set(pid, { faceId: this.faceIds[r]!, s });
    }
    return [...closest]
      .map(([personId, c]) => ({ personId, faceId: c.faceId, similarity: dot(q, this.sums.get(personId)!) / this.perPerson.get(personId)! }))
      .sort((a, b) => b.similarity - a.similarity)
      .slice(0, k);
  }

  /** The closest enrolled face of one person (near-duplicate checks on enrollment). */
  bestOf(query: Float32Array, personId: number): Candidate | null {
    const q = l2normalize(query);
    let out: Candidate | null = null;
    for (let r = 0; r < this.rows; r++) {
      if (this.personIds[r] !== personId) continue;
      const s = this.exact(q, r);
      if (!out || s > out.similarity) out = { personId, faceId: this.faceIds[r]!, similarity: s };
    }
    return out;
  }
}

/** "Not this person" examples: faces an operator said are not X block X for similar faces. */
export class NegativeIndex {
  private readonly byPerson = new Map<number, { id: number; embedding: Float32Array }[]>();

  add(id: number, personId: number, embedding: Float32Array) {
    const list = this.byPerson.get(personId) ?? [];
    list.push({ id, embedding: l2normalize(embedding) });
    this.byPerson.set(personId, list);
  }

  remove(id: number) {
    for (const [pid, list] of this.byPerson) {
      const i = list.findIndex((n) => n.id === id);
      if (i >= 0) {
        list.splice(i, 1);
        if (!list.length) this.byPerson.delete(pid);
        return;
      }
    }
  }

  removePerson(personId: number) {
    this.byPerson.delete(personId);
  }

  /** True when the query is at least `threshold` similar to a negative example of this person. */
  blocks(query: Float32Array, personId: number, threshold: number): boolean {
    const list = this.byPerson.get(personId);
    if (!list) return false;
    const q = l2normalize(query);
    return list.some((n) => dot(q, n.embedding) >= threshold);
  }

  get size(): number {
    let n = 0;
    for (const l of this.byPerson.values()) n += l.length;
    return n;
  }
}

export type Decision = "match" | "unknown" | "uncertain";

export interface DecideOptions {
  matchThreshold: number;
  unknownThreshold: number;
  /** The best person must beat the next person by at least this much to be a match. */
  margin: number;
  /** Vetoes a candidate person (e.g. a "not this person" example is close to the query). */
  vetoed?: (personId: number) => boolean;
}

/**
 * match: best ≥ matchThreshold and best − second-best other person ≥ margin;
 * unknown: best < unknownThreshold (or nobody left after vetoes); uncertain: everything between,
 * which goes to review and never becomes attendance on its own.
 */
export function decide(candidates: Candidate[], opts: DecideOptions): { decision: Decision; personId: number | null; similarity: number } {
  const live = opts.vetoed ? candidates.filter((c) => !opts.vetoed!(c.personId)) : candidates;
  const best = live[0];
  if (!best) return { decision: "unknown", personId: null, similarity: 0 };
  if (best.similarity < opts.unknownThreshold) return { decision: "unknown", personId: null, similarity: best.similarity };
  const second = live.find((c) => c.personId !== best.personId);
  const gap = best.similarity - (second?.similarity ?? -1);
  if (best.similarity >= opts.matchThreshold && gap >= opts.margin) return { decision: "match", personId: best.personId, similarity: best.similarity };
  return { decision: "uncertain", personId: best.personId, similarity: best.similarity };
}
