// Linear (y = x·Wᵀ + b): forward against a plain triple loop, backward (x, W, b) against finite differences,
// accumulation into existing gradients, and a frozen weight (dW null) leaving its gradient untouched.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../src/core/index.ts";
import { linearBackward, linearForward } from "../../src/nn/index.ts";
import { tsKernels } from "../../src/tensor/index.ts";
import { assertGrad, dot, gradCheck, maxAbsDiff, randn } from "./grad-check.ts";

for (const [N, inF, outF, bias] of [[1, 5, 3, true], [7, 9, 11, false], [4, 1, 6, true]] as const) {
  test(`linear forward/backward (N=${N}, in=${inF}, out=${outF}, bias=${bias})`, () => {
    const rng = new Rng(N * 31 + inF);
    const x = randn(rng, N * inF);
    const w = randn(rng, outF * inF);
    const b = bias ? randn(rng, outF) : null;
    const R = randn(rng, N * outF);
    const out = new Float64Array(N * outF);
    linearForward(out, x, w, b, N, inF, outF, tsKernels);
    const ref = new Float64Array(N * outF);
    for (let n = 0; n < N; n++) {
      for (let o = 0; o < outF; o++) {
        let s = b ? b[o] : 0;
        for (let i = 0; i < inF; i++) s += x[n * inF + i] * w[o * inF + i];
        ref[n * outF + o] = s;
      }
    }
    assert.ok(maxAbsDiff(out, ref) < 1e-12);
    const loss = (): number => {
      linearForward(out, x, w, b, N, inF, outF, tsKernels);
      return dot(out, R);
    };
    const dx = new Float64Array(N * inF).fill(1);
    const dw = new Float64Array(outF * inF).fill(1);
    const db = bias ? new Float64Array(outF).fill(1) : null;
    linearBackward(dx, dw, db, R, x, w, N, inF, outF, tsKernels);
    for (const g of [dx, dw, db]) if (g) for (let i = 0; i < g.length; i++) g[i] -= 1; // accumulated onto 1
    assertGrad("dx", gradCheck(loss, x, dx));
    assertGrad("dw", gradCheck(loss, w, dw));
    if (b && db) assertGrad("db", gradCheck(loss, b, db));
    const dx2 = new Float64Array(N * inF);
    linearBackward(dx2, null, null, R, x, w, N, inF, outF, tsKernels);
    assert.ok(maxAbsDiff(dx2, dx) < 1e-12, "dx alone (frozen weight) equals dx with dW");
  });
}
