// The `local` provider: our own engine (nn/) behind the Model interface, for a Hugging Face folder, a GGUF file
// (dequantized to float32) or either plus PEFT / GGUF LoRA adapters (merged into the weights). It tokenizes and
// scores exactly as the llamacpp provider does (BOS from the tokenizer config, context and continuation tokenized
// together, chat templates through the same renderer), batches log-likelihood requests (one forward per padded
// batch, or one prefill per shared MCQ context) and generation (one KV-cache decode step for a whole batch).
import { existsSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { MedtuneError, errorMessage, sha256 } from "../core/index.ts";
import { TOKENIZER_FILES, detectModel, hfWeightFiles, loadGgufLora, loadModel, loadPeftAdapter, type LoraAdapter, type ModelConfig } from "../formats/index.ts";
import { LlamaModel, Sampler } from "../nn/index.ts";
import { availableKernels, getKernels, type Kernels } from "../tensor/index.ts";
import { loadTokenizer, type Tokenizer } from "../tokenizer/index.ts";
import { FALLBACK_CHAT_STOP, renderChat } from "./chat-prompt.ts";
import { splitContinuation } from "./continuation.ts";
import { fileFingerprint } from "./fingerprint.ts";
import { generateBatched, type GenerationJob } from "./local-generate.ts";
import { scorePadded, scoreSharedContext, type BatchLimits, type ContinuationRow, type RowOutcome, type ScoreRow } from "./local-scoring.ts";
import { decodeAfter, decodeContext, tokenOffsets, tokenText } from "./local-text.ts";
import type { GenerateRequest, GenerateResult, LogprobRequest, LogprobResult, Model, ModelInfo, ScoreTokensRequest, TokenScores } from "./model.ts";
import { checkGenerateRequest, checkLogprobRequest } from "./request-check.ts";
import { StopMatcher } from "./stop-strings.ts";

/** Kernel implementations by name (tensor/'s MEDTUNE_KERNELS names). */
export type LocalKernelName = "ts" | "native-simd" | "native-blas" | "native";

/** Options of the local provider. */
export interface LocalModelOptions {
  /** a Hugging Face model folder, a .gguf file, or a folder holding one .gguf */
  path: string;
  /** PEFT adapter folders or GGUF LoRA files, merged into the weights in this order */
  adapters?: string[];
  /** tokens (padding included) one forward or one KV cache may hold; bounds memory (default 4096) */
  maxBatchTokens?: number;
  /** longest sequence in tokens, prompt plus generated (default the model's max_position_embeddings) */
  contextLength?: number;
  /** GEMM kernels: an implementation or its name (default the fastest available, or MEDTUNE_KERNELS) */
  kernels?: Kernels | LocalKernelName;
  /** a Jinja chat template overriding the tokenizer's */
  chatTemplate?: string;
  /** the model's name in results and on /v1/models (default the folder or file name, plus adapter names) */
  id?: string;
  /** score the options of one context from a single prefill of that context (default true; false: padded forwards only) */
  shareContext?: boolean;
}

const DEFAULT_MAX_BATCH_TOKENS = 4096;
/** Logits floats a padded scoring batch may materialise (256 MiB). */
const MAX_LOGITS_ELEMS = 1 << 26;
/** Continuations up to this many tokens go through the shared-context plan; longer ones through padded forwards. */
const SHARED_MAX_CONTINUATION = 32;

function badOption(field: string, message: string, hint?: string): never {
  throw new MedtuneError("local.bad-option", message, { where: field, ...(hint ? { hint } : {}) });
}

function intOption(v: unknown, field: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (!(typeof v === "number" && Number.isInteger(v) && v >= min)) badOption(field, `${field} must be an integer >= ${min}, got ${String(v)}`);
  return v;
}

function resolveKernels(k: LocalModelOptions["kernels"]): Kernels {
  if (k === undefined) return getKernels();
  if (typeof k === "object" && k !== null && typeof k.gemm === "function") return k;
  const all = availableKernels();
  const found = k === "native" ? all.find((x) => x.name !== "ts") : all.find((x) => x.name === k);
  if (found) return found;
  const names = ["ts", "native-simd", "native-blas", "native"];
  if (typeof k !== "string" || !names.includes(k)) badOption("kernels", `kernels must be one of ${names.join(", ")} or a Kernels object, got ${JSON.stringify(k)}`);
  return badOption("kernels", `kernels "${k}" are not available on this machine (have: ${all.map((x) => x.name).join(", ")})`, "run npm rebuild (and install libopenblas-dev for native-blas), or leave kernels unset");
}

/** Reads one adapter for `base`: a PEFT folder or a llama.cpp GGUF LoRA file. */
async function readAdapter(path: string, base: ModelConfig, field: string): Promise<LoraAdapter> {
  if (statSync(path).isDirectory()) return loadPeftAdapter(path, base);
  if (path.endsWith(".gguf")) return loadGgufLora(path, base);
  return badOption(field, `adapter is neither a folder nor a .gguf file: ${path}`, "give a PEFT adapter folder (adapter_config.json + adapter_model.safetensors) or a GGUF LoRA file");
}

/** Files whose contents decide the numbers: weights, config, tokenizer; each adapter's files. */
function numericFiles(format: "hf" | "gguf", path: string): string[] {
  if (format === "gguf") return [path];
  const files = new Set<string>([join(path, "config.json"), ...hfWeightFiles(path).values()]);
  for (const f of TOKENIZER_FILES) if (existsSync(join(path, f))) files.add(join(path, f));
  return [...files].sort();
}

function adapterFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return ["adapter_config.json", "adapter_model.safetensors"].map((f) => join(path, f)).filter((f) => existsSync(f));
}

