// One node-llama-cpp instance per test file (prebuilt CPU binaries, never built or downloaded, threads = cores):
// skips with a visible message where no prebuilt binary works, fails under CI. Dispose it in test.after.
import os from "node:os";
import type { TestContext } from "node:test";
import type { Llama, Token } from "node-llama-cpp";

let llamaPromise: Promise<Llama> | null = null;

/** The shared Llama, or null after skipping the test when llama.cpp cannot load here (CI unset). */
export async function llamaOrSkip(t: TestContext, opts: { gpu?: false } = {}): Promise<Llama | null> {
  try {
    const { getLlama, LlamaLogLevel } = await import("node-llama-cpp");
    llamaPromise ??= getLlama({ build: "never", ...opts, maxThreads: os.cpus().length, logLevel: LlamaLogLevel.error });
    return await llamaPromise;
  } catch (e) {
    if (process.env.CI) throw e;
    const msg = `SKIPPED: node-llama-cpp has no usable prebuilt binary here (${(e as Error).message.split("\n")[0]})`;
    process.stderr.write(msg + "\n");
    t.skip(msg);
    return null;
  }
}

/** Frees the shared Llama, if one was made. */
export async function disposeLlama(): Promise<void> {
  if (llamaPromise) await (await llamaPromise).dispose();
  llamaPromise = null;
}

/** Options of llamaLogprobs: context size (default 128), thread count, a GGUF LoRA adapter applied at scale 1. */
export interface LogprobOptions {
  contextSize?: number;
  threads?: number;
  lora?: string;
}

/**
 * llama.cpp's log-probs of the next token after every position of each sequence (rows of `vocab`, -Infinity where
 * llama.cpp reports none), with an F32 KV cache and no flash attention, so they compare with our float32 engine.
 */
export async function llamaLogprobsEach(llama: Llama, modelPath: string, seqs: number[][], vocab: number, opts: LogprobOptions = {}): Promise<Float64Array[][]> {
  const model = await llama.loadModel({ modelPath });
  try {
    const ctx = await model.createContext({
      contextSize: opts.contextSize ?? 128, experimentalKvCacheKeyType: "F32", experimentalKvCacheValueType: "F32", flashAttention: false,
      ...(opts.threads !== undefined ? { threads: opts.threads } : {}),
      ...(opts.lora ? { lora: { adapters: [{ filePath: opts.lora, scale: 1 }] } } : {}),
    });
    try {
      const seq = ctx.getSequence();
      const gen = { probabilities: true, options: { temperature: 1, topK: 0, topP: 1, minP: 0 } };
      const out: Float64Array[][] = [];
      for (const ids of seqs) {
        await seq.clearHistory();
        const res = await seq.controlledEvaluate(ids.map((tok): [Token, { generateNext: typeof gen }] => [tok as Token, { generateNext: gen }]));
        out.push(res.map((r) => {
          const row = new Float64Array(vocab).fill(-Infinity);
          for (const [k, p] of r!.next.probabilities!) row[k] = Math.log(p);
          return row;
        }));
      }
      return out;
    } finally {
      await ctx.dispose();
    }
  } finally {
    await model.dispose();
  }
}

/** llamaLogprobsEach for one sequence. */
export async function llamaLogprobs(llama: Llama, modelPath: string, ids: number[], vocab: number, opts: LogprobOptions = {}): Promise<Float64Array[]> {
  return (await llamaLogprobsEach(llama, modelPath, [ids], vocab, opts))[0];
}
