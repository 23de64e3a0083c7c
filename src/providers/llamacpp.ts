// The `llamacpp` provider: GGUF models (and GGUF LoRA adapters) through node-llama-cpp's prebuilt llama.cpp, never
// downloaded or compiled (`build: "never"`). Continuations are scored from the full next-token distribution at
// temperature 1 with no top-k/top-p (= log_softmax of the logits) and an F32 KV cache by default, since the F16
// cache moves log-probabilities by up to 2e-2; this reproduces ../shared/models/*/golden (llama.cpp) to 1e-8.
import { existsSync, openSync, readSync, closeSync, statSync } from "node:fs";
import { basename, resolve } from "node:path";
import os from "node:os";
import { performance } from "node:perf_hooks";
import { getLlama, LlamaLogLevel, NoBinaryFoundError, type Llama, type LlamaContext, type LlamaContextSequence, type LlamaModel, type Token } from "node-llama-cpp";
import { MedtuneError, errorMessage, log, sha256 } from "../core/index.ts";
import { renderChat, FALLBACK_CHAT_STOP } from "./chat-prompt.ts";
import { splitContinuation } from "./continuation.ts";
import { fileFingerprint } from "./fingerprint.ts";
import type { GenerateRequest, GenerateResult, LogprobRequest, LogprobResult, Model, ModelInfo, ScoreTokensRequest, TokenScores } from "./model.ts";
import { checkGenerateRequest, checkLogprobRequest } from "./request-check.ts";
import { StopMatcher } from "./stop-strings.ts";
import { alignTokens } from "./token-offsets.ts";

/** Options of the llamacpp provider. */
export interface LlamaCppOptions {
  /** the .gguf model file */
  modelPath: string;
  /** GGUF LoRA adapters applied on top, each with its scale (default 1) */
  loras?: Array<{ path: string; scale?: number }>;
  /** tokens the context holds (default min(trained context, 4096); llama.cpp rounds up to a multiple of 256) */
  contextSize?: number;
  /** KV cache precision: "F32" (default, exact scoring) or "F16" (half the memory, ~1e-2 noise in log-probs) */
  kvCacheType?: "F32" | "F16";
  /** requests evaluated in parallel in one batch (default 1) */
  sequences?: number;
  /** "auto" (default): the best backend with a prebuilt binary; false: CPU only */
  gpu?: "auto" | "cuda" | "vulkan" | "metal" | false;
  /** layers offloaded to the GPU (default "auto") */
  gpuLayers?: number | "auto" | "max";
  /** CPU threads of the context (default: all cores; 1 for files under 64 MiB, where thread hand-offs cost more than they save) */
  threads?: number;
  /** tokens per decode batch (default node-llama-cpp's: 512 or the context size) */
  batchSize?: number;
  /** flash attention (default false: it changes numerics slightly) */
  flashAttention?: boolean;
  /** a Jinja chat template overriding the GGUF's `tokenizer.chat_template` */
  chatTemplate?: string;
  /** the model's name in results and on /v1/models (default the file name) */
  id?: string;
  /** reuse the KV cache and the computed scores of a prefix shared between requests (default true; MCQ options share their stem) */
  reusePrefix?: boolean;
}

const GGUF_MAGIC = 0x46554747; // "GGUF" little-endian
/** Sampler settings under which node-llama-cpp's probabilities are softmax(logits). */
const EXACT = { temperature: 1, topK: 0, topP: 1, minP: 0, seed: 0 };
/** Full-vocabulary probability entries held at once while scoring (bounds memory for 150k vocabularies). */
const PROB_ENTRIES_PER_CHUNK = 2_000_000;

/** Below this file size a model runs single-threaded by default. */
const TINY_MODEL_BYTES = 64 << 20;

const llamas = new Map<string, { llama: Promise<Llama>; users: number }>();