/** Opens a model with our engine: HF folder or GGUF, plus optional PEFT / GGUF LoRA adapters. */
export async function createLocalModel(opts: LocalModelOptions): Promise<Model> {
  if (opts === null || typeof opts !== "object" || typeof opts.path !== "string" || opts.path === "") {
    badOption("path", "path must name a Hugging Face model folder or a .gguf file");
  }
  const maxBatchTokens = intOption(opts.maxBatchTokens, "maxBatchTokens", 1) ?? DEFAULT_MAX_BATCH_TOKENS;
  const wantContext = intOption(opts.contextLength, "contextLength", 2);
  const adapters = opts.adapters ?? [];
  if (!Array.isArray(adapters) || adapters.some((a) => typeof a !== "string" || a === "")) badOption("adapters", "adapters must be a list of paths");
  if (opts.chatTemplate !== undefined && typeof opts.chatTemplate !== "string") badOption("chatTemplate", "chatTemplate must be a string");
  const kernels = resolveKernels(opts.kernels);

  const found = detectModel(resolve(opts.path));
  const adapterPaths = adapters.map((a) => resolve(a));
  adapterPaths.forEach((a, i) => {
    if (!existsSync(a)) badOption(`adapters[${i}]`, `adapter not found: ${adapters[i]}`, "give a PEFT adapter folder (adapter_config.json) or a GGUF LoRA file");
  });
  const tokenizer = await loadTokenizer(found.path);
  const loaded = await loadModel(found.path);
  const engine = LlamaModel.fromTensors(loaded.config, loaded.tensors, { kernels });
  loaded.tensors.clear();
  for (const [i, path] of adapterPaths.entries()) {
    const adapter = await readAdapter(path, loaded.config, `adapters[${i}]`);
    engine.loadLora(adapter, { dropout: 0 }, path);
    engine.mergeLora();
  }
  const chatTemplate = opts.chatTemplate ?? tokenizer.chatTemplate;
  const contextLength = wantContext ?? loaded.config.maxPositionEmbeddings;
  const stem = (p: string): string => basename(p).replace(/\.gguf$/i, "");
  const fingerprint = sha256(JSON.stringify({
    format: found.format,
    files: numericFiles(found.format, found.path).map((f) => [basename(f), fileFingerprint(f)]),
    adapters: adapterPaths.map((a) => adapterFiles(a).map((f) => [basename(f), fileFingerprint(f)])),
    kernels: kernels.name,
    chatTemplate: chatTemplate ?? null,
  }));
  const info: ModelInfo = {
    id: opts.id ?? [stem(found.path), ...adapterPaths.map(stem)].join("+"),
    provider: "local",
    path: found.path,
    fingerprint,
    contextLength,
    capabilities: { logprobs: true, chat: chatTemplate !== undefined },
    ...(chatTemplate !== undefined ? { chatTemplate } : {}),
  };
  const limits: BatchLimits = { maxBatchTokens, maxLogitsElems: MAX_LOGITS_ELEMS };
  return new LocalModel(engine, tokenizer, info, limits, opts.shareContext ?? true);
}

