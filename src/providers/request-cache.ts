// A result cache in front of any Model: every request is keyed by sha256 of (model id and fingerprint, protocol,
// kind, request content), and its result, or its error, is stored as soon as its chunk finishes, so an interrupted
// eval resumes where it stopped and a rerun costs nothing. The SQLite store implements RequestCache structurally.
import { sha256 } from "../core/index.ts";
import type { GenerateRequest, GenerateResult, LogprobRequest, LogprobResult, Model, ModelInfo, ScoreTokensRequest, TokenScores } from "./model.ts";

/** Where cached results live (an in-memory Map in tests, the SQLite store in runs). */
export interface RequestCache {
  get(key: string): unknown | undefined;
  set(key: string, value: unknown): void;
}

/** Options of withCache. */
export interface CacheOptions {
  /** requests handed to the model at once; each finished chunk is stored before the next starts (default 32) */
  chunkSize?: number;
  /** cache transient errors (timeouts, overload) too; default false, so a rerun retries them */
  cacheRetryable?: boolean;
}

/** JSON with keys sorted, functions and AbortSignals dropped: the same request always hashes the same. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x) => {
    if (typeof x === "function" || (typeof AbortSignal !== "undefined" && x instanceof AbortSignal)) return undefined;
    if (x && typeof x === "object" && !Array.isArray(x)) {
      const o: Record<string, unknown> = {};
      for (const k of Object.keys(x).sort()) o[k] = (x as Record<string, unknown>)[k];
      return o;
    }
    return x;
  });
}

/** The cache key of one request. */
export function requestKey(info: ModelInfo, protocolKey: string, kind: string, request: unknown): string {
  const { onText: _t, signal: _s, ...rest } = request as GenerateRequest;
  return sha256(canonical({ v: 1, model: info.id, provider: info.provider, fingerprint: info.fingerprint ?? null, protocol: protocolKey, kind, request: rest }));
}

/** Non-finite numbers (a log-probability of -Infinity) survive JSON round trips as tagged objects. */
function encode(v: unknown): unknown {
  if (typeof v === "number" && !Number.isFinite(v)) return { $num: String(v) };
  if (Array.isArray(v)) return v.map(encode);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encode(x)]));
  return v;
}

function decode(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decode);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (Object.keys(o).length === 1 && typeof o.$num === "string") return Number(o.$num);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, decode(x)]));
  }
  return v;
}

/** Wraps a model so every result (and every non-transient error) is served from and stored in `cache`. */
export function withCache(model: Model, cache: RequestCache, protocolKey: string, opts: CacheOptions = {}): Model {
  const chunkSize = Math.max(1, opts.chunkSize ?? 32);
  const info = model.info();
  const storable = (r: { error?: string; retryable?: boolean }) => r.error === undefined || !r.retryable || opts.cacheRetryable === true;

  async function cached<Q, R extends { error?: string; retryable?: boolean }>(kind: string, requests: Q[], run: (batch: Q[]) => Promise<R[]>, onHit?: (q: Q, r: R) => void): Promise<R[]> {
    const out = new Array<R>(requests.length);
    const keys = requests.map((q) => requestKey(info, protocolKey, kind, q));
    const missing: number[] = [];
    for (let i = 0; i < requests.length; i++) {
      const hit = cache.get(keys[i]);
      if (hit === undefined) missing.push(i);
      else {
        out[i] = decode(hit) as R;
        onHit?.(requests[i], out[i]);
      }
    }
    for (let c = 0; c < missing.length; c += chunkSize) {
      const idx = missing.slice(c, c + chunkSize);
      const results = await run(idx.map((i) => requests[i]));
      idx.forEach((i, j) => {
        out[i] = results[j];
        if (storable(results[j])) cache.set(keys[i], encode(results[j]));
      });
    }
    return out;
  }

  const wrapped: Model = {
    generate: (requests: GenerateRequest[]) =>
      cached<GenerateRequest, GenerateResult>("generate", requests, (b) => model.generate(b), (q, r) => {
        if (r.error === undefined && r.text.length > 0) q.onText?.(r.text);
      }),
    logprobs: (requests: LogprobRequest[]) => cached<LogprobRequest, LogprobResult>("logprobs", requests, (b) => model.logprobs(b)),
    info: () => model.info(),
    close: () => model.close(),
  };
  if (model.scoreTokens) {
    const score = model.scoreTokens.bind(model);
    wrapped.scoreTokens = (requests: ScoreTokensRequest[]) => cached<ScoreTokensRequest, TokenScores>("scoreTokens", requests, score);
  }
  return wrapped;
}
