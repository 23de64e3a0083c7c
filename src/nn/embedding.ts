// Token embedding lookup (nn.Embedding) and its backward, a scatter-add of the output gradient into the rows of
// the table that the tokens selected.
import type { FloatArray } from "../tensor/index.ts";

/** out[n,:] = w[ids[n],:]. */
export function embeddingForward(
  out: FloatArray, // (N,C)
  ids: ArrayLike<number>, // (N)
  w: FloatArray, // (V,C)
  N: number, C: number,
): void {
  for (let n = 0; n < N; n++) {
    const src = ids[n] * C;
    const dst = n * C;
    for (let c = 0; c < C; c++) out[dst + c] = w[src + c];
  }
}

/** dw[ids[n],:] += dout[n,:]. */
export function embeddingBackward(
  dw: FloatArray, // (V,C)
  dout: FloatArray, // (N,C)
  ids: ArrayLike<number>, // (N)
  N: number, C: number,
): void {
  for (let n = 0; n < N; n++) {
    const dst = ids[n] * C;
    const src = n * C;
    for (let c = 0; c < C; c++) dw[dst + c] += dout[src + c];
  }
}
