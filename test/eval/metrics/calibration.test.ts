// Calibration worked by hand on eight 3-option items (ECE, MCE, both Brier scores, reliability bins, AURC), the bin
// edge convention (b/B, (b+1)/B], and risk-coverage ties.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  binIndex, brierScore, brierTopLabel, calibrationSummary, expectedCalibrationError, maxCalibrationError, reliabilityDiagram, riskCoverage, topLabel,
} from "../../../src/eval/metrics/calibration.ts";

// Eight items, three options each. Top-label confidence, gold, correct?
//  1 [0.95 0.03 0.02] gold 0  conf 0.95 right   sum_k (p-y)^2 = .05²+.03²+.02²      = 0.0038
//  2 [0.04 0.92 0.04] gold 1  conf 0.92 right                 .04²+.08²+.04²      = 0.0096
//  3 [0.85 0.10 0.05] gold 1  conf 0.85 wrong                 .85²+.90²+.05²      = 1.5350
//  4 [0.09 0.10 0.81] gold 2  conf 0.81 right                 .09²+.10²+.19²      = 0.0542
//  5 [0.62 0.30 0.08] gold 0  conf 0.62 right                 .38²+.30²+.08²      = 0.2408
//  6 [0.25 0.55 0.20] gold 0  conf 0.55 wrong                 .75²+.55²+.20²      = 0.9050
//  7 [0.45 0.40 0.15] gold 1  conf 0.45 wrong                 .45²+.60²+.15²      = 0.5850
//  8 [0.33 0.32 0.35] gold 2  conf 0.35 right                 .33²+.32²+.65²      = 0.6338
// Multi-class Brier = 3.9672/8 = 0.4959. Top-label Brier = (.05²+.08²+.85²+.19²+.38²+.55²+.45²+.65²)/8 = 1.8394/8.
// Ten bins: (0.9,1] items 1,2 conf .935 acc 1 |gap| .065; (0.8,0.9] items 3,4 conf .83 acc .5 |gap| .33;
// (0.6,0.7] item 5 .38; (0.5,0.6] item 6 .55; (0.4,0.5] item 7 .45; (0.3,0.4] item 8 .65.
// ECE = (2·.065 + 2·.33 + .38 + .55 + .45 + .65)/8 = 2.82/8 = 0.3525; MCE = 0.65.
// Five bins: (0.8,1] items 1-4 conf .8825 acc .75 gap .1325; (0.6,0.8] .38; (0.4,0.6] items 6,7 conf .5 acc 0 gap .5;
// (0.2,0.4] .65 -> ECE = (4·.1325 + .38 + 2·.5 + .65)/8 = 2.56/8 = 0.32.
const PROBS = [
  [0.95, 0.03, 0.02], [0.04, 0.92, 0.04], [0.85, 0.1, 0.05], [0.09, 0.1, 0.81],
  [0.62, 0.3, 0.08], [0.25, 0.55, 0.2], [0.45, 0.4, 0.15], [0.33, 0.32, 0.35],
];
const GOLD = [0, 1, 1, 2, 0, 0, 1, 2];
const near = (a: number, b: number, tol = 1e-12): void => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test("top label, ECE, MCE and both Brier scores match the hand computation", () => {
  const t = topLabel(PROBS, GOLD);
  assert.deepEqual([...t.correct], [1, 1, 0, 1, 1, 0, 0, 1]);
  assert.deepEqual([...t.predicted], [0, 1, 0, 2, 0, 1, 0, 2]);
  near(expectedCalibrationError(t.confidence, t.correct), 0.3525);
  near(maxCalibrationError(t.confidence, t.correct), 0.65);
  near(expectedCalibrationError(t.confidence, t.correct, 5), 0.32);
  near(brierScore(PROBS, GOLD), 0.4959);
  near(brierTopLabel(t.confidence, t.correct), 1.8394 / 8);
});

