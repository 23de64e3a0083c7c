// RMSNorm: forward against a plain loop of the HF formula, backward (x and w) against float64 finite differences.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../src/core/index.ts";
import { rmsNormBackward, rmsNormForward } from "../../src/nn/index.ts";
import { assertGrad, dot, gradCheck, maxAbsDiff, randn } from "./grad-check.ts";

for (const [N, C] of [[1, 7], [5, 13], [3, 64]]) {
  test(`rmsNorm forward matches x·rsqrt(mean(x²)+eps)·w (N=${N}, C=${C})`, () => {
    const rng = new Rng(N * 100 + C);
    const x = randn(rng, N * C, 2);
    const w = randn(rng, C);
    const out = new Float64Array(N * C);
    const rstd = new Float64Array(N);
    rmsNormForward(out, rstd, x, w, N, C, 1e-5);
    const ref = new Float64Array(N * C);
    for (let n = 0; n < N; n++) {
      let ms = 0;
      for (let c = 0; c < C; c++) ms += Math.pow(x[n * C + c], 2) / C;
      for (let c = 0; c < C; c++) ref[n * C + c] = (x[n * C + c] / Math.sqrt(ms + 1e-5)) * w[c];
    }
    assert.ok(maxAbsDiff(out, ref) < 1e-12, `max diff ${maxAbsDiff(out, ref)}`);
  });

  test(`rmsNorm backward matches finite differences (N=${N}, C=${C})`, () => {
    const rng = new Rng(N * 7 + C);
    const x = randn(rng, N * C);
    const w = randn(rng, C);
    const R = randn(rng, N * C);
    const out = new Float64Array(N * C);
    const rstd = new Float64Array(N);
    const loss = (): number => {
      rmsNormForward(out, rstd, x, w, N, C, 1e-5);
      return dot(out, R);
    };
    loss();
    const dx = new Float64Array(N * C).fill(0.5); // backward accumulates: start from a non-zero value
    const dw = new Float64Array(C).fill(-0.25);
    rmsNormBackward(dx, dw, R, x, w, rstd, N, C);
    for (let i = 0; i < dx.length; i++) dx[i] -= 0.5;
    for (let i = 0; i < dw.length; i++) dw[i] += 0.25;
    assertGrad("dx", gradCheck(loss, x, dx));
    assertGrad("dw", gradCheck(loss, w, dw));
  });
}
