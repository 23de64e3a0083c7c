// Request and response plumbing of `medtune serve` over node:http: JSON bodies read under a size limit (413),
// JSON answers, and errors in OpenAI's shape `{ error: { message, type, param, code } }`.
import type { IncomingMessage, ServerResponse } from "node:http";

/** An error answered to the client with an HTTP status in OpenAI's error shape. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = status === 401 ? "authentication_error" : status === 429 ? "rate_limit_error" : status >= 500 ? "server_error" : status === 404 ? "not_found_error" : "invalid_request_error",
    readonly param: string | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** Reads the whole body as JSON; ApiError 413 past `maxBytes`, 400 on bad JSON or a non-object. */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<Record<string, unknown>> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) throw new ApiError(413, `request body is ${declared} bytes; this server accepts at most ${maxBytes}`, "invalid_request_error", null, "request_too_large");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new ApiError(413, `request body exceeds ${maxBytes} bytes, the most this server accepts`, "invalid_request_error", null, "request_too_large");
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim().length === 0) throw new ApiError(400, "the request body is empty; send a JSON object");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new ApiError(400, `the request body is not valid JSON: ${(e as Error).message}`);
  }
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw new ApiError(400, "the request body must be a JSON object");
  return body as Record<string, unknown>;
}

/** Sends a JSON answer. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Sends an error in OpenAI's shape. */
export function sendError(res: ServerResponse, e: ApiError, headers: Record<string, string> = {}): void {
  sendJson(res, e.status, { error: { message: e.message, type: e.type, param: e.param, code: e.code } }, headers);
}

/** Opens a server-sent event stream (OpenAI `stream: true`). */
export function startEventStream(res: ServerResponse): { send(data: unknown): void; done(): void } {
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive", "x-accel-buffering": "no" });
  return {
    send: (data) => {
      if (!res.writableEnded) res.write(`data: ${JSON.stringify(data)}\n\n`);
    },
    done: () => {
      if (!res.writableEnded) res.end("data: [DONE]\n\n");
    },
  };
}
