// Biometric data at rest: face embeddings in the database and face crops (and the other photos of the
// media store) on disk or in the bucket are sealed with AES-256-GCM under a key derived by HKDF-SHA256
// from the server secret (CLOCKFACE_SECRET or DATA_DIR/secret).
//
// Sealed format: MAGIC (4 bytes) · version (1) · nonce (12) · ciphertext · GCM tag (16); the first five
// bytes are authenticated as associated data. MAGIC read as a little-endian Float32 is a NaN, which no
// valid embedding contains, and no JPEG (FF D8), PNG (89 50) or WebP ("RIFF") starts with it: data
// written before encryption is told apart from sealed data by its first bytes.
import { createCipheriv, createDecipheriv } from "node:crypto";

export const MAGIC = Uint8Array.of(0x43, 0x46, 0xc1, 0x7f);
const VERSION = 1;
const HEADER = MAGIC.length + 1;
const NONCE = 12;
const TAG = 16;
/** The HKDF salt: fixed, so the same secret always gives the same key. */
const SALT = "clockface at-rest";
/** The HKDF purpose label of the key for biometric data. */
export const PURPOSE = "clockface biometric data v1";
const KEY_CHECK = new TextEncoder().encode("clockface at-rest key check");

/** Sealed data that cannot be opened: another key, damaged bytes, or a format from a newer version. */
export class UnsealError extends Error {}

/** Whether bytes are in the sealed format (by their first bytes; opening them also checks the tag). */
export function isSealed(b: Uint8Array): boolean {
  return b.length >= HEADER + NONCE + TAG && MAGIC.every((m, i) => b[i] === m);
}

export class AtRest {
  private constructor(private readonly key: Uint8Array) {}

  /** The key for `purpose` derived from the server secret (HKDF-SHA256, 256 bits). */
  static async fromSecret(secret: string, purpose = PURPOSE): Promise<AtRest> {
    if (!secret) throw new Error("The at-rest key needs a non-empty secret");
    const enc = new TextEncoder();
    const ikm = await crypto.subtle.importKey("raw", enc.encode(secret), "HKDF", false, ["deriveBits"]);
    const bits = await crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt: enc.encode(SALT), info: enc.encode(purpose) }, ikm, 256);
    return new AtRest(new Uint8Array(bits));
  }

  seal(plain: Uint8Array): Uint8Array<ArrayBuffer> {
    const out = new Uint8Array(HEADER + NONCE + plain.length + TAG);
    out.set(MAGIC);
    out[MAGIC.length] = VERSION;
    const nonce = crypto.getRandomValues(new Uint8Array(NONCE));
    out.set(nonce, HEADER);
    const cipher = createCipheriv("aes-256-gcm", this.key, nonce);
    cipher.setAAD(out.subarray(0, HEADER));
    // GCM is a stream mode: update() gives as many bytes as it is given and final() none.
    out.set(cipher.update(plain), HEADER + NONCE);
    cipher.final();
    out.set(cipher.getAuthTag(), HEADER + NONCE + plain.length);
    return out;
  }

  /** The plaintext of sealed bytes; throws UnsealError when they are not sealed with this key. */
  open(sealed: Uint8Array): Uint8Array<ArrayBuffer> {
    if (!isSealed(sealed)) throw new UnsealError("not in the sealed format");
    if (sealed[MAGIC.length] !== VERSION) throw new UnsealError(`sealed with format version ${sealed[MAGIC.length]}, which this version cannot read`);
    const decipher = createDecipheriv("aes-256-gcm", this.key, sealed.subarray(HEADER, HEADER + NONCE));
    decipher.setAAD(sealed.subarray(0, HEADER));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
    const plain = new Uint8Array(sealed.length - HEADER - NONCE - TAG);
    plain.set(decipher.update(sealed.subarray(HEADER + NONCE, sealed.length - TAG)));
    try {
      decipher.final();
      return plain;
    } catch {
      throw new UnsealError("sealed with another key, or damaged");
    }
  }

  /** Sealed or not (data written before encryption): the plaintext. */
  read(b: Uint8Array): Uint8Array {
    return isSealed(b) ? this.open(b) : b;
  }

  /** An embedding as stored: its Float32 little-endian bytes, sealed. */
  sealEmbedding(v: Float32Array): Uint8Array {
    return this.seal(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  }

  /** A stored embedding, sealed or still plain Float32 little-endian bytes. */
  readEmbedding(b: Uint8Array): Float32Array {
    const plain = this.read(b);
    if (plain.byteLength % 4 !== 0) throw new UnsealError(`an embedding of ${plain.byteLength} bytes is not a Float32 vector`);
    return new Float32Array(plain.buffer.slice(plain.byteOffset, plain.byteOffset + plain.byteLength));
  }

  /** A value to store next to the data: `matches` tells later whether a key is the one it was made with. */
  keyCheck(): string {
    return Buffer.from(this.seal(KEY_CHECK)).toString("base64");
  }

  matches(keyCheck: string): boolean {
    try {
      return Buffer.from(this.open(new Uint8Array(Buffer.from(keyCheck, "base64")))).equals(KEY_CHECK);
    } catch (e) {
      if (e instanceof UnsealError) return false;
      throw e;
    }
  }
}
