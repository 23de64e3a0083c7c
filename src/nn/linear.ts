// A dense layer as in torch.nn.Linear: y = x·Wᵀ + b with W stored (out, in) like Hugging Face checkpoints.
// Both passes are GEMMs through the Kernels seam; backward accumulates and skips dW when the weight is frozen.
import type { FloatArray, Kernels } from "../tensor/index.ts";

/** A linear layer's tensors: views into a model's flat parameter (and gradient) buffers. */
export interface LinearWeights {
  inF: number;
  outF: number;
  /** (outF, inF) */
  weight: FloatArray;
  /** (outF) or null */
  bias: FloatArray | null;
}

/** out = x·Wᵀ (+ b). */
export function linearForward(
  out: FloatArray, // (N,outF)
  x: FloatArray, // (N,inF)
  w: FloatArray, // (outF,inF)
  b: FloatArray | null, // (outF)
  N: number, inF: number, outF: number,
  k: Kernels,
): void {
  k.gemm(false, true, N, outF, inF, 1, x, inF, w, inF, 0, out, outF);
  if (b !== null) {
    for (let n = 0; n < N; n++) {
      const o = n * outF;
      for (let j = 0; j < outF; j++) out[o + j] += b[j];
    }
  }
}

/** dx += dout·W; dW += doutᵀ·x; db += Σ_n dout (null gradients are skipped: frozen weights, unneeded dx). */
export function linearBackward(
  dx: FloatArray | null, // (N,inF)
  dw: FloatArray | null, // (outF,inF)
  db: FloatArray | null, // (outF)
  dout: FloatArray, // (N,outF)
  x: FloatArray, // (N,inF)
  w: FloatArray, // (outF,inF)
  N: number, inF: number, outF: number,
  k: Kernels,
): void {
  if (dx !== null) k.gemm(false, false, N, inF, outF, 1, dout, outF, w, inF, 1, dx, inF);
  if (dw !== null) k.gemm(true, false, outF, inF, N, 1, dout, outF, x, inF, 1, dw, inF);
  if (db !== null) {
    for (let n = 0; n < N; n++) {
      const o = n * outF;
      for (let j = 0; j < outF; j++) db[j] += dout[o + j];
    }
  }
}
