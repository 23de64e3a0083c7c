// The eval runner's own answerer for consistency testing (src/eval/consistency): variants are prompted and scored
// exactly like the accuracy run (same template, few-shot examples of the original item, choices, CoT, extraction),
// through the same cached model, so a flip is the model's doing and never a protocol difference.
import type { Model } from "../../providers/index.ts";
import type { Answerer, ItemAnswer } from "../consistency/answer-items.ts";
import type { ItemResult } from "../tasks/item-result.ts";
import { primaryMetric } from "./protocol.ts";
import { itemScorer, type TaskRun } from "./runner.ts";

function toAnswer(r: ItemResult, method: string): ItemAnswer {
  if (r.error !== undefined) return { answer: null, error: r.error };
  const out: ItemAnswer = { answer: r.prediction };
  if (r.loglik) {
    out.method = method;
    const i = r.prediction === null ? -1 : r.loglik.labels.indexOf(r.prediction);
    if (i >= 0) out.confidence = r.loglik.probs[i];
  }
  if (r.generation) {
    out.output = r.generation.reasoning !== undefined ? `${r.generation.reasoning}\n${r.generation.output}` : r.generation.output;
    if (r.generation.extraction) {
      out.method = r.generation.extraction.method;
      if (r.generation.extraction.reason !== undefined) out.reason = r.generation.extraction.reason;
    }
  }
  return out;
}

/** An Answerer that prompts and scores items under `run`'s protocol with `model` (pass the cached model). */
export function protocolAnswerer(model: Model, run: TaskRun, batchSize = 16): Answerer {
  const score = itemScorer(model, run);
  const method = primaryMetric(run.protocol) === "acc_norm" ? "loglik-norm" : "loglik";
  return async (requests) => {
    const out: ItemAnswer[] = [];
    for (let start = 0; start < requests.length; start += batchSize) {
      const results = await score(requests.slice(start, start + batchSize));
      out.push(...results.map((r) => toAnswer(r, method)));
    }
    return out;
  };
}