/** Our engine as a Model; calls run one at a time (the engine's buffers are shared). */
class LocalModel implements Model {
  private engine: LlamaModel | null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly prefix: number[];
  private readonly stopIds: Set<number>;
  private readonly V: number;

  constructor(
    engine: LlamaModel,
    private readonly tok: Tokenizer,
    private readonly meta: ModelInfo,
    private readonly limits: BatchLimits,
    private readonly shareContext: boolean,
  ) {
    this.engine = engine;
    this.V = engine.config.vocabSize;
    this.prefix = tok.addBos && tok.bosId !== undefined ? [tok.bosId] : [];
    this.stopIds = new Set(engine.config.eosTokenIds);
    if (tok.eosId !== undefined) this.stopIds.add(tok.eosId);
  }

  info(): ModelInfo {
    return { ...this.meta, capabilities: { ...this.meta.capabilities } };
  }

  async close(): Promise<void> {
    await this.exclusive(async () => {
      this.engine = null;
    });
  }

  /** Runs `fn` after every earlier call has finished. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Text to tokens without the BOS the model adds itself (a leading "<s>" written in the text is that BOS). */
  private encode(text: string): number[] {
    if (text.length === 0) return [];
    const ids = this.tok.encode(text, { addSpecialTokens: false });
    return this.prefix.length > 0 && ids[0] === this.prefix[0] ? ids.slice(1) : ids;
  }

  /** An error when a token id does not exist in the weights (tokenizer and model disagree). */
  private vocabError(tokens: readonly number[]): string | undefined {
    const bad = tokens.find((t) => !(t >= 0 && t < this.V));
    return bad === undefined ? undefined : `token id ${bad} from the tokenizer is outside the model's vocabulary of ${this.V}: the tokenizer does not belong to these weights`;
  }

