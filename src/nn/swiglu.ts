// The SwiGLU gate of the Llama MLP: h = silu(gate) ⊙ up, with silu(g) = g·sigmoid(g) (Shazeer 2020; HF LlamaMLP).
import type { FloatArray } from "../tensor/index.ts";

/** out = silu(gate) ⊙ up. */
export function swigluForward(
  out: FloatArray, // (N,F)
  gate: FloatArray, // (N,F)
  up: FloatArray, // (N,F)
  n: number, // N·F
): void {
  for (let i = 0; i < n; i++) {
    const g = gate[i];
    out[i] = (g / (1 + Math.exp(-g))) * up[i];
  }
}

/** dgate += dout⊙up⊙silu'(gate), silu'(g) = s·(1 + g·(1 − s)), s = sigmoid(g); dup += dout⊙silu(gate). */
export function swigluBackward(
  dgate: FloatArray, // (N,F)
  dup: FloatArray, // (N,F)
  dout: FloatArray, // (N,F)
  gate: FloatArray, // (N,F)
  up: FloatArray, // (N,F)
  n: number, // N·F
): void {
  for (let i = 0; i < n; i++) {
    const g = gate[i];
    const s = 1 / (1 + Math.exp(-g));
    const d = dout[i];
    dgate[i] += d * up[i] * s * (1 + g * (1 - s));
    dup[i] += d * g * s;
  }
}
