// The CPU graph rewrites must not change a single output bit: checked on hand-built models (each
// rewrite form, each way a tensor can be stored, the cases that must be left alone) and on every
// shipped model the rewrites touch, with real aligned face crops and random tensors, in onnxruntime.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import sharp from "sharp";
import { encodeNode, intAttribute, lengthDelimited, rewriteForCpu } from "../workers/onnx-graph";
import { CROPS } from "./helpers";

const ALIGNED = join(CROPS, "../aligned_112");
const enc = new TextEncoder();

/** Varint of an int64 (negatives as ten-byte two's complement, as protobuf writes int32 fields). */
function varint(n: number): number[] {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  for (; v >= 0x80n; v >>= 7n) out.push(Number(v & 0x7fn) | 0x80);
  return [...out, Number(v)];
}
const cat = (...parts: (Uint8Array | number[])[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
const msg = lengthDelimited;
const str = (no: number, s: string) => msg(no, enc.encode(s));
const int = (no: number, v: number) => cat(varint(no * 8), varint(v));
const ints = (no: number, vs: number[]) => msg(no, Uint8Array.from(vs.flatMap(varint)));
const intsAttr = (name: string, vs: number[]) => cat(str(1, name), ...vs.map((v) => int(8, v)), int(20, 7));

const FLOAT = 1, UINT8 = 2, INT8 = 3;

/** ValueInfoProto: a float tensor of this shape. */
const valueInfo = (name: string, dims: number[], type = FLOAT) =>
  cat(str(1, name), msg(2, msg(1, cat(int(1, type), msg(2, cat(...dims.map((d) => msg(1, int(1, d)))))))));

type Storage = "raw" | "typed";
function tensor(name: string, type: number, dims: number[], values: number[], storage: Storage = "raw") {
  const data =
    storage === "typed"
      ? type === FLOAT
        ? msg(4, new Uint8Array(new Float32Array(values).buffer))
        : ints(5, values)
      : msg(9, type === FLOAT ? new Uint8Array(new Float32Array(values).buffer) : type === INT8 ? new Uint8Array(new Int8Array(values).buffer) : Uint8Array.from(values));
  return cat(...dims.map((d) => int(1, d)), int(2, type), str(8, name), data);
}

function model(nodes: Uint8Array[], initializers: Uint8Array[], inputs: Uint8Array[], outputs: Uint8Array[]) {
  const graph = cat(...nodes.map((n) => msg(1, n)), str(2, "g"), ...initializers.map((t) => msg(5, t)), ...inputs.map((v) => msg(11, v)), ...outputs.map((v) => msg(12, v)));
  return cat(int(1, 8), msg(8, cat(str(1, ""), int(2, 17))), msg(7, graph));
}

/** y = PRelu(x, slope) for x of shape [1, C, 2, 2]; slope [C, 1, 1]. */
function preluModel(slope: number[], storage: Storage = "raw", extraNodes: Uint8Array[] = []) {
  const C = slope.length;
  return model(
    [...extraNodes, encodeNode("PRelu", ["x", "slope"], ["y"], "act")],
    [tensor("slope", FLOAT, [C, 1, 1], slope, storage)],
    [valueInfo("x", [1, C, 2, 2])],
    [valueInfo("y", [1, C, 2, 2])],
  );
}

type ConvSpec = { C: number; group: number; weightType?: number; weights: number[]; zero?: number[]; zeroFed?: boolean; storage?: Storage; xZero?: boolean; twoConsumers?: boolean };
/** y = Cast(ConvInteger(DynamicQuantizeLinear(x), w)) with a 3x3 kernel, like a dynamically quantised model. */
function convModel(s: ConvSpec) {
  const { C, group, weightType = UINT8, storage = "raw", xZero = true } = s;
  const per = C / group;
  const conv = encodeNode("ConvInteger", ["xq", "w", ...(xZero ? ["xzp"] : []), ...(s.zero ? [...(xZero ? [] : [""]), "wzp"] : [])], ["acc"], "conv", [
    intAttribute("group", group),
    intsAttr("kernel_shape", [3, 3]),
    intsAttr("pads", [1, 1, 1, 1]),
  ]);
  return model(
    [
      encodeNode("DynamicQuantizeLinear", ["x"], ["xq", "xs", "xzp"], "quantise"),
      conv,
      encodeNode("Cast", ["acc"], ["y"], "cast", [intAttribute("to", FLOAT)]),
      ...(s.twoConsumers ? [encodeNode("Cast", ["acc"], ["y2"], "cast2", [intAttribute("to", FLOAT)])] : []),
    ],
    [
      tensor("w", weightType, [C, per, 3, 3], s.weights, storage),
      ...(s.zero && !s.zeroFed ? [tensor("wzp", weightType, [], s.zero, storage)] : []),
    ],
    [valueInfo("x", [1, C, 5, 5]), ...(s.zeroFed ? [valueInfo("wzp", [], weightType)] : [])],
    [valueInfo("y", [1, C, 5, 5]), ...(s.twoConsumers ? [valueInfo("y2", [1, C, 5, 5])] : [])],
  );
}

const options: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, graphOptimizationLevel: "all", logSeverityLevel: 3 };

/** Every output of one run, by name. */
async function results(s: ort.InferenceSession, feeds: Record<string, ort.Tensor>) {
  const out = await s.run(feeds);
  return Object.fromEntries(s.outputNames.map((n) => [n, Array.from(out[n]!.data as Float32Array)]));
}
const outputs = async (bytes: Uint8Array, feeds: Record<string, ort.Tensor>) => results(await ort.InferenceSession.create(bytes, options), feeds);

/** Values that test every branch: signs, zero, tiny, huge. */
function input(C: number, HW = 4) {
  const v = [-3.5, -1e-30, 0, 2.25, -0.75, 1e30, -1e30, 7, 0.5, -2, 1, -0.125];
  const side = Math.sqrt(HW);
  return new ort.Tensor("float32", Float32Array.from({ length: C * HW }, (_, i) => v[i % v.length]! * (1 + i / 7)), [1, C, side, side]);
}
/** Activations for the quantised models: a smooth range, so quantisation keeps most of it. */
const activations = (C: number) => new ort.Tensor("float32", Float32Array.from({ length: C * 25 }, (_, i) => Math.sin(i * 0.7) * 3 + (i % 5) * 0.4), [1, C, 5, 5]);

/** Same bits, with -0 and +0 told apart (Object.is). */
function expectIdentical(a: Record<string, number[]>, b: Record<string, number[]>) {
  expect(Object.keys(b)).toEqual(Object.keys(a));
  for (const k of Object.keys(a)) {
    const differing = a[k]!.filter((v, i) => !Object.is(v, b[k]![i]));
    expect(differing).toEqual([]);
  }
}

async function expectSameOutputs(bytes: Uint8Array, rewritten: Uint8Array, feeds: () => Record<string, ort.Tensor>) {
  const before = await outputs(bytes, feeds());
  expectIdentical(before, await outputs(rewritten, feeds()));
  return before;
}

describe("PRelu rewrite on hand-built models", () => {
  test("slopes ≤ 1, negative ones included: Max form, identical outputs", async () => {
    const m = preluModel([0.25, -0.5, 1]);
    const rw = rewriteForCpu(m);
    expect(rw).toMatchObject({ prelu: 1, groupedConvInteger: 0 });
    expect(rw.bytes).not.toEqual(m);
    await expectSameOutputs(m, rw.bytes, () => ({ x: input(3) }));
  });

  test("a slope above 1 (float_data storage) takes the general form, identical outputs", async () => {
    const m = preluModel([0.25, 3, -2], "typed");
    const rw = rewriteForCpu(m);
    expect(rw.prelu).toBe(1);
    await expectSameOutputs(m, rw.bytes, () => ({ x: input(3) }));
  });

  test("new value names never collide with names already in the graph", async () => {
    const m = preluModel([0.5, 0.5], "raw", [encodeNode("Identity", ["x"], ["act/slope_x"], "act/slope_x")]);
    const rw = rewriteForCpu(m);
    expect(rw.prelu).toBe(1);
    await expectSameOutputs(m, rw.bytes, () => ({ x: input(2) }));
  });
});

describe("grouped ConvInteger rewrite on hand-built models", () => {
  const depthwise = (C: number, f: (i: number) => number) => Array.from({ length: C * 9 }, (_, i) => f(i));

  test("depthwise, uint8 weights in raw_data, scalar zero point in int32_data: identical outputs", async () => {
    const m = convModel({ C: 4, group: 4, weights: depthwise(4, (i) => (i * 37) % 256), zero: [131], storage: "raw" });
    const rw = rewriteForCpu(m);
    expect(rw).toMatchObject({ prelu: 0, groupedConvInteger: 1 });
    const y = await expectSameOutputs(m, rw.bytes, () => ({ x: activations(4) }));
    expect(y.y!.some((v) => v !== 0)).toBe(true);
  });

  test("grouped, int8 weights with negatives in int32_data, negative zero point", async () => {
    const m = convModel({ C: 4, group: 2, weightType: INT8, weights: Array.from({ length: 4 * 2 * 9 }, (_, i) => ((i * 53) % 256) - 128), zero: [-3], storage: "typed" });
    const rw = rewriteForCpu(m);
    expect(rw.groupedConvInteger).toBe(1);
    await expectSameOutputs(m, rw.bytes, () => ({ x: activations(4) }));
  });

  test("without zero points (both default to 0)", async () => {
    const m = convModel({ C: 3, group: 3, weights: depthwise(3, (i) => (i * 11) % 200), xZero: false });
    const rw = rewriteForCpu(m);
    expect(rw.groupedConvInteger).toBe(1);
    await expectSameOutputs(m, rw.bytes, () => ({ x: activations(3) }));
  });

  test("left alone: an ungrouped ConvInteger, a result read twice, a weight zero point fed at run time, and weights that could overflow float's exact integers", async () => {
    const cases: ConvSpec[] = [
      { C: 2, group: 1, weights: Array.from({ length: 2 * 2 * 9 }, (_, i) => i), zero: [7] },
      { C: 2, group: 2, weights: depthwise(2, (i) => i), zero: [7], twoConsumers: true },
      { C: 2, group: 2, weights: depthwise(2, (i) => i), zero: [7], zeroFed: true },
      // 32 channels per group × 9 taps × 255 × 255 ≥ 2^24
      { C: 64, group: 2, weights: Array.from({ length: 64 * 32 * 9 }, (_, i) => (i % 2 ? 255 : 0)), zero: [0] },
    ];
    for (const c of cases) {
      const m = convModel(c);
      const rw = rewriteForCpu(m);
      expect(rw).toEqual({ bytes: m, prelu: 0, groupedConvInteger: 0 });
      await outputs(m, { x: activations(c.C), ...(c.zeroFed ? { wzp: new ort.Tensor("uint8", Uint8Array.from(c.zero!), []) } : {}) });
    }
  });
});

describe("rewriteForCpu on bytes it cannot use", () => {
  test("a model with nothing to rewrite comes back as the same bytes", () => {
    const bytes = readFileSync(join(process.env.MODELS_DIR!, "detection/face_detection_yunet_2023mar.onnx"));
    const m = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const rw = rewriteForCpu(m);
    expect(rw).toMatchObject({ prelu: 0, groupedConvInteger: 0 });
    expect(rw.bytes).toBe(m);
  });

  test("bytes that are not a protobuf are refused with a reason, not misread", () => {
    const m = preluModel([0.5]);
    expect(() => rewriteForCpu(m.subarray(0, m.length - 5))).toThrow(/truncated/);
    expect(() => rewriteForCpu(Uint8Array.from([0x0f, 1, 2, 3]))).toThrow(/wire type/);
    expect(() => rewriteForCpu(new Uint8Array(12).fill(0xff))).toThrow(/varint/);
  });
});

describe("rewriteForCpu on the shipped models", () => {
  const modelsDir = process.env.MODELS_DIR!;
  const manifest = JSON.parse(readFileSync(join(import.meta.dir, "../models/manifest.json"), "utf8")) as {
    models: { id: string; file: string; input: { width: number; height: number; channels: "RGB" | "BGR"; mean: number[]; std: number[] } }[];
  };
  const cases: [string, number, number][] = [
    ["w600k_mbf_int8", 34, 16],
    ["mobilefacenet128_paddle", 33, 0],
    ["minifasnet_v2", 33, 0],
    ["minifasnet_v1se", 33, 0],
  ];

  for (const [id, prelu, grouped] of cases) {
    test(`${id}: ${prelu} PRelu and ${grouped} grouped ConvInteger rewritten, bit-identical on real faces and random tensors`, async () => {
      const m = manifest.models.find((x) => x.id === id)!;
      const bytes = new Uint8Array(readFileSync(join(modelsDir, m.file)));
      const rw = rewriteForCpu(bytes);
      expect(rw).toMatchObject({ prelu, groupedConvInteger: grouped });
      const a = await ort.InferenceSession.create(bytes, options);
      const b = await ort.InferenceSession.create(rw.bytes, options);
      const { width: W, height: H, channels, mean, std } = m.input;
      const tensors: ort.Tensor[] = [];
      for (const file of readdirSync(ALIGNED).sort().slice(0, 4)) {
        const rgb = await sharp(join(ALIGNED, file)).resize(W, H, { fit: "fill" }).removeAlpha().raw().toBuffer();
        const order = channels === "RGB" ? [0, 1, 2] : [2, 1, 0];
        const t = new Float32Array(3 * W * H);
        for (let i = 0; i < W * H; i++) for (let c = 0; c < 3; c++) t[c * W * H + i] = (rgb[i * 3 + order[c]!]! - mean[c]!) / std[c]!;
        tensors.push(new ort.Tensor("float32", t, [1, 3, H, W]));
      }
      for (let k = 0; k < 4; k++) tensors.push(new ort.Tensor("float32", Float32Array.from({ length: 3 * W * H }, () => (Math.random() - 0.5) * 4), [1, 3, H, W]));
      for (const t of tensors) expectIdentical(await results(a, { [a.inputNames[0]!]: t }), await results(b, { [b.inputNames[0]!]: t }));
    });
  }
});
