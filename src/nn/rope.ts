// Rotary position embedding in Hugging Face's rotate_half convention (apply_rotary_pos_emb): for i < D/2,
// y[i] = x[i]·cos − x[i+D/2]·sin, y[i+D/2] = x[i+D/2]·cos + x[i]·sin, angle = pos·inv_freq[i],
// inv_freq[i] = 1/theta^(2i/D), optionally rescaled as transformers' _compute_llama3_parameters (Llama 3.1+).
import type { FloatArray } from "../tensor/index.ts";

/** Llama 3 frequency scaling knobs (config.json rope_scaling with rope_type "llama3"). */
export interface Llama3Scaling {
  factor: number;
  lowFreqFactor: number;
  highFreqFactor: number;
  originalMaxPositionEmbeddings: number;
}

/** inv_freq (D/2): 1/theta^(2i/D), with Llama 3 scaling when given (low frequencies /factor, middle band smoothed). */
export function ropeInvFreq(D: number, theta: number, scaling?: Llama3Scaling): Float64Array {
  const half = D >> 1;
  const inv = new Float64Array(half);
  for (let i = 0; i < half; i++) inv[i] = 1 / Math.pow(theta, (2 * i) / D);
  if (!scaling) return inv;
  const { factor, lowFreqFactor, highFreqFactor, originalMaxPositionEmbeddings: oldLen } = scaling;
  const lowFreqWavelen = oldLen / lowFreqFactor;
  const highFreqWavelen = oldLen / highFreqFactor;
  for (let i = 0; i < half; i++) {
    const wavelen = (2 * Math.PI) / inv[i];
    const f = wavelen > lowFreqWavelen ? inv[i] / factor : inv[i];
    const isMedium = !(wavelen < highFreqWavelen) && !(wavelen > lowFreqWavelen);
    if (isMedium) {
      const smooth = (oldLen / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
      inv[i] = ((1 - smooth) * f) / factor + smooth * f;
    } else inv[i] = f;
  }
  return inv;
}

/** cos/sin of pos·inv_freq for positions [0, nPos), computed in float64 and grown on demand. */
export class RopeTable {
  readonly invFreq: Float64Array;
  readonly half: number;
  /** (nPos, D/2) */
  cos = new Float64Array(0);
  /** (nPos, D/2) */
  sin = new Float64Array(0);
  nPos = 0;

  constructor(invFreq: Float64Array) {
    this.invFreq = invFreq;
    this.half = invFreq.length;
  }

  /** Makes positions [0, maxPos) available (reallocates only when growing, to the next power of two). */
  ensure(maxPos: number): void {
    if (maxPos <= this.nPos) return;
    let n = Math.max(64, this.nPos);
    while (n < maxPos) n *= 2;
    const half = this.half;
    const cos = new Float64Array(n * half);
    const sin = new Float64Array(n * half);
    for (let p = 0; p < n; p++) {
      for (let i = 0; i < half; i++) {
        const a = p * this.invFreq[i];
        cos[p * half + i] = Math.cos(a);
        sin[p * half + i] = Math.sin(a);
      }
    }
    this.cos = cos;
    this.sin = sin;
    this.nPos = n;
  }
}

/** out = rope(x) for every head of every row at position pos[n]; out may be x (in place). */
export function ropeForward(
  out: FloatArray, // (N,nHeads·D)
  x: FloatArray, // (N,nHeads·D)
  pos: ArrayLike<number>, // (N)
  rope: RopeTable,
  N: number, nHeads: number, D: number,
): void {
  const half = D >> 1;
  const { cos, sin } = rope;
  for (let n = 0; n < N; n++) {
    const t = pos[n] * half;
    for (let h = 0; h < nHeads; h++) {
      const o = (n * nHeads + h) * D;
      for (let i = 0; i < half; i++) {
        const c = cos[t + i];
        const s = sin[t + i];
        const x1 = x[o + i];
        const x2 = x[o + i + half];
        out[o + i] = x1 * c - x2 * s;
        out[o + i + half] = x2 * c + x1 * s;
      }
    }
  }
}

/** dx += ropeᵀ(dout): the inverse rotation (angle −θ) of the output gradient; dx must not alias dout. */
export function ropeBackward(
  dx: FloatArray, // (N,nHeads·D)
  dout: FloatArray, // (N,nHeads·D)
  pos: ArrayLike<number>, // (N)
  rope: RopeTable,
  N: number, nHeads: number, D: number,
): void {
  const half = D >> 1;
  const { cos, sin } = rope;
  for (let n = 0; n < N; n++) {
    const t = pos[n] * half;
    for (let h = 0; h < nHeads; h++) {
      const o = (n * nHeads + h) * D;
      for (let i = 0; i < half; i++) {
        const c = cos[t + i];
        const s = sin[t + i];
        const d1 = dout[o + i];
        const d2 = dout[o + i + half];
        dx[o + i] += d1 * c + d2 * s;
        dx[o + i + half] += d2 * c - d1 * s;
      }
    }
  }
}
