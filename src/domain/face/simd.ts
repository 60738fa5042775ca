/**
 * A tiny WebAssembly SIMD kernel for the gallery scan: int8 dot products of one query against many
 * rows (i16x8 widening + i32x4.dot_i16x8_s). JavaScript alone manages ~50 ms for 100,000 x 512
 * float dot products; this does the same scan on int8 copies in a few milliseconds. The module is
 * assembled here from its bytes (no toolchain needed) and has no imports but its memory.
 *
 * dots(q, rows, n, dim, out): for r in 0..n: out[r] = Σ_j q[j] * rows[r*dim + j]   (dim % 64 == 0; rows
 * are processed in fours, so up to three rows past n are read and three results past n written)
 */

const FD = 0xfd;
const leb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
const simd = (op: number) => [FD, ...leb(op)];
const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];
const vec = (items: number[][]) => [...leb(items.length), ...items.flat()];

// Four rows per step (independent accumulators, shared query loads): more memory-level parallelism.
// locals: 0 q, 1 rows, 2 n, 3 dim, 4 out (params) · 5 r, 6 j, 7-10 row pointers (i32)
//         11-14 acc, 15 qlo, 16 qhi, 17 qv/rv (v128)
const LOCAL_GET = 0x20, LOCAL_SET = 0x21;
const I32_ADD = 0x6a, I32_MUL = 0x6c, I32_LT_U = 0x49, I32_CONST = 0x41, I32_STORE = 0x36;
const BLOCK = 0x02, LOOP = 0x03, BR_IF = 0x0d, BR = 0x0c, END = 0x0b, EMPTY = 0x40, I32_EQZ = 0x45;
const V128_LOAD = 0x00, V128_CONST = 0x0c, EXT_LO = 0x87, EXT_HI = 0x88, DOT = 0xba, I32X4_ADD = 0xae, EXTRACT = 0x1b;
const ROW = [7, 8, 9, 10], ACC = [11, 12, 13, 14], QLO = 15, QHI = 16, V = 17;

const hsum = (acc: number) => [LOCAL_GET, acc, ...simd(EXTRACT), 0, LOCAL_GET, acc, ...simd(EXTRACT), 1, I32_ADD, LOCAL_GET, acc, ...simd(EXTRACT), 2, I32_ADD, LOCAL_GET, acc, ...simd(EXTRACT), 3, I32_ADD];

const body = [
  ...vec([
    [6, 0x7f], // r, j, four row pointers: i32
    [7, 0x7b], // four accumulators, qlo, qhi, v: v128
  ]),
  I32_CONST, 0, LOCAL_SET, 5,
  BLOCK, EMPTY,
  LOOP, EMPTY,
  // if r >= n: break  (rows are read in fours; the caller leaves room for up to three extra rows)
  LOCAL_GET, 5, LOCAL_GET, 2, I32_LT_U, I32_EQZ, BR_IF, 1,
  LOCAL_GET, 1, LOCAL_GET, 5, LOCAL_GET, 3, I32_MUL, I32_ADD, LOCAL_SET, ROW[0]!,
  LOCAL_GET, ROW[0]!, LOCAL_GET, 3, I32_ADD, LOCAL_SET, ROW[1]!,
  LOCAL_GET, ROW[1]!, LOCAL_GET, 3, I32_ADD, LOCAL_SET, ROW[2]!,
  LOCAL_GET, ROW[2]!, LOCAL_GET, 3, I32_ADD, LOCAL_SET, ROW[3]!,
  ...ACC.flatMap((a) => [...simd(V128_CONST), ...new Array(16).fill(0), LOCAL_SET, a]),
  I32_CONST, 0, LOCAL_SET, 6,
  BLOCK, EMPTY,
  LOOP, EMPTY,
  LOCAL_GET, 6, LOCAL_GET, 3, I32_LT_U, I32_EQZ, BR_IF, 1,
  ...[0, 16, 32, 48].flatMap((o) => [
    LOCAL_GET, 0, LOCAL_GET, 6, I32_ADD, ...simd(V128_LOAD), 0, ...leb(o), LOCAL_SET, V,
    LOCAL_GET, V, ...simd(EXT_LO), LOCAL_SET, QLO,
    LOCAL_GET, V, ...simd(EXT_HI), LOCAL_SET, QHI,
    ...[0, 1, 2, 3].flatMap((i) => [
      LOCAL_GET, ROW[i]!, LOCAL_GET, 6, I32_ADD, ...simd(V128_LOAD), 0, ...leb(o), LOCAL_SET, V,
      LOCAL_GET, ACC[i]!,
      LOCAL_GET, QLO, LOCAL_GET, V, ...simd(EXT_LO), ...simd(DOT), ...simd(I32X4_ADD),
      LOCAL_GET, QHI, LOCAL_GET, V, ...simd(EXT_HI), ...simd(DOT), ...simd(I32X4_ADD),
      LOCAL_SET, ACC[i]!,
    ]),
  ]),
  LOCAL_GET, 6, I32_CONST, 0xc0, 0x00, I32_ADD, LOCAL_SET, 6, // j += 64 (i32.const is signed LEB128)
  BR, 0,
  END, END,
  // out[r + i] = horizontal sum of acc_i
  ...[0, 1, 2, 3].flatMap((i) => [LOCAL_GET, 4, LOCAL_GET, 5, I32_CONST, 4, I32_MUL, I32_ADD, ...hsum(ACC[i]!), I32_STORE, 2, i * 4]),
  LOCAL_GET, 5, I32_CONST, 4, I32_ADD, LOCAL_SET, 5,
  BR, 0,
  END, END,
  END,
];

const name = (s: string) => [...leb(s.length), ...new TextEncoder().encode(s)];
const bytes = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...section(1, vec([[0x60, ...vec([[0x7f], [0x7f], [0x7f], [0x7f], [0x7f]]), 0]])), // type: (i32 x5) -> ()
  ...section(2, vec([[...name("env"), ...name("mem"), 0x02, 0x00, 0x01]])), // import memory (min 1 page)
  ...section(3, vec([[0]])), // function 0 has type 0
  ...section(7, vec([[...name("dots"), 0x00, 0]])), // export "dots"
  ...section(10, vec([[...leb(body.length), ...body]])),
]);

export type DotsKernel = (q: number, rows: number, n: number, dim: number, out: number) => void;

/** Instantiates the kernel on a memory; null where WebAssembly SIMD is unavailable. */
export function simdDots(memory: WebAssembly.Memory): DotsKernel | null {
  try {
    const mod = new WebAssembly.Module(bytes);
    const inst = new WebAssembly.Instance(mod, { env: { mem: memory } });
    return inst.exports.dots as DotsKernel;
  } catch {
    return null;
  }
}
