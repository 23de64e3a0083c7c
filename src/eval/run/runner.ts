// The evaluation loop of one task: items in batches, every model call through the request cache (providers'
// withCache over the SQLite store, scoped by the protocol), so an interrupted evaluation resumes where it stopped
// and a rerun asks the model nothing. Log-likelihood tasks send one request per option; generative tasks one
// request per item (two with chain of thought). Failed requests become failed items, never a crashed run.
import { MedtuneError } from "../../core/index.ts";
import type { PromptTemplate, QAItem } from "../../data/index.ts";
import { withCache, type GenerateRequest, type GenerateResult, type Model, type RequestCache } from "../../providers/index.ts";
import { buildPrompt, sampleFewShot } from "../tasks/prompt-build.ts";
import { loglikChoices, loglikRequests, scoreLoglik, TARGET_DELIMITER } from "../tasks/loglik-scoring.ts";
import { firstStageRequest, needsSecondStage, scoreChoiceGeneration, scoreOpenGeneration, secondStageRequest, type GenerativeSettings } from "../tasks/generative-scoring.ts";
import { renderCompletion } from "../../data/index.ts";
import type { ItemResult } from "../tasks/item-result.ts";
import { requestProtocolKey, type EvalProtocol } from "./protocol.ts";

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
function shotAnswer(p: EvalProtocol, template: PromptTemplate): (ex: QAItem) => string {
  if (p.scoring === "generative") return (ex) => renderCompletion(ex, template);
  return (ex) => {
    if (ex.kind === "mcq" && p.choices === "texts") return TARGET_DELIMITER + (ex.options?.find((o) => o.label === ex.answer)?.text ?? ex.answer);
    return TARGET_DELIMITER + ex.answer;
  };
}

/** Evaluates every item of a task with `model`; results in item order. */
export async function runTask(model: Model, run: TaskRun, opts: RunTaskOptions): Promise<ItemResult[]> {
  const p = run.protocol;
  const batchSize = Math.max(1, Math.floor(opts.batchSize ?? 16));
  const cached = withCache(model, opts.cache, requestProtocolKey(p), { chunkSize: batchSize * 8 });
  const pool = run.fewShotPool ?? run.items;
  const answer = shotAnswer(p, run.template);
  const promptOf = (item: QAItem) => buildPrompt(item, run.template, p.withContext, sampleFewShot(item, pool, p.fewShot.n, p.fewShot.seed), answer);
  const out: ItemResult[] = [];
  for (let start = 0; start < run.items.length; start += batchSize) {
    if (opts.signal?.aborted) throw new MedtuneError("eval.interrupted", `evaluation stopped after ${start} of ${run.items.length} items`, { hint: "run the same command again: finished requests are cached and are not asked again" });
    const batch = run.items.slice(start, start + batchSize);
    if (p.scoring === "loglik") out.push(...(await loglikBatch(cached, batch, p, promptOf)));
    else {
      if (!run.generative) throw new MedtuneError("eval.bad-scoring", "generative scoring needs generative settings", { where: `task ${p.task}` });
      out.push(...(await generativeBatch(cached, batch, run.generative, promptOf)));
    }
    opts.onProgress?.(out.length, run.items.length);
  }
  return out;
}

async function loglikBatch(model: Model, batch: readonly QAItem[], p: EvalProtocol, promptOf: (item: QAItem) => string): Promise<ItemResult[]> {
  if (p.choices === null || p.lengthUnit === null) throw new MedtuneError("eval.bad-protocol", "log-likelihood scoring needs choices and lengthUnit in the protocol", { where: `task ${p.task}` });
  const mode = p.choices;
  const unit = p.lengthUnit;
  const plans = batch.map((item) => {
    const choices = loglikChoices(item, mode);
    return { item, choices, requests: loglikRequests(promptOf(item), choices) };
  });
  const results = await model.logprobs(plans.flatMap((x) => x.requests));
  let at = 0;
  const primary = mode === "texts" && batch.some((it) => it.kind === "mcq") ? "acc_norm" : "acc";
  return plans.map((x) => {
    const r = results.slice(at, at + x.requests.length);
    at += x.requests.length;
    return scoreLoglik(x.item, x.choices, r, unit, primary);
  });
}

async function generativeBatch(model: Model, batch: readonly QAItem[], s: GenerativeSettings, promptOf: (item: QAItem) => string): Promise<ItemResult[]> {
  const prompts = batch.map(promptOf);
  const first = await model.generate(batch.map((item, i) => firstStageRequest(prompts[i], item, s)));
  const secondIdx: number[] = [];
  const secondReqs: GenerateRequest[] = [];
  batch.forEach((item, i) => {
    if (needsSecondStage(item, s) && first[i].error === undefined) {
      secondIdx.push(i);
      secondReqs.push(secondStageRequest(prompts[i], first[i].text, s));
    }
  });
  const secondRes = secondReqs.length > 0 ? await model.generate(secondReqs) : [];
  const second = new Map<number, GenerateResult>(secondIdx.map((i, k) => [i, secondRes[k]]));
  return batch.map((item, i) => {
    if (item.kind === "open") return scoreOpenGeneration(item, first[i]);
    return scoreChoiceGeneration(item, s, first[i], needsSecondStage(item, s) && first[i].error === undefined ? second.get(i)! : null);
  });
}
