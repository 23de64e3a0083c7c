// Text generation with a KV cache: prefill the prompt once, then one decode step per new token, choosing each
// token greedily or by seeded sampling, until a stop id or the token budget (HF generate / llama.cpp main loop).
import { fail } from "../core/index.ts";
import type { LlamaModel } from "./model.ts";
import { Sampler, type SamplingOptions } from "./sampling.ts";

/** Options of generate(). */
export interface GenerateOptions extends SamplingOptions {
  /** new tokens at most */
  maxNewTokens: number;
  /** tokens that end generation (not included in the output); default the config's EOS ids */
  stopIds?: readonly number[];
  /** called with each new token as it is chosen (streaming) */
  onToken?: (id: number) => void;
}

/** What generate() produced. */
export interface GenerateResult {
  /** new token ids (the stop token excluded) */
  ids: number[];
  /** "stop": a stop id was produced; "length": maxNewTokens reached */
  finishReason: "stop" | "length";
  /** the stop id that ended generation */
  stopId?: number;
}

/** Continues `promptIds` (already tokenized, BOS included if the model wants one) with up to maxNewTokens tokens. */
export function generate(model: LlamaModel, promptIds: readonly number[], opts: GenerateOptions): GenerateResult {
  if (promptIds.length === 0) fail("generate.empty-prompt", "generate needs at least one prompt token", "generate", "start the prompt with the BOS token");
  if (!(Number.isInteger(opts.maxNewTokens) && opts.maxNewTokens >= 0)) {
    fail("generate.bad-option", `maxNewTokens must be an integer ≥ 0, got ${opts.maxNewTokens}`, "generate options");
  }
  const V = model.config.vocabSize;
  const stop = new Set(opts.stopIds ?? model.config.eosTokenIds);
  const sampler = new Sampler(V, opts);
  const ids: number[] = [];
  if (opts.maxNewTokens === 0) return { ids, finishReason: "length" };
  const cache = model.createCache(1, promptIds.length + opts.maxNewTokens);
  const next = new Int32Array(1);
  let logits = model.prefill(cache, [promptIds]);
  for (;;) {
    const id = sampler.sample(logits);
    if (stop.has(id)) return { ids, finishReason: "stop", stopId: id };
    ids.push(id);
    opts.onToken?.(id);
    if (ids.length >= opts.maxNewTokens) return { ids, finishReason: "length" };
    next[0] = id;
    logits = model.decodeStep(cache, next);
  }
}
