// Calibration of option probabilities (Guo et al. 2017; Naeini et al. 2015): top-label confidence vs accuracy in
// equal-width bins (bin b = (b/B, (b+1)/B], confidence 0 in the first), ECE = sum_b |B_b|/n·|acc_b - conf_b|,
// MCE = max_b |acc_b - conf_b| over non-empty bins, the multi-class Brier score mean_i sum_k (p_ik - y_ik)^2
// (Brier 1950, range 0..2) beside the top-label binary one mean_i (conf_i - correct_i)^2, and the risk-coverage
// curve of abstaining below a confidence threshold with its area AURC and excess E-AURC (Geifman et al. 2019).
import { MedtuneError } from "../../core/index.ts";
import { argmaxFirst } from "./mcq.ts";

/** Per-item top-label confidence, predicted index and correctness. */
export interface TopLabel {
  confidence: Float64Array;
  predicted: Int32Array;
  correct: Uint8Array;
}

/** One bin of a reliability diagram; mean confidence and accuracy are null for an empty bin. */
export interface ReliabilityBin {
  index: number;
  lo: number;
  hi: number;
  count: number;
  meanConfidence: number | null;
  accuracy: number | null;
  /** accuracy - meanConfidence (negative = overconfident); null when empty. */
  gap: number | null;
}

/** One point of the risk-coverage curve: answer only items with confidence >= threshold. */
export interface RiskCoveragePoint {
  threshold: number;
  /** Fraction of items answered. */
  coverage: number;
  /** Error rate among the answered items (selective risk). */
  risk: number;
  /** Number of items answered. */
  count: number;
}

/** The risk-coverage curve and its areas. */
export interface RiskCoverage {
  /** One point per distinct confidence, from most to least confident (the last has coverage 1). */
  points: RiskCoveragePoint[];
  /** Area under the risk-coverage curve: mean over k = 1..n of the risk of the k most confident items (ties averaged). */
  aurc: number;
  /** The AURC of a perfect ranking (all correct items first) at the same accuracy. */
  optimalAurc: number;
  /** aurc - optimalAurc: the part of AURC due to bad ranking rather than low accuracy. */
  excessAurc: number;
}

/** Everything calibration reports for one run. */
export interface CalibrationSummary {
  n: number;
  nBins: number;
  accuracy: number;
  meanConfidence: number;
  ece: number;
  mce: number;
  /** Multi-class Brier score mean_i sum_k (p_ik - y_ik)^2, 0 (perfect) to 2. */
  brier: number;
  /** Top-label Brier score mean_i (conf_i - correct_i)^2, 0 to 1. */
  brierTopLabel: number;
  bins: ReliabilityBin[];
  riskCoverage: RiskCoverage;
}

/** Default number of equal-width bins. */
export const DEFAULT_BINS = 10;

function checkPair(confidence: ArrayLike<number>, correct: ArrayLike<number | boolean>): void {
  if (confidence.length !== correct.length) {
    throw new MedtuneError("eval.calibration.length", `${confidence.length} confidences for ${correct.length} outcomes`, { hint: "pass one confidence and one correctness per item" });
  }
  if (confidence.length === 0) throw new MedtuneError("eval.calibration.empty", "no items to measure calibration on");
  for (let i = 0; i < confidence.length; i++) {
    const c = confidence[i];
    if (!(c >= 0 && c <= 1)) throw new MedtuneError("eval.calibration.bad-confidence", `confidence of item ${i} is ${c}, expected a probability in [0, 1]`);
    const y = correct[i];
    if (y !== 0 && y !== 1 && y !== true && y !== false) throw new MedtuneError("eval.calibration.bad-outcome", `correctness of item ${i} is ${String(y)}, expected 0/1 or a boolean`);
  }
}

function checkBins(nBins: number): void {
  if (!Number.isInteger(nBins) || nBins < 1) throw new MedtuneError("eval.calibration.bad-bins", `number of bins must be a positive integer, got ${nBins}`);
}

