// Counter-based dropout: the backward regenerates the forward's mask from the seed, kept values are scaled by
// 1/(1−p), the keep rate is close to 1−p, and different seeds give different masks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../src/core/index.ts";
import { dropoutBackward, dropoutForward, dropoutKeeps } from "../../src/nn/index.ts";
import { assertGrad, dot, gradCheck, randn } from "./grad-check.ts";

test("dropout keeps about 1−p of the elements, scales them, and its backward uses the same mask", () => {
  const n = 20000, p = 0.3, seed = 12345;
  const x = new Float64Array(n).fill(1);
  const out = new Float64Array(n);
  dropoutForward(out, x, p, seed, n);
  let kept = 0;
  for (let i = 0; i < n; i++) {
    if (out[i] !== 0) {
      kept++;
      assert.ok(Math.abs(out[i] - 1 / 0.7) < 1e-12);
    }
    assert.equal(out[i] !== 0, dropoutKeeps(seed, i, p));
  }
  const rate = kept / n;
  assert.ok(Math.abs(rate - 0.7) < 0.02, `keep rate ${rate}`);
  let same = 0;
  for (let i = 0; i < n; i++) if (dropoutKeeps(seed, i, p) === dropoutKeeps(seed + 1, i, p)) same++;
  assert.ok(same / n < 0.65, `another seed gives another mask (agreement ${same / n})`);
  const rng = new Rng(2);
  const y = randn(rng, 9);
  const R = randn(rng, 9);
  const o = new Float64Array(9);
  const dy = new Float64Array(9);
  dropoutBackward(dy, R, 0.5, 77, 9);
  assertGrad("dx", gradCheck(() => {
    dropoutForward(o, y, 0.5, 77, 9);
    return dot(o, R);
  }, y, dy));
});