async function acquireLlama(gpu: LlamaCppOptions["gpu"], threads: number): Promise<{ llama: Llama; release: () => Promise<void> }> {
  const key = `${String(gpu)}|${threads}`;
  let entry = llamas.get(key);
  if (!entry) {
    const llama = getLlama({ build: "never", gpu: gpu ?? "auto", maxThreads: threads, progressLogs: false, logLevel: LlamaLogLevel.error, logger: (_level: LlamaLogLevel, message: string) => log.debug(`llama.cpp: ${message.trimEnd()}`) });
    entry = { llama, users: 0 };
    llamas.set(key, entry);
    llama.catch(() => llamas.delete(key));
  }
  entry.users++;
  const e = entry;
  let llama: Llama;
  try {
    llama = await e.llama;
  } catch (err) {
    e.users--;
    if (err instanceof NoBinaryFoundError || (err as Error)?.name === "NoBinaryFoundError") {
      throw new MedtuneError("llamacpp.no-binary", `node-llama-cpp has no prebuilt llama.cpp binary for ${process.platform}-${process.arch}${gpu ? ` with gpu "${gpu}"` : ""}`, {
        where: "llamacpp provider",
        hint: gpu && gpu !== "auto" ? `medtune never compiles llama.cpp; use gpu "auto" or false, or a machine where the ${gpu} prebuilt binary loads` : "medtune never compiles llama.cpp; use a platform with node-llama-cpp prebuilt binaries (linux/macos/windows x64 or arm64), or the local provider",
        cause: err,
      });
    }
    throw new MedtuneError("llamacpp.init", `could not start llama.cpp: ${errorMessage(err)}`, { where: "llamacpp provider", cause: err });
  }
  let released = false;
  return {
    llama,
    release: async () => {
      if (released) return;
      released = true;
      if (--e.users === 0 && llamas.get(key) === e) {
        llamas.delete(key);
        await llama.dispose();
      }
    },
  };
}

function checkGguf(path: string, what: string, flag: string): string {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new MedtuneError("llamacpp.not-found", `${what} not found: ${path}`, { where: flag, hint: "give the path of a .gguf file" });
  if (!statSync(abs).isFile()) throw new MedtuneError("llamacpp.not-a-file", `${what} is not a file: ${path}`, { where: flag, hint: "give the path of a .gguf file, not a folder (Hugging Face folders go to the local provider)" });
  const fd = openSync(abs, "r");
  const head = Buffer.alloc(4);
  try {
    readSync(fd, head, 0, 4, 0);
  } finally {
    closeSync(fd);
  }
  if (head.readUInt32LE(0) !== GGUF_MAGIC) throw new MedtuneError("llamacpp.not-gguf", `${what} is not a GGUF file (no "GGUF" magic): ${path}`, { where: flag, hint: "convert it with llama.cpp's convert_hf_to_gguf.py, or use the local provider for safetensors" });
  return abs;
}

/** Length of the common prefix of two token lists. */
function commonPrefix(a: readonly Token[], b: readonly Token[]): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** A pool of context sequences: each request holds one while it runs, preferring the one that shares its prefix. */
class SequencePool {
  private readonly free: LlamaContextSequence[];
  private readonly waiters: Array<(s: LlamaContextSequence) => void> = [];
  constructor(seqs: LlamaContextSequence[]) {
    this.free = [...seqs];
  }
  async use<T>(fn: (s: LlamaContextSequence) => Promise<T>, prefer?: readonly Token[]): Promise<T> {
    let seq: LlamaContextSequence | undefined;
    if (this.free.length > 0) {
      let best = this.free.length - 1;
      if (prefer && this.free.length > 1) {
        let bestLen = -1;
        this.free.forEach((s, i) => {
          const n = commonPrefix(s.contextTokens, prefer);
          if (n > bestLen) [best, bestLen] = [i, n];
        });
      }
      seq = this.free.splice(best, 1)[0];
    }
    seq ??= await new Promise<LlamaContextSequence>((r) => this.waiters.push(r));
    try {
      return await fn(seq);
    } finally {
      const next = this.waiters.shift();
      if (next) next(seq);
      else this.free.push(seq);
    }
  }
}

/** The score of one position: log P(token | tokens before it), whether it is the argmax, the best `topK` tokens. */
interface PositionScore {
  logprob: number;
  isArgmax: boolean;
  /** best first; at least the top-1 is always kept */
  top: Array<{ token: Token; logprob: number }>;
  /** how many alternatives were asked for when it was computed (top may be shorter for a tiny vocabulary) */
  topK: number;
}

/**
 * The last text scored on a sequence: scores[p] is about tokens[p] given tokens[<p] (undefined where a position was
 * evaluated without probabilities). A score depends on the tokens up to it and nothing else, so it stays valid for
 * any later text with the same prefix, whatever the sequence's KV state has become since.
 */
interface ScoredPrefix {
  tokens: Token[];
  scores: Array<PositionScore | undefined>;
}

const NOTHING_SCORED: ScoredPrefix = { tokens: [], scores: [] };