  async logprobs(requests: LogprobRequest[]): Promise<LogprobResult[]> {
    return this.exclusive(async () => {
      const fail = (error: string): LogprobResult => ({ logprob: Number.NaN, tokens: 0, isGreedy: false, error });
      const results: LogprobResult[] = new Array(requests.length);
      const engine = this.engine;
      const splits: Array<{ i: number; tokens: number[]; start: number }> = [];
      for (const [i, r] of requests.entries()) {
        const bad = engine === null ? "the model is closed" : checkLogprobRequest(r);
        if (bad) {
          results[i] = fail(bad);
          continue;
        }
        try {
          const split = splitContinuation((t) => this.encode(t), r.context, r.continuation, { prefix: this.prefix, emptyContextToken: this.tok.eosId ?? null });
          if ("error" in split) results[i] = fail(split.error);
          else if (split.tokens.length > this.meta.contextLength!) {
            results[i] = fail(`context + continuation is ${split.tokens.length} tokens, more than the context length ${this.meta.contextLength} (raise contextLength)`);
          } else {
            const vocab = this.vocabError(split.tokens);
            if (vocab) results[i] = fail(vocab);
            else splits.push({ i, tokens: split.tokens, start: split.start });
          }
        } catch (e) {
          results[i] = fail(errorMessage(e));
        }
      }
      if (engine === null || splits.length === 0) return results;
      // Short continuations whose context is shared (MCQ options), or one token long, run from one prefill of the context.
      const contexts = new Map<string, number>();
      const keyOf = (s: { tokens: number[]; start: number }): string => s.tokens.slice(0, s.start).join(",");
      for (const s of splits) if (s.tokens.length - s.start <= SHARED_MAX_CONTINUATION) contexts.set(keyOf(s), (contexts.get(keyOf(s)) ?? 0) + 1);
      const shared: typeof splits = [];
      const padded: typeof splits = [];
      for (const s of splits) {
        const n = s.tokens.length - s.start;
        const viaShared = this.shareContext && n <= SHARED_MAX_CONTINUATION && (n === 1 || (contexts.get(keyOf(s)) ?? 0) >= 2);
        (viaShared ? shared : padded).push(s);
      }
      const put = (list: typeof splits, outcomes: RowOutcome[]): void => {
        list.forEach((s, k) => {
          const o = outcomes[k];
          if ("error" in o) results[s.i] = fail(o.error);
          else results[s.i] = { logprob: o.logprobs.reduce((a, b) => a + b, 0), tokens: o.logprobs.length, isGreedy: o.isArgmax.every(Boolean), tokenLogprobs: o.logprobs };
        });
      };
      if (shared.length > 0) put(shared, await scoreSharedContext(engine, shared.map((s): ContinuationRow => ({ tokens: s.tokens, start: s.start })), this.limits));
      if (padded.length > 0) put(padded, await scorePadded(engine, padded.map((s): ScoreRow => ({ tokens: s.tokens, from: s.start })), this.limits));
      return results;
    });
  }

  async scoreTokens(requests: ScoreTokensRequest[]): Promise<TokenScores[]> {
    return this.exclusive(async () => {
      const empty = (error: string): TokenScores => ({ tokens: [], offsets: [], logprobs: [], error });
      const results: TokenScores[] = new Array(requests.length);
      const engine = this.engine;
      const rows: Array<{ i: number; tokens: number[]; topK: number; strings: string[]; offsets: number[] }> = [];
      for (const [i, r] of requests.entries()) {
        if (engine === null) {
          results[i] = empty("the model is closed");
          continue;
        }
        if (r === null || typeof r !== "object" || typeof r.text !== "string") {
          results[i] = empty("text must be a string");
          continue;
        }
        const topK = r.topLogprobs ?? 0;
        if (!(Number.isInteger(topK) && topK >= 0 && topK <= 100)) {
          results[i] = empty(`topLogprobs must be an integer in [0, 100], got ${String(r.topLogprobs)}`);
          continue;
        }
        try {
          const tokens = [...this.prefix, ...this.encode(r.text)];
          if (tokens.length > this.meta.contextLength!) {
            results[i] = empty(`the text is ${tokens.length} tokens, more than the context length ${this.meta.contextLength} (raise contextLength)`);
            continue;
          }
          const vocab = this.vocabError(tokens);
          if (vocab) {
            results[i] = empty(vocab);
            continue;
          }
          const { strings, offsets } = tokenOffsets(this.tok, tokens, this.prefix.length, r.text);
          if (tokens.length < 2) results[i] = { tokens: strings, offsets, logprobs: tokens.map(() => null), ...(topK > 0 ? { top: tokens.map(() => null) } : {}) };
          else rows.push({ i, tokens, topK, strings, offsets });
        } catch (e) {
          results[i] = empty(errorMessage(e));
        }
      }
      if (engine === null || rows.length === 0) return results;
      const maxK = Math.max(...rows.map((r) => r.topK));
      const outcomes = await scorePadded(engine, rows.map((r): ScoreRow => ({ tokens: r.tokens, from: 1 })), this.limits, maxK);
      rows.forEach((row, k) => {
        const o = outcomes[k];
        if ("error" in o) {
          results[row.i] = empty(o.error);
          return;
        }
        const res: TokenScores = { tokens: row.strings, offsets: row.offsets, logprobs: [null, ...o.logprobs] };
        if (row.topK > 0) {
          res.top = [null, ...o.top!.map((list, j) => list.slice(0, row.topK).map((e) => ({ token: tokenText(this.tok, row.tokens, 0, j + 1, e.id), logprob: e.logprob })))];
        }
        results[row.i] = res;
      });
      return results;
    });
  }

