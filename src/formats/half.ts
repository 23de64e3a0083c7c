// Half-precision conversions used by safetensors and GGUF: IEEE binary16 (F16) and bfloat16 (BF16) to and from
// float32. Rounding is round-to-nearest-even, bit-exact with numpy/PyTorch and ggml's GGML_FP32_TO_FP16.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

let f16Table: Float32Array | null = null;

function halfBitsToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const man = h & 0x3ff;
  if (exp === 0) return sign * man * 2 ** -24;
  if (exp === 31) return man ? NaN : sign * Infinity;
  return sign * (1 + man / 1024) * 2 ** (exp - 15);
}

/** The 65536-entry F16 -> float32 lookup table (built once). */
export function f16LookupTable(): Float32Array {
  if (!f16Table) {
    f16Table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) f16Table[h] = halfBitsToFloat(h);
  }
  return f16Table;
}

/** Converts one F16 bit pattern to a number. */
export function f16ToF32(h: number): number {
  return f16LookupTable()[h & 0xffff];
}

/** Converts a number to F16 bits, rounding to nearest even (overflow -> inf, NaN kept). */
export function f32ToF16(x: number): number {
  f32[0] = x;
  const b = u32[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let man = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (man ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half (or zero): shift the implicit-1 mantissa right, rounding to nearest even.
    if (e < -10) return sign;
    man |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = man & ((1 << shift) - 1);
    let h = man >>> shift;
    if (rest > half || (rest === half && (h & 1))) h++;
    return sign | h;
  }
  let h = (e << 10) | (man >>> 13);
  const rest = man & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1))) h++; // carry may bump the exponent, which is correct
  return sign | h;
}

/** Rounds a number to the nearest F16 value (as a number). */
export function roundToF16(x: number): number {
  return f16ToF32(f32ToF16(x));
}

/** Converts one BF16 bit pattern to a number. */
export function bf16ToF32(h: number): number {
  u32[0] = (h & 0xffff) << 16;
  return f32[0];
}

/** Converts a number to BF16 bits, rounding to nearest even (NaN stays a quiet NaN). */
export function f32ToBf16(x: number): number {
  f32[0] = x;
  const b = u32[0];
  if ((b & 0x7fffffff) > 0x7f800000) return ((b >>> 16) | 0x40) & 0xffff;
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}

/** Decodes `n` little-endian F16 values from `src` (byte offset `at`) into `out` starting at `outAt`. */
export function decodeF16(out: Float32Array, outAt: number, src: Uint8Array, at: number, n: number): void {
  const t = f16LookupTable();
  for (let i = 0; i < n; i++) out[outAt + i] = t[src[at + 2 * i] | (src[at + 2 * i + 1] << 8)];
}

/** Decodes `n` little-endian BF16 values from `src` into `out`. */
export function decodeBf16(out: Float32Array, outAt: number, src: Uint8Array, at: number, n: number): void {
  const o32 = new Uint32Array(out.buffer, out.byteOffset + outAt * 4, n);
  for (let i = 0; i < n; i++) o32[i] = ((src[at + 2 * i] | (src[at + 2 * i + 1] << 8)) << 16) >>> 0;
}

/** Encodes float32 values as little-endian F16 bytes. */
export function encodeF16(x: Float32Array): Uint8Array {
  const out = new Uint8Array(x.length * 2);
  for (let i = 0; i < x.length; i++) {
    const h = f32ToF16(x[i]);
    out[2 * i] = h & 0xff;
    out[2 * i + 1] = h >>> 8;
  }
  return out;
}

/** Encodes float32 values as little-endian BF16 bytes. */
export function encodeBf16(x: Float32Array): Uint8Array {
  const out = new Uint8Array(x.length * 2);
  for (let i = 0; i < x.length; i++) {
    const h = f32ToBf16(x[i]);
    out[2 * i] = h & 0xff;
    out[2 * i + 1] = h >>> 8;
  }
  return out;
}

/** The shortest decimal that rounds to the same float32 (GGUF stores 1e-5 as 9.99999974e-6). */
export function shortestF32(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const target = Math.fround(x);
  for (let p = 1; p <= 9; p++) {
    const v = Number(target.toPrecision(p));
    if (Math.fround(v) === target) return v;
  }
  return target;
}

/** True on little-endian hosts (all supported platforms; checked before reinterpreting file bytes). */
export const IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
