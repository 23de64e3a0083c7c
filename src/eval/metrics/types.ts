// The per-item metric handler seam (DESIGN.md "Metrics, graders and safety checks"): a handler scores one
// prediction against its gold answer(s) and says why, as `{ pass?, score, reason }` (promptfoo's assertion shape).
import { MedtuneError } from "../../core/index.ts";

/** Item kinds a metric applies to; the same strings as data's QAKind. */
export type MetricKind = "mcq" | "yesno" | "open";

/** Every metric kind, in a fixed order. */
export const METRIC_KINDS: readonly MetricKind[] = ["mcq", "yesno", "open"];

/** One item's result: `score` in [0, 1], `pass` where the metric has a verdict, and a human-readable reason. */
export interface MetricResult {
  pass?: boolean;
  score: number;
  reason: string;
}

/** An answer option of an MCQ, as the item carries it. */
export interface MetricOption {
  label: string;
  text: string;
}

/** What a handler may need beyond prediction and gold (the item's options, for answer extraction). */
export interface MetricContext {
  options?: readonly MetricOption[];
}

/** A per-item metric. */
export interface MetricHandler {
  /** snake_case name, unique in the registry. */
  name: string;
  description: string;
  kinds: readonly MetricKind[];
  /** Scores one prediction against one gold answer or several (the best match counts). */
  score(pred: string, gold: string | readonly string[], ctx?: MetricContext): MetricResult;
}

/** Gold answers as a non-empty list. */
export function goldList(gold: string | readonly string[]): readonly string[] {
  const list = typeof gold === "string" ? [gold] : gold;
  if (list.length === 0) throw new MedtuneError("eval.metric.no-gold", "no gold answer given", { hint: "every scored item needs at least one reference answer" });
  return list;
}

/** Shortens text for a reason line. */
export function clip(text: string, max = 60): string {
  const t = text.replace(/\s+/g, " ").trim();
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
}
