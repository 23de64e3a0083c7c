// Holm's step-down correction for multiple comparisons (Holm 1979): sort the m p-values ascending and adjust
// p_(i) to max_{j<=i} min(1, (m-j+1)·p_(j)); it controls the family-wise error rate like Bonferroni, with more power.
import { MedtuneError } from "../../core/index.ts";

/** Holm-adjusted p-values, returned in the input order. */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  pValues.forEach((p, i) => {
    if (!(p >= 0 && p <= 1)) throw new MedtuneError("eval.stats.bad-p-value", `p-value ${i} is ${p}, expected a number in [0, 1]`);
  });
  const order = pValues.map((_, i) => i).sort((a, b) => pValues[a] - pValues[b] || a - b);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach((idx, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * pValues[idx]));
    adjusted[idx] = running;
  });
  return adjusted;
}
