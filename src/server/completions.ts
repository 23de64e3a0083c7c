// POST /v1/completions: text completion with OpenAI's legacy `logprobs` (tokens, token_logprobs with the first
// token null, top_logprobs, text_offset) and `echo`, which scoring clients (lm-evaluation-harness local-completions,
// medtune's openai provider) use to read prompt log-probabilities; `stream: true` sends SSE chunks.
import type { ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import { codePointLength, type GenerateResult, type TokenScores } from "../providers/index.ts";
import { ApiError, sendJson, startEventStream } from "./http-io.ts";
import { boolField, logprobsField, refuseUnsupported, samplingFields } from "./openai-params.ts";
import { nowSeconds, type RouteContext } from "./route-context.ts";

/** Log-probability as served: -Infinity becomes -9999 (vLLM's convention), since JSON has no infinities. */
function servedLogprob(x: number | null): number | null {
  if (x === null) return null;
  return Number.isFinite(x) ? x : -9999;
}

/** OpenAI's legacy completions logprobs object. */
interface LegacyLogprobs {
  tokens: string[];
  token_logprobs: (number | null)[];
  top_logprobs: (Record<string, number> | null)[];
  text_offset: number[];
}

async function score(ctx: RouteContext, text: string, k: number): Promise<TokenScores> {
  const [s] = await ctx.model.scoreTokens!([{ text, topLogprobs: k }]);
  if (s.error) throw new ApiError(s.retryable ? 503 : 400, s.error);
  return s;
}

/** Appends scored tokens i (offset >= from, i > 0 unless echoing the prompt) with offsets shifted by `shift`. */
function append(out: LegacyLogprobs, s: TokenScores, k: number, keep: (i: number) => boolean, shift: number): void {
  for (let i = 0; i < s.tokens.length; i++) {
    if (!keep(i)) continue;
    out.tokens.push(s.tokens[i]);
    out.token_logprobs.push(servedLogprob(s.logprobs[i]));
    out.text_offset.push(s.offsets[i] - shift);
    const top = s.top?.[i];
    out.top_logprobs.push(top === null || top === undefined ? (i === 0 ? null : k > 0 ? {} : null) : Object.fromEntries(top.slice(0, k).map((e) => [e.token, servedLogprob(e.logprob) as number])));
  }
}

/** Handles POST /v1/completions. */
export async function handleCompletions(ctx: RouteContext, body: Record<string, unknown>, res: ServerResponse): Promise<void> {
  refuseUnsupported(body);
  const p = body.prompt;
  if (p === undefined || p === null) throw new ApiError(400, "prompt is required", "invalid_request_error", "prompt");
  const isTokens = (x: unknown) => Array.isArray(x) && x.length > 0 && x.every((t) => typeof t === "number" || Array.isArray(t));
  if (isTokens(p)) throw new ApiError(400, "token-id prompts are not supported: send the prompt as text (lm-eval: tokenized_requests=False)", "invalid_request_error", "prompt");
  const prompts = typeof p === "string" ? [p] : p;
  if (!Array.isArray(prompts) || prompts.length === 0 || prompts.some((x) => typeof x !== "string")) throw new ApiError(400, "prompt must be a string or a non-empty array of strings", "invalid_request_error", "prompt");
  if (prompts.length > 64) throw new ApiError(400, "at most 64 prompts per request", "invalid_request_error", "prompt");
  const fields = samplingFields(body, 16);
  const echo = boolField(body, "echo");
  const k = logprobsField(body);
  const stream = boolField(body, "stream");
  if ((echo || k !== null) && !ctx.model.scoreTokens) throw new ApiError(400, "this model cannot return log-probabilities (logprobs/echo)", "invalid_request_error", k !== null ? "logprobs" : "echo");
  const id = `cmpl-${randomUUID()}`;
  const created = nowSeconds();
  const base = { id, object: "text_completion", created, model: ctx.modelName };

  if (stream) {
    if (echo || k !== null || prompts.length > 1) throw new ApiError(400, "stream cannot be combined with echo, logprobs or several prompts", "invalid_request_error", "stream");
    const includeUsage = (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
    const sse = startEventStream(res);
    const [g] = await ctx.model.generate([{ prompt: prompts[0] as string, ...fields, signal: ctx.signal, onText: (text) => sse.send({ ...base, choices: [{ index: 0, text, logprobs: null, finish_reason: null }] }) }]);
    if (g.error !== undefined) sse.send({ error: { message: g.error, type: g.retryable ? "server_error" : "invalid_request_error", param: null, code: null } });
    else {
      sse.send({ ...base, choices: [{ index: 0, text: "", logprobs: null, finish_reason: g.finishReason ?? "stop" }] });
      if (includeUsage) sse.send({ ...base, choices: [], usage: usage(g.promptTokens ?? 0, g.tokens ?? 0) });
    }
    sse.done();
    return;
  }

  const choices = [];
  let promptTokens = 0;
  let completionTokens = 0;
  for (let index = 0; index < prompts.length; index++) {
    const prompt = prompts[index] as string;
    const out: LegacyLogprobs = { tokens: [], token_logprobs: [], top_logprobs: [], text_offset: [] };
    let echoTokens: number | undefined;
    // The prompt is scored before generating, so the model's remembered prefix serves the generation and the
    // scoring of prompt + completion (a scoring client sends many prompts that share their stem).
    if (echo) {
      const s = await score(ctx, prompt, k ?? 0);
      echoTokens = s.tokens.length;
      append(out, s, k ?? 0, () => true, 0);
    }
    let g: GenerateResult = { text: "", finishReason: "length", tokens: 0, latencyMs: 0 };
    if (fields.maxTokens > 0) {
      [g] = await ctx.model.generate([{ prompt, ...fields, signal: ctx.signal }]);
      if (g.error !== undefined) throw new ApiError(g.retryable ? 503 : 400, g.error);
    }
    let logprobs: LegacyLogprobs | null = null;
    if (k !== null || echo) {
      if (g.text.length > 0 && k !== null) {
        const promptLen = codePointLength(prompt);
        const s = await score(ctx, prompt + g.text, k);
        append(out, s, k, (i) => i > 0 && s.offsets[i] >= promptLen, echo ? 0 : promptLen);
      }
      if (k !== null) logprobs = out;
    }
    promptTokens += g.promptTokens ?? echoTokens ?? 0;
    completionTokens += g.tokens ?? 0;
    choices.push({ index, text: (echo ? prompt : "") + g.text, logprobs, finish_reason: g.finishReason ?? "stop" });
  }
  sendJson(res, 200, { ...base, choices, usage: usage(promptTokens, completionTokens) });
}

/** OpenAI's usage object. */
export function usage(promptTokens: number, completionTokens: number): { prompt_tokens: number; completion_tokens: number; total_tokens: number } {
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}
