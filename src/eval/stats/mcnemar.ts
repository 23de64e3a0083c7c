// McNemar's test for two models scored on the same items: only the discordant pairs count (b: A right and B
// wrong, c: A wrong and B right). Exact version: two-sided binomial test p = min(1, 2·P(X <= min(b,c))),
// X ~ Bin(b+c, 1/2), computed in log space; mid-p (Fagerland, Lydersen & Laake 2013) and the chi-square with
// Edwards' continuity correction (b-c|-1)^2/(b+c) are given for reference.
import { MedtuneError } from "../../core/index.ts";
import { binomialHalfLogCdf, binomialHalfLogPmf, chiSquareSf } from "./distributions.ts";

/** The 2x2 table of paired outcomes. */
export interface PairedCounts {
  /** Items both models got right. */
  bothRight: number;
  /** A right, B wrong. */
  b: number;
  /** A wrong, B right. */
  c: number;
  /** Items both models got wrong. */
  bothWrong: number;
  n: number;
}

/** Exact McNemar result. */
export interface McNemarExact {
  b: number;
  c: number;
  /** Two-sided exact p-value, min(1, 2·P(X <= min(b,c))). */
  pValue: number;
  /** ln of the uncapped two-sided p-value, usable when pValue underflows to 0. */
  logPValue: number;
  /** Two-sided mid-p: 2·(P(X <= m) - P(X = m)/2) with m = min(b,c); 1 - P(X = m)/2 when b = c. */
  midPValue: number;
}

/** Chi-square McNemar result (reference only; the exact test is the one to report). */
export interface McNemarChiSquare {
  statistic: number;
  pValue: number;
  isContinuityCorrected: boolean;
}

/** Both forms of the test plus the table they came from. */
export interface McNemarResult extends PairedCounts {
  exact: McNemarExact;
  chiSquare: McNemarChiSquare;
}

function isRight(v: boolean | number, where: string): boolean {
  if (v === true || v === 1) return true;
  if (v === false || v === 0) return false;
  throw new MedtuneError("eval.stats.bad-outcome", `paired outcome must be 0/1 or a boolean, got ${String(v)}`, { where });
}

/** Counts the 2x2 table of paired per-item outcomes (1/true = correct). */
export function pairedCounts(correctA: ArrayLike<boolean | number>, correctB: ArrayLike<boolean | number>): PairedCounts {
  if (correctA.length !== correctB.length) {
    throw new MedtuneError("eval.stats.unpaired", `paired outcomes differ in length: ${correctA.length} vs ${correctB.length}`, {
      hint: "compare two models only on the same items, in the same order",
    });
  }
  const t: PairedCounts = { bothRight: 0, b: 0, c: 0, bothWrong: 0, n: correctA.length };
  for (let i = 0; i < correctA.length; i++) {
    const a = isRight(correctA[i], `model A item ${i}`);
    const b = isRight(correctB[i], `model B item ${i}`);
    if (a && b) t.bothRight++;
    else if (a) t.b++;
    else if (b) t.c++;
    else t.bothWrong++;
  }
  return t;
}

function checkDiscordant(b: number, c: number): void {
  if (!Number.isInteger(b) || !Number.isInteger(c) || b < 0 || c < 0) {
    throw new MedtuneError("eval.stats.bad-count", `McNemar counts must be non-negative integers, got b=${b}, c=${c}`);
  }
}

/** Exact (binomial) McNemar test on the discordant counts b and c. */
export function mcnemarExact(b: number, c: number): McNemarExact {
  checkDiscordant(b, c);
  const n = b + c;
  if (n === 0) return { b, c, pValue: 1, logPValue: 0, midPValue: 1 };
  const m = Math.min(b, c);
  const logTail = binomialHalfLogCdf(m, n);
  const logP = Math.LN2 + logTail;
  const pValue = Math.min(1, Math.exp(logP));
  const pmf = Math.exp(binomialHalfLogPmf(m, n));
  // With b = c the two tails overlap at m; Fagerland et al. define the mid-p there as 1 - P(X = m)/2.
  const mid = b === c ? 1 - 0.5 * pmf : 2 * (Math.exp(logTail) - 0.5 * pmf);
  return { b, c, pValue, logPValue: logP, midPValue: Math.min(1, mid) };
}

/** Chi-square McNemar test, (|b-c| - 1)^2/(b+c) with continuity correction (default) or (b-c)^2/(b+c) without. */
export function mcnemarChiSquare(b: number, c: number, isContinuityCorrected = true): McNemarChiSquare {
  checkDiscordant(b, c);
  const n = b + c;
  if (n === 0) return { statistic: 0, pValue: 1, isContinuityCorrected };
  const d = isContinuityCorrected ? Math.max(0, Math.abs(b - c) - 1) : Math.abs(b - c);
  const statistic = (d * d) / n;
  return { statistic, pValue: chiSquareSf(statistic, 1), isContinuityCorrected };
}

/** McNemar test of two models' per-item correctness on the same items. */
export function mcnemarTest(correctA: ArrayLike<boolean | number>, correctB: ArrayLike<boolean | number>): McNemarResult {
  const t = pairedCounts(correctA, correctB);
  return { ...t, exact: mcnemarExact(t.b, t.c), chiSquare: mcnemarChiSquare(t.b, t.c) };
}
