// How consistency testing asks a model for an item's answer: log-likelihood scoring of each option after the
// lm-evaluation-harness prompt ("Question: ...\nA. ...\nAnswer:" + " A"), or generation (zero-shot chain of
// thought) followed by answer extraction. Both are `Answerer`s; the eval runner may pass its own so the
// consistency run uses exactly the protocol of the accuracy run.
import { errorMessage, MedtuneError } from "../../core/index.ts";
import { DEFAULT_TEMPLATE, renderPrompt, type PromptTemplate, type QAItem } from "../../data/index.ts";
import type { ChatMessage, GenerateRequest, LogprobRequest, Model } from "../../providers/index.ts";
import { extractChoice, extractYesNo } from "../extract/answer-extract.ts";
import { argmaxFirst, optionProbabilities, textLength } from "../metrics/mcq.ts";

/** One item to answer, greedily or with sampling. */
export interface AnswerRequest {
  item: QAItem;
  sampling?: { temperature: number; seed: number };
}

/** A model's answer to one item: an option label or yes/no/maybe, or null with an error or a reason. */
export interface ItemAnswer {
  answer: string | null;
  /** Generated text (generative scoring). */
  output?: string;
  /** How the answer was read: `loglik`, `loglik-norm` or the extraction method. */
  method?: string;
  /** Why the answer is null or what to double-check (extraction notes). */
  reason?: string;
  /** A provider failure (not the model's fault): the item is left out rather than counted. */
  error?: string;
  /** Probability of the chosen option among the options (log-likelihood scoring only). */
  confidence?: number;
}

/** Answers a batch of items; results in request order. */
export type Answerer = (requests: readonly AnswerRequest[]) => Promise<ItemAnswer[]>;

/** What is scored after the prompt: the label (" A", lm-eval MedQA/MMLU), the option text, or both (" A. text"). */
export type OptionContinuation = "label" | "text" | "label-text";

/** Settings of log-likelihood answering. */
export interface LoglikAnswerOptions {
  template?: PromptTemplate;
  /** Default `label`. */
  continuation?: OptionContinuation;
  /** Pick by log-likelihood per character (lm-eval acc_norm) instead of the raw sum (default false). */
  isLengthNormalized?: boolean;
  /** Items per call to the model (default 32). */
  batchSize?: number;
}

/** Settings of generative answering. */
export interface GenerativeAnswerOptions {
  template?: PromptTemplate;
  /** `chat` sends messages through the model's chat template; `prompt` a raw completion (default: chat when the model has one). */
  format?: "chat" | "prompt";
  /** New tokens at most (default 512). */
  maxTokens?: number;
  /** Items per call to the model (default 16). */
  batchSize?: number;
}

const YESNO = ["yes", "no", "maybe"] as const;

/** The scored continuations of an item, one per choice, with the choice each stands for. */
export function choiceContinuations(item: QAItem, continuation: OptionContinuation = "label"): { choices: string[]; continuations: string[] } {
  if (item.kind === "yesno") return { choices: [...YESNO], continuations: YESNO.map((w) => ` ${w}`) };
  if (item.kind !== "mcq" || item.options === undefined || item.options.length < 2) {
    throw new MedtuneError("eval.consistency.not-scorable", `item ${item.id} (${item.kind}) has no options to score`, { hint: "consistency needs multiple-choice or yes/no/maybe items" });
  }
  const choices = item.options.map((o) => o.label);
  const continuations = item.options.map((o) => (continuation === "label" ? ` ${o.label}` : continuation === "text" ? ` ${o.text}` : ` ${o.label}. ${o.text}`));
  return { choices, continuations };
}

async function inBatches<T, R>(xs: readonly T[], size: number, fn: (batch: readonly T[]) => Promise<R[]>): Promise<R[]> {
  if (!Number.isInteger(size) || size < 1) throw new MedtuneError("eval.consistency.bad-option", `batchSize must be a positive integer, got ${size}`);
  const out: R[] = [];
  for (let i = 0; i < xs.length; i += size) out.push(...(await fn(xs.slice(i, i + size))));
  return out;
}