test("reliability diagram: per-bin edges, counts, mean confidence and accuracy, empty bins null", () => {
  const t = topLabel(PROBS, GOLD);
  const bins = reliabilityDiagram(t.confidence, t.correct);
  assert.equal(bins.length, 10);
  assert.deepEqual(bins.map((b) => b.count), [0, 0, 0, 1, 1, 1, 1, 0, 2, 2]);
  near(bins[9].meanConfidence!, 0.935);
  assert.equal(bins[9].accuracy, 1);
  near(bins[8].gap!, 0.5 - 0.83);
  assert.equal(bins[0].meanConfidence, null);
  assert.equal(bins[7].accuracy, null);
  near(bins[3].lo, 0.3);
  near(bins[3].hi, 0.4);
});

test("bin edges: bin b holds (b/B, (b+1)/B], 0 in the first, 1 in the last, despite floating error", () => {
  assert.equal(binIndex(0, 10), 0);
  assert.equal(binIndex(0.1, 10), 0);
  assert.equal(binIndex(0.3, 10), 2); // 0.3·10 = 3.0000000000000004 in floating point
  assert.equal(binIndex(0.7, 10), 6); // 0.7·10 = 7.000000000000001
  assert.equal(binIndex(0.30000000000000004, 10), 3);
  assert.equal(binIndex(1, 10), 9);
  assert.equal(binIndex(0.5, 1), 0);
});

test("risk-coverage curve and AURC by hand", () => {
  // Sorted by confidence: right, right, wrong, right, right, wrong, wrong, right. Risk of the top k:
  // 0, 0, 1/3, 1/4, 1/5, 2/6, 3/7, 3/8 -> AURC = 1.920238.../8. Perfect order (5 right first): 1/6, 2/7, 3/8 at k=6..8.
  const t = topLabel(PROBS, GOLD);
  const rc = riskCoverage(t.confidence, t.correct);
  const aurc = (1 / 3 + 1 / 4 + 1 / 5 + 2 / 6 + 3 / 7 + 3 / 8) / 8;
  const optimal = (1 / 6 + 2 / 7 + 3 / 8) / 8;
  near(rc.aurc, aurc);
  near(rc.optimalAurc, optimal);
  near(rc.excessAurc, aurc - optimal);
  assert.equal(rc.points.length, 8);
  assert.deepEqual(rc.points.map((p) => p.count), [1, 2, 3, 4, 5, 6, 7, 8]);
  near(rc.points[2].risk, 1 / 3);
  assert.equal(rc.points[2].threshold, 0.85);
  assert.equal(rc.points[7].coverage, 1);
  near(rc.points[7].risk, 3 / 8);
});

test("risk-coverage with tied confidences: one point per threshold, expected risk inside the tie, order-free", () => {
  // conf [0.9, 0.9, 0.5], correct [1, 0, 1]: k=1 expects 0.5 errors (risk .5), k=2 risk 1/2, k=3 risk 1/3.
  const a = riskCoverage([0.9, 0.9, 0.5], [1, 0, 1]);
  near(a.aurc, (0.5 + 0.5 + 1 / 3) / 3);
  assert.deepEqual(a.points.map((p) => [p.threshold, p.count]), [[0.9, 2], [0.5, 3]]);
  const b = riskCoverage([0.9, 0.5, 0.9], [0, 1, 1]);
  near(b.aurc, a.aurc);
});

test("summary reports everything and calibration rejects malformed input", () => {
  const s = calibrationSummary(PROBS, GOLD);
  assert.equal(s.n, 8);
  near(s.accuracy, 5 / 8);
  near(s.ece, 0.3525);
  near(s.brier, 0.4959);
  near(s.riskCoverage.aurc, riskCoverage(topLabel(PROBS, GOLD).confidence, topLabel(PROBS, GOLD).correct).aurc);
  assert.throws(() => brierScore([[0.5, 0.4]], [0]), /sum to 0\.9/);
  assert.throws(() => topLabel([[0.5, 0.5]], [2]), /gold index 2/);
  assert.throws(() => expectedCalibrationError([1.2], [1]), /\[0, 1\]/);
  assert.throws(() => expectedCalibrationError([0.5], [1], 0), /positive integer/);
  assert.throws(() => riskCoverage([0.5, 0.6], [1]), /2 confidences for 1/);
});
