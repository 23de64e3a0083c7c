// The `openai` provider: any OpenAI-compatible HTTP server (vLLM, llama.cpp server, Ollama, TGI, LM Studio,
// `medtune serve`). Chat goes to /chat/completions, raw prompts to /completions; continuations are scored like
// lm-evaluation-harness `local-completions`: prompt = context + continuation with `echo` and `logprobs`, and the
// returned `text_offset` says which tokens belong to the continuation. Servers that cannot score say so per result.
// Opening reads GET /models once, so the cache fingerprint follows what the server says about the model.
import { performance } from "node:perf_hooks";
import { MedtuneError, errorMessage, log, sha256 } from "../core/index.ts";
import { codePointLength, firstTokenAfter, moveTrailingSpace } from "./continuation.ts";
import { HttpError, postJson, type HttpClientOptions, type RetryEvent } from "./http-client.ts";
import { Limiter } from "./limiter.ts";
import type { GenerateRequest, GenerateResult, LogprobRequest, LogprobResult, Model, ModelInfo, ScoreTokensRequest, TokenScores } from "./model.ts";
import { checkGenerateRequest, checkLogprobRequest } from "./request-check.ts";
import { StopMatcher } from "./stop-strings.ts";

/** Options of the openai provider. */
export interface OpenAIOptions {
  /** the API root, e.g. http://127.0.0.1:8000/v1 (a bare host gets /v1 appended) */
  baseUrl: string;
  /** the model name the server knows */
  model: string;
  /** environment variable holding the API key (default OPENAI_API_KEY; unset variable: no Authorization header) */
  apiKeyEnv?: string;
  /** where apiKeyEnv is looked up (default process.env) */
  env?: Record<string, string | undefined>;
  /** requests in flight at once (default 4) */
  maxConcurrent?: number;
  /** per attempt (default 120 s) */
  timeoutMs?: number;
  /** retries after the first attempt on 429/5xx/network errors/timeouts (default 4) */
  maxRetries?: number;
  /** first backoff ceiling (default 500 ms); doubles per retry, full jitter */
  baseDelayMs?: number;
  /** backoff ceiling (default 20 s) */
  maxDelayMs?: number;
  /** the longest Retry-After obeyed (default 60 s) */
  maxRetryAfterMs?: number;
  /** max_tokens of scoring requests: 1 (default, accepted by vLLM and lm-eval's local-completions) or 0 */
  echoMaxTokens?: 0 | 1;
  /** the served model's context length, when known (reported in info) */
  contextLength?: number;
  /** does the server score prompts (echo + logprobs)? default true; false makes every logprobs request an error */
  logprobs?: boolean;
  /** extra headers (never logged) */
  headers?: Record<string, string>;
  /**
   * a label mixed into the cache fingerprint (model spec `cache-tag=`): change it to start a fresh cache namespace,
   * e.g. after retuning a model served under the same name by a server whose GET /models cannot tell the weights apart
   */
  cacheTag?: string;
  /** where the one-line warnings of opening go (default the medtune log) */
  warn?: (message: string) => void;
  /** test hooks: the wait between attempts, the jitter source, a retry observer */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  onRetry?: (e: RetryEvent) => void;
}

/** OpenAI caps stop sequences at 4; the rest are applied here. */
const MAX_SERVER_STOPS = 4;

/** The OpenAI legacy completions `logprobs` object. */
interface CompletionLogprobs {
  tokens?: unknown;
  token_logprobs?: unknown;
  top_logprobs?: unknown;
  text_offset?: unknown;
}

function normalizeBaseUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new MedtuneError("openai.bad-url", `baseUrl is not a URL: ${JSON.stringify(raw)}`, { where: "baseUrl", hint: "e.g. http://127.0.0.1:8000/v1" });
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new MedtuneError("openai.bad-url", `baseUrl must be http or https, got ${u.protocol}`, { where: "baseUrl" });
  let path = u.pathname.replace(/\/+$/, "");
  if (path === "") path = "/v1";
  return `${u.origin}${path}`;
}

