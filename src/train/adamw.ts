// AdamW (Loshchilov & Hutter 2019) with torch.optim.AdamW semantics on one flat parameter buffer: decoupled weight
// decay θ ← θ·(1 − lr·wd) first, then m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g², and
// θ ← θ − (lr / (1−β1^t))·m / (sqrt(v)/sqrt(1−β2^t) + ε) (bias correction, ε outside the square root).
// The moments are allocated once; a step allocates nothing.
import { fail } from "../core/index.ts";
import type { FloatArray } from "../tensor/index.ts";

/** AdamW hyper-parameters (torch names in camelCase); lr comes per step from the schedule. */
export interface AdamWOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  /** per element 1 = decayed, 0 = not (HF Trainer exempts norms and biases); default all decayed */
  decayMask?: Uint8Array;
}

/** AdamW over a flat buffer of n parameters: the first and second moments and the step count. */
export class AdamW {
  readonly n: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  /** first moment (torch exp_avg) */
  readonly m: FloatArray;
  /** second moment (torch exp_avg_sq) */
  readonly v: FloatArray;
  /** updates taken so far (t of the bias correction) */
  step = 0;
  private readonly decayMask: Uint8Array | null;

  constructor(n: number, opts: AdamWOptions = {}, dtype: "float32" | "float64" = "float32") {
    this.n = n;
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0;
    if (!(this.beta1 >= 0 && this.beta1 < 1) || !(this.beta2 >= 0 && this.beta2 < 1)) {
      fail("optim.bad-beta", `AdamW betas must be in [0, 1), got ${this.beta1} and ${this.beta2}`, "optim");
    }
    if (!(this.eps > 0)) fail("optim.bad-eps", `AdamW eps must be positive, got ${this.eps}`, "optim.eps");
    if (!(this.weightDecay >= 0)) fail("optim.bad-weight-decay", `weight decay must be ≥ 0, got ${this.weightDecay}`, "optim.weightDecay");
    if (opts.decayMask && opts.decayMask.length !== n) throw new Error(`decay mask has ${opts.decayMask.length} entries for ${n} parameters`);
    this.decayMask = opts.decayMask ?? null;
    this.m = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
    this.v = dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  }

  /** One update of `params` in place from `grads` at learning rate `lr`. */
  update(
    params: FloatArray, // (n)
    grads: FloatArray, // (n)
    lr: number,
  ): void {
    if (params.length !== this.n || grads.length !== this.n) throw new Error(`AdamW holds ${this.n} parameters, got ${params.length} and ${grads.length}`);
    this.step++;
    const { beta1: b1, beta2: b2, eps, m, v } = this;
    const bc1 = 1 - Math.pow(b1, this.step);
    const bc2Sqrt = Math.sqrt(1 - Math.pow(b2, this.step));
    const stepSize = lr / bc1;
    const decay = 1 - lr * this.weightDecay;
    const mask = this.decayMask;
    for (let i = 0; i < this.n; i++) {
      const g = grads[i];
      let p = params[i];
      if (mask === null || mask[i] === 1) p *= decay;
      const mi = b1 * m[i] + (1 - b1) * g;
      const vi = b2 * v[i] + (1 - b2) * g * g;
      m[i] = mi;
      v[i] = vi;
      params[i] = p - (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + eps);
    }
  }

  /** Restores moments and step count (from a checkpoint). */
  load(m: ArrayLike<number>, v: ArrayLike<number>, step: number): void {
    if (m.length !== this.n || v.length !== this.n) throw new Error(`optimizer state holds ${m.length}/${v.length} values, the model ${this.n}`);
    if (!(Number.isInteger(step) && step >= 0)) throw new Error(`optimizer step must be a non-negative integer, got ${step}`);
    this.m.set(m);
    this.v.set(v);
    this.step = step;
  }
}
