// Load-time graph rewrites for onnxruntime's CPU provider, on the ONNX protobuf wire format. Each
// one computes bit-identical outputs with faster kernels; the file on disk (and its sha256) stays
// what the manifest says, and every byte the rewrites do not touch is copied through.
//
// 1. PRelu with a per-channel slope runs through onnxruntime's generic broadcasting loop: 40 % of
//    w600k_mbf's time and 65 % of MobileFaceNet's. Written with vectorised element-wise ops:
//      every slope ≤ 1:  PRelu(x, s) = Max(x, Mul(x, s))      (x > 0: x ≥ s·x;  x < 0: s·x ≥ x)
//      otherwise:        PRelu(x, s) = Add(r, Mul(Sub(x, r), s)) with r = Relu(x)
// 2. A grouped (depthwise) ConvInteger has no fast integer kernel; the float Conv has one. In a
//    dynamically quantised model each ConvInteger's int32 result goes straight into Cast-to-float.
//    The same numbers come out of Conv on the integers held as floats: Cast(x) − Cast(x_zero_point)
//    convolved with (w − w_zero_point), because every product and partial sum is an integer below
//    2^24 (checked per node from its weights), so float arithmetic is exact in any order.
//    Ungrouped ConvInteger stays: the integer GEMM is faster there.

type Field = { no: number; wire: number; start: number; end: number; value: number; body?: Uint8Array };

const utf8 = new TextDecoder();
const enc = new TextEncoder();
const FLOAT = 1, UINT8 = 2, INT8 = 3;

/** A varint's value; 10-byte (negative int64) varints come back as their low 32 bits, signed. */
function readVarint(buf: Uint8Array, pos: number): [number, number] {
  let result = 0, mul = 1, low = 0;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw new Error("truncated varint");
    const b = buf[pos++]!;
    result += (b & 0x7f) * mul;
    if (i < 5) low |= (b & 0x7f) << (7 * i);
    if (b < 0x80) return [i === 9 ? low : result, pos];
    mul *= 128;
  }
  throw new Error("varint too long");
}

/** The top-level fields of one protobuf message, each with its byte range (tag included). */
function fields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const start = pos;
    const [tag, p] = readVarint(buf, pos);
    pos = p;
    const no = Math.floor(tag / 8), wire = tag & 7;
    let value = 0, body: Uint8Array | undefined;
    if (wire === 0) [value, pos] = readVarint(buf, pos);
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const [len, q] = readVarint(buf, pos);
      if (q + len > buf.length) throw new Error("truncated field");
      body = buf.subarray(q, q + len);
      pos = q + len;
    } else throw new Error(`unsupported wire type ${wire}`);
    if (pos > buf.length) throw new Error("truncated field");
    out.push({ no, wire, start, end: pos, value, body });
  }
  return out;
}

/** A repeated numeric field's values, packed or not (varints, or 32-bit floats). */
function repeated(f: Field, msg: Uint8Array, float: boolean): number[] {
  const out: number[] = [];
  if (f.body) {
    if (float) {
      const dv = new DataView(f.body.buffer, f.body.byteOffset, f.body.byteLength);
      for (let i = 0; i + 4 <= f.body.byteLength; i += 4) out.push(dv.getFloat32(i, true));
    } else for (let p = 0; p < f.body.length; ) {
      const [v, q] = readVarint(f.body, p);
      out.push(v);
      p = q;
    }
  } else if (float && f.wire === 5) out.push(new DataView(msg.buffer, msg.byteOffset + f.end - 4, 4).getFloat32(0, true));
  else if (!float && f.wire === 0) out.push(f.value);
  return out;
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) out.set(p, o), (o += p.length);
  return out;
}

export function lengthDelimited(no: number, body: Uint8Array): Uint8Array {
  return concat([Uint8Array.from([...varint(no * 8 + 2), ...varint(body.length)]), body]);
}

const varintField = (no: number, v: number) => Uint8Array.from([...varint(no * 8), ...varint(v)]);
const stringField = (no: number, s: string) => lengthDelimited(no, enc.encode(s));

/** A NodeProto: inputs (1), outputs (2), name (3), op_type (4) and attributes (5, encoded AttributeProtos). */
export function encodeNode(opType: string, inputs: string[], outputs: string[], name: string, attributes: Uint8Array[] = []): Uint8Array {
  return concat([
    ...inputs.map((s) => stringField(1, s)),
    ...outputs.map((s) => stringField(2, s)),
    stringField(3, name),
    stringField(4, opType),
    ...attributes.map((a) => lengthDelimited(5, a)),
  ]);
}

/** An AttributeProto of type INT (2): name (1), i (3), type (20). */
export const intAttribute = (name: string, i: number) => concat([stringField(1, name), varintField(3, i), varintField(20, 2)]);

