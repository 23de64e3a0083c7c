// Quantization of float32 rows into GGML block formats, transcribed from ggml-quants.c's reference quantizers
// (quantize_row_q8_0_ref, q4_0, q4_1, q5_0, q5_1, q4_K, q5_K, q6_K: what llama-quantize runs without an
// importance matrix), with float32 rounding after every operation so the output matches ggml's scalar code.
import { MedtuneError } from "../core/index.ts";
import { f16LookupTable, f32ToF16, encodeBf16, encodeF16, IS_LITTLE_ENDIAN } from "./half.ts";
import { GGML_BLOCK, GGML_TYPE, type GgmlTypeName } from "./gguf-quants.ts";

const fr = Math.fround;
const GROUP_MAX_EPS = fr(1e-15);
const F01 = fr(0.1);

/** ggml's nearest_int: round half to even through the 1.5·2^23 trick. */
function nearestInt(x: number): number {
  return fr(x + 12582912) - 12582912;
}

/** C roundf: half away from zero. */
function roundf(x: number): number {
  return x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
}

function putHalf(out: Uint8Array, at: number, x: number): void {
  const h = f32ToF16(x);
  out[at] = h & 0xff;
  out[at + 1] = h >>> 8;
}

function halfOf(x: number): number {
  return f16LookupTable()[f32ToF16(x)];
}

function absMax(x: Float32Array, at: number, n: number): { amax: number; max: number } {
  let amax = 0, max = 0;
  for (let j = 0; j < n; j++) {
    const v = x[at + j];
    if (amax < Math.abs(v)) {
      amax = Math.abs(v);
      max = v;
    }
  }
  return { amax, max };
}

