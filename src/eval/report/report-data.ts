// The input of the HTML report (ReportData): plain JSON the eval runner fills from its results, one entry per
// run (a model under a protocol) with per-task metrics and intervals, per-subject rows, calibration bins, a
// risk-coverage curve, the extraction audit, consistency and interpretability summaries, plus paired base-vs-
// tuned comparisons. Every number sits next to the protocol that produced it. Non-finite numbers show as n/a.
import type { ConsistencySummary } from "../consistency/consistency-summary.ts";
import type { ExtractionAudit } from "../extract/extraction-audit.ts";
import type { InterpretSummary } from "../interpret/run-interpret.ts";

/** Protocol facts shown beside the numbers (scoring, template, shots, seed, bootstrap settings, fingerprints...). */
export type ReportProtocol = Record<string, string | number | boolean | null | undefined | readonly (string | number)[]>;

/** One metric of a task with its interval. */
export interface ReportMetric {
  /** Metric name (`acc`, `acc_norm`, `f1`, `ece`, `brier`, ...). */
  name: string;
  value: number;
  lo?: number;
  hi?: number;
  /** Items the metric is over. */
  n?: number;
  /** Interval method (`wilson`, `bootstrap percentile, 2000 resamples, seed 0`, ...). */
  method?: string;
  /** Confidence level of the interval (default shown as 95%). */
  confidence?: number;
  /** Lower is better (ECE, Brier): shown as such. */
  isLowerBetter?: boolean;
}

/** One group (subject, source) of a task's primary metric. */
export interface ReportGroupRow {
  group: string;
  n: number;
  value: number;
  lo?: number;
  hi?: number;
  /** Few items: read the interval, not the point. */
  isSmall?: boolean;
}

/** One bin of a reliability diagram (equal-width confidence bins). */
export interface ReportCalibrationBin {
  /** Bin edges in [0, 1]. */
  lo: number;
  hi: number;
  count: number;
  /** Mean confidence of the bin's items. */
  confidence: number;
  /** Accuracy of the bin's items. */
  accuracy: number;
}

/** Calibration of a task: reliability bins and summary scores. */
export interface ReportCalibration {
  bins: ReportCalibrationBin[];
  ece?: number;
  brier?: number;
  /** Where confidences come from ("softmax over option log-likelihoods"). */
  source?: string;
}

/** One point of a risk-coverage curve: answer only when confidence >= threshold. */
export interface ReportRiskCoveragePoint {
  /** Share of items answered, in [0, 1]. */
  coverage: number;
  /** Error rate among answered items, in [0, 1]. */
  risk: number;
  threshold?: number;
}

/** A risk-coverage (selective prediction) curve. */
export interface ReportRiskCoverage {
  points: ReportRiskCoveragePoint[];
  /** Area under the risk-coverage curve (lower is better). */
  aurc?: number;
}

/** Consistency results as `runConsistency` returns them (the protocol and per-item details are optional here). */
export type ReportConsistency = Pick<ConsistencySummary, "rate" | "byPerturbation" | "flips"> &
  Partial<Pick<ConsistencySummary, "itemRate" | "sampleAgreement" | "accuracy" | "unanswered" | "skipped" | "nItems" | "nVariants">> & {
    protocol?: object;
  };

/** Interpretability results as `runInterpretability` returns them (protocol and per-item details optional). */
export type ReportInterpretability = Pick<InterpretSummary, "validity" | "support"> &
  Partial<Omit<InterpretSummary, "validity" | "support">> & { protocol?: object };

/** One task of a run (`medqa`, `pubmedqa`, ...). */
export interface ReportTask {
  task: string;
  /** Display title (default: the task name). */
  title?: string;
  /** Everything needed to reproduce the numbers of this task. */
  protocol: ReportProtocol;
  metrics: ReportMetric[];
  /** Metric the per-subject chart shows (default: the first metric). */
  primaryMetric?: string;
  subjects?: ReportGroupRow[];
  calibration?: ReportCalibration;
  riskCoverage?: ReportRiskCoverage;
  extraction?: ExtractionAudit;
  consistency?: ReportConsistency;
  interpretability?: ReportInterpretability;
}

/** One evaluated model under one protocol. */
export interface ReportRun {
  /** Short name used in comparisons (`base`, `tuned`). */
  name: string;
  model: { id: string; provider: string; fingerprint?: string; path?: string; adapter?: string };
  /** Run-wide protocol (seed, template, medtune version, data hashes...). */
  protocol?: ReportProtocol;
  runDir?: string;
  createdAt?: string;
  tasks: ReportTask[];
}

/** One row of a paired comparison (a subject, or the overall row). */
export interface ReportComparisonRow {
  group: string;
  n: number;
  /** Metric of run A and of run B with their intervals. */
  a: number;
  aLo?: number;
  aHi?: number;
  b: number;
  bLo?: number;
  bHi?: number;
  /** Items only A got right / only B got right (McNemar's discordant counts). */
  onlyA?: number;
  onlyB?: number;
  /** Exact McNemar p-value, and the multiplicity-adjusted one when several rows are tested. */
  pValue?: number;
  pAdjusted?: number;
}

/** Run A versus run B on one task and metric, paired by item. */
export interface ReportComparison {
  task: string;
  metric: string;
  /** Run names (ReportRun.name). */
  a: string;
  b: string;
  /** The two runs used the same protocol; when false, the differences are listed and no test is shown. */
  isProtocolMatch: boolean;
  protocolDiff?: string[];
  rows: ReportComparisonRow[];
  /** Significance level (default 0.05). */
  alpha?: number;
  /** Test used ("exact McNemar, Holm-adjusted over subjects"). */
  test?: string;
}

/** Everything the report shows. */
export interface ReportData {
  title: string;
  subtitle?: string;
  /** ISO time the report was made. */
  generatedAt?: string;
  medtuneVersion?: string;
  runs: ReportRun[];
  comparisons?: ReportComparison[];
  /** Free-text notes shown at the end (caveats, data provenance). */
  notes?: string[];
  /** Flips listed per consistency table at most (default 200); the rest are counted. */
  maxFlips?: number;
  /** Unparsed extractions listed at most (default 100). */
  maxAuditRows?: number;
}
