// ROUGE-L (Lin 2004): longest common subsequence of tokens; precision = LCS/|prediction|, recall =
// LCS/|reference|, F = 2PR/(P+R). Matches rouge-score's rougeL (and rougeLsum, the summary-level union LCS over
// newline-separated sentences with ROUGE-1.5.5's no-double-counting), including 0 when either side has no tokens.
import type { MetricHandler, MetricResult } from "./types.ts";
import { goldList } from "./types.ts";
import { rougeTokenize, type RougeTokenizeOptions } from "./rouge-tokenize.ts";
import { maxOverGolds } from "./squad.ts";

/** Precision, recall and F-measure of a ROUGE variant. */
export interface RougeScore {
  precision: number;
  recall: number;
  f: number;
}

/** rouge-score's fmeasure: harmonic mean, 0 when both are 0. */
export function fMeasure(precision: number, recall: number): number {
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

/** Length of the longest common subsequence of two token lists (two-row dynamic programme). */
export function lcsLength(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const [long, short] = a.length >= b.length ? [a, b] : [b, a];
  let prev = new Int32Array(short.length + 1);
  let cur = new Int32Array(short.length + 1);
  for (let i = 1; i <= long.length; i++) {
    const x = long[i - 1];
    for (let j = 1; j <= short.length; j++) {
      cur[j] = x === short[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[short.length];
}

/** ROUGE-L of a prediction against one reference. */
export function rougeL(prediction: string, reference: string, opts: RougeTokenizeOptions = {}): RougeScore {
  const p = rougeTokenize(prediction, opts);
  const r = rougeTokenize(reference, opts);
  if (p.length === 0 || r.length === 0) return { precision: 0, recall: 0, f: 0 };
  const lcs = lcsLength(r, p);
  const precision = lcs / p.length;
  const recall = lcs / r.length;
  return { precision, recall, f: fMeasure(precision, recall) };
}

/** Indices into `ref` of one LCS of ref and can, read back like rouge-score's _backtrack_norec. */
export function lcsIndices(ref: readonly string[], can: readonly string[]): number[] {
  const rows = ref.length;
  const cols = can.length;
  const w = cols + 1;
  const t = new Int32Array((rows + 1) * w);
  for (let i = 1; i <= rows; i++) {
    for (let j = 1; j <= cols; j++) {
      t[i * w + j] = ref[i - 1] === can[j - 1] ? t[(i - 1) * w + j - 1] + 1 : Math.max(t[(i - 1) * w + j], t[i * w + j - 1]);
    }
  }
  const out: number[] = [];
  let i = rows;
  let j = cols;
  while (i > 0 && j > 0) {
    if (ref[i - 1] === can[j - 1]) {
      out.push(i - 1);
      i--;
      j--;
    } else if (t[i * w + j - 1] > t[(i - 1) * w + j]) j--;
    else i--;
  }
  return out.reverse();
}

/** Summary-level ROUGE-L (rouge-score's rougeLsum): sentences are the non-empty lines of each text. */
export function rougeLsum(prediction: string, reference: string, opts: RougeTokenizeOptions = {}): RougeScore {
  const sents = (text: string): string[][] => text.split("\n").filter((s) => s.length > 0).map((s) => rougeTokenize(s, opts));
  const refSents = sents(reference);
  const canSents = sents(prediction);
  const m = refSents.reduce((s, x) => s + x.length, 0);
  const n = canSents.reduce((s, x) => s + x.length, 0);
  if (m === 0 || n === 0) return { precision: 0, recall: 0, f: 0 };
  const countR = new Map<string, number>();
  const countC = new Map<string, number>();
  for (const s of refSents) for (const t of s) countR.set(t, (countR.get(t) ?? 0) + 1);
  for (const s of canSents) for (const t of s) countC.set(t, (countC.get(t) ?? 0) + 1);
  let hits = 0;
  for (const r of refSents) {
    const union = new Set<number>();
    for (const c of canSents) for (const i of lcsIndices(r, c)) union.add(i);
    for (const i of [...union].sort((a, b) => a - b)) {
      const t = r[i];
      const cc = countC.get(t) ?? 0;
      const cr = countR.get(t) ?? 0;
      if (cc > 0 && cr > 0) {
        hits++;
        countC.set(t, cc - 1);
        countR.set(t, cr - 1);
      }
    }
  }
  const recall = hits / m;
  const precision = hits / n;
  return { precision, recall, f: fMeasure(precision, recall) };
}

/** Handler: ROUGE-L F-measure against the best-matching gold answer (rouge-score tokenization, no stemming). */
export const rougeLMetric: MetricHandler = {
  name: "rouge_l",
  description: "ROUGE-L F-measure (LCS of rouge-score tokens, no stemming), best over gold answers",
  kinds: ["open"],
  score(pred, gold): MetricResult {
    const golds = goldList(gold);
    const { best, index } = maxOverGolds(golds, (g) => rougeL(pred, g), (r) => r.f);
    const which = golds.length > 1 ? ` #${index + 1} of ${golds.length}` : "";
    return {
      score: best.f,
      reason: `ROUGE-L F ${best.f.toFixed(3)} (precision ${best.precision.toFixed(3)}, recall ${best.recall.toFixed(3)}) against gold${which}`,
    };
  },
};
