// Cohen's kappa for two raters' yes/no verdicts on the same items (Cohen 1960): kappa = (p_o - p_e) / (1 - p_e),
// p_o the observed agreement and p_e the agreement expected from each rater's own yes rate. Used to report how
// well the lexical support measure agrees with a judge model.

/** Agreement of two binary raters. */
export interface BinaryAgreement {
  n: number;
  /** Both yes, A yes and B no, A no and B yes, both no. */
  yesYes: number;
  yesNo: number;
  noYes: number;
  noNo: number;
  /** Observed agreement p_o (NaN when n = 0). */
  agreement: number;
  /** Cohen's kappa; null when undefined (no items, or both raters gave one and the same label throughout, p_e = 1). */
  kappa: number | null;
}

/** Cohen's kappa of paired boolean verdicts. */
export function cohensKappa(a: readonly boolean[], b: readonly boolean[]): BinaryAgreement {
  if (a.length !== b.length) throw new RangeError(`paired verdicts differ in length: ${a.length} vs ${b.length}`);
  const t = { yesYes: 0, yesNo: 0, noYes: 0, noNo: 0 };
  for (let i = 0; i < a.length; i++) {
    if (a[i] && b[i]) t.yesYes++;
    else if (a[i]) t.yesNo++;
    else if (b[i]) t.noYes++;
    else t.noNo++;
  }
  const n = a.length;
  if (n === 0) return { n, ...t, agreement: NaN, kappa: null };
  const po = (t.yesYes + t.noNo) / n;
  const aYes = (t.yesYes + t.yesNo) / n;
  const bYes = (t.yesYes + t.noYes) / n;
  const pe = aYes * bYes + (1 - aYes) * (1 - bYes);
  return { n, ...t, agreement: po, kappa: pe >= 1 ? null : (po - pe) / (1 - pe) };
}
