// The percentile bootstrap: coverage on simulated Bernoulli data (about 95% of 95% intervals contain the true
// rate), reproducibility from the seed, numpy-style quantiles, the generic index-based statistic and paired diffs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../../src/core/index.ts";
import { bootstrapMean, bootstrapStatistic, gather, pairedBootstrapDiff, quantileSorted } from "../../../src/eval/stats/bootstrap.ts";

test("coverage: 300 simulated datasets of n=200 Bernoulli(0.7), the 95% interval covers 0.7 in 92-98% of them", () => {
  const data = new Rng("coverage-data");
  const values = new Float64Array(200);
  let covered = 0;
  const nSets = 300;
  for (let s = 0; s < nSets; s++) {
    for (let i = 0; i < values.length; i++) values[i] = data.next() < 0.7 ? 1 : 0;
    const ci = bootstrapMean(values, { nResamples: 400, seed: s });
    if (ci.lo <= 0.7 && 0.7 <= ci.hi) covered++;
  }
  const rate = covered / nSets;
  assert.ok(rate >= 0.92 && rate <= 0.98, `coverage ${rate}`);
});

test("the interval is reproducible from the seed, and the seed is recorded", () => {
  const v = Array.from({ length: 50 }, (_, i) => (i % 3 === 0 ? 1 : 0));
  const a = bootstrapMean(v, { seed: "run-1", nResamples: 500 });
  const b = bootstrapMean(v, { seed: "run-1", nResamples: 500 });
  const c = bootstrapMean(v, { seed: "run-2", nResamples: 500 });
  assert.deepEqual(a, b);
  assert.notDeepEqual([a.lo, a.hi, a.standardError], [c.lo, c.hi, c.standardError]);
  assert.equal(a.seed, "run-1");
  assert.equal(a.nResamples, 500);
  assert.equal(a.estimate, 17 / 50);
  assert.ok(a.lo < a.estimate && a.estimate < a.hi);
});

test("the standard error is close to sqrt(p(1-p)/n) for a proportion", () => {
  const v = Array.from({ length: 400 }, (_, i) => (i % 2 === 0 ? 1 : 0));
  const ci = bootstrapMean(v, { seed: 3 });
  assert.ok(Math.abs(ci.standardError - 0.025) < 0.0025, `${ci.standardError}`);
  // A percentile interval of a mean is roughly estimate ± 1.96·SE.
  assert.ok(Math.abs(ci.hi - ci.lo - 2 * 1.96 * 0.025) < 0.012, `${ci.lo}..${ci.hi}`);
});

test("quantiles interpolate like numpy.percentile (type 7)", () => {
  const s = [1, 2, 3, 4];
  assert.equal(quantileSorted(s, 0.25), 1.75);
  assert.equal(quantileSorted(s, 0.5), 2.5);
  assert.equal(quantileSorted(s, 1), 4);
  assert.equal(quantileSorted([7], 0.025), 7);
});

test("the index-based statistic reuses one index buffer and reproduces the mean path exactly", () => {
  const v = Float64Array.from({ length: 80 }, (_, i) => Math.sin(i) * 0.5 + 0.5);
  const buf = new Float64Array(v.length);
  let seenIdx: Int32Array | null = null;
  const viaIdx = bootstrapStatistic(v.length, (idx) => {
    if (seenIdx === null) seenIdx = idx;
    assert.equal(idx, seenIdx);
    gather(buf, v, idx);
    return buf.reduce((s, x) => s + x, 0) / buf.length;
  }, { seed: 11, nResamples: 300 });
  const viaMean = bootstrapMean(v, { seed: 11, nResamples: 300 });
  assert.ok(Math.abs(viaIdx.lo - viaMean.lo) < 1e-12 && Math.abs(viaIdx.hi - viaMean.hi) < 1e-12);
  assert.ok(Math.abs(viaIdx.estimate - viaMean.estimate) < 1e-12);
});

test("non-finite resampled statistics are counted and left out", () => {
  const ci = bootstrapStatistic(10, (idx) => (idx[0] === 0 ? NaN : idx[0]), { seed: 1, nResamples: 1000 });
  assert.ok(ci.nNonFinite > 50 && ci.nNonFinite < 150, `${ci.nNonFinite}`);
  assert.ok(Number.isFinite(ci.lo) && Number.isFinite(ci.hi));
});

test("paired bootstrap of a difference: zero for identical models, clear for a dominant one", () => {
  const a = Array.from({ length: 100 }, (_, i) => (i < 70 ? 1 : 0));
  const same = pairedBootstrapDiff(a, a, { seed: 5 });
  assert.deepEqual([same.estimate, same.lo, same.hi, same.fractionPositive], [0, 0, 0, 0]);
  const b = Array.from({ length: 100 }, (_, i) => (i < 50 ? 1 : 0)); // B right only where A is right
  const d = pairedBootstrapDiff(a, b, { seed: 5 });
  assert.ok(Math.abs(d.estimate - 0.2) < 1e-12);
  assert.ok(d.lo > 0.1 && d.hi < 0.3, `${d.lo}..${d.hi}`);
  assert.equal(d.fractionPositive, 1);
});

test("bad input is refused", () => {
  assert.throws(() => bootstrapMean([]), /cannot bootstrap 0 items/);
  assert.throws(() => bootstrapMean([1, NaN]), /values\[1\] is NaN/);
  assert.throws(() => bootstrapMean([1], { nResamples: 0 }), /positive integer/);
  assert.throws(() => bootstrapMean([1], { confidence: 95 }), /\(0, 1\)/);
  assert.throws(() => pairedBootstrapDiff([1, 0], [1]), /differ in length/);
});
