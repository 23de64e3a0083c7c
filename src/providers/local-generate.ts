// Batched text generation with the engine's KV cache (the `local` provider): prompts left-padded into one prefill
// (positions count real tokens only, as HF generate), then one decode step per new token for every sequence of
// the batch, each choosing greedily or by its own seeded sampler, streaming text through its stop-string
// matcher until an end token, a stop string, its token budget or its abort signal ends it.
import { performance } from "node:perf_hooks";
import type { LlamaModel, Sampler } from "../nn/index.ts";
import { yieldToEventLoop } from "./local-scoring.ts";
import type { StopMatcher } from "./stop-strings.ts";

/** One sequence to continue. */
export interface GenerationJob {
  /** prompt tokens, BOS included when the model wants one */
  prompt: readonly number[];
  /** new tokens at most (>= 1) */
  maxNew: number;
  sampler: Sampler;
  stop: StopMatcher;
  /** the text of the generated tokens (decoded in the prompt's context) */
  decode: (ids: readonly number[]) => string;
  onText?: (delta: string) => void;
  signal?: AbortSignal;
}

/** How a sequence ended. */
export interface GenerationOutcome {
  ids: number[];
  /** the released text (stops before a stop string) */
  text: string;
  finishReason: "stop" | "length";
  error?: string;
  /** performance.now() when it ended */
  endMs: number;
}

/** Generates every job in batches of consecutive jobs (rows · (longest prompt + most new tokens) <= maxBatchTokens); outcomes in job order. */
export async function generateBatched(model: LlamaModel, jobs: readonly GenerationJob[], stopIds: ReadonlySet<number>, maxBatchTokens: number): Promise<GenerationOutcome[]> {
  const out: GenerationOutcome[] = new Array(jobs.length);
  for (let i = 0; i < jobs.length; ) {
    let B = 1;
    let Lp = jobs[i].prompt.length, N = jobs[i].maxNew;
    while (i + B < jobs.length) {
      const lp = Math.max(Lp, jobs[i + B].prompt.length), n = Math.max(N, jobs[i + B].maxNew);
      if ((B + 1) * (lp + n) > maxBatchTokens) break;
      Lp = lp;
      N = n;
      B++;
    }
    const batch = jobs.slice(i, i + B);
    try {
      const res = await generateOneBatch(model, batch, stopIds, Lp, N);
      res.forEach((r, b) => (out[i + b] = r));
    } catch (e) {
      const error = `the engine failed during generation: ${(e as Error)?.message ?? String(e)}`;
      batch.forEach((j, b) => (out[i + b] ??= { ids: [], text: j.stop.text, finishReason: "stop", error, endMs: performance.now() }));
    }
    i += B;
  }
  return out;
}

async function generateOneBatch(model: LlamaModel, jobs: readonly GenerationJob[], stopIds: ReadonlySet<number>, Lp: number, N: number): Promise<GenerationOutcome[]> {
  const B = jobs.length;
  const V = model.config.vocabSize;
  const cache = model.createCache(B, Lp + N);
  const ids = new Int32Array(B * Lp);
  const mask = new Uint8Array(B * Lp);
  jobs.forEach((j, b) => {
    const pad = Lp - j.prompt.length;
    for (let t = 0; t < j.prompt.length; t++) {
      ids[b * Lp + pad + t] = j.prompt[t];
      mask[b * Lp + pad + t] = 1;
    }
  });
  const padded = jobs.some((j) => j.prompt.length < Lp);
  let logits = model.prefill(cache, { data: ids, B, T: Lp }, padded ? { attentionMask: { data: mask, B, T: Lp } } : {}); // (B,Lp) -> (B,V)
  const made: number[][] = jobs.map(() => []);
  const out: (GenerationOutcome | undefined)[] = jobs.map(() => undefined);
  const finish = (b: number, finishReason: "stop" | "length", release: boolean, error?: string): void => {
    const j = jobs[b];
    if (release) {
      try {
        emit(j, j.stop.update(j.decode(made[b]), true).delta);
      } catch (e) {
        error ??= `streaming the text failed: ${(e as Error)?.message ?? String(e)}`;
      }
    }
    out[b] = { ids: made[b], text: j.stop.text, finishReason, endMs: performance.now(), ...(error !== undefined ? { error } : {}) };
  };
  const next = new Int32Array(B);
  const live = new Uint8Array(B);
  for (;;) {
    for (let b = 0; b < B; b++) {
      if (out[b]) continue;
      const j = jobs[b];
      if (j.signal?.aborted) {
        finish(b, "stop", false, "generation was aborted");
        continue;
      }
      const id = j.sampler.sample(logits, b * V);
      if (stopIds.has(id)) {
        finish(b, "stop", true);
        continue;
      }
      made[b].push(id);
      let u;
      try {
        u = j.stop.update(j.decode(made[b]));
        emit(j, u.delta);
      } catch (e) {
        finish(b, "stop", false, `streaming the text failed: ${(e as Error)?.message ?? String(e)}`);
        continue;
      }
      if (u.stopped) finish(b, "stop", false);
      else if (made[b].length >= j.maxNew) finish(b, "length", true);
    }
    let any = false;
    for (let b = 0; b < B; b++) {
      live[b] = out[b] ? 0 : 1;
      next[b] = out[b] ? 0 : made[b][made[b].length - 1];
      if (live[b]) any = true;
    }
    if (!any) break;
    await yieldToEventLoop();
    logits = model.prefill(cache, { data: next, B, T: 1 }, { attentionMask: { data: live, B, T: 1 } }); // (B,1) -> (B,V)
  }
  return out as GenerationOutcome[];
}

function emit(j: GenerationJob, delta: string): void {
  if (delta) j.onText?.(delta);
}
