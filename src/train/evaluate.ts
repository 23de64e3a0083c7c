// Validation during training, with the model itself and no dropout: mean NLL per scored token over a set, and MCQ
// accuracy by log-likelihood scoring as lm-evaluation-harness does (each option's continuation scored after the
// prompt, argmax of the summed log-probability, or of the per-token mean when asked).
import type { LlamaModel } from "../nn/index.ts";
import { collate } from "./batches.ts";
import type { McqProbe, TrainExample } from "./encode.ts";
import type { ValMetrics } from "./early-stop.ts";

/** Summed NLL and scored-token count over examples (no gradients; batches of similar length, in a fixed order). */
export function setLoss(model: LlamaModel, examples: readonly TrainExample[], batchSize: number, padId: number): { sum: number; tokens: number } {
  const order = examples.map((_, i) => i).sort((a, b) => examples[a].ids.length - examples[b].ids.length || a - b);
  const wasTraining = model.training;
  model.training = false;
  let sum = 0, tokens = 0;
  try {
    for (let i = 0; i < order.length; i += batchSize) {
      const mb = collate(order.slice(i, i + batchSize).map((j) => examples[j]), padId);
      if (mb.nScored === 0) continue;
      // lossNormalizer 1 returns the summed NLL of the batch
      sum += model.forward({ data: mb.ids, B: mb.B, T: mb.T }, { labels: { data: mb.labels, B: mb.B, T: mb.T }, lossNormalizer: 1, noGrad: true })!;
      tokens += mb.nScored;
    }
  } finally {
    model.training = wasTraining;
  }
  return { sum, tokens };
}

/** Mean NLL per scored token (NaN for an empty set). */
export function meanLoss(model: LlamaModel, examples: readonly TrainExample[], batchSize: number, padId: number): number {
  const r = setLoss(model, examples, batchSize, padId);
  return r.tokens > 0 ? r.sum / r.tokens : NaN;
}

/** Log-likelihood of each option's continuation: summed, or per token with `scoring: "mean"`. */
export function optionScores(model: LlamaModel, probe: McqProbe, scoring: "sum" | "mean"): number[] {
  const wasTraining = model.training;
  model.training = false;
  try {
    return probe.options.map((o) => {
      const T = o.ids.length;
      const nll = model.forward({ data: o.ids, B: 1, T }, { labels: { data: o.labels, B: 1, T }, lossNormalizer: 1, noGrad: true })!;
      return scoring === "mean" ? -nll / o.nScored : -nll;
    });
  } finally {
    model.training = wasTraining;
  }
}

/** Fraction of probes whose gold option scores highest (ties go to the first option, as numpy argmax). */
export function mcqAccuracy(model: LlamaModel, probes: readonly McqProbe[], scoring: "sum" | "mean"): number {
  if (probes.length === 0) return NaN;
  let right = 0;
  for (const p of probes) {
    const s = optionScores(model, p, scoring);
    let best = 0;
    for (let i = 1; i < s.length; i++) if (s[i] > s[best]) best = i;
    if (best === p.gold) right++;
  }
  return right / probes.length;
}

/** What a validation pass measures. */
export interface ValidationSets {
  validation: readonly TrainExample[];
  mcq: readonly McqProbe[];
  general?: readonly TrainExample[];
  batchSize: number;
  padId: number;
  scoring: "sum" | "mean";
}

/** One validation pass: loss, MCQ accuracy (when there are MCQs) and general-set loss (when given). */
export function validate(model: LlamaModel, sets: ValidationSets): ValMetrics {
  const m: ValMetrics = { loss: meanLoss(model, sets.validation, sets.batchSize, sets.padId) };
  if (sets.mcq.length > 0) m.accuracy = mcqAccuracy(model, sets.mcq, sets.scoring);
  if (sets.general && sets.general.length > 0) m.generalLoss = meanLoss(model, sets.general, sets.batchSize, sets.padId);
  return m;
}
