// OpenAI request fields to a medtune GenerateRequest: each field checked with OpenAI's ranges and defaults, a bad
// one answered 400 naming the field; features the server does not implement are refused, never silently ignored.
import type { GenerateRequest } from "../providers/index.ts";
import { ApiError } from "./http-io.ts";

/** Sampling fields shared by /v1/completions and /v1/chat/completions. */
export type SamplingFields = Pick<GenerateRequest, "maxTokens" | "temperature" | "topP" | "topK" | "seed" | "stop">;

function num(body: Record<string, unknown>, name: string, lo: number, hi: number, integer = false): number | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v) || v < lo || v > hi || (integer && !Number.isInteger(v))) {
    throw new ApiError(400, `${name} must be ${integer ? "an integer" : "a number"} in [${lo}, ${hi}], got ${JSON.stringify(v)}`, "invalid_request_error", name);
  }
  return v;
}

/** Refuses fields that would change results in ways this server does not implement. */
export function refuseUnsupported(body: Record<string, unknown>): void {
  const n = num(body, "n", 1, 128, true);
  if (n !== undefined && n !== 1) throw new ApiError(400, "n > 1 is not supported; send one request per sample (with different seeds)", "invalid_request_error", "n");
  const bestOf = num(body, "best_of", 1, 128, true);
  if (bestOf !== undefined && bestOf !== 1) throw new ApiError(400, "best_of > 1 is not supported", "invalid_request_error", "best_of");
  for (const name of ["frequency_penalty", "presence_penalty"]) {
    const v = num(body, name, -2, 2);
    if (v !== undefined && v !== 0) throw new ApiError(400, `${name} is not supported by this server (send 0 or leave it out)`, "invalid_request_error", name);
  }
  if (body.logit_bias !== undefined && body.logit_bias !== null && Object.keys(body.logit_bias as object).length > 0) throw new ApiError(400, "logit_bias is not supported", "invalid_request_error", "logit_bias");
  for (const name of ["tools", "functions", "suffix"]) {
    const v = body[name];
    if (v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0)) throw new ApiError(400, `${name} is not supported by this server`, "invalid_request_error", name);
  }
  const rf = body.response_format as { type?: unknown } | undefined | null;
  if (rf && rf.type !== "text") throw new ApiError(400, "response_format other than text is not supported", "invalid_request_error", "response_format");
}

/** Reads max_tokens (or max_completion_tokens), temperature, top_p, top_k, seed and stop. */
export function samplingFields(body: Record<string, unknown>, defaultMaxTokens: number): SamplingFields {
  const maxTokens = num(body, "max_tokens", 0, 1 << 30, true) ?? num(body, "max_completion_tokens", 0, 1 << 30, true) ?? defaultMaxTokens;
  const out: SamplingFields = { maxTokens, temperature: num(body, "temperature", 0, 2) ?? 1 };
  const topP = num(body, "top_p", 0, 1);
  if (topP !== undefined) {
    if (topP === 0) throw new ApiError(400, "top_p must be > 0", "invalid_request_error", "top_p");
    out.topP = topP;
  }
  const topK = num(body, "top_k", -1, 1 << 20, true);
  if (topK !== undefined && topK > 0) out.topK = topK;
  const seed = num(body, "seed", Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, true);
  // OpenAI semantics: without a seed, sampling varies between requests.
  out.seed = seed !== undefined ? ((seed % 2 ** 32) + 2 ** 32) % 2 ** 32 : Math.floor(Math.random() * 2 ** 32);
  const stop = body.stop;
  if (stop !== undefined && stop !== null) {
    const list = typeof stop === "string" ? [stop] : stop;
    if (!Array.isArray(list) || list.length > 16 || list.some((s) => typeof s !== "string")) throw new ApiError(400, "stop must be a string or an array of at most 16 strings", "invalid_request_error", "stop");
    const nonEmpty = (list as string[]).filter((s) => s.length > 0);
    if (nonEmpty.length > 0) out.stop = nonEmpty;
  }
  return out;
}

/** Reads a boolean field (default false). */
export function boolField(body: Record<string, unknown>, name: string): boolean {
  const v = body[name];
  if (v === undefined || v === null) return false;
  if (typeof v !== "boolean") throw new ApiError(400, `${name} must be a boolean`, "invalid_request_error", name);
  return v;
}

/** Reads completions' `logprobs` (null or an integer 0..20). */
export function logprobsField(body: Record<string, unknown>): number | null {
  const v = body.logprobs;
  if (v === undefined || v === null || v === false) return null;
  if (v === true) throw new ApiError(400, "logprobs on /v1/completions is an integer (alternatives per token, 0..20)", "invalid_request_error", "logprobs");
  return num(body, "logprobs", 0, 20, true) ?? null;
}