/** The bin of a confidence: bin b holds (b/B, (b+1)/B], and 0 goes to bin 0. Edges are compared exactly. */
export function binIndex(confidence: number, nBins: number): number {
  let b = Math.ceil(confidence * nBins) - 1;
  if (b < 0) return 0;
  if (b >= nBins) b = nBins - 1;
  // Guard floating error in confidence·B against the edge b/B itself.
  if (confidence <= b / nBins && b > 0) b--;
  else if (confidence > (b + 1) / nBins && b < nBins - 1) b++;
  return b;
}

/** Top-label confidence, prediction (first maximum) and correctness from per-item probability vectors. */
export function topLabel(probs: readonly ArrayLike<number>[], gold: ArrayLike<number>): TopLabel {
  checkProbs(probs, gold);
  const n = probs.length;
  const out: TopLabel = { confidence: new Float64Array(n), predicted: new Int32Array(n), correct: new Uint8Array(n) };
  for (let i = 0; i < n; i++) {
    const k = argmaxFirst(probs[i]);
    out.predicted[i] = k;
    out.confidence[i] = Math.min(1, probs[i][k]);
    out.correct[i] = k === gold[i] ? 1 : 0;
  }
  return out;
}

function checkProbs(probs: readonly ArrayLike<number>[], gold: ArrayLike<number>): void {
  if (probs.length !== gold.length) throw new MedtuneError("eval.calibration.length", `${probs.length} probability vectors for ${gold.length} gold labels`);
  if (probs.length === 0) throw new MedtuneError("eval.calibration.empty", "no items to measure calibration on");
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i];
    let sum = 0;
    for (let k = 0; k < p.length; k++) {
      if (!(p[k] >= 0 && p[k] <= 1)) throw new MedtuneError("eval.calibration.bad-probability", `item ${i} option ${k} probability is ${p[k]}`);
      sum += p[k];
    }
    if (Math.abs(sum - 1) > 1e-4) {
      throw new MedtuneError("eval.calibration.not-normalized", `item ${i} probabilities sum to ${sum}, not 1`, { hint: "turn option log-likelihoods into probabilities with optionProbabilities (softmax over the options)" });
    }
    if (!Number.isInteger(gold[i]) || gold[i] < 0 || gold[i] >= p.length) throw new MedtuneError("eval.calibration.bad-gold", `item ${i} gold index ${gold[i]} is outside 0..${p.length - 1}`);
  }
}

/** Reliability diagram data: per equal-width bin its edges, count, mean confidence and accuracy. */
export function reliabilityDiagram(confidence: ArrayLike<number>, correct: ArrayLike<number | boolean>, nBins = DEFAULT_BINS): ReliabilityBin[] {
  checkPair(confidence, correct);
  checkBins(nBins);
  const count = new Float64Array(nBins);
  const sumConf = new Float64Array(nBins);
  const sumAcc = new Float64Array(nBins);
  for (let i = 0; i < confidence.length; i++) {
    const b = binIndex(confidence[i], nBins);
    count[b]++;
    sumConf[b] += confidence[i];
    sumAcc[b] += Number(correct[i]);
  }
  const bins: ReliabilityBin[] = [];
  for (let b = 0; b < nBins; b++) {
    const c = count[b];
    const meanConfidence = c > 0 ? sumConf[b] / c : null;
    const accuracy = c > 0 ? sumAcc[b] / c : null;
    bins.push({ index: b, lo: b / nBins, hi: (b + 1) / nBins, count: c, meanConfidence, accuracy, gap: c > 0 ? accuracy! - meanConfidence! : null });
  }
  return bins;
}

/** Expected calibration error over equal-width bins: sum_b |B_b|/n·|acc_b - conf_b|. */
export function expectedCalibrationError(confidence: ArrayLike<number>, correct: ArrayLike<number | boolean>, nBins = DEFAULT_BINS): number {
  const n = confidence.length;
  return reliabilityDiagram(confidence, correct, nBins).reduce((s, b) => s + (b.count > 0 ? (b.count / n) * Math.abs(b.gap!) : 0), 0);
}