/** A llama.cpp-backed Model. */
class LlamaCppModel implements Model {
  private closed = false;
  private readonly vocabSize: number;
  /** per sequence, the last text it scored, reused by later requests that share a prefix with it */
  private readonly scored = new Map<LlamaContextSequence, ScoredPrefix>();
  constructor(
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly pool: SequencePool,
    private readonly release: () => Promise<void>,
    private readonly meta: ModelInfo,
    private readonly reusePrefix: boolean,
  ) {
    let v = 0;
    for (const _ of model.iterateAllTokens()) v++;
    this.vocabSize = Math.max(1, v);
  }

  info(): ModelInfo {
    return { ...this.meta, capabilities: { ...this.meta.capabilities } };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.context.dispose();
    await this.model.dispose();
    await this.release();
  }

  private get bosPrefix(): Token[] {
    const bos = this.model.tokens.bos;
    return this.model.tokens.shouldPrependBosToken && bos !== null ? [bos] : [];
  }

  /** Text to tokens (special tokens in the text parsed), without the BOS the model adds itself. */
  private encode(text: string): Token[] {
    if (text.length === 0) return [];
    const t = this.model.tokenize(text, true);
    const bos = this.model.tokens.bos;
    return this.bosPrefix.length > 0 && t.length > 0 && t[0] === bos ? t.slice(1) : t;
  }

  /** Erases the sequence state after the prefix it shares with `tokens` (at most `maxKeep` tokens kept). */
  private async adapt(seq: LlamaContextSequence, tokens: readonly Token[], maxKeep: number): Promise<number> {
    let keep = 0;
    if (this.reusePrefix) keep = Math.min(commonPrefix(seq.contextTokens, tokens), maxKeep);
    if (keep === 0) {
      if (seq.nextTokenIndex > 0) await seq.clearHistory();
    } else if (seq.nextTokenIndex > keep) {
      await seq.eraseContextTokenRanges([{ start: keep, end: seq.nextTokenIndex }]);
    }
    return keep;
  }

  /**
   * Scores tokens[p] given tokens[<p] for p in [from, n). Positions a previous request on this sequence already
   * scored with the same tokens before them come from memory; the rest are evaluated after the longest reusable KV
   * prefix, so MCQ options (and OpenAI echo requests) that share a long stem evaluate and score the stem once.
   */
  private async scorePositions(seq: LlamaContextSequence, tokens: readonly Token[], from: number, topK: number): Promise<PositionScore[]> {
    const n = tokens.length;
    if (from >= n) return [];
    if (n > this.context.contextSize) throw new MedtuneError("llamacpp.too-long", `the text is ${n} tokens, more than the context size ${this.context.contextSize}`, { hint: "raise contextSize or shorten the input" });
    const known = (this.reusePrefix && this.scored.get(seq)) || NOTHING_SCORED;
    const shared = commonPrefix(known.tokens, tokens);
    // q: the first wanted position not in memory (or remembered with fewer alternatives than asked for).
    let q = from;
    while (q < Math.min(shared, n) && (known.scores[q]?.topK ?? -1) >= topK) q++;
    const remembered = known.scores.slice(0, Math.min(shared, q));
    if (q === n) return remembered.slice(from) as PositionScore[];
    return [...(remembered.slice(from) as PositionScore[]), ...(await this.evaluateFrom(seq, tokens, q, topK, remembered))];
  }

