// SQuAD v1.1 exact match and token F1, matching the official evaluate-v1.1.py: normalize_answer lowercases,
// removes ASCII punctuation (Python's string.punctuation), removes the articles a/an/the (Unicode word
// boundaries, as Python 3's re), and collapses whitespace (Python's str.split); F1 is over the bag of tokens,
// and with several gold answers the maximum counts. As in v1.1, an empty normalized prediction has F1 0.
import type { MetricHandler, MetricResult } from "./types.ts";
import { clip, goldList } from "./types.ts";

const PUNCTUATION = new Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");
const ARTICLES = /(?<![\p{L}\p{N}_])(?:a|an|the)(?![\p{L}\p{N}_])/gu;
// Python's str.split() whitespace: str.isspace() characters (JS \s lacks \x1c-\x1f and \x85, adds \ufeff).
const PY_WHITESPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

/** Python's str.split() with no arguments: split on runs of whitespace, dropping empty ends. */
export function pySplit(text: string): string[] {
  return text.split(PY_WHITESPACE).filter((t) => t.length > 0);
}

/** SQuAD's normalize_answer: lower, remove punctuation, remove articles, fix whitespace. */
export function normalizeAnswer(text: string): string {
  let s = "";
  for (const ch of text.toLowerCase()) if (!PUNCTUATION.has(ch)) s += ch;
  return pySplit(s.replace(ARTICLES, " ")).join(" ");
}

/** SQuAD exact match of one prediction against one gold answer (after normalization). */
export function exactMatch(pred: string, gold: string): boolean {
  return normalizeAnswer(pred) === normalizeAnswer(gold);
}

/** Token-level precision, recall and F1 of one prediction against one gold answer. */
export interface TokenF1 {
  precision: number;
  recall: number;
  f1: number;
}

/** SQuAD token F1 (bag-of-tokens overlap after normalization). */
export function tokenF1(pred: string, gold: string): TokenF1 {
  const p = pySplit(normalizeAnswer(pred));
  const g = pySplit(normalizeAnswer(gold));
  const counts = new Map<string, number>();
  for (const t of g) counts.set(t, (counts.get(t) ?? 0) + 1);
  let same = 0;
  for (const t of p) {
    const c = counts.get(t) ?? 0;
    if (c > 0) {
      same++;
      counts.set(t, c - 1);
    }
  }
  if (same === 0) return { precision: 0, recall: 0, f1: 0 };
  const precision = same / p.length;
  const recall = same / g.length;
  return { precision, recall, f1: (2 * precision * recall) / (precision + recall) };
}

/** The best value of a per-gold metric over several gold answers, and which gold gave it (first on ties). */
export function maxOverGolds<T>(golds: readonly string[], fn: (gold: string) => T, value: (r: T) => number): { best: T; index: number } {
  let best = fn(golds[0]);
  let index = 0;
  for (let i = 1; i < golds.length; i++) {
    const r = fn(golds[i]);
    if (value(r) > value(best)) {
      best = r;
      index = i;
    }
  }
  return { best, index };
}

/** Exact match against any gold answer (SQuAD metric_max_over_ground_truths). */
export function exactMatchMax(pred: string, golds: string | readonly string[]): number {
  const list = goldList(golds);
  return list.some((g) => exactMatch(pred, g)) ? 1 : 0;
}

/** Token F1 against the best-matching gold answer. */
export function tokenF1Max(pred: string, golds: string | readonly string[]): number {
  return maxOverGolds(goldList(golds), (g) => tokenF1(pred, g), (r) => r.f1).best.f1;
}

function whichGold(golds: readonly string[], index: number): string {
  return golds.length > 1 ? ` #${index + 1} of ${golds.length}` : "";
}

/** Handler: SQuAD exact match (after normalization) against any gold answer. */
export const exactMatchMetric: MetricHandler = {
  name: "exact_match",
  description: "SQuAD v1.1 exact match after normalization (lowercase, no punctuation or articles), best over gold answers",
  kinds: ["open"],
  score(pred, gold): MetricResult {
    const golds = goldList(gold);
    const np = normalizeAnswer(pred);
    const i = golds.findIndex((g) => normalizeAnswer(g) === np);
    if (i >= 0) return { pass: true, score: 1, reason: `normalized prediction "${clip(np)}" equals gold${whichGold(golds, i)}` };
    return { pass: false, score: 0, reason: `normalized prediction "${clip(np)}" matches no gold answer (first: "${clip(normalizeAnswer(golds[0]))}")` };
  },
};

/** Handler: SQuAD token F1 against the best-matching gold answer. */
export const f1Metric: MetricHandler = {
  name: "f1",
  description: "SQuAD v1.1 token F1 after normalization, best over gold answers",
  kinds: ["open"],
  score(pred, gold): MetricResult {
    const golds = goldList(gold);
    const { best, index } = maxOverGolds(golds, (g) => tokenF1(pred, g), (r) => r.f1);
    return {
      score: best.f1,
      reason: `token F1 ${best.f1.toFixed(3)} (precision ${best.precision.toFixed(3)}, recall ${best.recall.toFixed(3)}) against gold${whichGold(golds, index)}`,
    };
  },
};
