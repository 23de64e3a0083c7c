// Masked cross-entropy: forward against −log softmax written out (−100 ignored), backward against finite
// differences, and the chunked LM-head loss equal to the full-logits computation for several chunk sizes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../src/core/index.ts";
import {
  IGNORE_INDEX, crossEntropyBackward, crossEntropyForward, headLossBackward, headLossForward, linearBackward, linearForward, logSoftmaxForward,
} from "../../src/nn/index.ts";
import { tsKernels } from "../../src/tensor/index.ts";
import { assertGrad, gradCheck, maxAbsDiff, randn } from "./grad-check.ts";

test("cross-entropy forward is −log softmax at the target, ignored rows contribute nothing", () => {
  const N = 4, V = 6;
  const rng = new Rng(1);
  const logits = randn(rng, N * V, 3);
  const targets = [2, IGNORE_INDEX, 0, 5];
  const losses = new Float64Array(N);
  const kept = crossEntropyForward(losses, logits, targets, N, V);
  assert.equal(kept, 3);
  for (let n = 0; n < N; n++) {
    const row = Array.from(logits.subarray(n * V, n * V + V));
    const ref = targets[n] < 0 ? 0 : -Math.log(Math.exp(row[targets[n]]) / row.reduce((a, x) => a + Math.exp(x), 0));
    assert.ok(Math.abs(losses[n] - ref) < 1e-12);
  }
  const lsm = new Float64Array(N * V);
  logSoftmaxForward(lsm, logits, N, V);
  assert.ok(Math.abs(-lsm[2] - losses[0]) < 1e-12);
});

test("cross-entropy backward matches finite differences of the mean loss (N=1 and N=5 with ignored rows)", () => {
  for (const targets of [[4], [1, IGNORE_INDEX, 3, 3, IGNORE_INDEX]]) {
    const N = targets.length, V = 7;
    const rng = new Rng(N);
    const logits = randn(rng, N * V, 2);
    const losses = new Float64Array(N);
    const kept = targets.filter((t) => t >= 0).length;
    const loss = (): number => {
      crossEntropyForward(losses, logits, targets, N, V);
      return losses.reduce((a, x) => a + x, 0) / kept;
    };
    const d = new Float64Array(N * V);
    crossEntropyBackward(d, logits, targets, 1 / kept, N, V);
    assertGrad("dlogits", gradCheck(loss, logits, d));
  }
});

test("the chunked LM-head loss equals the full-logits loss, dx and dW, for any chunk size", () => {
  const N = 7, C = 5, V = 11;
  const rng = new Rng(3);
  const x = randn(rng, N * C);
  const w = randn(rng, V * C);
  const targets = [3, IGNORE_INDEX, 10, 0, IGNORE_INDEX, 7, 7];
  const kept = 5;
  // reference through the full logits
  const logits = new Float64Array(N * V);
  linearForward(logits, x, w, null, N, C, V, tsKernels);
  const losses = new Float64Array(N);
  crossEntropyForward(losses, logits, targets, N, V);
  const refSum = losses.reduce((a, b) => a + b, 0);
  const dlogits = new Float64Array(N * V);
  crossEntropyBackward(dlogits, logits, targets, 1 / kept, N, V);
  const refDx = new Float64Array(N * C);
  const refDw = new Float64Array(V * C);
  linearBackward(refDx, refDw, null, dlogits, x, w, N, C, V, tsKernels);
  for (const rows of [1, 2, 5, 64]) {
    const sc = { rows: new Int32Array(rows), x: new Float64Array(rows * C), logits: new Float64Array(rows * V), dx: new Float64Array(rows * C) };
    const f = headLossForward(x, w, targets, N, C, V, sc, tsKernels);
    assert.equal(f.kept, kept);
    assert.ok(Math.abs(f.sum - refSum) < 1e-12, `chunk ${rows}: forward sum`);
    const dx = new Float64Array(N * C);
    const dw = new Float64Array(V * C);
    const b = headLossBackward(dx, dw, x, w, targets, 1 / kept, N, C, V, sc, tsKernels);
    assert.ok(Math.abs(b.sum - refSum) < 1e-12, `chunk ${rows}: fused sum`);
    assert.ok(maxAbsDiff(dx, refDx) < 1e-12, `chunk ${rows}: dx`);
    assert.ok(maxAbsDiff(dw, refDw) < 1e-12, `chunk ${rows}: dw`);
  }
  const sc = { rows: new Int32Array(3), x: new Float64Array(3 * C), logits: new Float64Array(3 * V), dx: new Float64Array(3 * C) };
  const mean = (): number => headLossForward(x, w, targets, N, C, V, sc, tsKernels).sum / kept;
  const dx = new Float64Array(N * C);
  const dw = new Float64Array(V * C);
  headLossBackward(dx, dw, x, w, targets, 1 / kept, N, C, V, sc, tsKernels);
  assertGrad("dx (chunked)", gradCheck(mean, x, dx));
  assertGrad("dw (chunked)", gradCheck(mean, w, dw));
});

test("the chunked loss with no scored row is zero and leaves gradients untouched", () => {
  const sc = { rows: new Int32Array(2), x: new Float64Array(4), logits: new Float64Array(6), dx: new Float64Array(4) };
  const dx = new Float64Array(4);
  const r = headLossBackward(dx, null, new Float64Array(4).fill(1), new Float64Array(6).fill(1), [IGNORE_INDEX, IGNORE_INDEX], 1, 2, 2, 3, sc, tsKernels);
  assert.deepEqual(r, { sum: 0, kept: 0 });
  assert.deepEqual(Array.from(dx), [0, 0, 0, 0]);
});
