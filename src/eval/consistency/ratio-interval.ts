// A pooled ratio over clustered units with a percentile bootstrap interval: sum(numerators)/sum(denominators)
// where each unit (an item) contributes several correlated trials (its variants, its citations). Resampling
// whole units keeps their correlation (the cluster bootstrap), so the interval is not falsely narrow.
import { bootstrapStatistic } from "../stats/bootstrap.ts";

/** A pooled rate and its interval. */
export interface RatioInterval {
  rate: number;
  lo: number;
  hi: number;
  /** Trials (sum of denominators) and successes (sum of numerators) over the units used. */
  nTrials: number;
  nSuccesses: number;
  /** Units with at least one trial (the resampled units). */
  nUnits: number;
  confidence: number;
  nResamples: number;
  seed: string;
  method: "cluster-bootstrap";
}

/** Pooled ratio of per-unit successes over trials with a cluster bootstrap interval; null when there are no trials. */
export function clusterRatioInterval(units: ReadonlyArray<{ successes: number; trials: number }>, opts: { seed: string; nResamples?: number; confidence?: number }): RatioInterval | null {
  const used = units.filter((u) => u.trials > 0);
  if (used.length === 0) return null;
  const num = Float64Array.from(used, (u) => u.successes);
  const den = Float64Array.from(used, (u) => u.trials);
  const b = bootstrapStatistic(used.length, (idx) => {
    let s = 0;
    let t = 0;
    for (let i = 0; i < idx.length; i++) {
      s += num[idx[i]];
      t += den[idx[i]];
    }
    return s / t;
  }, { seed: opts.seed, nResamples: opts.nResamples ?? 2000, confidence: opts.confidence ?? 0.95 });
  let nTrials = 0;
  let nSuccesses = 0;
  for (const u of used) {
    nTrials += u.trials;
    nSuccesses += u.successes;
  }
  return { rate: b.estimate, lo: b.lo, hi: b.hi, nTrials, nSuccesses, nUnits: used.length, confidence: b.confidence, nResamples: b.nResamples, seed: opts.seed, method: "cluster-bootstrap" };
}
