// POST /v1/chat/completions: messages through the model's chat template; `stream: true` answers with SSE chunks
// (`chat.completion.chunk`: the role first, then content deltas, then finish_reason, then `data: [DONE]`) as OpenAI does.
import type { ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import type { ChatMessage } from "../providers/index.ts";
import { ApiError, sendJson, startEventStream } from "./http-io.ts";
import { boolField, refuseUnsupported, samplingFields } from "./openai-params.ts";
import { usage } from "./completions.ts";
import { nowSeconds, type RouteContext } from "./route-context.ts";

/** OpenAI messages to medtune ChatMessages: string or text-part content; "developer" is the system role. */
export function parseMessages(raw: unknown): ChatMessage[] {
  if (!Array.isArray(raw) || raw.length === 0) throw new ApiError(400, "messages must be a non-empty array", "invalid_request_error", "messages");
  return raw.map((m, i) => {
    const where = `messages[${i}]`;
    if (m === null || typeof m !== "object") throw new ApiError(400, `${where} must be an object with role and content`, "invalid_request_error", where);
    const { role, content } = m as { role?: unknown; content?: unknown };
    const r = role === "developer" ? "system" : role;
    if (r !== "system" && r !== "user" && r !== "assistant") throw new ApiError(400, `${where}.role must be system, developer, user or assistant, got ${JSON.stringify(role)}`, "invalid_request_error", `${where}.role`);
    let text: string;
    if (typeof content === "string") text = content;
    else if (Array.isArray(content)) {
      text = content
        .map((part, j) => {
          const pt = part as { type?: unknown; text?: unknown };
          if (pt?.type !== "text" || typeof pt.text !== "string") throw new ApiError(400, `${where}.content[${j}]: only text parts are supported`, "invalid_request_error", `${where}.content`);
          return pt.text;
        })
        .join("");
    } else if ((content === null || content === undefined) && r === "assistant") text = "";
    else throw new ApiError(400, `${where}.content must be a string or an array of text parts`, "invalid_request_error", `${where}.content`);
    return { role: r, content: text };
  });
}

/** Handles POST /v1/chat/completions. */
export async function handleChatCompletions(ctx: RouteContext, body: Record<string, unknown>, res: ServerResponse): Promise<void> {
  refuseUnsupported(body);
  const messages = parseMessages(body.messages);
  if (body.logprobs === true || (body.top_logprobs !== undefined && body.top_logprobs !== null)) {
    throw new ApiError(400, "logprobs on chat completions are not supported; score with /v1/completions and echo", "invalid_request_error", "logprobs");
  }
  const fields = samplingFields(body, ctx.defaultMaxTokens);
  const stream = boolField(body, "stream");
  const id = `chatcmpl-${randomUUID()}`;
  const base = { id, object: stream ? "chat.completion.chunk" : "chat.completion", created: nowSeconds(), model: ctx.modelName };

  if (stream) {
    const includeUsage = (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
    const sse = startEventStream(res);
    sse.send({ ...base, choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] });
    const [g] = await ctx.model.generate([{ messages, ...fields, signal: ctx.signal, onText: (content) => sse.send({ ...base, choices: [{ index: 0, delta: { content }, finish_reason: null }] }) }]);
    if (g.error !== undefined) sse.send({ error: { message: g.error, type: g.retryable ? "server_error" : "invalid_request_error", param: null, code: null } });
    else {
      sse.send({ ...base, choices: [{ index: 0, delta: {}, finish_reason: g.finishReason ?? "stop" }] });
      if (includeUsage) sse.send({ ...base, choices: [], usage: usage(g.promptTokens ?? 0, g.tokens ?? 0) });
    }
    sse.done();
    return;
  }

  const [g] = await ctx.model.generate([{ messages, ...fields, signal: ctx.signal }]);
  if (g.error !== undefined) throw new ApiError(g.retryable ? 503 : 400, g.error);
  sendJson(res, 200, {
    ...base,
    choices: [{ index: 0, message: { role: "assistant", content: g.text }, finish_reason: g.finishReason ?? "stop" }],
    usage: usage(g.promptTokens ?? 0, g.tokens ?? 0),
  });
}
