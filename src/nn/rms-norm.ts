// RMSNorm as in Hugging Face LlamaRMSNorm: y = x · rsqrt(mean(x²) + eps) · w, statistics in float32 or better
// (here float64 accumulation), with the reciprocal RMS kept per row for the backward pass.
import type { FloatArray } from "../tensor/index.ts";

/** out = x · rstd · w per row; rstd[n] = 1/sqrt(mean(x[n]²) + eps) is saved for the backward. */
export function rmsNormForward(
  out: FloatArray, // (N,C)
  rstd: FloatArray, // (N)
  x: FloatArray, // (N,C)
  w: FloatArray, // (C)
  N: number, C: number, eps: number,
): void {
  for (let n = 0; n < N; n++) {
    const o = n * C;
    let ss = 0;
    for (let c = 0; c < C; c++) ss += x[o + c] * x[o + c];
    const r = 1 / Math.sqrt(ss / C + eps);
    rstd[n] = r;
    for (let c = 0; c < C; c++) out[o + c] = x[o + c] * r * w[c];
  }
}

/**
 * dx += r·w⊙dout − (r³/C)·x·Σ(dout⊙w⊙x) per row; dw += Σ_n dout⊙x·r (dw null: frozen weight).
 * Uses the rstd saved by the forward pass.
 */
export function rmsNormBackward(
  dx: FloatArray, // (N,C)
  dw: FloatArray | null, // (C)
  dout: FloatArray, // (N,C)
  x: FloatArray, // (N,C)
  w: FloatArray, // (C)
  rstd: FloatArray, // (N)
  N: number, C: number,
): void {
  for (let n = 0; n < N; n++) {
    const o = n * C;
    const r = rstd[n];
    let dot = 0;
    for (let c = 0; c < C; c++) dot += dout[o + c] * w[c] * x[o + c];
    const k = (r * r * r * dot) / C;
    for (let c = 0; c < C; c++) dx[o + c] += r * w[c] * dout[o + c] - k * x[o + c];
    if (dw !== null) for (let c = 0; c < C; c++) dw[c] += dout[o + c] * x[o + c] * r;
  }
}
