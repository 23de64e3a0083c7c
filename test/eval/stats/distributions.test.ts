// Distribution functions against reference values: scipy.stats 1.17 (norm.ppf, norm.cdf, chi2.sf, special.gammaln)
// and exact big-integer binomial sums computed in Python (sum of C(n, k) for k <= m, divided by 2^n).
import { test } from "node:test";
import assert from "node:assert/strict";
import { binomialHalfLogCdf, binomialHalfLogPmf, chiSquareSf, logGamma, normalCdf, normalQuantile, zForConfidence } from "../../../src/eval/stats/distributions.ts";

const rel = (a: number, b: number, tol: number): void => assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

test("normal quantile (AS241) matches scipy.stats.norm.ppf", () => {
  const ref: Array<[number, number]> = [
    [1e-300, -37.0470962993612], [1e-20, -9.262340089798409], [1e-8, -5.612001244174789], [0.001, -3.090232306167813],
    [0.025, -1.9599639845400545], [0.1, -1.2815515655446004], [0.3, -0.5244005127080409], [0.5, 0], [0.975, 1.959963984540054],
    [0.999999, 4.753424308817087],
  ];
  for (const [p, z] of ref) rel(normalQuantile(p), z, 1e-14);
  rel(zForConfidence(0.95), 1.959963984540054, 1e-15);
  rel(zForConfidence(0.99), 2.5758293035489004, 1e-14);
  assert.throws(() => normalQuantile(1.5), /0 <= p <= 1/);
});

test("normal CDF and chi-square survival match scipy", () => {
  const cdf: Array<[number, number]> = [[-10, 7.61985302416047e-24], [-3, 0.0013498980316300933], [-1.96, 0.024997895148220435], [0.5, 0.6914624612740131], [3, 0.9986501019683699]];
  for (const [z, p] of cdf) rel(normalCdf(z), p, 1e-12);
  const sf1: Array<[number, number]> = [[0.001, 0.9747728793699604], [3.84, 0.05004352124870519], [10, 0.001565402258002549], [50, 1.537459794428033e-12], [200, 2.0884875837625688e-45]];
  for (const [x, p] of sf1) assert.ok(Math.abs(chiSquareSf(x, 1) - p) <= 1e-12 * p, `chi2(1).sf(${x})`);
  rel(chiSquareSf(10, 5), 0.07523524614651217, 1e-12);
  assert.equal(chiSquareSf(0, 1), 1);
});

test("log-gamma matches scipy.special.gammaln", () => {
  const ref: Array<[number, number]> = [[0.1, 2.252712651734206], [0.5, 0.5723649429247], [2.5, 0.2846828704729192], [10, 12.801827480081469], [100, 359.1342053695754], [1e5, 1051287.7089736569]];
  for (const [x, v] of ref) rel(logGamma(x), v, 1e-13);
  assert.ok(Math.abs(logGamma(1)) < 1e-14);
});

test("Binomial(n, 1/2) lower tail in log space matches exact integer sums, even far below double range", () => {
  rel(binomialHalfLogCdf(1, 7), Math.log(8 / 128), 1e-14);
  rel(binomialHalfLogCdf(6, 22), Math.log(110056 / 4194304), 1e-14);
  rel(binomialHalfLogCdf(49, 100), -0.7760824080411315, 1e-12);
  rel(binomialHalfLogCdf(60, 100), -0.017756823491597674, 1e-12);
  // ln(2·sum_{k<=1000} C(10000, k)/2^10000), exact in Python big integers; the probability itself is e^-3684.
  rel(Math.LN2 + binomialHalfLogCdf(1000, 10000), -3684.151392878727, 1e-12);
  rel(binomialHalfLogPmf(3, 10), Math.log(120 / 1024), 1e-14);
  assert.equal(binomialHalfLogCdf(10, 10), 0);
});
