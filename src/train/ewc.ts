// Elastic weight consolidation (Kirkpatrick et al. 2017): a quadratic pull towards the anchor weights θ*, each
// weight held as firmly as the diagonal Fisher F says it mattered, penalty (lambda/2)·sum_i F_i·(theta_i − theta*_i)^2
// with gradient lambda·F·(theta − theta*), over the trained parameters' flat buffer (LoRA A/B or all weights).
import type { FloatArray } from "../tensor/index.ts";

/** (lambda/2)·Σ F_i·(θ_i − θ*_i)², summed in float64. */
export function ewcForward(
  theta: FloatArray, // (n)
  anchor: FloatArray, // (n) θ*
  fisher: FloatArray, // (n) F
  lambda: number,
): number {
  let s = 0;
  for (let i = 0; i < theta.length; i++) {
    const d = theta[i] - anchor[i];
    s += fisher[i] * d * d;
  }
  return 0.5 * lambda * s;
}

/** dθ += lambda·F·(θ − θ*). */
export function ewcBackward(
  dtheta: FloatArray, // (n)
  theta: FloatArray, // (n)
  anchor: FloatArray, // (n)
  fisher: FloatArray, // (n)
  lambda: number,
): void {
  for (let i = 0; i < theta.length; i++) dtheta[i] += lambda * fisher[i] * (theta[i] - anchor[i]);
}

/** An EWC term bound to its anchor, Fisher and strength. */
export interface EwcTerm {
  anchor: FloatArray;
  fisher: FloatArray;
  lambda: number;
}
