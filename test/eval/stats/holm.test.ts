// Holm's step-down adjustment worked by hand.
import { test } from "node:test";
import assert from "node:assert/strict";
import { holmAdjust } from "../../../src/eval/stats/holm.ts";

test("Holm by hand: p = [.01, .04, .03, .005] -> sorted .005·4, .01·3, .03·2, max(.04·1, .06) = [.03, .06, .06, .02]", () => {
  const adj = holmAdjust([0.01, 0.04, 0.03, 0.005]);
  const want = [0.03, 0.06, 0.06, 0.02];
  adj.forEach((p, i) => assert.ok(Math.abs(p - want[i]) < 1e-15, `${i}: ${p}`));
  assert.deepEqual(holmAdjust([0.6, 0.9]), [1, 1]);
  assert.deepEqual(holmAdjust([]), []);
  assert.throws(() => holmAdjust([0.2, 1.5]), /p-value 1 is 1\.5/);
});
