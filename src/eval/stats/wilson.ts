// Wilson score interval for a binomial proportion (Wilson 1927; Agresti & Coull 1998): stays inside [0, 1] and
// keeps near-nominal coverage for small n and proportions near 0 or 1, where the Wald interval fails.
// centre = (p + z²/2n)/(1 + z²/n), half-width = z/(1 + z²/n)·sqrt(p(1-p)/n + z²/4n²).
import { MedtuneError } from "../../core/index.ts";
import { zForConfidence } from "./distributions.ts";

/** A proportion with its confidence interval. */
export interface ProportionInterval {
  estimate: number;
  lo: number;
  hi: number;
  confidence: number;
  successes: number;
  n: number;
  method: "wilson";
}

/** Wilson score interval for `successes` out of `n` (default 95%). */
export function wilsonInterval(successes: number, n: number, confidence = 0.95): ProportionInterval {
  if (!Number.isInteger(n) || n <= 0 || !Number.isInteger(successes) || successes < 0 || successes > n) {
    throw new MedtuneError("eval.stats.bad-proportion", `Wilson interval needs integers 0 <= successes <= n and n > 0, got ${successes}/${n}`, {
      hint: "a group with no items has no interval; drop it or report it as empty",
    });
  }
  const z = zForConfidence(confidence);
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return {
    estimate: p,
    lo: successes === 0 ? 0 : Math.max(0, centre - half),
    hi: successes === n ? 1 : Math.min(1, centre + half),
    confidence,
    successes,
    n,
    method: "wilson",
  };
}
