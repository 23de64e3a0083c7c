// Multiple-choice scoring from option log-likelihoods, as lm-evaluation-harness's multiple_choice output type:
// acc = [argmax_i ll_i == gold], acc_norm = [argmax_i ll_i / len(option_i) == gold] with len in characters
// (Python len, i.e. code points, of the option text without the leading delimiter); `bytes` normalizes by UTF-8
// length instead. Ties go to the first option (numpy argmax). Also the per-item handler for a chosen letter.
import { MedtuneError } from "../../core/index.ts";
import type { MetricHandler, MetricOption, MetricResult } from "./types.ts";
import { clip, goldList } from "./types.ts";
import { DEFAULT_CHOICE_LABELS, extractChoice } from "../extract/answer-extract.ts";

/** Unit of the length normalization: `chars` (code points, lm-eval's acc_norm) or UTF-8 `bytes`. */
export type LengthUnit = "chars" | "bytes";

/** Index of the first maximum (numpy argmax); -1 for an empty array. NaN values are never chosen. */
export function argmaxFirst(x: ArrayLike<number>): number {
  let best = -1;
  for (let i = 0; i < x.length; i++) if (!Number.isNaN(x[i]) && (best < 0 || x[i] > x[best])) best = i;
  return best;
}

/** Length of an option text in code points or UTF-8 bytes. */
export function textLength(text: string, unit: LengthUnit = "chars"): number {
  if (unit === "bytes") return Buffer.byteLength(text, "utf8");
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Softmax of option log-likelihoods: the model's probability of each option given that one of them is right. */
export function optionProbabilities(logliks: ArrayLike<number>): Float64Array {
  const out = new Float64Array(logliks.length);
  let max = -Infinity;
  for (let i = 0; i < logliks.length; i++) {
    if (Number.isNaN(logliks[i]) || logliks[i] === Infinity) throw new MedtuneError("eval.metric.bad-loglik", `option ${i} log-likelihood is ${logliks[i]}`, { hint: "a failed scoring request must be retried or counted as failed, not scored" });
    max = Math.max(max, logliks[i]);
  }
  if (max === -Infinity) throw new MedtuneError("eval.metric.bad-loglik", "every option has log-likelihood -Infinity");
  let sum = 0;
  for (let i = 0; i < out.length; i++) sum += out[i] = Math.exp(logliks[i] - max);
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

/** One MCQ item's log-likelihood scoring. */
export interface McqScoring {
  /** Sum of log-probabilities of each option's continuation tokens. */
  logliks: ArrayLike<number>;
  /** Option texts as scored (for length normalization). */
  optionTexts: readonly string[];
  /** Index of the gold option. */
  gold: number;
}

/** Per-item predictions of acc and acc_norm. */
export interface McqPrediction {
  pred: number;
  predNorm: number;
  isCorrect: boolean;
  isCorrectNorm: boolean;
}

/** Predicted option by raw and by length-normalized log-likelihood, and whether each is right. */
export function mcqPredict(item: McqScoring, unit: LengthUnit = "chars", where = "item"): McqPrediction {
  const k = item.logliks.length;
  if (k < 2) throw new MedtuneError("eval.metric.bad-mcq", `${k} option log-likelihoods; an MCQ needs at least 2`, { where });
  if (item.optionTexts.length !== k) throw new MedtuneError("eval.metric.bad-mcq", `${k} log-likelihoods for ${item.optionTexts.length} option texts`, { where });
  if (!Number.isInteger(item.gold) || item.gold < 0 || item.gold >= k) throw new MedtuneError("eval.metric.bad-mcq", `gold index ${item.gold} outside 0..${k - 1}`, { where });
  const norm = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const ll = item.logliks[i];
    if (Number.isNaN(ll) || ll === Infinity) throw new MedtuneError("eval.metric.bad-loglik", `option ${i} log-likelihood is ${ll}`, { where, hint: "retry or mark the item failed before scoring" });
    const len = textLength(item.optionTexts[i], unit);
    if (len === 0) throw new MedtuneError("eval.metric.bad-mcq", `option ${i} text is empty, so acc_norm is undefined`, { where, hint: "clean the dataset: every option needs text" });
    norm[i] = ll / len;
  }
  const pred = argmaxFirst(item.logliks);
  const predNorm = argmaxFirst(norm);
  return { pred, predNorm, isCorrect: pred === item.gold, isCorrectNorm: predNorm === item.gold };
}

/** acc and acc_norm over items, with the per-item outcomes for bootstrap and McNemar. */
export interface McqAccuracy {
  n: number;
  acc: number;
  accNorm: number;
  correct: Uint8Array;
  correctNorm: Uint8Array;
  lengthUnit: LengthUnit;
}

/** lm-eval-harness acc and acc_norm over a set of items. */
export function mcqAccuracy(items: readonly McqScoring[], unit: LengthUnit = "chars"): McqAccuracy {
  const n = items.length;
  const correct = new Uint8Array(n);
  const correctNorm = new Uint8Array(n);
  let a = 0;
  let b = 0;
  items.forEach((it, i) => {
    const p = mcqPredict(it, unit, `item ${i}`);
    a += correct[i] = p.isCorrect ? 1 : 0;
    b += correctNorm[i] = p.isCorrectNorm ? 1 : 0;
  });
  return { n, acc: n > 0 ? a / n : NaN, accNorm: n > 0 ? b / n : NaN, correct, correctNorm, lengthUnit: unit };
}

function labelsOf(options: readonly MetricOption[] | undefined): string[] | null {
  return options === undefined ? null : options.map((o) => o.label.toUpperCase());
}

/** Handler: the chosen option (a bare label, or free text run through answer extraction) equals the gold label. */
export const mcqCorrectMetric: MetricHandler = {
  name: "mcq_correct",
  description: "MCQ accuracy: the chosen option letter (extracted from free text when needed) equals the gold letter",
  kinds: ["mcq"],
  score(pred, gold, ctx): MetricResult {
    const golds = goldList(gold).map((g) => g.trim().toUpperCase());
    const labels = labelsOf(ctx?.options);
    const bare = pred.trim().toUpperCase();
    let chosen: string | null;
    let how: string;
    if (/^[A-Z]$/.test(bare) && (labels === null || labels.includes(bare))) {
      chosen = bare;
      how = "bare label";
    } else {
      const ex = extractChoice(pred, ctx?.options ?? DEFAULT_CHOICE_LABELS);
      if (ex.answer === null) return { pass: false, score: 0, reason: `unparsed (${ex.method}): ${ex.reason ?? "no answer found"} in "${clip(pred)}"` };
      chosen = ex.answer;
      how = `extracted by ${ex.method}`;
    }
    const ok = golds.includes(chosen);
    return { pass: ok, score: ok ? 1 : 0, reason: `chose ${chosen} (${how}); gold ${golds.join("/")}` };
  },
};
