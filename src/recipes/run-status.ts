// How a recipe's run ends in the store when it throws: a Ctrl-C (eval.interrupted) leaves it resumable, anything else failed.
import { isMedtuneError } from "../core/index.ts";

/** The store status of a run that stopped with error `e`. */
export function stoppedStatus(e: unknown): "interrupted" | "failed" {
  return isMedtuneError(e) && e.code === "eval.interrupted" ? "interrupted" : "failed";
}
