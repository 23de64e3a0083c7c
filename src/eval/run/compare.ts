// Paired comparison of two evaluations of the same task under the same protocol (refused otherwise): the exact
// McNemar test on the per-item outcomes, a paired bootstrap CI of the difference A - B (same resampled items
// for both), and the same per subject and per source with Holm-adjusted McNemar p-values across groups.
import { MedtuneError } from "../../core/index.ts";
import { pairedBootstrapDiff, type PairedBootstrapInterval } from "../stats/bootstrap.ts";
import { mcnemarTest, type McNemarResult } from "../stats/mcnemar.ts";
import { holmAdjust } from "../stats/holm.ts";
import { assertSameProtocol } from "./protocol.ts";
import type { TaskResultFile } from "./result-file.ts";
import type { ItemResult } from "../tasks/item-result.ts";

/** Settings of a comparison. */
export interface CompareOptions {
  /** per-item metric compared (default: the task's primary 0/1 outcome) */
  metric?: string;
  nResamples?: number;
  confidence?: number;
  seed?: number;
  /** labels of the two sides in messages (default: the model ids) */
  nameA?: string;
  nameB?: string;
}

/** One group's paired difference. */
export interface GroupComparison {
  by: "subject" | "source";
  group: string;
  n: number;
  a: number;
  b: number;
  difference: number;
  /** items only A / only B got right (0/1 metrics) */
  onlyA: number | null;
  onlyB: number | null;
  pValue: number | null;
  /** Holm-adjusted over the groups of the same `by` */
  pAdjusted: number | null;
}

/** The comparison of two results of one task. */
export interface TaskComparison {
  task: string;
  metric: string;
  protocolKey: string;
  n: number;
  a: { name: string; model: string; value: number };
  b: { name: string; model: string; value: number };
  /** mean(A) - mean(B) with its paired bootstrap interval */
  difference: PairedBootstrapInterval;
  /** exact McNemar test (null when the metric is not a 0/1 outcome) */
  mcnemar: McNemarResult | null;
  groups: GroupComparison[];
}

function valueOf(r: ItemResult, metric: string, primary: string): number {
  if (metric === primary) return r.correct ? 1 : 0;
  const v = r.scores[metric];
  return typeof v === "number" && Number.isFinite(v) ? v : 0;
}

function isBinary(v: ArrayLike<number>): boolean {
  for (let i = 0; i < v.length; i++) if (v[i] !== 0 && v[i] !== 1) return false;
  return true;
}

/** Compares two results of the same task item by item; refuses different protocols or item sets. */
export function compareTaskResults(a: TaskResultFile, b: TaskResultFile, opts: CompareOptions = {}): TaskComparison {
  const nameA = opts.nameA ?? a.model.id;
  const nameB = opts.nameB ?? b.model.id;
  if (a.task !== b.task) throw new MedtuneError("eval.compare-task", `cannot compare task "${a.task}" with task "${b.task}"`, { hint: "compare results of the same task" });
  assertSameProtocol(a.protocol, b.protocol, `${nameA} (${a.task})`, `${nameB} (${b.task})`);
  const metric = opts.metric ?? a.summary.primary;
  const known = new Set([a.summary.primary, ...a.items.flatMap((r) => Object.keys(r.scores))]);
  if (!known.has(metric)) throw new MedtuneError("eval.unknown-metric", `task ${a.task} has no per-item metric "${metric}"`, { hint: `use one of: ${[...known].sort().join(", ")}` });
  const byId = new Map(b.items.map((r) => [r.id, r]));
  if (byId.size !== a.items.length || a.items.some((r) => !byId.has(r.id))) {
    throw new MedtuneError("eval.compare-items", `${nameA} and ${nameB} did not evaluate the same items of ${a.task}`, { hint: "rerun both on the same data and limit" });
  }
  const pairs = a.items.map((r) => [r, byId.get(r.id)!] as const);
  const va = Float64Array.from(pairs, ([x]) => valueOf(x, metric, a.summary.primary));
  const vb = Float64Array.from(pairs, ([, y]) => valueOf(y, metric, b.summary.primary));
  const stats = { nResamples: opts.nResamples ?? 2000, confidence: opts.confidence ?? 0.95, seed: `${opts.seed ?? 1234}/compare/${a.task}/${metric}` };
  const difference = pairedBootstrapDiff(va, vb, stats);
  const binary = isBinary(va) && isBinary(vb);
  const groups: GroupComparison[] = [];
  for (const by of ["subject", "source"] as const) {
    const members = new Map<string, number[]>();
    pairs.forEach(([x], i) => {
      const g = x[by];
      if (g === null || g === undefined) return;
      let list = members.get(g);
      if (!list) members.set(g, (list = []));
      list.push(i);
    });
    if (members.size === 0) continue;
    const rows: GroupComparison[] = [...members.keys()].sort().map((g) => {
      const idx = members.get(g)!;
      const ga = idx.map((i) => va[i]);
      const gb = idx.map((i) => vb[i]);
      const ma = ga.reduce((s, x) => s + x, 0) / idx.length;
      const mb = gb.reduce((s, x) => s + x, 0) / idx.length;
      const t = binary ? mcnemarTest(ga, gb) : null;
      return { by, group: g, n: idx.length, a: ma, b: mb, difference: ma - mb, onlyA: t?.b ?? null, onlyB: t?.c ?? null, pValue: t?.exact.pValue ?? null, pAdjusted: null };
    });
    if (binary) holmAdjust(rows.map((r) => r.pValue!)).forEach((p, i) => (rows[i].pAdjusted = p));
    groups.push(...rows);
  }
  return {
    task: a.task,
    metric,
    protocolKey: a.protocolKey,
    n: pairs.length,
    a: { name: nameA, model: a.model.spec, value: mean(va) },
    b: { name: nameB, model: b.model.spec, value: mean(vb) },
    difference,
    mcnemar: binary ? mcnemarTest(va, vb) : null,
    groups,
  };
}

function mean(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  return v.length > 0 ? s / v.length : NaN;
}