  /** Evaluates what scorePositions could not remember: positions q..n-1, after the longest reusable KV prefix. */
  private async evaluateFrom(seq: LlamaContextSequence, tokens: readonly Token[], q: number, topK: number, remembered: Array<PositionScore | undefined>): Promise<PositionScore[]> {
    const n = tokens.length;
    // The distribution at q comes from the logits after token q-1, so the KV state keeps at most q-1 tokens.
    let pos = await this.adapt(seq, tokens, q - 1);
    if (q - 1 > pos) {
      await seq.evaluateWithoutGeneratingNewTokens(tokens.slice(pos, q - 1));
      pos = q - 1;
    }
    const fresh: PositionScore[] = [];
    const keepTop = Math.max(1, topK);
    const chunk = Math.max(1, Math.min(512, Math.floor(PROB_ENTRIES_PER_CHUNK / this.vocabSize)));
    const item = { generateNext: { probabilities: true, options: EXACT } };
    while (pos < n - 1) {
      const end = Math.min(n - 1, pos + chunk);
      const res = await seq.controlledEvaluate(tokens.slice(pos, end).map((t) => [t, item] as [Token, typeof item]));
      for (let j = 0; j < end - pos; j++) {
        const probs = res[j]?.next.probabilities;
        if (!probs) throw new MedtuneError("llamacpp.no-probabilities", `llama.cpp returned no probabilities at position ${pos + j}`);
        // The map comes sorted, best first: the top-k is its head, never a sort of the vocabulary.
        const p = probs.get(tokens[pos + j + 1]) ?? 0;
        const top: PositionScore["top"] = [];
        let best = Number.POSITIVE_INFINITY;
        for (const [tok, pr] of probs) {
          if (top.length >= keepTop) break;
          if (top.length === 0) best = pr;
          top.push({ token: tok, logprob: Math.log(pr) });
        }
        fresh.push({ logprob: Math.log(p), isArgmax: p >= best, top, topK });
      }
      pos = end;
    }
    if (this.reusePrefix) {
      const scores: Array<PositionScore | undefined> = [...remembered];
      while (scores.length < q) scores.push(undefined);
      this.scored.set(seq, { tokens: tokens.slice(), scores: scores.concat(fresh) });
    }
    return fresh;
  }

  async logprobs(requests: LogprobRequest[]): Promise<LogprobResult[]> {
    return Promise.all(requests.map((r) => this.logprobOne(r)));
  }

  private async logprobOne(r: LogprobRequest): Promise<LogprobResult> {
    const bad = this.closed ? "the model is closed" : checkLogprobRequest(r);
    if (bad) return { logprob: Number.NaN, tokens: 0, isGreedy: false, error: bad };
    try {
      const split = splitContinuation((t) => this.encode(t), r.context, r.continuation, { prefix: this.bosPrefix, emptyContextToken: this.model.tokens.eos });
      if ("error" in split) return { logprob: Number.NaN, tokens: 0, isGreedy: false, error: split.error };
      if (split.tokens.length > this.context.contextSize) {
        return { logprob: Number.NaN, tokens: 0, isGreedy: false, error: `context + continuation is ${split.tokens.length} tokens, more than the context size ${this.context.contextSize} (raise contextSize)` };
      }
      const tokens = split.tokens as Token[];
      const s = await this.pool.use((seq) => this.scorePositions(seq, tokens, split.start, 0), tokens);
      const tokenLogprobs = s.map((x) => x.logprob);
      return { logprob: tokenLogprobs.reduce((a, b) => a + b, 0), tokens: tokenLogprobs.length, isGreedy: s.every((x) => x.isArgmax), tokenLogprobs };
    } catch (e) {
      return { logprob: Number.NaN, tokens: 0, isGreedy: false, error: errorMessage(e) };
    }
  }

  async scoreTokens(requests: ScoreTokensRequest[]): Promise<TokenScores[]> {
    return Promise.all(requests.map((r) => this.scoreTokensOne(r)));
  }

  private async scoreTokensOne(r: ScoreTokensRequest): Promise<TokenScores> {
    const empty = (error: string): TokenScores => ({ tokens: [], offsets: [], logprobs: [], error });
    if (this.closed) return empty("the model is closed");
    if (typeof r?.text !== "string") return empty("text must be a string");
    const topK = r.topLogprobs ?? 0;
    if (!(Number.isInteger(topK) && topK >= 0 && topK <= 100)) return empty(`topLogprobs must be an integer in [0, 100], got ${String(r.topLogprobs)}`);
    try {
      const prefix = this.bosPrefix;
      const tokens = [...prefix, ...this.encode(r.text)];
      if (tokens.length > this.context.contextSize) return empty(`the text is ${tokens.length} tokens, more than the context size ${this.context.contextSize} (raise contextSize)`);
      const { strings, offsets } = this.tokenOffsets(tokens, prefix.length, r.text);
      if (tokens.length === 0) return { tokens: [], offsets: [], logprobs: [], top: [] };
      const s = await this.pool.use((seq) => this.scorePositions(seq, tokens, 1, topK), tokens);
      const logprobs: (number | null)[] = [null, ...s.map((x) => x.logprob)];
      const result: TokenScores = { tokens: strings, offsets, logprobs };
      if (topK > 0) {
        result.top = [null, ...s.map((x, j) => x.top.slice(0, topK).map((e) => ({ token: this.model.detokenize([e.token], true, tokens.slice(Math.max(0, j - 7), j + 1)), logprob: e.logprob })))];
      }
      return result;
    } catch (e) {
      return empty(errorMessage(e));
    }
  }