function minMax(x: Float32Array, at: number, n: number): { min: number; max: number } {
  let min = Infinity, max = -Infinity;
  for (let j = 0; j < n; j++) {
    const v = x[at + j];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

function qQ8_0(x: Float32Array, xa: number, y: Uint8Array, b: number): void {
  let amax = 0;
  for (let j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[xa + j]));
  const d = fr(amax / 127);
  const id = d ? fr(1 / d) : 0;
  putHalf(y, b, d);
  for (let j = 0; j < 32; j++) y[b + 2 + j] = roundf(fr(x[xa + j] * id)) & 0xff;
}

function qQ4_0(x: Float32Array, xa: number, y: Uint8Array, b: number): void {
  const { max } = absMax(x, xa, 32);
  const d = fr(max / -8);
  const id = d ? fr(1 / d) : 0;
  putHalf(y, b, d);
  for (let j = 0; j < 16; j++) {
    const xi0 = Math.min(15, Math.trunc(fr(fr(x[xa + j] * id) + 8.5)));
    const xi1 = Math.min(15, Math.trunc(fr(fr(x[xa + 16 + j] * id) + 8.5)));
    y[b + 2 + j] = xi0 | (xi1 << 4);
  }
}

function qQ4_1(x: Float32Array, xa: number, y: Uint8Array, b: number): void {
  const { min, max } = minMax(x, xa, 32);
  const d = fr(fr(max - min) / 15);
  const id = d ? fr(1 / d) : 0;
  putHalf(y, b, d);
  putHalf(y, b + 2, min);
  for (let j = 0; j < 16; j++) {
    const xi0 = Math.min(15, Math.trunc(fr(fr(fr(x[xa + j] - min) * id) + 0.5)));
    const xi1 = Math.min(15, Math.trunc(fr(fr(fr(x[xa + 16 + j] - min) * id) + 0.5)));
    y[b + 4 + j] = xi0 | (xi1 << 4);
  }
}

function qQ5_0(x: Float32Array, xa: number, y: Uint8Array, b: number): void {
  const { max } = absMax(x, xa, 32);
  const d = fr(max / -16);
  const id = d ? fr(1 / d) : 0;
  putHalf(y, b, d);
  let qh = 0;
  for (let j = 0; j < 16; j++) {
    const xi0 = Math.min(31, Math.trunc(fr(fr(x[xa + j] * id) + 16.5)));
    const xi1 = Math.min(31, Math.trunc(fr(fr(x[xa + 16 + j] * id) + 16.5)));
    y[b + 6 + j] = (xi0 & 0x0f) | ((xi1 & 0x0f) << 4);
    qh |= ((xi0 & 0x10) >>> 4) << j;
    qh |= ((xi1 & 0x10) >>> 4) << (j + 16);
  }
  y[b + 2] = qh & 0xff; y[b + 3] = (qh >>> 8) & 0xff; y[b + 4] = (qh >>> 16) & 0xff; y[b + 5] = (qh >>> 24) & 0xff;
}

function qQ5_1(x: Float32Array, xa: number, y: Uint8Array, b: number): void {
  const { min, max } = minMax(x, xa, 32);
  const d = fr(fr(max - min) / 31);
  const id = d ? fr(1 / d) : 0;
  putHalf(y, b, d);
  putHalf(y, b + 2, min);
  let qh = 0;
  for (let j = 0; j < 16; j++) {
    const xi0 = Math.trunc(fr(fr(fr(x[xa + j] - min) * id) + 0.5)) & 0xff;
    const xi1 = Math.trunc(fr(fr(fr(x[xa + 16 + j] - min) * id) + 0.5)) & 0xff;
    y[b + 8 + j] = (xi0 & 0x0f) | ((xi1 & 0x0f) << 4);
    qh |= ((xi0 & 0x10) >>> 4) << j;
    qh |= ((xi1 & 0x10) >>> 4) << (j + 16);
  }
  y[b + 4] = qh & 0xff; y[b + 5] = (qh >>> 8) & 0xff; y[b + 6] = (qh >>> 16) & 0xff; y[b + 7] = (qh >>> 24) & 0xff;
}

/** make_qx_quants with rmse_type 1 and no weights (used by Q6_K). Writes L[la..la+n) in [0, 2*nmax). */
function makeQxQuants(n: number, nmax: number, x: Float32Array, xa: number, L: Int8Array, la: number): number {
  let max = 0, amax = 0;
  for (let i = 0; i < n; i++) {
    const ax = Math.abs(x[xa + i]);
    if (ax > amax) { amax = ax; max = x[xa + i]; }
  }
  if (amax < GROUP_MAX_EPS) {
    for (let i = 0; i < n; i++) L[la + i] = 0;
    return 0;
  }
  let iscale = fr(-nmax / max);
  let sumlx = 0, suml2 = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[xa + i];
    let l = nearestInt(fr(iscale * xi));
    l = Math.max(-nmax, Math.min(nmax - 1, l));
    L[la + i] = l + nmax;
    const w = fr(xi * xi);
    sumlx = fr(sumlx + fr(fr(w * xi) * l));
    suml2 = fr(suml2 + fr(fr(w * l) * l));
  }
  let scale = suml2 ? fr(sumlx / suml2) : 0;
  let best = fr(scale * sumlx);
  for (let is = -9; is <= 9; is++) {
    if (is === 0) continue;
    iscale = fr(-fr(nmax + fr(F01 * is)) / max);
    sumlx = 0; suml2 = 0;
    for (let i = 0; i < n; i++) {
      const xi = x[xa + i];
      let l = nearestInt(fr(iscale * xi));
      l = Math.max(-nmax, Math.min(nmax - 1, l));
      const w = fr(xi * xi);
      sumlx = fr(sumlx + fr(fr(w * xi) * l));
      suml2 = fr(suml2 + fr(fr(w * l) * l));
    }
    if (suml2 > 0 && fr(sumlx * sumlx) > fr(best * suml2)) {
      for (let i = 0; i < n; i++) {
        const l = nearestInt(fr(iscale * x[xa + i]));
        L[la + i] = nmax + Math.max(-nmax, Math.min(nmax - 1, l));
      }
      scale = fr(sumlx / suml2);
      best = fr(scale * sumlx);
    }
  }
  return scale;
}

