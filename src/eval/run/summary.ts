// The numbers of one evaluated task: every per-item metric as a mean with a seeded percentile-bootstrap 95% CI
// (PubMedQA's macro-F1 too), the primary metric per subject and per source, calibration of the option
// probabilities (ECE, Brier, reliability bins, risk-coverage) for log-likelihood scoring, and the extraction
// audit for generative MCQ and yes/no. Failed items count as wrong and are listed; every seed is recorded.
import { MedtuneError } from "../../core/index.ts";
import { bootstrapMean, bootstrapStatistic } from "../stats/bootstrap.ts";
import { groupResults, type GroupedResults } from "../stats/group.ts";
import { calibrationSummary, type CalibrationSummary } from "../metrics/calibration.ts";
import { summarizeExtractions, type ExtractionAudit } from "../extract/extraction-audit.ts";
import type { ItemResult } from "../tasks/item-result.ts";
import { primaryMetric, type EvalProtocol } from "./protocol.ts";

/** Bootstrap and grouping settings (recorded beside the results). */
export interface StatsSettings {
  /** resamples per interval (default 2000) */
  nResamples: number;
  /** two-sided confidence level (default 0.95) */
  confidence: number;
  /** run seed; each metric's bootstrap uses `${seed}/${metric}` */
  seed: number;
  /** reliability-diagram bins (default 10) */
  nBins: number;
}

/** Default statistics settings. */
export const DEFAULT_STATS: StatsSettings = { nResamples: 2000, confidence: 0.95, seed: 1234, nBins: 10 };

/** One metric with its interval. */
export interface MetricSummary {
  value: number;
  lo: number;
  hi: number;
  n: number;
  method: "bootstrap-percentile";
  seed: string;
}

/** Everything summarized about one task. */
export interface TaskSummary {
  n: number;
  /** items whose requests failed (counted as wrong) */
  nFailed: number;
  primary: string;
  metrics: Record<string, MetricSummary>;
  /** the primary metric per subject and per source (Wilson intervals for 0/1 outcomes) */
  groups: { subject: GroupedResults | null; source: GroupedResults | null };
  /** option-probability calibration over the items that were scored (log-likelihood scoring) */
  calibration: CalibrationSummary | null;
  /** how answers were read from generated text, every unparsed one listed (generative MCQ / yes-no) */
  extraction: ExtractionAudit | null;
  failures: Array<{ id: string; error: string }>;
  stats: StatsSettings;
}

/** Macro-F1 over labels of predictions against golds (an unparsed prediction counts against its gold's class). */
export function macroF1(golds: readonly string[], preds: readonly (string | null)[], labels: readonly string[], idx?: Int32Array): number {
  const n = idx ? idx.length : golds.length;
  const tp = new Map<string, number>();
  const fp = new Map<string, number>();
  const fn = new Map<string, number>();
  for (let k = 0; k < n; k++) {
    const i = idx ? idx[k] : k;
    const g = golds[i];
    const p = preds[i];
    if (p === g) tp.set(g, (tp.get(g) ?? 0) + 1);
    else {
      fn.set(g, (fn.get(g) ?? 0) + 1);
      if (p !== null) fp.set(p, (fp.get(p) ?? 0) + 1);
    }
  }
  let sum = 0;
  for (const l of labels) {
    const t = tp.get(l) ?? 0;
    const denom = 2 * t + (fp.get(l) ?? 0) + (fn.get(l) ?? 0);
    sum += denom === 0 ? 0 : (2 * t) / denom;
  }
  return labels.length > 0 ? sum / labels.length : NaN;
}

function groupsBy(items: readonly ItemResult[], key: (r: ItemResult) => string | null, values: Float64Array, s: StatsSettings, name: string): GroupedResults | null {
  const labels = items.map(key);
  if (labels.every((l) => l === null)) return null;
  return groupResults(labels.map((l) => l ?? "(none)"), values, { confidence: s.confidence, nResamples: s.nResamples, seed: `${s.seed}/${name}` });
}

/** Summarizes a task's item results under its protocol. */
export function summarizeTask(items: readonly ItemResult[], protocol: EvalProtocol, stats: StatsSettings = DEFAULT_STATS): TaskSummary {
  if (items.length === 0) throw new MedtuneError("eval.empty", `task ${protocol.task} has no evaluated items`, { hint: "check the dataset path, its format and the kind filter" });
  const primary = primaryMetric(protocol);
  const names = [...new Set(items.flatMap((r) => Object.keys(r.scores)))].sort();
  const metrics: Record<string, MetricSummary> = {};
  for (const name of names) {
    const v = Float64Array.from(items, (r) => r.scores[name] ?? 0);
    const seed = `${stats.seed}/${name}`;
    const b = bootstrapMean(v, { nResamples: stats.nResamples, confidence: stats.confidence, seed });
    metrics[name] = { value: b.estimate, lo: b.lo, hi: b.hi, n: b.n, method: "bootstrap-percentile", seed };
  }
  if (protocol.kind === "yesno") {
    const golds = items.map((r) => r.gold);
    const preds = items.map((r) => r.prediction);
    const labels = [...new Set(golds)].sort();
    const seed = `${stats.seed}/macro_f1`;
    const b = bootstrapStatistic(items.length, (idx) => macroF1(golds, preds, labels, idx), { nResamples: stats.nResamples, confidence: stats.confidence, seed });
    metrics.macro_f1 = { value: b.estimate, lo: b.lo, hi: b.hi, n: b.n, method: "bootstrap-percentile", seed };
  }
  const primaryValues = Float64Array.from(items, (r) => (r.correct ? 1 : 0));
  const scored = items.filter((r) => r.loglik !== undefined);
  let calibration: CalibrationSummary | null = null;
  if (protocol.scoring === "loglik" && scored.length > 0) {
    calibration = calibrationSummary(scored.map((r) => r.loglik!.probs), scored.map((r) => r.loglik!.labels.indexOf(r.gold)), stats.nBins);
  }
  let extraction: ExtractionAudit | null = null;
  if (protocol.scoring === "generative" && protocol.kind !== "open") {
    extraction = summarizeExtractions(
      items.filter((r) => r.generation?.extraction !== undefined).map((r) => ({
        id: r.id,
        output: r.generation!.reasoning !== undefined ? `${r.generation!.reasoning}\n${protocol.cot?.answerPrompt ?? ""}${r.generation!.output}` : r.generation!.output,
        result: { answer: r.prediction, method: r.generation!.extraction!.method, ...(r.generation!.extraction!.reason !== undefined ? { reason: r.generation!.extraction!.reason } : {}) },
      })),
    );
  }
  const failures = items.filter((r) => r.error !== undefined).map((r) => ({ id: r.id, error: r.error! }));
  return {
    n: items.length,
    nFailed: failures.length,
    primary,
    metrics,
    groups: {
      subject: groupsBy(items, (r) => r.subject, primaryValues, stats, "subject"),
      source: groupsBy(items, (r) => r.source, primaryValues, stats, "source"),
    },
    calibration,
    extraction,
    failures,
    stats,
  };
}
