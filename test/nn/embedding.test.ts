// Embedding: forward is a row gather, backward a scatter-add (repeated ids accumulate), checked by finite differences.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../src/core/index.ts";
import { embeddingBackward, embeddingForward } from "../../src/nn/index.ts";
import { assertGrad, dot, gradCheck, randn } from "./grad-check.ts";

test("embedding gathers rows and scatter-adds gradients (repeated ids, N=1 and N=6)", () => {
  for (const ids of [[3], [0, 4, 4, 2, 0, 4]]) {
    const V = 5, C = 3, N = ids.length;
    const rng = new Rng(N);
    const w = randn(rng, V * C);
    const R = randn(rng, N * C);
    const out = new Float64Array(N * C);
    embeddingForward(out, ids, w, N, C);
    for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) assert.equal(out[n * C + c], w[ids[n] * C + c]);
    const dw = new Float64Array(V * C);
    embeddingBackward(dw, R, ids, N, C);
    assertGrad("dw", gradCheck(() => {
      embeddingForward(out, ids, w, N, C);
      return dot(out, R);
    }, w, dw));
    for (let c = 0; c < C; c++) assert.equal(dw[1 * C + c], 0, "an unused row gets no gradient");
  }
});