/** make_qkx2_quants (squared error): fits scale and min of an affine n-level grid; returns [scale, -min]. */
function makeQkx2Quants(n: number, nmax: number, x: Float32Array, xa: number, w: Float32Array, L: Uint8Array, la: number, Laux: Uint8Array, rmin: number, rdelta: number, nstep: number): [number, number] {
  let min = x[xa], max = x[xa];
  let sumW = w[0];
  let sumX = fr(sumW * x[xa]);
  for (let i = 1; i < n; i++) {
    const xi = x[xa + i];
    if (xi < min) min = xi;
    if (xi > max) max = xi;
    sumW = fr(sumW + w[i]);
    sumX = fr(sumX + fr(w[i] * xi));
  }
  if (min > 0) min = 0;
  if (max === min) {
    for (let i = 0; i < n; i++) L[la + i] = 0;
    return [0, -min];
  }
  const range = fr(max - min);
  let iscale = fr(nmax / range);
  let scale = fr(1 / iscale);
  let bestError = 0;
  for (let i = 0; i < n; i++) {
    const l = nearestInt(fr(iscale * fr(x[xa + i] - min)));
    L[la + i] = Math.max(0, Math.min(nmax, l));
    const diff = fr(fr(fr(scale * L[la + i]) + min) - x[xa + i]);
    bestError = fr(bestError + fr(w[i] * fr(diff * diff)));
  }
  for (let is = 0; is <= nstep; is++) {
    iscale = fr(fr(fr(rmin + fr(rdelta * is)) + nmax) / range);
    let sumL = 0, sumL2 = 0, sumXL = 0;
    for (let i = 0; i < n; i++) {
      let l = nearestInt(fr(iscale * fr(x[xa + i] - min)));
      l = Math.max(0, Math.min(nmax, l));
      Laux[i] = l;
      const wi = w[i];
      sumL = fr(sumL + fr(wi * l));
      sumL2 = fr(sumL2 + fr(fr(wi * l) * l));
      sumXL = fr(sumXL + fr(fr(wi * l) * x[xa + i]));
    }
    const D = fr(fr(sumW * sumL2) - fr(sumL * sumL));
    if (D > 0) {
      let thisScale = fr(fr(fr(sumW * sumXL) - fr(sumX * sumL)) / D);
      let thisMin = fr(fr(fr(sumL2 * sumX) - fr(sumL * sumXL)) / D);
      if (thisMin > 0) {
        thisMin = 0;
        thisScale = fr(sumXL / sumL2);
      }
      let cur = 0;
      for (let i = 0; i < n; i++) {
        const diff = fr(fr(fr(thisScale * Laux[i]) + thisMin) - x[xa + i]);
        cur = fr(cur + fr(w[i] * fr(diff * diff)));
      }
      if (cur < bestError) {
        for (let i = 0; i < n; i++) L[la + i] = Laux[i];
        bestError = cur;
        scale = thisScale;
        min = thisMin;
      }
    }
  }
  return [scale, -min];
}

function scaleMinK4(j: number, q: Uint8Array, at: number): [number, number] {
  if (j < 4) return [q[at + j] & 63, q[at + j + 4] & 63];
  return [(q[at + j + 4] & 0xf) | ((q[at + j - 4] >> 6) << 4), (q[at + j + 4] >> 4) | ((q[at + j] >> 6) << 4)];
}

