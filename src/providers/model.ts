// The `Model` seam (DESIGN.md): generate text, score continuations, describe yourself. Every provider (local
// engine, llama.cpp, OpenAI-compatible HTTP) implements it; failures come back as data on each result, so one bad
// request never sinks an evaluation. Modelled on promptfoo's provider interface and lm-evaluation-harness's
// `generate_until` / `loglikelihood` requests.

/** One chat turn. */
export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** A text-generation request: exactly one of `prompt` (raw completion) or `messages` (the model's chat template). */
export interface GenerateRequest {
  prompt?: string;
  messages?: ChatMessage[];
  /** new tokens at most */
  maxTokens: number;
  /** 0 = greedy */
  temperature: number;
  /** nucleus sampling mass in (0, 1]; default 1 (off) */
  topP?: number;
  /** keep the k most likely tokens; default 0 (off) */
  topK?: number;
  /** sampling seed; providers default to 0, so a request without a seed is still reproducible */
  seed?: number;
  /** strings that end generation; the text returned stops before the first one found */
  stop?: string[];
  /** called with each new piece of text as it is produced (streaming); providers that cannot stream call it once */
  onText?: (delta: string) => void;
  /** aborts generation; the result then carries an error */
  signal?: AbortSignal;
}

/** What a generate request produced. */
export interface GenerateResult {
  text: string;
  /** "stop": end of generation or a stop string; "length": maxTokens or the context was reached */
  finishReason?: "stop" | "length";
  /** new tokens produced */
  tokens?: number;
  /** tokens in the prompt as the model saw it (chat template and BOS included) */
  promptTokens?: number;
  latencyMs: number;
  error?: string;
  /** true when the error is transient (timeout, overload, network): it is not cached and may be retried */
  retryable?: boolean;
}

/** Scores `continuation` after `context` (an MCQ option after its question, or a whole text after ""). */
export interface LogprobRequest {
  context: string;
  continuation: string;
}

/** The log-likelihood of a continuation, from context and continuation tokenized together. */
export interface LogprobResult {
  /** sum of log P over the continuation's tokens (natural log) */
  logprob: number;
  /** continuation tokens scored */
  tokens: number;
  /** every continuation token is the argmax of its distribution */
  isGreedy: boolean;
  /** log P of each continuation token */
  tokenLogprobs?: number[];
  error?: string;
  /** true when the error is transient: it is not cached and may be retried */
  retryable?: boolean;
}

/** A request for per-token log-probabilities of a whole text (OpenAI `echo` + `logprobs`). */
export interface ScoreTokensRequest {
  text: string;
  /** alternatives to list per position (0 = none) */
  topLogprobs?: number;
}

/** Per-token scores of a text: token i spans text (in Unicode code points) from offsets[i] to offsets[i+1]. */
export interface TokenScores {
  /** each token's text; a special token the model adds (BOS) shows its own spelling and spans no text */
  tokens: string[];
  /** start of each token in the text, in code points (OpenAI `text_offset`) */
  offsets: number[];
  /** log P(token i | tokens before it); null for the first token, which has no context */
  logprobs: (number | null)[];
  /** the most likely alternatives at each position, best first; null for the first token */
  top?: ({ token: string; logprob: number }[] | null)[];
  error?: string;
  retryable?: boolean;
}

/** What a model is and what it can do. */
export interface ModelInfo {
  /** a short name (file name, served model name) */
  id: string;
  /** "local" | "llamacpp" | "openai" */
  provider: string;
  path?: string;
  /** changes when the weights, adapters or numerics-relevant options change; part of every cache key */
  fingerprint?: string;
  contextLength?: number;
  capabilities: { logprobs: boolean; chat: boolean };
  /** the chat template used for `messages` (absent: a plain fallback transcript is used) */
  chatTemplate?: string;
}

/** A language model behind one small interface. */
export interface Model {
  /** Generates text for each request; results in request order, failures as `error` on the result. */
  generate(requests: GenerateRequest[]): Promise<GenerateResult[]>;
  /** Scores each continuation after its context; results in request order, failures as `error`. */
  logprobs(requests: LogprobRequest[]): Promise<LogprobResult[]>;
  /**
   * Optional: per-token log-probabilities and offsets of whole texts, used by `medtune serve` for `echo` and
   * `logprobs` on /v1/completions. Providers that can score tokens implement it.
   */
  scoreTokens?(requests: ScoreTokensRequest[]): Promise<TokenScores[]>;
  /** What the model is. */
  info(): ModelInfo;
  /** Frees the model's resources; the model is unusable afterwards. */
  close(): Promise<void>;
}
