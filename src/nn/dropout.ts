// Inverted dropout (nn.Dropout in training mode: keep with probability 1 − p, scale kept values by 1/(1 − p))
// with a counter-based mask: element i of a call with `seed` is kept iff fmix32(i·φ + seed) ≥ p·2³² (MurmurHash3's
// finalizer over a Weyl sequence), so the backward regenerates the exact mask from the seed instead of storing it.
import { fmix32 } from "../core/index.ts";
import type { FloatArray } from "../tensor/index.ts";

/** True when element i survives dropout p under `seed` (a 32-bit integer). */
export function dropoutKeeps(seed: number, i: number, p: number): boolean {
  return fmix32((Math.imul(i, 0x9e3779b1) + seed) | 0) >= p * 4294967296;
}

/** out = x ⊙ mask / (1 − p); out may be x. */
export function dropoutForward(
  out: FloatArray, // (n)
  x: FloatArray, // (n)
  p: number, seed: number, n: number,
): void {
  const k = 1 / (1 - p);
  for (let i = 0; i < n; i++) out[i] = dropoutKeeps(seed, i, p) ? x[i] * k : 0;
}

/** dx += dout ⊙ mask / (1 − p), with the mask of the forward call that used `seed`. */
export function dropoutBackward(
  dx: FloatArray, // (n)
  dout: FloatArray, // (n)
  p: number, seed: number, n: number,
): void {
  const k = 1 / (1 - p);
  for (let i = 0; i < n; i++) if (dropoutKeeps(seed, i, p)) dx[i] += dout[i] * k;
}
