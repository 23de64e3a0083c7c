// What a route handler of `medtune serve` gets: the model, its served name, defaults, and a signal that aborts
// when the client goes away or the server is forced to close.
import type { Model } from "../providers/index.ts";

/** The per-request context of a route handler. */
export interface RouteContext {
  model: Model;
  /** the name clients send as `model` and see in answers */
  modelName: string;
  /** max_tokens when a chat request gives none */
  defaultMaxTokens: number;
  /** aborted when the client disconnects or the server closes */
  signal: AbortSignal;
}

/** Seconds since the epoch, for `created`. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