/** A TensorProto of floats: dims (1), data_type (2), name (8), raw_data (9, little-endian). */
function floatTensor(name: string, dims: number[], values: Float32Array): Uint8Array {
  const raw = new Uint8Array(values.length * 4);
  const dv = new DataView(raw.buffer);
  values.forEach((v, i) => dv.setFloat32(i * 4, v, true));
  return concat([...dims.map((d) => varintField(1, d)), varintField(2, FLOAT), stringField(8, name), lengthDelimited(9, raw)]);
}

type Node = { opType: string; domain: string; inputs: string[]; outputs: string[]; name: string; attributes: Uint8Array[]; ints: Map<string, number> };

function decodeNode(body: Uint8Array): Node {
  const n: Node = { opType: "", domain: "", inputs: [], outputs: [], name: "", attributes: [], ints: new Map() };
  for (const f of fields(body)) {
    const s = f.body ? utf8.decode(f.body) : "";
    if (f.no === 1) n.inputs.push(s);
    else if (f.no === 2) n.outputs.push(s);
    else if (f.no === 3) n.name = s;
    else if (f.no === 4) n.opType = s;
    else if (f.no === 7) n.domain = s;
    else if (f.no === 5 && f.body) {
      n.attributes.push(f.body);
      const a = fields(f.body);
      const name = a.find((x) => x.no === 1 && x.body);
      const i = a.find((x) => x.no === 3 && x.wire === 0);
      if (name && i) n.ints.set(utf8.decode(name.body!), i.value);
    }
  }
  return n;
}

/** An initializer as stored; `tensorValues` reads its numbers only for the few tensors a rewrite needs. */
type Tensor = { name: string; dims: number[]; type: number; raw: Uint8Array | null; data: Field[]; body: Uint8Array; external: boolean };

function decodeTensor(body: Uint8Array): Tensor {
  const t: Tensor = { name: "", dims: [], type: 0, raw: null, data: [], body, external: false };
  for (const f of fields(body)) {
    if (f.no === 8 && f.body) t.name = utf8.decode(f.body);
    else if (f.no === 1) t.dims.push(...repeated(f, body, false));
    else if (f.no === 2) t.type = f.value;
    else if (f.no === 9 && f.body) t.raw = f.body;
    else if (f.no === 14 && f.value === 1) t.external = true;
    else if (f.no === 4 || f.no === 5) t.data.push(f);
  }
  return t;
}

/** Float, uint8 or int8 values held in the file (float_data, int32_data or raw_data); otherwise null. */
function tensorValues(t: Tensor): Float32Array | null {
  if (t.external || (t.type !== FLOAT && t.type !== UINT8 && t.type !== INT8)) return null;
  const { raw } = t;
  let values: Float32Array;
  if (!raw) values = Float32Array.from(t.data.filter((f) => f.no === (t.type === FLOAT ? 4 : 5)).flatMap((f) => repeated(f, t.body, t.type === FLOAT)));
  else if (t.type === INT8) values = Float32Array.from(new Int8Array(raw.buffer, raw.byteOffset, raw.byteLength));
  else if (t.type === UINT8) values = Float32Array.from(raw);
  else {
    if (raw.byteLength % 4) return null;
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    values = Float32Array.from({ length: raw.byteLength / 4 }, (_, i) => dv.getFloat32(i * 4, true));
  }
  return values.length === t.dims.reduce((a, b) => a * b, 1) ? values : null;
}

export type GraphRewrite = { bytes: Uint8Array; prelu: number; groupedConvInteger: number };

/**
 * Applies both rewrites above. Returns the input bytes untouched when there is nothing to rewrite;
 * throws on bytes that are not a well-formed protobuf.
 */
