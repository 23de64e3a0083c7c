// Log-likelihood scoring of MCQ and yes/no items, as lm-evaluation-harness's multiple_choice output type: the
// context is the prompt ("Question: ...\nA. ...\nAnswer:"), each option is a continuation after the target
// delimiter " " (" A", " B", ... with `letters` as the MMLU harness task; " option text" with `texts`), acc takes
// the argmax log-likelihood and acc_norm the argmax of log-likelihood / option length. The softmax of the option
// log-likelihoods is the model's confidence, used for calibration.
import { MedtuneError } from "../../core/index.ts";
import { YESNO_LABELS, type QAItem } from "../../data/index.ts";
import type { LogprobRequest, LogprobResult } from "../../providers/index.ts";
import { mcqPredict, optionProbabilities, type LengthUnit } from "../metrics/mcq.ts";
import type { ChoiceMode } from "../run/protocol.ts";
import type { ItemResult } from "./item-result.ts";

/** lm-evaluation-harness's target_delimiter between the prompt and an answer. */
export const TARGET_DELIMITER = " ";

/** One option as scored: its label, the continuation text and the text acc_norm measures. */
export interface LoglikChoice {
  label: string;
  continuation: string;
  /** the option text without the delimiter (acc_norm divides by its length) */
  text: string;
}

/** The options of an item as continuations (MCQ options, or yes/no/maybe labels). */
export function loglikChoices(item: QAItem, mode: ChoiceMode): LoglikChoice[] {
  if (item.kind === "mcq") {
    const opts = item.options ?? [];
    if (opts.length < 2) throw new MedtuneError("eval.bad-item", `MCQ item has ${opts.length} options`, { where: `item ${item.id}`, hint: "validate the dataset (medtune data inspect)" });
    return opts.map((o) => {
      const text = mode === "letters" ? o.label : o.text;
      return { label: o.label, continuation: TARGET_DELIMITER + text, text };
    });
  }
  if (item.kind === "yesno") {
    const labels = item.options && item.options.length > 0 ? item.options.map((o) => o.label) : [...YESNO_LABELS];
    return labels.map((l) => ({ label: l, continuation: TARGET_DELIMITER + l, text: l }));
  }
  throw new MedtuneError("eval.bad-scoring", `open-ended items cannot be scored by option log-likelihood`, { where: `item ${item.id}`, hint: "use scoring: generative for open questions" });
}

/** One logprob request per option, all with the same context. */
export function loglikRequests(prompt: string, choices: readonly LoglikChoice[]): LogprobRequest[] {
  return choices.map((c) => ({ context: prompt, continuation: c.continuation }));
}

/**
 * The item's result from its options' log-likelihoods (an error on any option fails the item). `primary` picks
 * the outcome the item's `correct` and `prediction` report: acc (letters) or acc_norm (option texts).
 */
export function scoreLoglik(item: QAItem, choices: readonly LoglikChoice[], results: readonly LogprobResult[], unit: LengthUnit, primary: "acc" | "acc_norm" = "acc"): ItemResult {
  const base = { id: item.id, source: item.source, subject: item.subject ?? null, kind: item.kind, gold: item.answer };
  const gold = choices.findIndex((c) => c.label === item.answer);
  if (gold < 0) throw new MedtuneError("eval.bad-item", `gold answer "${item.answer}" is not one of the options ${choices.map((c) => c.label).join(", ")}`, { where: `item ${item.id}` });
  const failed = results.findIndex((r) => r.error !== undefined || (!Number.isFinite(r.logprob) && r.logprob !== -Infinity));
  if (failed >= 0) {
    const why = results[failed].error ?? `log-likelihood is ${results[failed].logprob}`;
    return { ...base, prediction: null, correct: false, scores: { acc: 0, acc_norm: 0 }, error: `option ${choices[failed].label}: ${why}` };
  }
  const logliks = results.map((r) => r.logprob);
  if (logliks.every((x) => x === -Infinity)) {
    return { ...base, prediction: null, correct: false, scores: { acc: 0, acc_norm: 0 }, error: "every option has log-likelihood -Infinity" };
  }
  const p = mcqPredict({ logliks, optionTexts: choices.map((c) => c.text), gold }, unit, `item ${item.id}`);
  const probs = Array.from(optionProbabilities(logliks));
  const pred = choices[p.pred].label;
  const isNorm = primary === "acc_norm";
  return {
    ...base,
    prediction: isNorm ? choices[p.predNorm].label : pred,
    correct: isNorm ? p.isCorrectNorm : p.isCorrect,
    scores: { acc: p.isCorrect ? 1 : 0, acc_norm: p.isCorrectNorm ? 1 : 0 },
    loglik: {
      labels: choices.map((c) => c.label),
      continuations: choices.map((c) => c.continuation),
      logliks,
      tokens: results.map((r) => r.tokens),
      probs,
      pred,
      predNorm: choices[p.predNorm].label,
      confidence: probs[p.pred],
    },
  };
}