/** Maximum calibration error: the largest |acc_b - conf_b| over non-empty bins. */
export function maxCalibrationError(confidence: ArrayLike<number>, correct: ArrayLike<number | boolean>, nBins = DEFAULT_BINS): number {
  return reliabilityDiagram(confidence, correct, nBins).reduce((m, b) => (b.count > 0 ? Math.max(m, Math.abs(b.gap!)) : m), 0);
}

/** Multi-class Brier score: mean over items of sum_k (p_k - y_k)^2 with y the one-hot gold (0..2). */
export function brierScore(probs: readonly ArrayLike<number>[], gold: ArrayLike<number>): number {
  checkProbs(probs, gold);
  let total = 0;
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i];
    for (let k = 0; k < p.length; k++) {
      const d = p[k] - (k === gold[i] ? 1 : 0);
      total += d * d;
    }
  }
  return total / probs.length;
}

/** Top-label (binary) Brier score: mean over items of (confidence - correct)^2 (0..1). */
export function brierTopLabel(confidence: ArrayLike<number>, correct: ArrayLike<number | boolean>): number {
  checkPair(confidence, correct);
  let total = 0;
  for (let i = 0; i < confidence.length; i++) total += (confidence[i] - Number(correct[i])) ** 2;
  return total / confidence.length;
}

/** Risk-coverage curve (one point per distinct confidence) and AURC; tied confidences count in expectation, never by input order. */
export function riskCoverage(confidence: ArrayLike<number>, correct: ArrayLike<number | boolean>): RiskCoverage {
  checkPair(confidence, correct);
  const n = confidence.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => confidence[b] - confidence[a]);
  const points: RiskCoveragePoint[] = [];
  let seen = 0;
  let errors = 0;
  let area = 0;
  for (let s = 0; s < n; ) {
    let e = s;
    let groupErrors = 0;
    while (e < n && confidence[order[e]] === confidence[order[s]]) {
      groupErrors += 1 - Number(correct[order[e]]);
      e++;
    }
    const g = e - s;
    for (let j = 1; j <= g; j++) area += (errors + (j * groupErrors) / g) / (seen + j);
    seen += g;
    errors += groupErrors;
    points.push({ threshold: confidence[order[s]], coverage: seen / n, risk: errors / seen, count: seen });
    s = e;
  }
  const aurc = area / n;
  // Perfect ranking: the n - E correct items first, so risk_k = max(0, k - (n - E))/k.
  let best = 0;
  for (let k = n - errors + 1; k <= n; k++) best += (k - (n - errors)) / k;
  const optimalAurc = best / n;
  return { points, aurc, optimalAurc, excessAurc: aurc - optimalAurc };
}

/** ECE, MCE, both Brier scores, reliability bins and the risk-coverage curve from per-item option probabilities. */
export function calibrationSummary(probs: readonly ArrayLike<number>[], gold: ArrayLike<number>, nBins = DEFAULT_BINS): CalibrationSummary {
  const t = topLabel(probs, gold);
  const bins = reliabilityDiagram(t.confidence, t.correct, nBins);
  const n = probs.length;
  let acc = 0;
  let conf = 0;
  for (let i = 0; i < n; i++) {
    acc += t.correct[i];
    conf += t.confidence[i];
  }
  return {
    n,
    nBins,
    accuracy: acc / n,
    meanConfidence: conf / n,
    ece: bins.reduce((s, b) => s + (b.count > 0 ? (b.count / n) * Math.abs(b.gap!) : 0), 0),
    mce: bins.reduce((m, b) => (b.count > 0 ? Math.max(m, Math.abs(b.gap!)) : m), 0),
    brier: brierScore(probs, gold),
    brierTopLabel: brierTopLabel(t.confidence, t.correct),
    bins,
    riskCoverage: riskCoverage(t.confidence, t.correct),
  };
}
