// GGML tensor types and dequantization to float32, one function per block format, transcribed from ggml's
// ggml-quants.c (dequantize_row_q4_0 ... dequantize_row_q6_K) with float32 rounding after every operation
// (Math.fround), so results are bit-identical to ggml's scalar path. Block layouts follow ggml-common.h.
import { MedtuneError } from "../core/index.ts";
import { decodeBf16, decodeF16, f16LookupTable } from "./half.ts";

/** GGML type ids (ggml.h `enum ggml_type`), as stored in GGUF tensor infos. */
export const GGML_TYPE = {
  F32: 0, F16: 1, Q4_0: 2, Q4_1: 3, Q5_0: 6, Q5_1: 7, Q8_0: 8, Q8_1: 9, Q2_K: 10, Q3_K: 11, Q4_K: 12, Q5_K: 13,
  Q6_K: 14, Q8_K: 15, IQ2_XXS: 16, IQ2_XS: 17, IQ3_XXS: 18, IQ1_S: 19, IQ4_NL: 20, IQ3_S: 21, IQ2_S: 22,
  IQ4_XS: 23, I8: 24, I16: 25, I32: 26, I64: 27, F64: 28, IQ1_M: 29, BF16: 30, TQ1_0: 34, TQ2_0: 35, MXFP4: 39,
} as const;

/** A GGML type name (`"Q4_K"`). */
export type GgmlTypeName = keyof typeof GGML_TYPE;

const NAME_OF: Record<number, string> = Object.fromEntries(Object.entries(GGML_TYPE).map(([k, v]) => [v, k]));

/** Elements per block and bytes per block of each type this module can dequantize. */
export const GGML_BLOCK: Partial<Record<GgmlTypeName, { blockSize: number; typeSize: number }>> = {
  F32: { blockSize: 1, typeSize: 4 },
  F16: { blockSize: 1, typeSize: 2 },
  BF16: { blockSize: 1, typeSize: 2 },
  F64: { blockSize: 1, typeSize: 8 },
  Q4_0: { blockSize: 32, typeSize: 18 },
  Q4_1: { blockSize: 32, typeSize: 20 },
  Q5_0: { blockSize: 32, typeSize: 22 },
  Q5_1: { blockSize: 32, typeSize: 24 },
  Q8_0: { blockSize: 32, typeSize: 34 },
  Q2_K: { blockSize: 256, typeSize: 84 },
  Q3_K: { blockSize: 256, typeSize: 110 },
  Q4_K: { blockSize: 256, typeSize: 144 },
  Q5_K: { blockSize: 256, typeSize: 176 },
  Q6_K: { blockSize: 256, typeSize: 210 },
};

/** The name of a GGML type id (`"Q4_K"`), or `type <id>` when unknown. */
export function ggmlTypeName(type: number): string {
  return NAME_OF[type] ?? `type ${type}`;
}

/** Block geometry of a type id, or undefined when this module cannot dequantize it. */
export function ggmlBlock(type: number): { name: GgmlTypeName; blockSize: number; typeSize: number } | undefined {
  const name = NAME_OF[type] as GgmlTypeName | undefined;
  const b = name ? GGML_BLOCK[name] : undefined;
  return b && name ? { name, ...b } : undefined;
}

/** Byte size of `n` elements of `type` (n must be a multiple of the block size). */
export function ggmlBytes(type: number, n: number): number {
  const b = ggmlBlock(type);
  if (!b) throw new MedtuneError("gguf.unsupported-type", `GGML type ${ggmlTypeName(type)} is not supported`);
  return (n / b.blockSize) * b.typeSize;
}

const fr = Math.fround;

function half(src: Uint8Array, at: number, t: Float32Array): number {
  return t[src[at] | (src[at + 1] << 8)];
}

function scaleMinK4(j: number, q: Uint8Array, at: number): [number, number] {
  if (j < 4) return [q[at + j] & 63, q[at + j + 4] & 63];
  return [(q[at + j + 4] & 0xf) | ((q[at + j - 4] >> 6) << 4), (q[at + j + 4] >> 4) | ((q[at + j] >> 6) << 4)];
}

function deqQ4_0(out: Float32Array, o: number, s: Uint8Array, b: number, t: Float32Array): void {
  const d = half(s, b, t);
  for (let j = 0; j < 16; j++) {
    const q = s[b + 2 + j];
    out[o + j] = fr(((q & 0x0f) - 8) * d);
    out[o + j + 16] = fr(((q >> 4) - 8) * d);
  }
}

function deqQ4_1(out: Float32Array, o: number, s: Uint8Array, b: number, t: Float32Array): void {
  const d = half(s, b, t);
  const m = half(s, b + 2, t);
  for (let j = 0; j < 16; j++) {
    const q = s[b + 4 + j];
    out[o + j] = fr(fr((q & 0x0f) * d) + m);
    out[o + j + 16] = fr(fr((q >> 4) * d) + m);
  }
}