  /**
   * Token texts and start offsets (code points) in `text`: pieces are detokenized in context (so SentencePiece's
   * leading space is right) and a byte token that ends inside a UTF-8 character waits for the rest of it.
   */
  private tokenOffsets(tokens: readonly Token[], added: number, text: string): { strings: string[]; offsets: number[] } {
    const model = this.model;
    return alignTokens(tokens.length, added, text, {
      isSpecial: (i) => model.isSpecialToken(tokens[i]),
      special: (i) => model.detokenize([tokens[i]], true),
      run: (from, to) => model.detokenize(tokens.slice(from, to), false, tokens.slice(Math.max(added, from - 8), from)),
    });
  }


  async generate(requests: GenerateRequest[]): Promise<GenerateResult[]> {
    return Promise.all(requests.map((r) => this.generateOne(r)));
  }

  private async generateOne(r: GenerateRequest): Promise<GenerateResult> {
    const t0 = performance.now();
    const fail = (error: string, extra: Partial<GenerateResult> = {}): GenerateResult => ({ text: "", latencyMs: performance.now() - t0, error, ...extra });
    const bad = this.closed ? "the model is closed" : checkGenerateRequest(r);
    if (bad) return fail(bad);
    try {
      let prompt: Token[];
      const stops = [...(r.stop ?? [])];
      if (r.messages) {
        const text = renderChat(r.messages, { template: this.meta.chatTemplate, bosToken: this.model.tokens.bosString ?? "", eosToken: this.model.tokens.eosString ?? "" });
        if (this.meta.chatTemplate === undefined) stops.push(...FALLBACK_CHAT_STOP);
        prompt = [...this.bosPrefix, ...this.encode(text)];
      } else {
        prompt = [...this.bosPrefix, ...this.encode(r.prompt ?? "")];
      }
      if (prompt.length === 0) return fail("the prompt is empty and the model has no BOS token to start from");
      const room = this.context.contextSize - prompt.length;
      if (room <= 0) return fail(`the prompt is ${prompt.length} tokens, more than the context size ${this.context.contextSize} allows (raise contextSize or shorten the prompt)`, { promptTokens: prompt.length });
      if (r.maxTokens === 0) return { text: "", finishReason: "length", tokens: 0, promptTokens: prompt.length, latencyMs: performance.now() - t0 };
      const maxNew = Math.min(r.maxTokens, room);
      return await this.pool.use(async (seq) => {
        const keep = await this.adapt(seq, prompt, prompt.length - 1);
        const stopper = new StopMatcher(stops);
        const ids: Token[] = [];
        const lastPrompt = prompt.slice(Math.max(0, prompt.length - 8));
        let finishReason: "stop" | "length" = "stop";
        let stopped = false;
        let aborted = false;
        const iter = seq.evaluate(prompt.slice(keep), { temperature: r.temperature, topK: r.topK ?? 0, topP: r.topP ?? 1, minP: 0, seed: r.seed ?? 0 });
        for await (const tok of iter) {
          if (r.signal?.aborted) {
            aborted = true;
            break;
          }
          ids.push(tok);
          const u = stopper.update(this.model.detokenize(ids, false, lastPrompt));
          if (u.delta) r.onText?.(u.delta);
          if (u.stopped) {
            stopped = true;
            break;
          }
          if (ids.length >= maxNew) {
            finishReason = "length";
            break;
          }
        }
        if (aborted) return fail("generation was aborted", { text: stopper.text, tokens: ids.length, promptTokens: prompt.length });
        if (!stopped) {
          const u = stopper.update(this.model.detokenize(ids, false, lastPrompt), true);
          if (u.delta) r.onText?.(u.delta);
        }
        return { text: stopper.text, finishReason: stopped ? "stop" : finishReason, tokens: ids.length, promptTokens: prompt.length, latencyMs: performance.now() - t0 };
      }, prompt);
    } catch (e) {
      return fail(errorMessage(e));
    }
  }
}

