/** Embedding maths, the in-memory gallery and the match / unknown / uncertain decision. */
import { simdDots, type DotsKernel } from "./simd";

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

export interface Candidate {
  personId: number;
  faceId: number;
  similarity: number;
}

const QUERY_AT = 0;
const ROWS_AT = 65536;
const PAGE = 65536;

/** int8 copy of a normalised vector: q = round(v · 127 / max|v|); returns 1 / that scale. */
function quantize(v: Float32Array, into: Int8Array): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]!));
  if (m === 0) {
    into.fill(0);
    return 0;
  }
  const k = 127 / m;
  for (let i = 0; i < v.length; i++) into[i] = Math.round(v[i]! * k);
  return m / 127;
}

/**
 * All enrolled embeddings of one recogniser as one flat row-major matrix (L2-normalised rows), with
 * the person and face id of each row. Adding appends a row; removing swaps the last row into the
 * hole, so both are O(dim) and the gallery never needs reloading.
 *
 * Search is two-stage: a WebAssembly SIMD scan over int8 copies of all rows (int8 keeps the
 * similarity within ~0.01 of the float value), then the best `rerank` rows are scored again exactly
 * in float32. Rows are ranked by that exact score, so results equal a full float scan whenever the
 * true best rows are within the int8 top `rerank` (they are, unless hundreds of rows tie within 0.01).
 */
export class Gallery {
  private data: Float32Array;
  private personIds: Int32Array;
  private faceIds: Int32Array;
  private invScale: Float32Array;
  private rowOf = new Map<number, number>();
  private rows = 0;
  private readonly memory: WebAssembly.Memory | null;
  private readonly kernel: DotsKernel | null;
  private readonly stride: number;

  constructor(
    readonly dim: number,
    capacity = 1024,
    readonly rerank = 256,
  ) {
    this.data = new Float32Array(capacity * dim);
    this.personIds = new Int32Array(capacity);
    this.faceIds = new Int32Array(capacity);
    this.invScale = new Float32Array(capacity);
    this.stride = Math.ceil(dim / 64) * 64;
    const memory = dim <= ROWS_AT ? new WebAssembly.Memory({ initial: this.pagesFor(capacity) }) : null;
    this.kernel = memory ? simdDots(memory) : null;
    this.memory = this.kernel ? memory : null;
  }

  /** True when the SIMD scan is in use (false: plain float scan). */
  get accelerated(): boolean {
    return this.kernel !== null;
  }

  private pagesFor(capacity: number) {
    return Math.ceil((ROWS_AT + capacity * this.stride + capacity * 4) / PAGE);
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
    const sc = new Float32Array(cap);
    sc.set(this.invScale.subarray(0, this.rows));
    this.data = data;
    this.personIds = p;
    this.faceIds = f;
    this.invScale = sc;
    if (this.memory) {
      const need = this.pagesFor(cap) - this.memory.buffer.byteLength / PAGE;
      if (need > 0) this.memory.grow(need);
    }
  }

  private int8Row(row: number): Int8Array {
    return new Int8Array(this.memory!.buffer, ROWS_AT + row * this.stride, this.dim);
  }

  /** Adds (or replaces) the embedding of a face. */
  add(faceId: number, personId: number, embedding: Float32Array) {
    if (embedding.length !== this.dim) throw new Error(`embedding has ${embedding.length} values, the gallery expects ${this.dim}`);
    let row = this.rowOf.get(faceId);
    if (row === undefined) {
      if (this.rows === this.personIds.length) this.grow();
      row = this.rows++;
      this.rowOf.set(faceId, row);
    }
    const v = l2normalize(embedding);
    this.data.set(v, row * this.dim);
    this.personIds[row] = personId;
    this.faceIds[row] = faceId;
    if (this.memory) this.invScale[row] = quantize(v, this.int8Row(row));
  }

  removeFace(faceId: number): boolean {
    const row = this.rowOf.get(faceId);
    if (row === undefined) return false;
    const last = this.rows - 1;
    if (row !== last) {
      this.data.copyWithin(row * this.dim, last * this.dim, (last + 1) * this.dim);
      this.personIds[row] = this.personIds[last]!;
      this.faceIds[row] = this.faceIds[last]!;
      this.invScale[row] = this.invScale[last]!;
      if (this.memory) new Uint8Array(this.memory.buffer).copyWithin(ROWS_AT + row * this.stride, ROWS_AT + last * this.stride, ROWS_AT + (last + 1) * this.stride);
      this.rowOf.set(this.faceIds[row]!, row);
    }
    this.rowOf.delete(faceId);
    this.rows = last;
    return true;
  }

  removePerson(personId: number): number {
    const faces: number[] = [];
    for (let r = 0; r < this.rows; r++) if (this.personIds[r] === personId) faces.push(this.faceIds[r]!);
    for (const f of faces) this.removeFace(f);
    return faces.length;
  }

  /** Number of faces enrolled for a person. */
  countFor(personId: number): number {
    let n = 0;
    for (let r = 0; r < this.rows; r++) if (this.personIds[r] === personId) n++;
    return n;
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

  /** Rows worth scoring exactly: all of them, or the int8 scan's best `rerank`. */
  private shortlist(q: Float32Array): number[] {
    if (!this.memory || !this.kernel || this.rows <= this.rerank) return Array.from({ length: this.rows }, (_, r) => r);
    const qInt = new Int8Array(this.memory.buffer, QUERY_AT, this.stride);
    qInt.fill(0);
    const qInv = quantize(q, qInt.subarray(0, this.dim));
    const outAt = ROWS_AT + this.personIds.length * this.stride;
    this.kernel(QUERY_AT, ROWS_AT, this.rows, this.stride, outAt);
    const dots = new Int32Array(this.memory.buffer, outAt, this.rows);
    // Keep the `rerank` best approximate scores with a simple threshold-raising buffer.
    const k = this.rerank;
    const idx = new Int32Array(k);
    const val = new Float32Array(k);
    let n = 0;
    let minAt = 0;
    for (let r = 0; r < this.rows; r++) {
      const s = dots[r]! * this.invScale[r]! * qInv;
      if (n < k) {
        idx[n] = r;
        val[n] = s;
        if (n === 0 || s < val[minAt]!) minAt = n;
        n++;
      } else if (s > val[minAt]!) {
        idx[minAt] = r;
        val[minAt] = s;
        minAt = 0;
        for (let j = 1; j < k; j++) if (val[j]! < val[minAt]!) minAt = j;
      }
    }
    return Array.from(idx.subarray(0, n));
  }

  /** The best face of each of the `k` most similar people, best first. */
  search(query: Float32Array, k = 5): Candidate[] {
    const q = l2normalize(query);
    const best = new Map<number, Candidate>();
    for (const r of this.shortlist(q)) {
      const s = this.exact(q, r);
      const pid = this.personIds[r]!;
      const cur = best.get(pid);
      if (!cur || s > cur.similarity) best.set(pid, { personId: pid, faceId: this.faceIds[r]!, similarity: s });
    }
    return [...best.values()].sort((a, b) => b.similarity - a.similarity).slice(0, k);
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
