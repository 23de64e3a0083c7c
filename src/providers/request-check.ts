// Checks of generate/logprob requests shared by every provider: a bad request becomes an error on its own
// result (naming the field and what is allowed) instead of an exception that sinks the whole batch.
import type { GenerateRequest, LogprobRequest } from "./model.ts";

const ROLES = new Set(["system", "user", "assistant"]);

/** Returns what is wrong with a generate request, or undefined when it is valid. */
export function checkGenerateRequest(r: GenerateRequest): string | undefined {
  if (r === null || typeof r !== "object") return "a generate request must be an object";
  const hasPrompt = r.prompt !== undefined;
  const hasMessages = r.messages !== undefined;
  if (hasPrompt === hasMessages) return "a generate request needs exactly one of prompt or messages";
  if (hasPrompt && typeof r.prompt !== "string") return "prompt must be a string";
  if (hasMessages) {
    if (!Array.isArray(r.messages) || r.messages.length === 0) return "messages must be a non-empty array";
    for (let i = 0; i < r.messages.length; i++) {
      const m = r.messages[i];
      if (m === null || typeof m !== "object") return `messages[${i}] must be an object with role and content`;
      if (!ROLES.has(m.role)) return `messages[${i}].role must be system, user or assistant, got ${JSON.stringify(m.role)}`;
      if (typeof m.content !== "string") return `messages[${i}].content must be a string`;
    }
  }
  if (!Number.isInteger(r.maxTokens) || r.maxTokens < 0) return `maxTokens must be an integer >= 0, got ${String(r.maxTokens)}`;
  if (typeof r.temperature !== "number" || !Number.isFinite(r.temperature) || r.temperature < 0) return `temperature must be a number >= 0, got ${String(r.temperature)}`;
  if (r.topP !== undefined && !(typeof r.topP === "number" && r.topP > 0 && r.topP <= 1)) return `topP must be in (0, 1], got ${String(r.topP)}`;
  if (r.topK !== undefined && !(Number.isInteger(r.topK) && r.topK >= 0)) return `topK must be an integer >= 0, got ${String(r.topK)}`;
  if (r.seed !== undefined && !(Number.isInteger(r.seed) && r.seed >= 0 && r.seed <= 0xffffffff)) return `seed must be an integer in [0, 2^32), got ${String(r.seed)}`;
  if (r.stop !== undefined) {
    if (!Array.isArray(r.stop)) return "stop must be an array of strings";
    for (const s of r.stop) if (typeof s !== "string" || s.length === 0) return "stop strings must be non-empty strings";
  }
  return undefined;
}

/** Returns what is wrong with a logprob request, or undefined when it is valid. */
export function checkLogprobRequest(r: LogprobRequest): string | undefined {
  if (r === null || typeof r !== "object") return "a logprob request must be an object with context and continuation";
  if (typeof r.context !== "string") return "context must be a string";
  if (typeof r.continuation !== "string") return "continuation must be a string";
  if (r.continuation.length === 0) return "continuation is empty: there is nothing to score";
  return undefined;
}
