// Test helper: central finite differences in float64 against an analytic gradient, plus small random-tensor
// utilities shared by the nn op tests.
import { Rng } from "../../src/core/index.ts";

/** n standard-normal values times `scale`, seeded. */
export function randn(rng: Rng, n: number, scale = 1): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.normal() * scale;
  return a;
}

/** Σ a⊙b, the scalar loss L = Σ out⊙R whose output gradient is R. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>, n = a.length): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

/** Result of one finite-difference comparison. */
export interface GradCheckResult {
  checked: number;
  maxAbsErr: number;
  maxRelErr: number;
  worst: { index: number; analytic: number; numeric: number } | null;
  ok: boolean;
}

/**
 * Compares analytic[i] with (f(x+eps·e_i) − f(x−eps·e_i)) / 2eps for the chosen coordinates of x (all, or
 * `count` random ones); a coordinate passes when |a − n| ≤ atol + rtol·max(|a|, |n|).
 */
export function gradCheck(
  f: () => number,
  x: Float64Array | Float32Array,
  analytic: ArrayLike<number>,
  opts: { eps?: number; rtol?: number; atol?: number; count?: number; seed?: number; indices?: number[] } = {},
): GradCheckResult {
  const eps = opts.eps ?? 1e-5;
  const rtol = opts.rtol ?? 1e-6;
  const atol = opts.atol ?? 1e-9;
  let idx: number[];
  if (opts.indices) idx = opts.indices;
  else if (opts.count !== undefined && opts.count < x.length) {
    const rng = new Rng(opts.seed ?? 7);
    idx = [];
    const seen = new Set<number>();
    while (idx.length < opts.count) {
      const i = rng.int(x.length);
      if (!seen.has(i)) {
        seen.add(i);
        idx.push(i);
      }
    }
  } else idx = Array.from({ length: x.length }, (_, i) => i);
  let maxAbsErr = 0;
  let maxRelErr = 0;
  let worst: GradCheckResult["worst"] = null;
  let ok = true;
  let worstScore = -Infinity;
  for (const i of idx) {
    const x0 = x[i];
    x[i] = x0 + eps;
    const fp = f();
    x[i] = x0 - eps;
    const fm = f();
    x[i] = x0;
    const num = (fp - fm) / (2 * eps);
    const a = analytic[i];
    const abs = Math.abs(a - num);
    const scale = Math.max(Math.abs(a), Math.abs(num));
    const rel = scale > 0 ? abs / scale : 0;
    if (abs > atol + rtol * scale) ok = false;
    const score = abs - (atol + rtol * scale);
    if (score > worstScore) {
      worstScore = score;
      worst = { index: i, analytic: a, numeric: num };
    }
    maxAbsErr = Math.max(maxAbsErr, abs);
    if (abs > atol) maxRelErr = Math.max(maxRelErr, rel);
  }
  return { checked: idx.length, maxAbsErr, maxRelErr, worst, ok };
}

/** Fails with the worst coordinate when a gradient check did not pass; prints the figures either way. */
export function assertGrad(label: string, r: GradCheckResult): void {
  const msg = `${label}: ${r.checked} coords, max abs err ${r.maxAbsErr.toExponential(2)}, max rel err ${r.maxRelErr.toExponential(2)}` +
    (r.worst ? `, worst #${r.worst.index} analytic ${r.worst.analytic.toExponential(6)} numeric ${r.worst.numeric.toExponential(6)}` : "");
  if (!r.ok) throw new Error(`gradient check FAILED ${msg}`);
  if (process.env.MEDTUNE_VERBOSE) console.log(`ok ${msg}`);
}

/** Largest |a − b| over n elements. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, n = a.length): number {
  let m = 0;
  for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