/** GET /models waits at most this long at open (a hung server costs seconds, not the request timeout). */
const MODELS_TIMEOUT_MS = 10_000;
/** A `created` this close to the server's clock is the time of the request (vLLM, llama.cpp, TGI), not of the model. */
const VOLATILE_CREATED_S = 300;
/**
 * Fields of a /models entry that describe the weights: OpenAI/Ollama `owned_by`, vLLM `root`/`parent` (LoRA base),
 * llama.cpp `meta` (n_params, size, vocab, ftype), digests and revisions. Other fields (vLLM's random permission ids,
 * max_model_len, router status) change without the weights changing.
 */
const IDENTIFYING_FIELDS = ["owned_by", "root", "parent", "meta", "digest", "revision"] as const;

/** What the server says identifies the served model. */
interface ServedIdentity {
  /** `medtune serve`'s own model fingerprint (exact: weights, adapters, numerics) */
  medtune?: { provider: string; fingerprint: string };
  /** the identifying fields of the model's /models entry (plus `created` when it dates the model) */
  entry?: Record<string, unknown>;
  /** why nothing could be read (the cache then cannot detect changed weights) */
  warning?: string;
}

/** JSON with object keys sorted, so the same metadata always hashes the same. */
function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, (x as Record<string, unknown>)[k]])) : x));
}

/**
 * Reads GET {baseUrl}/models once and keeps what identifies `model`: `medtune serve`'s fingerprint when present, else
 * the identifying fields of its entry (a lone listed model stands for any name, as llama.cpp's server serves it).
 * Never throws: a server without the endpoint, unreachable or odd, gives a warning instead.
 */
async function servedIdentity(baseUrl: string, model: string, headers: Record<string, string>, timeoutMs = MODELS_TIMEOUT_MS): Promise<ServedIdentity> {
  const url = `${baseUrl}/models`;
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(new Error("timeout")), timeoutMs);
  let body: unknown;
  let serverNowS = Date.now() / 1000;
  try {
    const res = await fetch(url, { headers: { accept: "application/json", ...headers }, signal: ctl.signal });
    const text = await res.text();
    if (!res.ok) return { warning: `${url} answered HTTP ${res.status}` };
    const date = Date.parse(res.headers.get("date") ?? "");
    if (Number.isFinite(date)) serverNowS = date / 1000;
    try {
      body = JSON.parse(text);
    } catch {
      return { warning: `${url} did not answer JSON` };
    }
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    return { warning: ctl.signal.aborted ? `${url} did not answer within ${timeoutMs} ms` : `could not reach ${url}: ${cause?.code ?? cause?.message ?? errorMessage(e)}` };
  } finally {
    clearTimeout(timer);
  }
  const data = (body as { data?: unknown })?.data;
  if (!Array.isArray(data)) return { warning: `${url} has no "data" list` };
  const entries = data.filter((m): m is Record<string, unknown> => m !== null && typeof m === "object" && !Array.isArray(m));
  const entry = entries.find((m) => m.id === model) ?? entries.find((m) => m.id === `${model}:latest`) ?? (entries.length === 1 ? entries[0] : undefined);
  if (!entry) return { warning: `${url} lists ${entries.length === 0 ? "no models" : entries.map((m) => JSON.stringify(m.id)).slice(0, 5).join(", ")}, not ${JSON.stringify(model)}` };
  const own = entry.medtune as { provider?: unknown; fingerprint?: unknown } | undefined;
  if (own && typeof own.fingerprint === "string" && own.fingerprint.length > 0) return { medtune: { provider: String(own.provider), fingerprint: own.fingerprint } };
  const kept: Record<string, unknown> = { id: entry.id };
  for (const k of IDENTIFYING_FIELDS) if (entry[k] !== undefined && entry[k] !== null) kept[k] = entry[k];
  if (kept.meta && typeof kept.meta === "object") {
    const { n_ctx: _slotContext, ...weights } = kept.meta as Record<string, unknown>; // llama.cpp's -c, a runtime setting
    kept.meta = weights;
  }
  if (typeof entry.created === "number" && Math.abs(serverNowS - entry.created) > VOLATILE_CREATED_S) kept.created = entry.created;
  return { entry: kept };
}

/** The cache fingerprint of a served model: medtune's own fingerprint, else base URL, name and server metadata. */
function openAIFingerprint(baseUrl: string, model: string, identity: ServedIdentity, cacheTag?: string): string {
  const tag = cacheTag ?? null;
  if (identity.medtune) return sha256(canonicalJson({ v: 2, model, medtune: identity.medtune, cacheTag: tag }));
  return sha256(canonicalJson({ v: 2, baseUrl, model, server: identity.entry ?? null, cacheTag: tag }));
}