/** Shared Q4_K / Q5_K super-block fit: 8 sub-blocks of 32 with 6-bit scales and mins. */
function kBlockScales(x: Float32Array, xa: number, y: Uint8Array, b: number, nmax: number, rmin: number, rdelta: number, nstep: number, L: Uint8Array): void {
  const weights = new Float32Array(32);
  const Laux = new Uint8Array(32);
  const scales = new Float32Array(8), mins = new Float32Array(8);
  let maxScale = 0, maxMin = 0;
  for (let j = 0; j < 8; j++) {
    let sumX2 = 0;
    for (let l = 0; l < 32; l++) sumX2 = fr(sumX2 + fr(x[xa + 32 * j + l] * x[xa + 32 * j + l]));
    const avX = fr(Math.sqrt(fr(sumX2 / 32)));
    for (let l = 0; l < 32; l++) weights[l] = fr(avX + Math.abs(x[xa + 32 * j + l]));
    const [sc, mn] = makeQkx2Quants(32, nmax, x, xa + 32 * j, weights, L, 32 * j, Laux, rmin, rdelta, nstep);
    scales[j] = sc;
    mins[j] = mn;
    if (sc > maxScale) maxScale = sc;
    if (mn > maxMin) maxMin = mn;
  }
  const invScale = maxScale > 0 ? fr(63 / maxScale) : 0;
  const invMin = maxMin > 0 ? fr(63 / maxMin) : 0;
  const sb = b + 4;
  for (let j = 0; j < 12; j++) y[sb + j] = 0;
  for (let j = 0; j < 8; j++) {
    const ls = Math.min(63, nearestInt(fr(invScale * scales[j])) & 0xff);
    const lm = Math.min(63, nearestInt(fr(invMin * mins[j])) & 0xff);
    if (j < 4) {
      y[sb + j] = ls;
      y[sb + j + 4] = lm;
    } else {
      y[sb + j + 4] = (ls & 0xf) | ((lm & 0xf) << 4);
      y[sb + j - 4] |= (ls >> 4) << 6;
      y[sb + j] |= (lm >> 4) << 6;
    }
  }
  putHalf(y, b, fr(maxScale / 63));
  putHalf(y, b + 2, fr(maxMin / 63));
  const d0 = halfOf(fr(maxScale / 63));
  const dm0 = halfOf(fr(maxMin / 63));
  for (let j = 0; j < 8; j++) {
    const [sc, m] = scaleMinK4(j, y, sb);
    const d = fr(d0 * sc);
    if (!d) continue;
    const dm = fr(dm0 * m);
    for (let ii = 0; ii < 32; ii++) {
      const l = nearestInt(fr(fr(x[xa + 32 * j + ii] + dm) / d));
      L[32 * j + ii] = Math.max(0, Math.min(nmax, l));
    }
  }
}

function qQ4_K(x: Float32Array, xa: number, y: Uint8Array, b: number): void {
  const L = new Uint8Array(256);
  kBlockScales(x, xa, y, b, 15, -1, F01, 20, L);
  let q = b + 16;
  for (let j = 0; j < 256; j += 64) {
    for (let l = 0; l < 32; l++) y[q + l] = L[j + l] | (L[j + l + 32] << 4);
    q += 32;
  }
}

function qQ5_K(x: Float32Array, xa: number, y: Uint8Array, b: number): void {
  const L = new Uint8Array(256);
  kBlockScales(x, xa, y, b, 31, -0.5, F01, 15, L);
  const qh = b + 16;
  let ql = b + 48;
  for (let j = 0; j < 32; j++) y[qh + j] = 0;
  let m1 = 1, m2 = 2;
  for (let n = 0; n < 256; n += 64) {
    for (let j = 0; j < 32; j++) {
      let l1 = L[n + j];
      if (l1 > 15) { l1 -= 16; y[qh + j] |= m1; }
      let l2 = L[n + j + 32];
      if (l2 > 15) { l2 -= 16; y[qh + j] |= m2; }
      y[ql + j] = l1 | (l2 << 4);
    }
    m1 <<= 2;
    m2 <<= 2;
    ql += 32;
  }
}

