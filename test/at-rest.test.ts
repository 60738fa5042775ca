// The at-rest sealing of biometric data (src/lib/at-rest.ts): format, keys, both forms readable.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { AtRest, MAGIC, UnsealError, isSealed } from "../src/lib/at-rest";
import { CROPS } from "./helpers";

const SECRET = "one secret ".padEnd(40, "x");
const vector = () => Float32Array.from({ length: 512 }, (_, i) => Math.sin(i) / 16);

describe("at-rest sealing", async () => {
  test("the magic is a NaN as a little-endian Float32 and no JPEG, PNG or WebP signature", async () => {
    expect(Number.isNaN(new DataView(MAGIC.buffer).getFloat32(0, true))).toBe(true);
    for (const sig of [[0xff, 0xd8], [0x89, 0x50, 0x4e, 0x47], [0x52, 0x49, 0x46, 0x46]]) expect(sig.every((b, i) => MAGIC[i] === b)).toBe(false);
  });

  test("seal then open gives the bytes back; each seal has its own nonce; the format is magic, version, nonce, ciphertext, tag", async () => {
    const k = await AtRest.fromSecret(SECRET);
    const plain = new TextEncoder().encode("a face");
    const a = k.seal(plain);
    const b = k.seal(plain);
    expect(a.length).toBe(4 + 1 + 12 + plain.length + 16);
    expect([...a.subarray(0, 5)]).toEqual([...MAGIC, 1]);
    expect(isSealed(a)).toBe(true);
    expect(a).not.toEqual(b);
    expect(k.open(a)).toEqual(plain);
    expect(k.open(b)).toEqual(plain);
    expect(k.open(k.seal(new Uint8Array(0)))).toEqual(new Uint8Array(0));
  });

  test("the same secret derives the same key; another secret or another purpose cannot open", async () => {
    const sealed = (await AtRest.fromSecret(SECRET)).seal(Uint8Array.of(1, 2, 3));
    expect((await AtRest.fromSecret(SECRET)).open(sealed)).toEqual(Uint8Array.of(1, 2, 3));
    const other = await AtRest.fromSecret("another secret".padEnd(40, "y"));
    const otherPurpose = await AtRest.fromSecret(SECRET, "another purpose");
    expect(() => other.open(sealed)).toThrow(UnsealError);
    expect(() => otherPurpose.open(sealed)).toThrow(UnsealError);
    expect(AtRest.fromSecret("")).rejects.toThrow("non-empty secret");
  });

  test("a flipped bit anywhere (header, nonce, ciphertext, tag) is refused", async () => {
    const k = await AtRest.fromSecret(SECRET);
    const sealed = k.seal(new TextEncoder().encode("twelve bytes"));
    for (let i = 0; i < sealed.length; i++) {
      const bad = sealed.slice();
      bad[i]! ^= 0x01;
      expect(() => k.open(bad)).toThrow(UnsealError);
    }
    const newer = sealed.slice();
    newer[4] = 2;
    expect(() => k.open(newer)).toThrow("format version 2");
    expect(() => k.open(sealed.subarray(0, 20))).toThrow("not in the sealed format");
  });

  test("an embedding sealed has no Float32 vector in its bytes; a plain one (written before encryption) is still read", async () => {
    const k = await AtRest.fromSecret(SECRET);
    const v = vector();
    const plain = new Uint8Array(v.buffer.slice(0));
    const sealed = k.sealEmbedding(v);
    expect(isSealed(plain)).toBe(false);
    expect(isSealed(sealed)).toBe(true);
    expect(Number.isNaN(new DataView(sealed.buffer).getFloat32(0, true))).toBe(true);
    // No 8-byte run of the vector's bytes appears in the sealed bytes.
    const hex = Buffer.from(sealed).toString("hex");
    for (let i = 0; i + 8 <= plain.length; i += 8) expect(hex.includes(Buffer.from(plain.subarray(i, i + 8)).toString("hex"))).toBe(false);
    expect(k.readEmbedding(sealed)).toEqual(v);
    expect(k.readEmbedding(plain)).toEqual(v);
    expect(() => k.readEmbedding(Uint8Array.of(1, 2, 3))).toThrow("not a Float32 vector");
    const other = await AtRest.fromSecret("x");
    expect(() => other.readEmbedding(sealed)).toThrow(UnsealError);
  });

  test("a sealed JPEG crop loses its signature; read() takes sealed and plain crops alike", async () => {
    const k = await AtRest.fromSecret(SECRET);
    const jpeg = await Bun.file(join(CROPS, "Melissa_Benoist_12866_crop.jpg")).bytes();
    const sealed = k.seal(jpeg);
    expect([sealed[0], sealed[1]]).not.toEqual([0xff, 0xd8]);
    expect(Buffer.from(sealed).includes(Buffer.from("JFIF"))).toBe(false);
    expect(k.read(sealed)).toEqual(jpeg);
    expect(k.read(jpeg)).toBe(jpeg);
  });

  test("the key check matches its own key only", async () => {
    const check = (await AtRest.fromSecret(SECRET)).keyCheck();
    expect((await AtRest.fromSecret(SECRET)).matches(check)).toBe(true);
    expect((await AtRest.fromSecret("other")).matches(check)).toBe(false);
    expect((await AtRest.fromSecret(SECRET)).matches("not base64 of anything")).toBe(false);
  });
});
