// The evaluation loop of one task: items in batches, every model call through the request cache (providers'
// withCache over the SQLite store, scoped by the protocol), so an interrupted evaluation resumes where it stopped
// and a rerun asks the model nothing. Log-likelihood tasks send one request per option; generative tasks one
// request per item (two with chain of thought). Failed requests become failed items, never a crashed run.
import { MedtuneError } from "../../core/index.ts";
import { renderCompletion, type PromptTemplate, type QAItem } from "../../data/index.ts";
import { withCache, type GenerateRequest, type GenerateResult, type Model, type RequestCache } from "../../providers/index.ts";
import { buildPrompt, sampleFewShot } from "../tasks/prompt-build.ts";
import { loglikChoices, loglikRequests, scoreLoglik, TARGET_DELIMITER } from "../tasks/loglik-scoring.ts";
import { firstStageRequest, needsSecondStage, scoreChoiceGeneration, scoreOpenGeneration, secondStageRequest, type GenerativeSettings } from "../tasks/generative-scoring.ts";
import type { ItemResult } from "../tasks/item-result.ts";
import { primaryMetric, requestProtocolKey, type EvalProtocol } from "./protocol.ts";

/** One task ready to run. */
export interface TaskRun {
  items: readonly QAItem[];
  protocol: EvalProtocol;
  template: PromptTemplate;
  /** few-shot examples come from here; null: from the evaluated items themselves (never the item itself) */
  fewShotPool: readonly QAItem[] | null;
  /** generative settings (required when protocol.scoring is generative) */
  generative?: GenerativeSettings;
}

/** Options of runTask. */
export interface RunTaskOptions {
  /** where every request's result is cached (the Store) */
  cache: RequestCache;
  /** items per model call (default 16) */
  batchSize?: number;
  /** called after each batch */
  onProgress?: (done: number, total: number) => void;
  /** stops between batches (the cache keeps what was done) */
  signal?: AbortSignal;
}

/** The answer text a few-shot example shows after its prompt, matching how the item itself is scored. */
export function shotAnswer(p: EvalProtocol, template: PromptTemplate): (ex: QAItem) => string {
  if (p.scoring === "generative") return (ex) => renderCompletion(ex, template);
  return (ex) => {
    if (ex.kind === "mcq" && p.choices === "texts") return TARGET_DELIMITER + (ex.options?.find((o) => o.label === ex.answer)?.text ?? ex.answer);
    return TARGET_DELIMITER + ex.answer;
  };
}

/** One item to score, greedily or (generative only) sampled with its own temperature and seed. */
export interface ScoreRequest {
  item: QAItem;
  sampling?: { temperature: number; seed: number };
}

/** Scores items under a task's protocol (one model call per stage for the whole batch); results in order. */
export type ItemScorer = (batch: readonly ScoreRequest[]) => Promise<ItemResult[]>;

/** The scorer of a task: prompts (template, context, few-shot) and scoring exactly as its protocol says. */
export function itemScorer(model: Model, run: TaskRun): ItemScorer {
  const p = run.protocol;
  const pool = run.fewShotPool ?? run.items;
  const answer = shotAnswer(p, run.template);
  const promptOf = (item: QAItem) => buildPrompt(item, run.template, p.withContext, sampleFewShot(item, pool, p.fewShot.n, p.fewShot.seed), answer);
  if (p.scoring === "loglik") {
    if (p.choices === null || p.lengthUnit === null) throw new MedtuneError("eval.bad-protocol", "log-likelihood scoring needs choices and lengthUnit in the protocol", { where: `task ${p.task}` });
    const mode = p.choices;
    const unit = p.lengthUnit;
    const primary = primaryMetric(p) === "acc_norm" ? "acc_norm" : "acc";
    return async (batch) => {
      const sampled = batch.find((r) => r.sampling !== undefined);
      if (sampled) throw new MedtuneError("eval.bad-scoring", "log-likelihood scoring is deterministic and cannot sample", { where: `item ${sampled.item.id}`, hint: "use generative scoring for N-sample agreement" });
      const plans = batch.map(({ item }) => {
        const choices = loglikChoices(item, mode);
        return { item, choices, requests: loglikRequests(promptOf(item), choices) };
      });
      const results = await model.logprobs(plans.flatMap((x) => x.requests));
      let at = 0;
      return plans.map((x) => {
        const r = results.slice(at, at + x.requests.length);
        at += x.requests.length;
        return scoreLoglik(x.item, x.choices, r, unit, primary);
      });
    };
  }
  const base = run.generative;
  if (!base) throw new MedtuneError("eval.bad-scoring", "generative scoring needs generative settings", { where: `task ${p.task}` });
  return async (batch) => {
    const settings = batch.map((r) => (r.sampling ? { ...base, temperature: r.sampling.temperature, seed: r.sampling.seed } : base));
    const prompts = batch.map((r) => promptOf(r.item));
    const first = await model.generate(batch.map((r, i) => firstStageRequest(prompts[i], r.item, settings[i])));
    const secondOf = new Map<number, number>();
    const secondReqs: GenerateRequest[] = [];
    batch.forEach((r, i) => {
      if (needsSecondStage(r.item, settings[i]) && first[i].error === undefined) {
        secondOf.set(i, secondReqs.length);
        secondReqs.push(secondStageRequest(prompts[i], first[i].text, settings[i]));
      }
    });
    const second: GenerateResult[] = secondReqs.length > 0 ? await model.generate(secondReqs) : [];
    return batch.map((r, i) => {
      if (r.item.kind === "open") return scoreOpenGeneration(r.item, first[i]);
      const k = secondOf.get(i);
      return scoreChoiceGeneration(r.item, settings[i], first[i], k === undefined ? null : second[k]);
    });
  };
}

/** Evaluates every item of a task with `model`; results in item order. */
export async function runTask(model: Model, run: TaskRun, opts: RunTaskOptions): Promise<ItemResult[]> {
  const batchSize = Math.max(1, Math.floor(opts.batchSize ?? 16));
  const cached = withCache(model, opts.cache, requestProtocolKey(run.protocol), { chunkSize: batchSize * 8 });
  const score = itemScorer(cached, run);
  const out: ItemResult[] = [];
  for (let start = 0; start < run.items.length; start += batchSize) {
    if (opts.signal?.aborted) throw new MedtuneError("eval.interrupted", `evaluation stopped after ${start} of ${run.items.length} items`, { hint: "run the same command again: finished requests are cached and are not asked again" });
    out.push(...(await score(run.items.slice(start, start + batchSize).map((item) => ({ item })))));
    opts.onProgress?.(out.length, run.items.length);
  }
  return out;
}
