// The finite-difference checker must catch wrong backwards: plausible bugs (RMSNorm without its mean term,
// SwiGLU with sigmoid for silu', a transposed linear gradient, a swapped RoPE sign) all fail it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../src/core/index.ts";
import { RopeTable, linearForward, rmsNormBackward, rmsNormForward, ropeForward, ropeInvFreq, swigluForward } from "../../src/nn/index.ts";
import { tsKernels } from "../../src/tensor/index.ts";
import { assertGrad, dot, gradCheck, randn } from "./grad-check.ts";

test("the checker fails on an RMSNorm backward that drops the mean term", () => {
  const N = 2, C = 5;
  const rng = new Rng(1);
  const x = randn(rng, N * C), w = randn(rng, C), R = randn(rng, N * C);
  const out = new Float64Array(N * C), rstd = new Float64Array(N);
  const loss = (): number => {
    rmsNormForward(out, rstd, x, w, N, C, 1e-5);
    return dot(out, R);
  };
  loss();
  const wrong = new Float64Array(N * C);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) wrong[n * C + c] = rstd[n] * w[c] * R[n * C + c];
  const r = gradCheck(loss, x, wrong);
  assert.equal(r.ok, false);
  assert.throws(() => assertGrad("wrong rmsnorm dx", r), /gradient check FAILED/);
  loss(); // the checker's last call saw a perturbed x: refresh rstd
  const right = new Float64Array(N * C);
  rmsNormBackward(right, null, R, x, w, rstd, N, C);
  assert.equal(gradCheck(loss, x, right).ok, true, "and passes the real backward on the same input");
});

test("the checker fails on a SwiGLU backward that uses sigmoid(g) for silu'(g)", () => {
  const n = 6;
  const rng = new Rng(2);
  const g = randn(rng, n, 2), u = randn(rng, n), R = randn(rng, n);
  const out = new Float64Array(n);
  const wrong = Float64Array.from(g, (gi, i) => R[i] * u[i] / (1 + Math.exp(-gi)));
  const r = gradCheck(() => {
    swigluForward(out, g, u, n);
    return dot(out, R);
  }, g, wrong);
  assert.equal(r.ok, false);
});

test("the checker fails on a linear backward that uses W instead of Wᵀ layout", () => {
  const N = 3, F = 4;
  const rng = new Rng(3);
  const x = randn(rng, N * F), w = randn(rng, F * F), R = randn(rng, N * F);
  const out = new Float64Array(N * F);
  const wrong = new Float64Array(N * F);
  tsKernels.gemm(false, true, N, F, F, 1, R, F, w, F, 0, wrong, F); // dx = dout·Wᵀ: wrong for y = x·Wᵀ
  const r = gradCheck(() => {
    linearForward(out, x, w, null, N, F, F, tsKernels);
    return dot(out, R);
  }, x, wrong);
  assert.equal(r.ok, false);
});

test("the checker fails on a RoPE backward that rotates the wrong way", () => {
  const D = 4, N = 2;
  const table = new RopeTable(ropeInvFreq(D, 10000));
  table.ensure(8);
  const pos = [3, 7];
  const rng = new Rng(4);
  const x = randn(rng, N * D), R = randn(rng, N * D);
  const out = new Float64Array(N * D);
  const wrong = new Float64Array(N * D);
  ropeForward(wrong, R, pos, table, N, 1, D); // forward rotation of dout instead of its inverse
  const r = gradCheck(() => {
    ropeForward(out, x, pos, table, N, 1, D);
    return dot(out, R);
  }, x, wrong);
  assert.equal(r.ok, false);
});