export function rewriteForCpu(model: Uint8Array): GraphRewrite {
  const top = fields(model);
  const graphField = top.find((f) => f.no === 7 && f.body);
  if (!graphField) return { bytes: model, prelu: 0, groupedConvInteger: 0 };
  const graphBytes = graphField.body!;
  const graph = fields(graphBytes);
  const tensors = new Map<string, Tensor>();
  const names = new Set<string>();
  const nodes = new Map<Field, Node>();
  const consumers = new Map<string, number>();
  const consumer = new Map<string, Field>();
  for (const f of graph) {
    if (f.no === 5 && f.body) {
      const t = decodeTensor(f.body);
      tensors.set(t.name, t);
      names.add(t.name);
    } else if (f.no === 1 && f.body) {
      const n = decodeNode(f.body);
      nodes.set(f, n);
      for (const v of [...n.inputs, ...n.outputs, n.name]) names.add(v);
      for (const v of n.inputs) consumers.set(v, (consumers.get(v) ?? 0) + 1), consumer.set(v, f);
    } else if (f.no === 12 && f.body) {
      const name = fields(f.body).find((x) => x.no === 1 && x.body);
      if (name) consumers.set(utf8.decode(name.body!), Infinity);
    }
  }
  const fresh = (base: string) => {
    let name = base;
    for (let i = 1; names.has(name); i++) name = `${base}_${i}`;
    names.add(name);
    return name;
  };

  /** Graph entries already copied or replaced, in file order. */
  const emitted = new Set<Field>();

  /** The Cast-to-float that alone consumes this ConvInteger, when rewrite 2 applies to it; null otherwise. */
  function groupedConvInteger(n: Node): { cast: Field; weights: Float32Array; dims: number[] } | null {
    const [x, w, , wZero = ""] = n.inputs;
    const y = n.outputs[0];
    if (n.opType !== "ConvInteger" || n.domain !== "" || !x || !w || !y || (n.ints.get("group") ?? 1) < 2 || consumers.get(y) !== 1) return null;
    const cast = consumer.get(y)!;
    const c = nodes.get(cast);
    if (!c || emitted.has(cast) || c.opType !== "Cast" || c.domain !== "" || c.ints.get("to") !== FLOAT) return null;
    const wt = tensors.get(w);
    const zt = wZero ? tensors.get(wZero) : undefined;
    if (!wt || (wt.type !== UINT8 && wt.type !== INT8) || wt.dims.length !== 4) return null;
    // onnxruntime's ConvInteger takes one weight zero point per tensor, so that is all there is to
    // handle; one fed at run time (not an initializer) leaves the node alone.
    const values = tensorValues(wt);
    const zero = !wZero ? new Float32Array(1) : zt ? tensorValues(zt) : null;
    if (!values || zero?.length !== 1) return null;
    const per = values.length / wt.dims[0]!;
    const weights = new Float32Array(values.length);
    let largest = 0;
    for (let i = 0; i < weights.length; i++) {
      weights[i] = values[i]! - zero[0]!;
      largest = Math.max(largest, Math.abs(weights[i]!));
    }
    // |x − x_zero_point| ≤ 255 for 8-bit activations; per output value there are `per` products.
    if (per * 255 * largest >= 2 ** 24) return null;
    return { cast, weights, dims: wt.dims };
  }

  let prelu = 0, grouped = 0;
  const dropped = new Set<Field>();
  const parts: Uint8Array[] = [];
  const extraInitializers: Uint8Array[] = [];
  const node = (opType: string, inputs: string[], outputs: string[], name: string, attributes: Uint8Array[] = []) =>
    parts.push(lengthDelimited(1, encodeNode(opType, inputs, outputs, name, attributes)));
  for (const f of graph) {
    if (dropped.has(f)) continue;
    emitted.add(f);
    const n = nodes.get(f);
    const isPRelu = n?.opType === "PRelu" && n.domain === "" && n.attributes.length === 0 && n.inputs.length === 2;
    const slopeTensor = isPRelu ? tensors.get(n.inputs[1]!) : undefined;
    const slope = slopeTensor?.type === FLOAT ? tensorValues(slopeTensor) : null;
    const conv = n && !isPRelu ? groupedConvInteger(n) : null;
    if (n && slope) {
      const [x, s] = n.inputs as [string, string];
      const y = n.outputs[0]!;
      const base = n.name || y;
      if (slope.every((v) => v <= 1)) {
        const sx = fresh(`${base}/slope_x`);
        node("Mul", [x, s], [sx], sx);
        node("Max", [x, sx], [y], fresh(`${base}/max`));
      } else {
        const r = fresh(`${base}/relu`), neg = fresh(`${base}/negative`), sneg = fresh(`${base}/slope_negative`);
        node("Relu", [x], [r], r);
        node("Sub", [x, r], [neg], neg);
        node("Mul", [neg, s], [sneg], sneg);
        node("Add", [r, sneg], [y], fresh(`${base}/add`));
      }
      prelu++;
    } else if (n && conv) {
      const [x, , xZero] = n.inputs as [string, string, string | undefined];
      const base = n.name || n.outputs[0]!;
      const wf = fresh(`${base}/weights_float`);
      extraInitializers.push(lengthDelimited(5, floatTensor(wf, conv.dims, conv.weights)));
      const xf = fresh(`${base}/x_float`);
      node("Cast", [x], [xf], xf, [intAttribute("to", FLOAT)]);
      let centred = xf;
      if (xZero) {
        const zf = fresh(`${base}/x_zero_point_float`);
        centred = fresh(`${base}/x_centred`);
        node("Cast", [xZero], [zf], zf, [intAttribute("to", FLOAT)]);
        node("Sub", [xf, zf], [centred], centred);
      }
      node("Conv", [centred, wf], [nodes.get(conv.cast)!.outputs[0]!], fresh(`${base}/float`), n.attributes);
      dropped.add(conv.cast);
      grouped++;
    } else parts.push(graphBytes.subarray(f.start, f.end));
  }
  if (!prelu && !grouped) return { bytes: model, prelu: 0, groupedConvInteger: 0 };
  const newGraph = lengthDelimited(7, concat([...parts, ...extraInitializers]));
  return { bytes: concat([model.subarray(0, graphField.start), newGraph, model.subarray(graphField.end)]), prelu, groupedConvInteger: grouped };
}
