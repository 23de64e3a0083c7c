// Results per group (subject, source, ...): the mean of per-item values with a confidence interval per group and
// overall. Binary values get a Wilson interval (good at small n); other values a seeded percentile bootstrap,
// each group with its own seed derived from the run seed and the group name, so adding a group changes no other.
import { MedtuneError } from "../../core/index.ts";
import { bootstrapMean } from "./bootstrap.ts";
import { wilsonInterval } from "./wilson.ts";

/** How group intervals are computed: `auto` uses Wilson for 0/1 values and the bootstrap otherwise. */
export type GroupIntervalMethod = "auto" | "wilson" | "bootstrap";

/** Settings for per-group results. */
export interface GroupOptions {
  /** Interval method (default `auto`). */
  interval?: GroupIntervalMethod;
  /** Two-sided confidence level (default 0.95). */
  confidence?: number;
  /** Bootstrap resamples (default 2000). */
  nResamples?: number;
  /** Run seed; each group's bootstrap seed is `${seed}/${group}` (default 0). */
  seed?: number | string;
  /** Groups with fewer items are flagged `isSmall` (default 30). */
  minN?: number;
}

/** One group's metric with its interval. */
export interface GroupResult {
  group: string;
  n: number;
  mean: number;
  lo: number;
  hi: number;
  confidence: number;
  method: "wilson" | "bootstrap";
  /** The bootstrap seed used (bootstrap only). */
  seed?: string;
  /** Fewer than `minN` items: read the interval, not the point estimate. */
  isSmall: boolean;
}

/** Per-group results (sorted by group name) and the overall result. */
export interface GroupedResults {
  groups: GroupResult[];
  overall: GroupResult;
}

/** Label of the overall row. */
export const OVERALL_GROUP = "(all)";

function isBinary(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (values[i] !== 0 && values[i] !== 1) return false;
  return true;
}

function summarize(group: string, values: Float64Array, method: "wilson" | "bootstrap", opts: Required<GroupOptions>): GroupResult {
  const isSmall = values.length < opts.minN;
  if (method === "wilson") {
    if (!isBinary(values)) throw new MedtuneError("eval.stats.not-binary", `group "${group}" has values other than 0/1; the Wilson interval needs correct/incorrect outcomes`, { hint: "use interval: \"bootstrap\" for scores like F1" });
    let k = 0;
    for (let i = 0; i < values.length; i++) k += values[i];
    const w = wilsonInterval(k, values.length, opts.confidence);
    return { group, n: values.length, mean: w.estimate, lo: w.lo, hi: w.hi, confidence: opts.confidence, method, isSmall };
  }
  const seed = `${opts.seed}/${group}`;
  const b = bootstrapMean(values, { nResamples: opts.nResamples, confidence: opts.confidence, seed });
  return { group, n: values.length, mean: b.estimate, lo: b.lo, hi: b.hi, confidence: opts.confidence, method, seed, isSmall };
}

/** Mean and interval of per-item `values` for each distinct label in `groups` (same length), plus overall. */
export function groupResults(groups: readonly string[], values: ArrayLike<number>, options: GroupOptions = {}): GroupedResults {
  if (groups.length !== values.length) {
    throw new MedtuneError("eval.stats.group-length", `${groups.length} group labels for ${values.length} values`, { hint: "pass one group label per item" });
  }
  if (values.length === 0) throw new MedtuneError("eval.stats.empty", "no items to group", { hint: "evaluate at least one item" });
  const opts: Required<GroupOptions> = {
    interval: options.interval ?? "auto",
    confidence: options.confidence ?? 0.95,
    nResamples: options.nResamples ?? 2000,
    seed: options.seed ?? 0,
    minN: options.minN ?? 30,
  };
  const byGroup = new Map<string, number[]>();
  for (let i = 0; i < groups.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) throw new MedtuneError("eval.stats.not-finite", `value ${i} (group "${groups[i]}") is ${v}`, { hint: "score failed items explicitly (e.g. 0) before grouping" });
    let list = byGroup.get(groups[i]);
    if (list === undefined) byGroup.set(groups[i], (list = []));
    list.push(v);
  }
  // One method for every row (decided on all values), so a group of F1 scores that happen to be 0/1 is not
  // given a different kind of interval than its neighbours.
  const method = opts.interval === "auto" ? (isBinary(values) ? "wilson" : "bootstrap") : opts.interval;
  const names = [...byGroup.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    groups: names.map((g) => summarize(g, Float64Array.from(byGroup.get(g)!), method, opts)),
    overall: summarize(OVERALL_GROUP, Float64Array.from(values), method, opts),
  };
}