/** An OpenAI-compatible HTTP model. */
class OpenAIModel implements Model {
  private closed = false;
  private cannotScore: string | undefined;
  private readonly limiter: Limiter;
  private readonly http: HttpClientOptions;
  private readonly baseUrl: string;

  constructor(private readonly opts: OpenAIOptions, private readonly meta: ModelInfo) {
    this.baseUrl = meta.path!;
    this.limiter = new Limiter(opts.maxConcurrent ?? 4);
    this.http = {
      timeoutMs: opts.timeoutMs ?? 120_000,
      maxRetries: opts.maxRetries ?? 4,
      baseDelayMs: opts.baseDelayMs ?? 500,
      maxDelayMs: opts.maxDelayMs ?? 20_000,
      maxRetryAfterMs: opts.maxRetryAfterMs ?? 60_000,
      headers: requestHeaders(opts),
      sleep: opts.sleep,
      random: opts.random,
      onRetry: opts.onRetry,
    };
    if (opts.logprobs === false) this.cannotScore = `the openai provider for ${meta.id} was configured with logprobs: false`;
  }

  info(): ModelInfo {
    return { ...this.meta, capabilities: { ...this.meta.capabilities, logprobs: this.cannotScore === undefined } };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private post(path: string, body: unknown, signal?: AbortSignal): Promise<unknown> {
    return this.limiter.run(() => postJson(`${this.baseUrl}${path}`, body, this.http, signal));
  }

  private failure(e: unknown): { error: string; retryable?: boolean } {
    if (e instanceof HttpError) {
      const hint = e.status === 401 || e.status === 403 ? ` (set the API key in $${this.opts.apiKeyEnv ?? "OPENAI_API_KEY"})` : "";
      return { error: e.message + hint, ...(e.retryable ? { retryable: true } : {}) };
    }
    return { error: errorMessage(e) };
  }

  async generate(requests: GenerateRequest[]): Promise<GenerateResult[]> {
    return Promise.all(requests.map((r) => this.generateOne(r)));
  }

  private async generateOne(r: GenerateRequest): Promise<GenerateResult> {
    const t0 = performance.now();
    const bad = this.closed ? "the model is closed" : checkGenerateRequest(r);
    if (bad) return { text: "", latencyMs: 0, error: bad };
    const common: Record<string, unknown> = { model: this.opts.model, max_tokens: r.maxTokens, temperature: r.temperature, seed: r.seed ?? 0 };
    if (r.topP !== undefined) common.top_p = r.topP;
    if (r.topK !== undefined && r.topK > 0) common.top_k = r.topK;
    if (r.stop && r.stop.length > 0) common.stop = r.stop.slice(0, MAX_SERVER_STOPS);
    try {
      const chat = r.messages !== undefined;
      const body = chat ? { ...common, messages: r.messages } : { ...common, prompt: r.prompt };
      const res = (await this.post(chat ? "/chat/completions" : "/completions", body, r.signal)) as {
        choices?: Array<{ text?: unknown; message?: { content?: unknown }; finish_reason?: unknown }>;
        usage?: { prompt_tokens?: unknown; completion_tokens?: unknown };
      };
      const choice = res?.choices?.[0];
      const raw = chat ? choice?.message?.content : choice?.text;
      if (typeof raw !== "string") return { text: "", latencyMs: performance.now() - t0, error: `${this.baseUrl}: the response has no ${chat ? "choices[0].message.content" : "choices[0].text"}` };
      const stopper = new StopMatcher(r.stop ?? []);
      const cut = stopper.update(raw, true);
      if (stopper.text.length > 0) r.onText?.(stopper.text);
      const result: GenerateResult = { text: stopper.text, finishReason: cut.stopped || choice?.finish_reason !== "length" ? "stop" : "length", latencyMs: performance.now() - t0 };
      if (typeof res.usage?.completion_tokens === "number") result.tokens = res.usage.completion_tokens;
      if (typeof res.usage?.prompt_tokens === "number") result.promptTokens = res.usage.prompt_tokens;
      return result;
    } catch (e) {
      return { text: "", latencyMs: performance.now() - t0, ...this.failure(e) };
    }
  }

  /** POSTs an echo + logprobs scoring request for `prompt` and checks the server really scored the prompt. */
  private async echo(prompt: string, topLogprobs: number): Promise<{ tokens: string[]; offsets: number[]; logprobs: (number | null)[]; top: unknown[] | undefined }> {
    const body = { model: this.opts.model, prompt, max_tokens: this.opts.echoMaxTokens ?? 1, temperature: 0, seed: 0, echo: true, logprobs: Math.max(1, topLogprobs) };
    let res: { choices?: Array<{ text?: unknown; logprobs?: CompletionLogprobs | null }> };
    try {
      res = (await this.post("/completions", body)) as typeof res;
    } catch (e) {
      if (e instanceof HttpError && (e.status === 404 || e.status === 405 || e.status === 501)) {
        this.cannotScore = `the server at ${this.baseUrl} has no /completions endpoint (${e.message}), so it cannot score continuations`;
        throw new MedtuneError("openai.cannot-score", this.cannotScore);
      }
      throw e;
    }
    const choice = res?.choices?.[0];
    const lp = choice?.logprobs;
    const ok = lp && Array.isArray(lp.tokens) && Array.isArray(lp.token_logprobs) && Array.isArray(lp.text_offset) && lp.tokens.length === lp.token_logprobs.length && lp.tokens.length === lp.text_offset.length;
    const echoed = typeof choice?.text === "string" && choice.text.startsWith(prompt);
    const promptLen = codePointLength(prompt);
    const inPrompt = ok ? (lp.text_offset as number[]).filter((o) => typeof o === "number" && o < promptLen).length : 0;
    if (!ok || !echoed || (inPrompt === 0 && promptLen > 0)) {
      this.cannotScore = `the server at ${this.baseUrl} does not return log-probabilities of prompt tokens (/completions with echo and logprobs), so it cannot score continuations`;
      throw new MedtuneError("openai.cannot-score", this.cannotScore, { hint: "use a server with echo support (vLLM, medtune serve) or generative scoring" });
    }
    const n = inPrompt;
    return {
      tokens: (lp.tokens as unknown[]).slice(0, n).map(String),
      offsets: (lp.text_offset as number[]).slice(0, n),
      logprobs: (lp.token_logprobs as unknown[]).slice(0, n).map((x) => (typeof x === "number" ? x : null)),
      top: Array.isArray(lp.top_logprobs) ? lp.top_logprobs.slice(0, n) : undefined,
    };
  }

  async logprobs(requests: LogprobRequest[]): Promise<LogprobResult[]> {
    return Promise.all(requests.map((r) => this.logprobOne(r)));
  }

  private async logprobOne(r: LogprobRequest): Promise<LogprobResult> {
    const none = { logprob: Number.NaN, tokens: 0, isGreedy: false };
    const bad = this.closed ? "the model is closed" : (this.cannotScore ?? checkLogprobRequest(r));
    if (bad) return { ...none, error: bad };
    try {
      const pair = moveTrailingSpace(r.context, r.continuation);
      const prompt = pair.context + pair.continuation;
      const e = await this.echo(prompt, 1);
      const start = firstTokenAfter(e.offsets, codePointLength(pair.context), codePointLength(prompt));
      if (start < 0) return { ...none, error: "the server's tokens do not reach into the continuation" };
      if (start === 0) return { ...none, error: "the continuation starts at the first token, which the server gives no log-probability (use a non-empty context)" };
      const tokenLogprobs: number[] = [];
      let isGreedy = true;
      for (let i = start; i < e.logprobs.length; i++) {
        const x = e.logprobs[i];
        if (x === null) return { ...none, error: `the server gave no log-probability for prompt token ${i}` };
        tokenLogprobs.push(x);
        const top = e.top?.[i];
        if (top && typeof top === "object") {
          const best = Math.max(...Object.values(top as Record<string, number>).filter((v) => typeof v === "number"));
          if (x < best) isGreedy = false;
        } else isGreedy = false;
      }
      return { logprob: tokenLogprobs.reduce((a, b) => a + b, 0), tokens: tokenLogprobs.length, isGreedy, tokenLogprobs };
    } catch (e) {
      return { ...none, ...this.failure(e) };
    }
  }

  async scoreTokens(requests: ScoreTokensRequest[]): Promise<TokenScores[]> {
    return Promise.all(
      requests.map(async (r): Promise<TokenScores> => {
        const bad = this.closed ? "the model is closed" : this.cannotScore;
        if (bad) return { tokens: [], offsets: [], logprobs: [], error: bad };
        try {
          const k = r.topLogprobs ?? 0;
          const e = await this.echo(r.text, k);
          const out: TokenScores = { tokens: e.tokens, offsets: e.offsets, logprobs: e.logprobs };
          if (k > 0) {
            out.top = e.logprobs.map((_, i) => {
              const t = e.top?.[i];
              if (!t || typeof t !== "object") return null;
              return Object.entries(t as Record<string, number>)
                .map(([token, logprob]) => ({ token, logprob }))
                .sort((a, b) => b.logprob - a.logprob)
                .slice(0, k);
            });
          }
          return out;
        } catch (e) {
          return { tokens: [], offsets: [], logprobs: [], ...this.failure(e) };
        }
      }),
    );
  }
}

/** The Authorization header (from the named environment variable) and the user's extra headers. */
function requestHeaders(opts: OpenAIOptions): Record<string, string> {
  const key = (opts.env ?? process.env)[opts.apiKeyEnv ?? "OPENAI_API_KEY"];
  return { ...opts.headers, ...(key ? { authorization: `Bearer ${key}` } : {}) };
}

/**
 * Creates a Model over an OpenAI-compatible server. It reads GET /models once, so cached results follow the served
 * weights as far as the server describes them; a server without it works, with a one-line warning.
 */
export async function openOpenAI(opts: OpenAIOptions): Promise<Model> {
  if (typeof opts.model !== "string" || opts.model.length === 0) throw new MedtuneError("openai.bad-option", "model must name the served model", { where: "model", hint: "see GET /v1/models on the server" });
  const keyName = opts.apiKeyEnv ?? "OPENAI_API_KEY";
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(keyName)) throw new MedtuneError("openai.bad-option", `apiKeyEnv must be an environment variable name, got ${JSON.stringify(keyName)}`, { where: "apiKeyEnv" });
  for (const [name, v, min] of [["maxConcurrent", opts.maxConcurrent, 1], ["timeoutMs", opts.timeoutMs, 1], ["maxRetries", opts.maxRetries, 0]] as const) {
    if (v !== undefined && !(Number.isInteger(v) && v >= min)) throw new MedtuneError("openai.bad-option", `${name} must be an integer >= ${min}, got ${String(v)}`, { where: name });
  }
  if (opts.echoMaxTokens !== undefined && opts.echoMaxTokens !== 0 && opts.echoMaxTokens !== 1) throw new MedtuneError("openai.bad-option", `echoMaxTokens must be 0 or 1, got ${String(opts.echoMaxTokens)}`, { where: "echoMaxTokens" });
  if (opts.cacheTag !== undefined && (typeof opts.cacheTag !== "string" || opts.cacheTag.length === 0)) throw new MedtuneError("openai.bad-option", `cacheTag must be a non-empty string, got ${JSON.stringify(opts.cacheTag)}`, { where: "cacheTag", hint: "leave it out to use the server's own description of the model" });
  const baseUrl = normalizeBaseUrl(opts.baseUrl);
  const identity = await servedIdentity(baseUrl, opts.model, requestHeaders(opts), Math.min(opts.timeoutMs ?? MODELS_TIMEOUT_MS, MODELS_TIMEOUT_MS));
  if (identity.warning) {
    const tag = opts.cacheTag === undefined ? "; after changing the weights, add cache-tag=NAME to the model spec" : ` beyond cache-tag=${opts.cacheTag}`;
    (opts.warn ?? log.warn)(`openai provider: ${identity.warning}, so the request cache cannot detect changed weights behind ${JSON.stringify(opts.model)}${tag}`);
  }
  const info: ModelInfo = {
    id: opts.model,
    provider: "openai",
    path: baseUrl,
    fingerprint: openAIFingerprint(baseUrl, opts.model, identity, opts.cacheTag),
    capabilities: { logprobs: opts.logprobs ?? true, chat: true },
    ...(opts.contextLength ? { contextLength: opts.contextLength } : {}),
  };
  return new OpenAIModel(opts, info);
}
