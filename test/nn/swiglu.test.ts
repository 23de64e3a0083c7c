// SwiGLU: forward against silu(g)·u written out, backward against float64 finite differences.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../src/core/index.ts";
import { swigluBackward, swigluForward } from "../../src/nn/index.ts";
import { assertGrad, dot, gradCheck, maxAbsDiff, randn } from "./grad-check.ts";

for (const n of [1, 17]) {
  test(`swiglu forward and backward (n=${n})`, () => {
    const rng = new Rng(n);
    const g = randn(rng, n, 3);
    const u = randn(rng, n);
    const R = randn(rng, n);
    const out = new Float64Array(n);
    swigluForward(out, g, u, n);
    const ref = Array.from(g, (gi, i) => (gi * u[i]) / (1 + Math.exp(-gi)));
    assert.ok(maxAbsDiff(out, ref) < 1e-14);
    const loss = (): number => {
      swigluForward(out, g, u, n);
      return dot(out, R);
    };
    const dg = new Float64Array(n);
    const du = new Float64Array(n);
    swigluBackward(dg, du, R, g, u, n);
    assertGrad("dgate", gradCheck(loss, g, dg));
    assertGrad("dup", gradCheck(loss, u, du));
  });
}
