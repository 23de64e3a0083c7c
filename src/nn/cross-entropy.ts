// Masked next-token cross-entropy (HF convention: labels −100 are ignored, mean over kept tokens; the caller
// shifts labels so row n is scored against the token at n+1). The LM-head variant projects hidden states to
// logits a chunk of kept rows at a time, so the full (B,T,V) logits never exist, and its backward fuses the
// softmax gradient with the head's GEMMs into dhidden and dW.
import type { FloatArray, Kernels } from "../tensor/index.ts";

/** Label value that marks a position as not scored (PyTorch CrossEntropyLoss ignore_index). */
export const IGNORE_INDEX = -100;

/** log Σ exp(row), stable. */
function logSumExp(a: FloatArray, o: number, V: number): number {
  let mx = -Infinity;
  for (let j = 0; j < V; j++) if (a[o + j] > mx) mx = a[o + j];
  let s = 0;
  for (let j = 0; j < V; j++) s += Math.exp(a[o + j] - mx);
  return mx + Math.log(s);
}

/** losses[n] = −log softmax(logits[n])[targets[n]] (0 where the target is ignored); returns the kept count. */
export function crossEntropyForward(
  losses: FloatArray, // (N)
  logits: FloatArray, // (N,V)
  targets: ArrayLike<number>, // (N)
  N: number, V: number,
): number {
  let kept = 0;
  for (let n = 0; n < N; n++) {
    const t = targets[n];
    if (t < 0) {
      losses[n] = 0;
      continue;
    }
    losses[n] = logSumExp(logits, n * V, V) - logits[n * V + t];
    kept++;
  }
  return kept;
}

/** dlogits[n] += scale·(softmax(logits[n]) − onehot(targets[n])) for kept rows (scale = 1/kept for a mean). */
export function crossEntropyBackward(
  dlogits: FloatArray, // (N,V)
  logits: FloatArray, // (N,V)
  targets: ArrayLike<number>, // (N)
  scale: number,
  N: number, V: number,
): void {
  for (let n = 0; n < N; n++) {
    const t = targets[n];
    if (t < 0) continue;
    const o = n * V;
    const lse = logSumExp(logits, o, V);
    for (let j = 0; j < V; j++) dlogits[o + j] += scale * Math.exp(logits[o + j] - lse);
    dlogits[o + t] -= scale;
  }
}

/** Scratch for the chunked LM-head loss: `rows.length` kept positions are projected at a time. */
export interface HeadLossScratch {
  /** (chunk) indices of the gathered rows */
  rows: Int32Array;
  /** (chunk,C) gathered hidden states */
  x: FloatArray;
  /** (chunk,V) logits, then their gradient */
  logits: FloatArray;
  /** (chunk,C) gradient of the gathered hidden states */
  dx: FloatArray;
}

/** Gathers the next chunk of kept rows starting at n; returns [count, next n]. */
function gather(sc: HeadLossScratch, x: FloatArray, targets: ArrayLike<number>, n: number, N: number, C: number): [number, number] {
  const cap = sc.rows.length;
  let cnt = 0;
  while (n < N && cnt < cap) {
    if (targets[n] >= 0) {
      sc.rows[cnt] = n;
      const src = n * C;
      const dst = cnt * C;
      for (let c = 0; c < C; c++) sc.x[dst + c] = x[src + c];
      cnt++;
    }
    n++;
  }
  return [cnt, n];
}

/** Σ over kept rows of −log softmax(x·Wᵀ)[target], computed chunk by chunk; returns { sum, kept }. */
export function headLossForward(
  x: FloatArray, // (N,C) final hidden states
  w: FloatArray, // (V,C) LM head
  targets: ArrayLike<number>, // (N)
  N: number, C: number, V: number,
  sc: HeadLossScratch,
  kern: Kernels,
): { sum: number; kept: number } {
  let sum = 0;
  let kept = 0;
  let n = 0;
  for (;;) {
    const [cnt, next] = gather(sc, x, targets, n, N, C);
    n = next;
    if (cnt === 0) break;
    kern.gemm(false, true, cnt, V, C, 1, sc.x, C, w, C, 0, sc.logits, V); // (cnt,C) -> (cnt,V)
    for (let r = 0; r < cnt; r++) sum += logSumExp(sc.logits, r * V, V) - sc.logits[r * V + targets[sc.rows[r]]];
    kept += cnt;
  }
  return { sum, kept };
}

/**
 * The fused loss and backward of the LM head: per chunk, logits = x·Wᵀ, dlogits = scale·(softmax − onehot),
 * dx[rows] += dlogits·W, dW += dlogitsᵀ·x (dW null: frozen head). Returns the loss sum as headLossForward.
 */
export function headLossBackward(
  dx: FloatArray | null, // (N,C)
  dw: FloatArray | null, // (V,C)
  x: FloatArray, // (N,C)
  w: FloatArray, // (V,C)
  targets: ArrayLike<number>, // (N)
  scale: number,
  N: number, C: number, V: number,
  sc: HeadLossScratch,
  kern: Kernels,
): { sum: number; kept: number } {
  let sum = 0;
  let kept = 0;
  let n = 0;
  const lg = sc.logits;
  for (;;) {
    const [cnt, next] = gather(sc, x, targets, n, N, C);
    n = next;
    if (cnt === 0) break;
    kern.gemm(false, true, cnt, V, C, 1, sc.x, C, w, C, 0, lg, V); // (cnt,C) -> (cnt,V)
    for (let r = 0; r < cnt; r++) {
      const o = r * V;
      const t = targets[sc.rows[r]];
      let mx = -Infinity;
      for (let j = 0; j < V; j++) if (lg[o + j] > mx) mx = lg[o + j];
      const target = lg[o + t];
      let z = 0;
      for (let j = 0; j < V; j++) {
        const e = Math.exp(lg[o + j] - mx);
        lg[o + j] = e;
        z += e;
      }
      sum += mx + Math.log(z) - target;
      const k = scale / z;
      for (let j = 0; j < V; j++) lg[o + j] *= k;
      lg[o + t] -= scale;
    }
    kept += cnt;
    if (dx !== null) {
      kern.gemm(false, false, cnt, C, V, 1, lg, V, w, C, 0, sc.dx, C); // (cnt,V)·(V,C) -> (cnt,C)
      for (let r = 0; r < cnt; r++) {
        const d = sc.rows[r] * C;
        const s = r * C;
        for (let c = 0; c < C; c++) dx[d + c] += sc.dx[s + c];
      }
    }
    if (dw !== null) kern.gemm(true, false, V, C, cnt, 1, lg, V, sc.x, C, 1, dw, C); // (cnt,V)ᵀ·(cnt,C) -> (V,C)
  }
  return { sum, kept };
}

/** out[n] = log softmax(logits[n]) (out may be logits). */
export function logSoftmaxForward(
  out: FloatArray, // (N,V)
  logits: FloatArray, // (N,V)
  N: number, V: number,
): void {
  for (let n = 0; n < N; n++) {
    const o = n * V;
    const lse = logSumExp(logits, o, V);
    for (let j = 0; j < V; j++) out[o + j] = logits[o + j] - lse;
  }
}
