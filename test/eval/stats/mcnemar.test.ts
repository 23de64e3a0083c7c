// McNemar's test against table values: the exact two-sided binomial p for small tables, Armitage & Berry (1994,
// p. 127; via StatsDirect) for the Yates-corrected chi-square, and Fagerland, Lydersen & Laake (2013, BMC Med Res
// Methodol 13:91, Bentur et al. airway data: b = 1, c = 7) for the exact, mid-p and uncorrected asymptotic tests.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mcnemarChiSquare, mcnemarExact, mcnemarTest, pairedCounts } from "../../../src/eval/stats/mcnemar.ts";

const near = (a: number, b: number, tol = 1e-12): void => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test("exact p from the binomial table: b=1, c=6 -> 2·8/128 = 0.125; b=0, c=5 -> 2/32 = 0.0625", () => {
  near(mcnemarExact(1, 6).pValue, 0.125);
  near(mcnemarExact(6, 1).pValue, 0.125);
  near(mcnemarExact(0, 5).pValue, 0.0625);
  near(mcnemarExact(5, 12).pValue, 0.143463134765625); // scipy.stats.binomtest(5, 17).pvalue
  assert.equal(mcnemarExact(0, 0).pValue, 1);
  assert.equal(mcnemarExact(4, 4).pValue, 1);
});

test("Fagerland et al. (2013) worked example: exact 0.0703, mid-p 0.0391, asymptotic 0.0339", () => {
  const e = mcnemarExact(1, 7);
  near(e.pValue, 0.0703125);
  near(e.midPValue, 0.0390625);
  near(mcnemarChiSquare(1, 7, false).pValue, 0.033894853524689295, 1e-12);
  // With b = c the mid-p is 1 - P(X = b)/2 (their supplementary note).
  near(mcnemarExact(3, 3).midPValue, 1 - 0.5 * (20 / 64));
});

test("Armitage & Berry (1994) culture media: Yates chi-square 5.785714, P = 0.0162; exact P = 0.0129", () => {
  const c = mcnemarChiSquare(12, 2);
  near(c.statistic, 81 / 14);
  assert.equal(c.pValue.toFixed(4), "0.0162");
  near(mcnemarExact(12, 2).pValue, 0.012939453125);
});

test("large tables stay exact in log space", () => {
  const e = mcnemarExact(1000, 9000);
  assert.equal(e.pValue, 0);
  assert.ok(Math.abs(e.logPValue - -3684.151392878727) < 1e-8, `${e.logPValue}`);
  near(mcnemarExact(100, 200).pValue, 8.014875216538918e-9, 1e-20);
});

test("paired counts from per-item outcomes, and bad input refused", () => {
  const a = [1, 1, 0, 0, 1, true, false];
  const b = [1, 0, 1, 0, 0, true, true];
  assert.deepEqual(pairedCounts(a, b), { bothRight: 2, b: 2, c: 2, bothWrong: 1, n: 7 });
  const t = mcnemarTest(a, b);
  assert.equal(t.exact.pValue, 1);
  assert.throws(() => pairedCounts([1, 0], [1]), /differ in length/);
  assert.throws(() => pairedCounts([2], [1]), /0\/1 or a boolean/);
  assert.throws(() => mcnemarExact(-1, 3), /non-negative integers/);
});
