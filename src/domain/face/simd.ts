/**
 * A tiny WebAssembly SIMD kernel for the gallery scan: Hamming distances between the sign bits of one
 * query and of many rows (v128.xor + i8x16.popcnt). Sign bits of a 512-d embedding are 64 bytes, so
 * 100,000 rows are 6.4 MB, an eighth of an int8 copy: the scan is bound by memory bandwidth and takes
 * about a millisecond. The module is assembled here from its bytes (no toolchain needed) and has no
 * imports but its memory.
 *
 * hamming(q, rows, n, bytes, out): for r in 0..n: out[r] = popcount(q XOR rows[r*bytes ..]) over
 * `bytes` bytes (bytes % 16 == 0 and bytes ≤ 496: each i8 lane sums at most 8 bits per 16-byte step).
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

// locals: 0 q, 1 rows, 2 n, 3 bytes, 4 out (params) · 5 r, 6 j, 7 row pointer (i32) · 8 acc, 9 sums (v128)
const LOCAL_GET = 0x20, LOCAL_SET = 0x21;
const I32_ADD = 0x6a, I32_MUL = 0x6c, I32_LT_U = 0x49, I32_CONST = 0x41, I32_STORE = 0x36;
const BLOCK = 0x02, LOOP = 0x03, BR_IF = 0x0d, BR = 0x0c, END = 0x0b, EMPTY = 0x40, I32_EQZ = 0x45;
const V128_LOAD = 0x00, V128_CONST = 0x0c, V128_XOR = 0x51, I8X16_POPCNT = 0x62, I8X16_ADD = 0x6e;
const I16X8_EXTADD_U = 0x7d, I32X4_EXTADD_U = 0x7f, EXTRACT = 0x1b;
const R = 5, J = 6, ROW = 7, ACC = 8, SUMS = 9;

const body = [
  ...vec([
    [3, 0x7f], // r, j, row pointer: i32
    [2, 0x7b], // acc, sums: v128
  ]),
  I32_CONST, 0, LOCAL_SET, R,
  BLOCK, EMPTY,
  LOOP, EMPTY,
  LOCAL_GET, R, LOCAL_GET, 2, I32_LT_U, I32_EQZ, BR_IF, 1, // r >= n: done
  LOCAL_GET, 1, LOCAL_GET, R, LOCAL_GET, 3, I32_MUL, I32_ADD, LOCAL_SET, ROW,
  ...simd(V128_CONST), ...new Array(16).fill(0), LOCAL_SET, ACC,
  I32_CONST, 0, LOCAL_SET, J,
  BLOCK, EMPTY,
  LOOP, EMPTY,
  LOCAL_GET, J, LOCAL_GET, 3, I32_LT_U, I32_EQZ, BR_IF, 1, // j >= bytes: row done
  LOCAL_GET, ACC,
  LOCAL_GET, 0, LOCAL_GET, J, I32_ADD, ...simd(V128_LOAD), 0, 0,
  LOCAL_GET, ROW, LOCAL_GET, J, I32_ADD, ...simd(V128_LOAD), 0, 0,
  ...simd(V128_XOR), ...simd(I8X16_POPCNT), ...simd(I8X16_ADD), LOCAL_SET, ACC,
  LOCAL_GET, J, I32_CONST, 16, I32_ADD, LOCAL_SET, J,
  BR, 0,
  END, END,
  // out[r] = sum of the 16 byte lanes (widened pairwise to 4 i32 lanes, then added)
  LOCAL_GET, ACC, ...simd(I16X8_EXTADD_U), ...simd(I32X4_EXTADD_U), LOCAL_SET, SUMS,
  LOCAL_GET, 4, LOCAL_GET, R, I32_CONST, 4, I32_MUL, I32_ADD,
  LOCAL_GET, SUMS, ...simd(EXTRACT), 0, LOCAL_GET, SUMS, ...simd(EXTRACT), 1, I32_ADD,
  LOCAL_GET, SUMS, ...simd(EXTRACT), 2, I32_ADD, LOCAL_GET, SUMS, ...simd(EXTRACT), 3, I32_ADD,
  I32_STORE, 2, 0,
  LOCAL_GET, R, I32_CONST, 1, I32_ADD, LOCAL_SET, R,
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
  ...section(7, vec([[...name("hamming"), 0x00, 0]])), // export "hamming"
  ...section(10, vec([[...leb(body.length), ...body]])),
]);

export type HammingKernel = (q: number, rows: number, n: number, bytes: number, out: number) => void;

/** Instantiates the kernel on a memory; null where WebAssembly SIMD is unavailable. */
export function simdHamming(memory: WebAssembly.Memory): HammingKernel | null {
  try {
    const mod = new WebAssembly.Module(bytes);
    const inst = new WebAssembly.Instance(mod, { env: { mem: memory } });
    return inst.exports.hamming as HammingKernel;
  } catch {
    return null;
  }
}
