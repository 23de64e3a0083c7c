// Turns evaluation results into the HTML report's input (src/eval/report ReportData): one report run per model
// with each task's protocol, metrics and intervals, per-subject accuracy, reliability bins, risk-coverage curve,
// extraction audit, consistency and interpretability; paired comparisons become report comparisons.
import type { ReportComparison, ReportData, ReportMetric, ReportProtocol, ReportRun, ReportTask } from "../report/report-data.ts";
import { renderReport } from "../report/render-report.ts";
import type { TaskComparison } from "./compare.ts";
import type { TaskResultFile } from "./result-file.ts";

const LOWER_IS_BETTER = new Set(["ece", "mce", "brier", "aurc"]);

/** The protocol as the report shows it: flat, every field that changes the numbers. */
export function reportProtocol(r: TaskResultFile): ReportProtocol {
  const p = r.protocol;
  const s = r.summary.stats;
  return {
    task: p.task, kind: p.kind, scoring: p.scoring, template: p.template.name, choices: p.choices, lengthUnit: p.lengthUnit,
    fewShot: p.fewShot.n, fewShotSeed: p.fewShot.n > 0 ? p.fewShot.seed : null, format: p.format,
    cotPrompt: p.cot?.prompt ?? null, answerPrompt: p.cot?.answerPrompt ?? null, maxTokens: p.maxTokens, answerMaxTokens: p.answerMaxTokens,
    temperature: p.temperature, samplingSeed: p.seed, extraction: p.extraction, withContext: p.withContext,
    items: p.dataset.n, datasetSha256: p.dataset.sha256.slice(0, 16), protocolKey: r.protocolKey.slice(0, 16),
    bootstrap: `${s.nResamples} resamples, seed ${s.seed}, ${Math.round(100 * s.confidence)}%`,
    model: r.model.spec, fingerprint: r.model.fingerprint?.slice(0, 16) ?? null,
  };
}

/** One task of a run for the report. */
export function reportTask(r: TaskResultFile): ReportTask {
  const s = r.summary;
  const metrics: ReportMetric[] = [s.primary, ...Object.keys(s.metrics).filter((k) => k !== s.primary).sort()].map((name) => {
    const m = s.metrics[name];
    return { name, value: m.value, lo: m.lo, hi: m.hi, n: m.n, method: `bootstrap percentile, ${s.stats.nResamples} resamples, seed ${m.seed}`, confidence: s.stats.confidence };
  });
  const c = s.calibration;
  if (c) {
    metrics.push({ name: "ece", value: c.ece, n: c.n, isLowerBetter: true, method: `${c.nBins} equal-width bins` });
    metrics.push({ name: "brier", value: c.brier, n: c.n, isLowerBetter: true });
  }
  const groups = s.groups.subject ?? s.groups.source;
  const task: ReportTask = {
    task: r.task,
    protocol: reportProtocol(r),
    metrics,
    primaryMetric: s.primary,
    ...(groups ? { subjects: groups.groups.map((g) => ({ group: g.group, n: g.n, value: g.mean, lo: g.lo, hi: g.hi, isSmall: g.isSmall })) } : {}),
    ...(c ? {
      calibration: {
        bins: c.bins.filter((b) => b.count > 0).map((b) => ({ lo: b.lo, hi: b.hi, count: b.count, confidence: b.meanConfidence!, accuracy: b.accuracy! })),
        ece: c.ece, brier: c.brier, source: "softmax over option log-likelihoods",
      },
      riskCoverage: { points: c.riskCoverage.points.map((p) => ({ coverage: p.coverage, risk: p.risk, threshold: p.threshold })), aurc: c.riskCoverage.aurc },
    } : {}),
    ...(s.extraction ? { extraction: s.extraction } : {}),
    ...(r.consistency ? { consistency: r.consistency } : {}),
    ...(r.interpretability ? { interpretability: r.interpretability } : {}),
  };
  return task;
}

/** The results of one model (one run) for the report. */
export function reportRun(name: string, results: readonly TaskResultFile[], runDir?: string): ReportRun {
  const m = results[0].model;
  return {
    name,
    model: { id: m.id, provider: m.provider, ...(m.fingerprint ? { fingerprint: m.fingerprint } : {}), ...(m.path ? { path: m.path } : {}) },
    protocol: { seed: results[0].summary.stats.seed, medtuneVersion: results[0].medtuneVersion },
    ...(runDir ? { runDir } : {}),
    createdAt: results[0].timing.startedAt,
    tasks: results.map(reportTask),
  };
}

/** A paired comparison for the report: the overall row, then per subject (or source). */
export function reportComparison(c: TaskComparison, alpha = 0.05): ReportComparison {
  const byGroup = c.groups.filter((g) => g.by === "subject");
  const groups = byGroup.length > 0 ? byGroup : c.groups.filter((g) => g.by === "source");
  return {
    task: c.task, metric: c.metric, a: c.a.name, b: c.b.name, isProtocolMatch: true, alpha,
    test: c.mcnemar ? "exact McNemar; groups Holm-adjusted" : "paired bootstrap (metric not 0/1)",
    rows: [
      {
        group: "(all)", n: c.n, a: c.a.value, b: c.b.value,
        ...(c.mcnemar ? { onlyA: c.mcnemar.b, onlyB: c.mcnemar.c, pValue: c.mcnemar.exact.pValue } : {}),
      },
      ...groups.map((g) => ({ group: g.group, n: g.n, a: g.a, b: g.b, ...(g.onlyA !== null ? { onlyA: g.onlyA, onlyB: g.onlyB!, pValue: g.pValue!, pAdjusted: g.pAdjusted! } : {}) })),
    ],
  };
}

/** Renders the self-contained HTML report of runs (and comparisons). */
export function renderEvalReport(title: string, runs: readonly ReportRun[], comparisons: readonly ReportComparison[] = [], notes: string[] = []): string {
  const data: ReportData = {
    title, generatedAt: new Date().toISOString(), medtuneVersion: runs[0]?.protocol?.medtuneVersion as string | undefined,
    runs: [...runs], comparisons: [...comparisons],
    notes: ["Educational and research software: not for clinical decision making.", ...notes],
  };
  return renderReport(data);
}
