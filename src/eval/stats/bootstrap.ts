// Nonparametric bootstrap (Efron & Tibshirani 1993): resample items with replacement, recompute the statistic,
// and report the percentile interval [q(α/2), q(1-α/2)] (quantiles interpolated like numpy's default, type 7).
// Seeded through core's Rng so every interval is reproducible; indices are drawn into one reused Int32Array.
// Paired comparisons reuse the same indices for both models, so item difficulty cancels out.
import { MedtuneError, Rng } from "../../core/index.ts";

/** Bootstrap settings; the seed is recorded in every result. */
export interface BootstrapOptions {
  /** Number of resamples (default 2000). */
  nResamples?: number;
  /** Two-sided confidence level (default 0.95). */
  confidence?: number;
  /** Seed for the resampling Rng (default 0). */
  seed?: number | string;
}

/** A statistic with its percentile bootstrap interval. */
export interface BootstrapInterval {
  /** The statistic on the full sample. */
  estimate: number;
  lo: number;
  hi: number;
  /** Standard deviation of the resampled statistics. */
  standardError: number;
  confidence: number;
  nResamples: number;
  seed: number | string;
  n: number;
  /** Resamples whose statistic was not finite (left out of the quantiles). */
  nNonFinite: number;
  method: "percentile";
}

/** A paired difference (A - B) with its interval and how often A beat B across resamples. */
export interface PairedBootstrapInterval extends BootstrapInterval {
  /** Fraction of resamples with difference > 0 (Koehn 2004's "A better than B in x% of samples"). */
  fractionPositive: number;
}

const DEFAULT_RESAMPLES = 2000;
const TWO_32 = 4294967296;

/** Uniform index in [0, n) from one 32-bit draw (Lemire 2019, exact rejection); products stay exact for n < 2^21. */
function drawIndex(rng: Rng, n: number): number {
  if (n >= 2097152) return rng.int(n);
  let m = rng.nextU32() * n;
  let low = m % TWO_32;
  if (low < n) {
    const threshold = (TWO_32 - n) % n;
    while (low < threshold) {
      m = rng.nextU32() * n;
      low = m % TWO_32;
    }
  }
  return Math.floor(m / TWO_32);
}

function resolve(opts: BootstrapOptions, n: number): { nResamples: number; confidence: number; seed: number | string } {
  const nResamples = opts.nResamples ?? DEFAULT_RESAMPLES;
  const confidence = opts.confidence ?? 0.95;
  const seed = opts.seed ?? 0;
  if (!Number.isInteger(nResamples) || nResamples < 1) throw new MedtuneError("eval.stats.bad-option", `nResamples must be a positive integer, got ${nResamples}`);
  if (!(confidence > 0 && confidence < 1)) throw new MedtuneError("eval.stats.bad-option", `confidence must be in (0, 1), got ${confidence}`);
  if (!Number.isInteger(n) || n < 1) {
    throw new MedtuneError("eval.stats.empty", `cannot bootstrap ${n} items`, { hint: "a metric over zero items has no interval" });
  }
  return { nResamples, confidence, seed };
}

function checkFinite(values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new MedtuneError("eval.stats.not-finite", `${what}[${i}] is ${values[i]}`, { hint: "score failed items explicitly (e.g. 0) before computing intervals" });
  }
}

/** The q-quantile (0..1) of ascending sorted values, linearly interpolated (numpy's default, Hyndman-Fan type 7). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Copies values[idx[i]] into out[i] (out must be at least idx.length long); returns out. */
export function gather<T extends { [i: number]: number; length: number }>(out: T, values: ArrayLike<number>, idx: Int32Array): T {
  for (let i = 0; i < idx.length; i++) out[i] = values[idx[i]];
  return out;
}

function summarize(stats: Float64Array, estimate: number, n: number, r: { nResamples: number; confidence: number; seed: number | string }): BootstrapInterval {
  let m = 0;
  for (let i = 0; i < stats.length; i++) if (Number.isFinite(stats[i])) stats[m++] = stats[i];
  const finite = stats.subarray(0, m).sort();
  const alpha = 1 - r.confidence;
  let mean = 0;
  for (let i = 0; i < m; i++) mean += finite[i];
  mean /= Math.max(1, m);
  let ss = 0;
  for (let i = 0; i < m; i++) ss += (finite[i] - mean) ** 2;
  return {
    estimate,
    lo: quantileSorted(finite, alpha / 2),
    hi: quantileSorted(finite, 1 - alpha / 2),
    standardError: m > 1 ? Math.sqrt(ss / (m - 1)) : 0,
    confidence: r.confidence,
    nResamples: r.nResamples,
    seed: r.seed,
    n,
    nNonFinite: stats.length - m,
    method: "percentile",
  };
}

/** Percentile bootstrap interval of any statistic of n items; `statistic` reads the items through a resample of indices. */
export function bootstrapStatistic(n: number, statistic: (idx: Int32Array) => number, opts: BootstrapOptions = {}): BootstrapInterval {
  const r = resolve(opts, n);
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const estimate = statistic(idx);
  const rng = new Rng(r.seed);
  const stats = new Float64Array(r.nResamples);
  for (let s = 0; s < r.nResamples; s++) {
    for (let i = 0; i < n; i++) idx[i] = drawIndex(rng, n);
    stats[s] = statistic(idx);
  }
  return summarize(stats, estimate, n, r);
}

/** Percentile bootstrap interval of the mean of per-item values (accuracy from 0/1, mean F1, ...). */
export function bootstrapMean(values: ArrayLike<number>, opts: BootstrapOptions = {}): BootstrapInterval {
  const n = values.length;
  const r = resolve(opts, n);
  checkFinite(values, "values");
  let total = 0;
  for (let i = 0; i < n; i++) total += values[i];
  const rng = new Rng(r.seed);
  const stats = new Float64Array(r.nResamples);
  for (let s = 0; s < r.nResamples; s++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[drawIndex(rng, n)];
    stats[s] = sum / n;
  }
  return summarize(stats, total / n, n, r);
}

/** Paired bootstrap of mean(a) - mean(b) over the same items (same resampled indices for both). */
export function pairedBootstrapDiff(a: ArrayLike<number>, b: ArrayLike<number>, opts: BootstrapOptions = {}): PairedBootstrapInterval {
  if (a.length !== b.length) {
    throw new MedtuneError("eval.stats.unpaired", `paired values differ in length: ${a.length} vs ${b.length}`, { hint: "compare models only on the same items, in the same order" });
  }
  checkFinite(a, "a");
  checkFinite(b, "b");
  const d = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) d[i] = a[i] - b[i];
  const n = d.length;
  const r = resolve(opts, n);
  let total = 0;
  for (let i = 0; i < n; i++) total += d[i];
  const rng = new Rng(r.seed);
  const stats = new Float64Array(r.nResamples);
  let positive = 0;
  for (let s = 0; s < r.nResamples; s++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += d[drawIndex(rng, n)];
    stats[s] = sum / n;
    if (sum > 0) positive++;
  }
  return { ...summarize(stats, total / n, n, r), fractionPositive: positive / r.nResamples };
}