/** Opens a GGUF model (with optional GGUF LoRA adapters) as a Model. */
export async function openLlamaCpp(opts: LlamaCppOptions): Promise<Model> {
  const modelPath = checkGguf(opts.modelPath, "model file", "modelPath");
  const loras = (opts.loras ?? []).map((l, i) => {
    const scale = l.scale ?? 1;
    if (!Number.isFinite(scale)) throw new MedtuneError("llamacpp.bad-option", `LoRA scale must be a finite number, got ${String(l.scale)}`, { where: `loras[${i}].scale` });
    return { path: checkGguf(l.path, "LoRA adapter", `loras[${i}].path`), scale };
  });
  const sequences = opts.sequences ?? 1;
  if (!(Number.isInteger(sequences) && sequences >= 1)) throw new MedtuneError("llamacpp.bad-option", `sequences must be an integer >= 1, got ${sequences}`, { where: "sequences" });
  if (opts.contextSize !== undefined && !(Number.isInteger(opts.contextSize) && opts.contextSize >= 8)) throw new MedtuneError("llamacpp.bad-option", `contextSize must be an integer >= 8, got ${opts.contextSize}`, { where: "contextSize" });
  const kv = opts.kvCacheType ?? "F32";
  if (kv !== "F32" && kv !== "F16") throw new MedtuneError("llamacpp.bad-option", `kvCacheType must be "F32" or "F16", got ${JSON.stringify(kv)}`, { where: "kvCacheType" });
  const cores = Math.max(1, os.cpus().length);
  if (opts.threads !== undefined && !(Number.isInteger(opts.threads) && opts.threads >= 1)) throw new MedtuneError("llamacpp.bad-option", `threads must be an integer >= 1, got ${opts.threads}`, { where: "threads" });
  const threads = opts.threads ?? (statSync(modelPath).size < TINY_MODEL_BYTES ? 1 : cores);

  const { llama, release } = await acquireLlama(opts.gpu, cores);
  let model: LlamaModel | undefined;
  try {
    try {
      model = await llama.loadModel({ modelPath, gpuLayers: opts.gpuLayers ?? "auto" });
    } catch (e) {
      throw new MedtuneError("llamacpp.load", `llama.cpp could not load ${opts.modelPath}: ${errorMessage(e)}`, { where: "modelPath", hint: "check that the GGUF's architecture is supported by node-llama-cpp 3.21.1 and the file is complete" });
    }
    const trained = model.trainContextSize > 0 ? model.trainContextSize : 4096;
    const contextSize = opts.contextSize ?? Math.min(trained, 4096);
    let context: LlamaContext;
    try {
      context = await model.createContext({
        contextSize,
        sequences,
        threads,
        flashAttention: opts.flashAttention ?? false,
        experimentalKvCacheKeyType: kv,
        experimentalKvCacheValueType: kv,
        ...(opts.batchSize ? { batchSize: opts.batchSize } : {}),
        ...(loras.length > 0 ? { lora: { adapters: loras.map((l) => ({ filePath: l.path, scale: l.scale })) } } : {}),
      });
    } catch (e) {
      const what = loras.length > 0 ? " (with its LoRA adapters: are they made for this base model?)" : "";
      throw new MedtuneError("llamacpp.context", `llama.cpp could not create a context of ${contextSize} tokens${what}: ${errorMessage(e)}`, { where: "contextSize", hint: "lower contextSize or sequences, or check the adapters" });
    }
    const seqs = Array.from({ length: sequences }, () => context.getSequence());
    const meta = model.fileInfo.metadata as { tokenizer?: { chat_template?: unknown } };
    const ggufTemplate = typeof meta?.tokenizer?.chat_template === "string" ? meta.tokenizer.chat_template : undefined;
    const chatTemplate = opts.chatTemplate ?? ggufTemplate;
    const name = opts.id ?? [basename(modelPath).replace(/\.gguf$/i, ""), ...loras.map((l) => basename(l.path).replace(/\.gguf$/i, ""))].join("+");
    const fingerprint = sha256(JSON.stringify({ model: fileFingerprint(modelPath), loras: loras.map((l) => ({ f: fileFingerprint(l.path), scale: l.scale })), kv, flashAttention: opts.flashAttention ?? false, chatTemplate: chatTemplate ?? null }));
    const info: ModelInfo = {
      id: name,
      provider: "llamacpp",
      path: modelPath,
      fingerprint,
      contextLength: context.contextSize,
      capabilities: { logprobs: true, chat: chatTemplate !== undefined },
      ...(chatTemplate !== undefined ? { chatTemplate } : {}),
    };
    return new LlamaCppModel(model, context, new SequencePool(seqs), release, info, opts.reusePrefix ?? true);
  } catch (e) {
    await model?.dispose().catch(() => undefined);
    await release();
    throw e;
  }
}
