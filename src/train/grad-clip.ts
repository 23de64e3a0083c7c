// Gradient clipping by global L2 norm (torch.nn.utils.clip_grad_norm_): ‖g‖ over every trainable element as one
// vector, summed in float64; when it exceeds maxNorm all gradients are scaled by maxNorm/(‖g‖ + 1e-6).
import type { FloatArray } from "../tensor/index.ts";

/** ‖g‖₂ of a flat gradient buffer (NaN or Infinity when any element is). */
export function gradNorm(grads: FloatArray): number {
  let s = 0;
  for (let i = 0; i < grads.length; i++) s += grads[i] * grads[i];
  return Math.sqrt(s);
}

/** Scales grads in place so that ‖g‖ ≤ maxNorm (torch's 1e-6 in the denominator); returns the factor applied (1 = none). */
export function clipGradNorm(grads: FloatArray, norm: number, maxNorm: number): number {
  if (!(maxNorm > 0) || !(norm > maxNorm)) return 1;
  const k = maxNorm / (norm + 1e-6);
  for (let i = 0; i < grads.length; i++) grads[i] *= k;
  return k;
}