function deqQ5_0(out: Float32Array, o: number, s: Uint8Array, b: number, t: Float32Array): void {
  const d = half(s, b, t);
  const qh = (s[b + 2] | (s[b + 3] << 8) | (s[b + 4] << 16) | (s[b + 5] << 24)) >>> 0;
  for (let j = 0; j < 16; j++) {
    const q = s[b + 6 + j];
    const xh0 = ((qh >>> j) << 4) & 0x10;
    const xh1 = (qh >>> (j + 12)) & 0x10;
    out[o + j] = fr((((q & 0x0f) | xh0) - 16) * d);
    out[o + j + 16] = fr((((q >> 4) | xh1) - 16) * d);
  }
}

function deqQ5_1(out: Float32Array, o: number, s: Uint8Array, b: number, t: Float32Array): void {
  const d = half(s, b, t);
  const m = half(s, b + 2, t);
  const qh = (s[b + 4] | (s[b + 5] << 8) | (s[b + 6] << 16) | (s[b + 7] << 24)) >>> 0;
  for (let j = 0; j < 16; j++) {
    const q = s[b + 8 + j];
    const xh0 = ((qh >>> j) << 4) & 0x10;
    const xh1 = (qh >>> (j + 12)) & 0x10;
    out[o + j] = fr(fr(((q & 0x0f) | xh0) * d) + m);
    out[o + j + 16] = fr(fr(((q >> 4) | xh1) * d) + m);
  }
}

function deqQ8_0(out: Float32Array, o: number, s: Uint8Array, b: number, t: Float32Array): void {
  const d = half(s, b, t);
  for (let j = 0; j < 32; j++) out[o + j] = fr(((s[b + 2 + j] << 24) >> 24) * d);
}

// block_q2_K: scales[16], qs[64], d, dmin.
function deqQ2_K(out: Float32Array, o: number, s: Uint8Array, b: number, t: Float32Array): void {
  const d = half(s, b + 80, t);
  const min = half(s, b + 82, t);
  let q = b + 16;
  let is = 0;
  let y = o;
  for (let n = 0; n < 256; n += 128) {
    let shift = 0;
    for (let j = 0; j < 4; j++) {
      for (const off of [0, 16]) {
        const sc = s[b + is++];
        const dl = fr(d * (sc & 0xf));
        const ml = fr(min * (sc >> 4));
        for (let l = 0; l < 16; l++) out[y++] = fr(fr(dl * ((s[q + l + off] >> shift) & 3)) - ml);
      }
      shift += 2;
    }
    q += 32;
  }
}

// block_q3_K: hmask[32], qs[64], scales[12], d.
function deqQ3_K(out: Float32Array, o: number, s: Uint8Array, b: number, t: Float32Array): void {
  const dAll = half(s, b + 108, t);
  const sb = b + 96;
  const scales = new Int8Array(16);
  for (let j = 0; j < 16; j++) {
    const lo = j < 8 ? s[sb + j] & 0xf : s[sb + j - 8] >> 4;
    const hi = (s[sb + 8 + (j % 4)] >> (2 * Math.floor(j / 4))) & 3;
    scales[j] = (lo | (hi << 4)) - 32;
  }
  let q = b + 32;
  const hm = b;
  let m = 1;
  let is = 0;
  let y = o;
  for (let n = 0; n < 256; n += 128) {
    let shift = 0;
    for (let j = 0; j < 4; j++) {
      for (const off of [0, 16]) {
        const dl = fr(dAll * scales[is++]);
        for (let l = 0; l < 16; l++) {
          const v = ((s[q + l + off] >> shift) & 3) - (s[hm + l + off] & m ? 0 : 4);
          out[y++] = fr(dl * v);
        }
      }
      shift += 2;
      m <<= 1;
    }
    q += 32;
  }
}

// block_q4_K: d, dmin, scales[12], qs[128].
function deqQ4_K(out: Float32Array, o: number, s: Uint8Array, b: number, t: Float32Array): void {
  const d = half(s, b, t);
  const min = half(s, b + 2, t);
  let q = b + 16;
  let is = 0;
  let y = o;
  for (let j = 0; j < 256; j += 64) {
    const [sc1, m1] = scaleMinK4(is, s, b + 4);
    const [sc2, m2] = scaleMinK4(is + 1, s, b + 4);
    const d1 = fr(d * sc1), mm1 = fr(min * m1), d2 = fr(d * sc2), mm2 = fr(min * m2);
    for (let l = 0; l < 32; l++) out[y++] = fr(fr(d1 * (s[q + l] & 0xf)) - mm1);
    for (let l = 0; l < 32; l++) out[y++] = fr(fr(d2 * (s[q + l] >> 4)) - mm2);
    q += 32;
    is += 2;
  }
}

