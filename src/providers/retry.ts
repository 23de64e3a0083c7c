// Retry policy for HTTP providers: exponential backoff with full jitter (AWS architecture blog, "Exponential
// Backoff And Jitter": delay = random(0, min(cap, base·2^attempt))), and a server's Retry-After honoured.

/** Backoff settings. */
export interface BackoffOptions {
  /** first backoff ceiling in ms */
  baseDelayMs: number;
  /** backoff ceiling never exceeds this */
  maxDelayMs: number;
  /** a Retry-After longer than this is cut to it */
  maxRetryAfterMs: number;
}

/** True for HTTP statuses worth retrying: timeouts, rate limits and server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Parses a Retry-After header (delta-seconds or an HTTP date) into milliseconds; undefined when absent or bad. */
export function parseRetryAfter(header: string | null | undefined, nowMs = Date.now()): number | undefined {
  if (header === null || header === undefined) return undefined;
  const s = header.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const t = Date.parse(s);
  if (Number.isNaN(t)) return undefined;
  return Math.max(0, t - nowMs);
}

/** The delay before retry number `attempt` (0 = first retry): Retry-After when given, else full jitter. */
export function retryDelayMs(attempt: number, opts: BackoffOptions, retryAfterMs: number | undefined, random: () => number = Math.random): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, opts.maxRetryAfterMs);
  const ceiling = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}
