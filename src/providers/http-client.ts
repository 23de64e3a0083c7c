// JSON over HTTP for the OpenAI-compatible provider (Node's global fetch): a per-attempt timeout through
// AbortController, retries on 429/5xx/network errors with backoff and jitter (retry.ts), and errors that carry the
// status and the server's own message. Headers are never logged (they may hold the API key).
import { isRetryableStatus, parseRetryAfter, retryDelayMs, type BackoffOptions } from "./retry.ts";

/** One retry about to happen. */
export interface RetryEvent {
  /** 1 for the first retry */
  attempt: number;
  delayMs: number;
  /** "HTTP 503", "timeout", "network: ECONNRESET", ... */
  reason: string;
  status?: number;
}

/** Settings of postJson. */
export interface HttpClientOptions extends BackoffOptions {
  /** per attempt, including reading the body */
  timeoutMs: number;
  /** retries after the first attempt */
  maxRetries: number;
  headers?: Record<string, string>;
  /** waits between attempts (tests pass a recorder) */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  onRetry?: (e: RetryEvent) => void;
}

/** An HTTP failure after all attempts: status (when a response came), server message and whether it was transient. */
export class HttpError extends Error {
  constructor(message: string, readonly status: number | undefined, readonly retryable: boolean, readonly attempts: number) {
    super(message);
    this.name = "HttpError";
  }
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The server's error message from an OpenAI-shaped error body, or the start of the body. */
export function serverMessage(text: string): string {
  try {
    const j = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown; detail?: unknown };
    if (typeof j.error === "string") return j.error;
    if (j.error && typeof j.error.message === "string") return j.error.message;
    if (typeof j.message === "string") return j.message;
    if (typeof j.detail === "string") return j.detail;
  } catch {
    /* not JSON */
  }
  const t = text.trim().replace(/\s+/g, " ");
  return t.length > 300 ? `${t.slice(0, 300)}…` : t;
}

/** POSTs a JSON body and returns the parsed JSON response, retrying transient failures. */
export async function postJson(url: string, body: unknown, opts: HttpClientOptions, signal?: AbortSignal): Promise<unknown> {
  const sleep = opts.sleep ?? defaultSleep;
  const payload = JSON.stringify(body);
  let attempt = 0;
  for (;;) {
    let failure: { reason: string; status?: number; retryable: boolean; retryAfterMs?: number; message: string };
    const ctl = new AbortController();
    const onAbort = () => ctl.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ctl.abort(new Error("timeout"));
    }, opts.timeoutMs);
    try {
      if (signal?.aborted) throw new HttpError(`request to ${url} was aborted`, undefined, false, attempt + 1);
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", accept: "application/json", ...opts.headers }, body: payload, signal: ctl.signal });
      const text = await res.text();
      if (res.ok) {
        try {
          return JSON.parse(text);
        } catch {
          throw new HttpError(`${url} answered HTTP ${res.status} with a body that is not JSON: ${serverMessage(text)}`, res.status, false, attempt + 1);
        }
      }
      failure = {
        reason: `HTTP ${res.status}`,
        status: res.status,
        retryable: isRetryableStatus(res.status),
        retryAfterMs: parseRetryAfter(res.headers.get("retry-after")),
        message: `${url} answered HTTP ${res.status}: ${serverMessage(text)}`,
      };
    } catch (e) {
      if (e instanceof HttpError) throw e;
      if (signal?.aborted) throw new HttpError(`request to ${url} was aborted`, undefined, false, attempt + 1);
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const detail = cause?.code ?? cause?.message ?? (e as Error).message;
      failure = timedOut
        ? { reason: "timeout", retryable: true, message: `${url} did not answer within ${opts.timeoutMs} ms` }
        : { reason: `network: ${detail}`, retryable: true, message: `could not reach ${url}: ${detail}` };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
    if (!failure.retryable || attempt >= opts.maxRetries) {
      const tries = attempt + 1;
      throw new HttpError(tries > 1 ? `${failure.message} (after ${tries} attempts)` : failure.message, failure.status, failure.retryable, tries);
    }
    const delayMs = retryDelayMs(attempt, opts, failure.retryAfterMs, opts.random);
    attempt++;
    opts.onRetry?.({ attempt, delayMs, reason: failure.reason, status: failure.status });
    await sleep(delayMs);
  }
}