// block_q5_K: d, dmin, scales[12], qh[32], qs[128].
function deqQ5_K(out: Float32Array, o: number, s: Uint8Array, b: number, t: Float32Array): void {
  const d = half(s, b, t);
  const min = half(s, b + 2, t);
  const qh = b + 16;
  let ql = b + 48;
  let is = 0;
  let u1 = 1, u2 = 2;
  let y = o;
  for (let j = 0; j < 256; j += 64) {
    const [sc1, m1] = scaleMinK4(is, s, b + 4);
    const [sc2, m2] = scaleMinK4(is + 1, s, b + 4);
    const d1 = fr(d * sc1), mm1 = fr(min * m1), d2 = fr(d * sc2), mm2 = fr(min * m2);
    for (let l = 0; l < 32; l++) out[y++] = fr(fr(d1 * ((s[ql + l] & 0xf) + (s[qh + l] & u1 ? 16 : 0))) - mm1);
    for (let l = 0; l < 32; l++) out[y++] = fr(fr(d2 * ((s[ql + l] >> 4) + (s[qh + l] & u2 ? 16 : 0))) - mm2);
    ql += 32;
    is += 2;
    u1 <<= 2;
    u2 <<= 2;
  }
}

// block_q6_K: ql[128], qh[64], scales[16] (int8), d.
function deqQ6_K(out: Float32Array, o: number, s: Uint8Array, b: number, t: Float32Array): void {
  const d = half(s, b + 208, t);
  let ql = b;
  let qh = b + 128;
  let sc = b + 192;
  let y = o;
  for (let n = 0; n < 256; n += 128) {
    for (let l = 0; l < 32; l++) {
      const is = l >> 4;
      const q1 = ((s[ql + l] & 0xf) | (((s[qh + l] >> 0) & 3) << 4)) - 32;
      const q2 = ((s[ql + l + 32] & 0xf) | (((s[qh + l] >> 2) & 3) << 4)) - 32;
      const q3 = ((s[ql + l] >> 4) | (((s[qh + l] >> 4) & 3) << 4)) - 32;
      const q4 = ((s[ql + l + 32] >> 4) | (((s[qh + l] >> 6) & 3) << 4)) - 32;
      const sv = (k: number): number => (s[sc + k] << 24) >> 24;
      out[y + l] = fr(fr(d * sv(is)) * q1);
      out[y + l + 32] = fr(fr(d * sv(is + 2)) * q2);
      out[y + l + 64] = fr(fr(d * sv(is + 4)) * q3);
      out[y + l + 96] = fr(fr(d * sv(is + 6)) * q4);
    }
    y += 128;
    ql += 64;
    qh += 32;
    sc += 8;
  }
}

type BlockFn = (out: Float32Array, o: number, s: Uint8Array, b: number, t: Float32Array) => void;
const BLOCK_FNS: Partial<Record<GgmlTypeName, BlockFn>> = {
  Q4_0: deqQ4_0, Q4_1: deqQ4_1, Q5_0: deqQ5_0, Q5_1: deqQ5_1, Q8_0: deqQ8_0,
  Q2_K: deqQ2_K, Q3_K: deqQ3_K, Q4_K: deqQ4_K, Q5_K: deqQ5_K, Q6_K: deqQ6_K,
};

/** Dequantizes `n` elements of `type` from `src` (starting at byte `at`) into `out` at `outAt`. */
export function dequantizeInto(out: Float32Array, outAt: number, type: number, src: Uint8Array, at: number, n: number): void {
  const b = ggmlBlock(type);
  if (!b) throw new MedtuneError("gguf.unsupported-type", `cannot dequantize GGML type ${ggmlTypeName(type)}`, { hint: `supported: ${Object.keys(GGML_BLOCK).join(", ")}` });
  if (n % b.blockSize !== 0) throw new MedtuneError("gguf.bad-tensor", `${n} elements is not a multiple of the ${b.name} block size ${b.blockSize}`);
  switch (b.name) {
    case "F32": {
      const dv = new DataView(src.buffer, src.byteOffset + at, n * 4);
      for (let i = 0; i < n; i++) out[outAt + i] = dv.getFloat32(4 * i, true);
      return;
    }
    case "F64": {
      const dv = new DataView(src.buffer, src.byteOffset + at, n * 8);
      for (let i = 0; i < n; i++) out[outAt + i] = dv.getFloat64(8 * i, true);
      return;
    }
    case "F16": return decodeF16(out, outAt, src, at, n);
    case "BF16": return decodeBf16(out, outAt, src, at, n);
    default: {
      const fn = BLOCK_FNS[b.name]!;
      const t = f16LookupTable();
      const nb = n / b.blockSize;
      for (let i = 0; i < nb; i++) fn(out, outAt + i * b.blockSize, src, at + i * b.typeSize, t);
    }
  }
}

/** Dequantizes a whole buffer of `n` elements of `type` to a new Float32Array. */
export function dequantize(type: number, src: Uint8Array, n: number): Float32Array {
  const out = new Float32Array(n);
  dequantizeInto(out, 0, type, src, 0, n);
  return out;
}