function qQ6_K(x: Float32Array, xa: number, y: Uint8Array, b: number): void {
  const L = new Int8Array(256);
  const scales = new Float32Array(16);
  let maxScale = 0, maxAbsScale = 0;
  for (let ib = 0; ib < 16; ib++) {
    const scale = makeQxQuants(16, 32, x, xa + 16 * ib, L, 16 * ib);
    scales[ib] = scale;
    if (Math.abs(scale) > maxAbsScale) {
      maxAbsScale = Math.abs(scale);
      maxScale = scale;
    }
  }
  y.fill(0, b, b + 210);
  if (maxAbsScale < GROUP_MAX_EPS) return;
  const iscale = fr(-128 / maxScale);
  putHalf(y, b + 208, fr(1 / iscale));
  const d0 = halfOf(fr(1 / iscale));
  const sc = b + 192;
  for (let ib = 0; ib < 16; ib++) y[sc + ib] = Math.min(127, nearestInt(fr(iscale * scales[ib]))) & 0xff;
  for (let j = 0; j < 16; j++) {
    const d = fr(d0 * ((y[sc + j] << 24) >> 24));
    if (!d) continue;
    for (let ii = 0; ii < 16; ii++) {
      const l = nearestInt(fr(x[xa + 16 * j + ii] / d));
      L[16 * j + ii] = Math.max(-32, Math.min(31, l)) + 32;
    }
  }
  let ql = b, qh = b + 128;
  for (let j = 0; j < 256; j += 128) {
    for (let l = 0; l < 32; l++) {
      const q1 = L[j + l] & 0xf, q2 = L[j + l + 32] & 0xf, q3 = L[j + l + 64] & 0xf, q4 = L[j + l + 96] & 0xf;
      y[ql + l] = q1 | (q3 << 4);
      y[ql + l + 32] = q2 | (q4 << 4);
      y[qh + l] = (L[j + l] >> 4) | ((L[j + l + 32] >> 4) << 2) | ((L[j + l + 64] >> 4) << 4) | ((L[j + l + 96] >> 4) << 6);
    }
    ql += 64;
    qh += 32;
  }
}

type QuantFn = (x: Float32Array, xa: number, y: Uint8Array, b: number) => void;
const QUANT_FNS: Partial<Record<GgmlTypeName, QuantFn>> = {
  Q8_0: qQ8_0, Q4_0: qQ4_0, Q4_1: qQ4_1, Q5_0: qQ5_0, Q5_1: qQ5_1, Q4_K: qQ4_K, Q5_K: qQ5_K, Q6_K: qQ6_K,
};

/** Types `quantize` can produce. */
export const QUANTIZE_TYPES = ["F32", "F16", "BF16", ...Object.keys(QUANT_FNS)] as GgmlTypeName[];

/** True when rows of `rowLength` can be stored as `type` (row length a multiple of its block size). */
export function canQuantize(type: GgmlTypeName, rowLength: number): boolean {
  const b = GGML_BLOCK[type];
  return b !== undefined && QUANTIZE_TYPES.includes(type) && rowLength % b.blockSize === 0;
}

/** Encodes float32 data (whole rows of `rowLength`) as `type`; returns the GGUF tensor bytes. */
export function quantize(type: GgmlTypeName, x: Float32Array, rowLength: number): Uint8Array {
  if (type === "F32") {
    if (IS_LITTLE_ENDIAN) return new Uint8Array(x.buffer.slice(x.byteOffset, x.byteOffset + x.byteLength));
    const out = new Uint8Array(x.length * 4);
    const dv = new DataView(out.buffer);
    for (let i = 0; i < x.length; i++) dv.setFloat32(4 * i, x[i], true);
    return out;
  }
  if (type === "F16") return encodeF16(x);
  if (type === "BF16") return encodeBf16(x);
  const fn = QUANT_FNS[type];
  const b = GGML_BLOCK[type];
  if (!fn || !b) throw new MedtuneError("gguf.unsupported-type", `cannot quantize to ${type}`, { hint: `supported: ${QUANTIZE_TYPES.join(", ")}` });
  if (rowLength % b.blockSize !== 0 || x.length % rowLength !== 0) {
    throw new MedtuneError("gguf.bad-tensor", `rows of ${rowLength} cannot be quantized to ${type} (block size ${b.blockSize})`);
  }
  const nb = x.length / b.blockSize;
  const out = new Uint8Array(nb * b.typeSize);
  for (let i = 0; i < nb; i++) fn(x, i * b.blockSize, out, i * b.typeSize);
  return out;
}

/** The GGML type id of a type name. */
export function ggmlTypeId(type: GgmlTypeName): number {
  const id = GGML_TYPE[type];
  if (id === undefined) throw new MedtuneError("gguf.unsupported-type", `unknown GGML type ${type}`);
  return id;
}