  async generate(requests: GenerateRequest[]): Promise<GenerateResult[]> {
    return this.exclusive(async () => {
      const t0 = performance.now();
      const results: GenerateResult[] = new Array(requests.length);
      const fail = (i: number, error: string, extra: Partial<GenerateResult> = {}): void => {
        results[i] = { text: "", latencyMs: performance.now() - t0, error, ...extra };
      };
      const engine = this.engine;
      const jobs: GenerationJob[] = [];
      const jobOf: number[] = [];
      for (const [i, r] of requests.entries()) {
        const bad = engine === null ? "the model is closed" : checkGenerateRequest(r);
        if (bad) {
          fail(i, bad);
          continue;
        }
        try {
          const stops = [...(r.stop ?? [])];
          let text = r.prompt ?? "";
          if (r.messages) {
            text = renderChat(r.messages, { template: this.meta.chatTemplate, bosToken: this.tok.bosToken ?? "", eosToken: this.tok.eosToken ?? "" });
            if (this.meta.chatTemplate === undefined) stops.push(...FALLBACK_CHAT_STOP);
          }
          const prompt = [...this.prefix, ...this.encode(text)];
          if (prompt.length === 0) {
            fail(i, "the prompt is empty and the model has no BOS token to start from");
            continue;
          }
          const room = this.meta.contextLength! - prompt.length;
          if (room <= 0) {
            fail(i, `the prompt is ${prompt.length} tokens, more than the context length ${this.meta.contextLength} allows (raise contextLength or shorten the prompt)`, { promptTokens: prompt.length });
            continue;
          }
          const vocab = this.vocabError(prompt);
          if (vocab) {
            fail(i, vocab, { promptTokens: prompt.length });
            continue;
          }
          if (r.maxTokens === 0) {
            results[i] = { text: "", finishReason: "length", tokens: 0, promptTokens: prompt.length, latencyMs: performance.now() - t0 };
            continue;
          }
          const context = decodeContext(this.tok, prompt, 0, prompt.length);
          jobs.push({
            prompt,
            maxNew: Math.min(r.maxTokens, room),
            sampler: new Sampler(this.V, { temperature: r.temperature, topK: r.topK ?? 0, topP: r.topP ?? 1, seed: r.seed ?? 0 }),
            stop: new StopMatcher(stops),
            decode: (ids) => decodeAfter(this.tok, context, ids, true),
            ...(r.onText ? { onText: r.onText } : {}),
            ...(r.signal ? { signal: r.signal } : {}),
          });
          jobOf.push(i);
        } catch (e) {
          fail(i, errorMessage(e));
        }
      }
      if (engine === null || jobs.length === 0) return results;
      const outcomes = await generateBatched(engine, jobs, this.stopIds, this.limits.maxBatchTokens);
      outcomes.forEach((o, k) => {
        results[jobOf[k]] = {
          text: o.text,
          finishReason: o.finishReason,
          tokens: o.ids.length,
          promptTokens: jobs[k].prompt.length,
          latencyMs: o.endMs - t0,
          ...(o.error !== undefined ? { error: o.error } : {}),
        };
      });
      return results;
    });
  }
}