/** Answers by scoring every option's continuation after the rendered prompt and taking the most likely. */
export function loglikAnswerer(model: Model, opts: LoglikAnswerOptions = {}): Answerer {
  const template = opts.template ?? DEFAULT_TEMPLATE;
  const continuation = opts.continuation ?? "label";
  return (requests) => inBatches(requests, opts.batchSize ?? 32, async (batch) => {
    const flat: LogprobRequest[] = [];
    const spans: Array<{ start: number; choices: string[]; continuations: string[] }> = [];
    for (const r of batch) {
      if (r.sampling !== undefined) {
        throw new MedtuneError("eval.consistency.sampling-loglik", "log-likelihood scoring is deterministic and cannot sample", { where: r.item.id, hint: "use scoring: \"generative\" for N-sample agreement" });
      }
      const c = choiceContinuations(r.item, continuation);
      const context = renderPrompt(r.item, template);
      spans.push({ start: flat.length, ...c });
      for (const cont of c.continuations) flat.push({ context, continuation: cont });
    }
    const results = flat.length > 0 ? await model.logprobs(flat) : [];
    if (results.length !== flat.length) throw new MedtuneError("eval.consistency.provider", `the model returned ${results.length} scores for ${flat.length} requests`);
    return spans.map((s): ItemAnswer => {
      const rs = results.slice(s.start, s.start + s.choices.length);
      const failed = rs.find((r) => r.error !== undefined || Number.isNaN(r.logprob) || r.logprob === Infinity);
      if (failed !== undefined) return { answer: null, error: failed.error ?? `log-likelihood is ${failed.logprob}` };
      const ll = rs.map((r) => r.logprob);
      if (ll.every((x) => x === -Infinity)) return { answer: null, error: "every option has log-likelihood -Infinity" };
      const scores = opts.isLengthNormalized ? ll.map((x, i) => x / Math.max(1, textLength(s.continuations[i].trimStart()))) : ll;
      const best = argmaxFirst(scores);
      const probs = optionProbabilities(ll);
      return { answer: s.choices[best], method: opts.isLengthNormalized ? "loglik-norm" : "loglik", confidence: probs[best] };
    });
  });
}

/** The zero-shot chain-of-thought instruction for an item kind. */
export function cotInstruction(item: QAItem): string {
  if (item.kind === "yesno") return "Think step by step, then give your final answer on the last line as \"Answer: yes\", \"Answer: no\" or \"Answer: maybe\".";
  return "Think step by step, then give your final answer on the last line as \"Answer: <letter>\".";
}

/** The generation request for an item (the prompt without its trailing "Answer:", plus the instruction). */
export function generativeRequest(item: QAItem, opts: { template?: PromptTemplate; format: "chat" | "prompt"; maxTokens?: number }): GenerateRequest {
  const template = opts.template ?? DEFAULT_TEMPLATE;
  const body = renderPrompt(item, template).replace(/\n?Answer:\s*$/, "").trimEnd();
  const maxTokens = opts.maxTokens ?? 512;
  if (opts.format === "chat") {
    const messages: ChatMessage[] = [];
    if (template.system) messages.push({ role: "system", content: template.system });
    messages.push({ role: "user", content: `${body}\n\n${cotInstruction(item)}` });
    return { messages, maxTokens, temperature: 0 };
  }
  return { prompt: `${body}\n${cotInstruction(item)}\nLet's think step by step.`, maxTokens, temperature: 0 };
}

/** Answers by generating a reasoned answer and extracting the chosen option (or yes/no/maybe). */
export function generativeAnswerer(model: Model, opts: GenerativeAnswerOptions = {}): Answerer {
  const format = opts.format ?? (model.info().capabilities.chat ? "chat" : "prompt");
  return (requests) => inBatches(requests, opts.batchSize ?? 16, async (batch) => {
    const reqs = batch.map((r) => {
      if (r.item.kind !== "mcq" && r.item.kind !== "yesno") {
        throw new MedtuneError("eval.consistency.not-scorable", `item ${r.item.id} is ${r.item.kind}; consistency compares discrete answers`, { hint: "use multiple-choice or yes/no/maybe items" });
      }
      const g = generativeRequest(r.item, { template: opts.template, format, maxTokens: opts.maxTokens });
      return r.sampling === undefined ? g : { ...g, temperature: r.sampling.temperature, seed: r.sampling.seed };
    });
    const results = await model.generate(reqs);
    if (results.length !== reqs.length) throw new MedtuneError("eval.consistency.provider", `the model returned ${results.length} results for ${reqs.length} requests`);
    return results.map((g, i): ItemAnswer => {
      if (g.error !== undefined) return { answer: null, error: g.error, output: g.text };
      const item = batch[i].item;
      let ex;
      try {
        ex = item.kind === "yesno" ? extractYesNo(g.text) : extractChoice(g.text, item.options!);
      } catch (e) {
        return { answer: null, output: g.text, method: "unparsed", reason: errorMessage(e) };
      }
      return { answer: ex.answer, output: g.text, method: ex.method, ...(ex.reason !== undefined ? { reason: ex.reason } : {}) };
    });
  });
}
