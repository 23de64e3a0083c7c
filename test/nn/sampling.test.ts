// Sampling: greedy argmax (first index on ties), temperature, top-k and top-p (HF warper order and semantics),
// seeded reproducibility, and generate() stopping on stop ids or the token budget.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Sampler, argmax, generate } from "../../src/nn/index.ts";
import { tinyConfig, tinyModel } from "./tiny-model.ts";

const logits = Float64Array.from([1.0, 3.0, 2.5, 3.0, -1.0, 0.5]); // probabilities ∝ e^x

function histogram(s: Sampler, n: number, x: Float64Array = logits): number[] {
  const h = new Array(x.length).fill(0);
  for (let i = 0; i < n; i++) h[s.sample(x)]++;
  return h;
}

test("greedy picks the first maximum; temperature 0 is greedy", () => {
  assert.equal(argmax(logits, 6), 1);
  assert.equal(argmax(Float32Array.from([0, 0, 9, 1, 9]), 3, 2), 0, "offset row");
  assert.equal(new Sampler(6).sample(logits), 1);
});

test("temperature sampling follows softmax(x/T) and is reproducible from the seed", () => {
  const n = 40000;
  const h = histogram(new Sampler(6, { temperature: 1, seed: 5 }), n);
  const z = logits.reduce((a, x) => a + Math.exp(x), 0);
  logits.forEach((x, i) => assert.ok(Math.abs(h[i] / n - Math.exp(x) / z) < 0.01, `token ${i}: ${h[i] / n} vs ${Math.exp(x) / z}`));
  assert.deepEqual(histogram(new Sampler(6, { temperature: 1, seed: 5 }), 500), histogram(new Sampler(6, { temperature: 1, seed: 5 }), 500));
  assert.notDeepEqual(histogram(new Sampler(6, { temperature: 1, seed: 5 }), 500), histogram(new Sampler(6, { temperature: 1, seed: 6 }), 500));
  const cold = histogram(new Sampler(6, { temperature: 0.05, seed: 1 }), 2000);
  assert.equal(cold[1] + cold[3], 2000, "a low temperature concentrates on the (tied) maxima");
});

test("top-k keeps only the k most likely tokens, renormalised", () => {
  const n = 30000;
  const h = histogram(new Sampler(6, { temperature: 1, topK: 3, seed: 2 }), n);
  assert.equal(h[0] + h[4] + h[5], 0);
  const z = Math.exp(3) * 2 + Math.exp(2.5);
  assert.ok(Math.abs(h[2] / n - Math.exp(2.5) / z) < 0.01);
});

test("top-p drops the least likely tokens whose total mass is ≤ 1 − p (HF TopPLogitsWarper)", () => {
  const p = Float64Array.from([Math.log(0.5), Math.log(0.3), Math.log(0.15), Math.log(0.05)]);
  // keep {0.5, 0.3}: the dropped tail 0.15 + 0.05 = 0.2 ≤ 1 − 0.75
  let h = histogram(new Sampler(4, { temperature: 1, topP: 0.75, seed: 3 }), 20000, p);
  assert.equal(h[2] + h[3], 0);
  assert.ok(Math.abs(h[0] / 20000 - 0.5 / 0.8) < 0.015);
  // p = 0.9: the tail 0.05 ≤ 0.1 is dropped but 0.15 + 0.05 > 0.1 keeps token 2
  h = histogram(new Sampler(4, { temperature: 1, topP: 0.9, seed: 3 }), 20000, p);
  assert.equal(h[3], 0);
  assert.ok(h[2] > 0);
  // a tiny p still keeps one token
  h = histogram(new Sampler(4, { temperature: 1, topP: 0.01, seed: 3 }), 100, p);
  assert.equal(h[0], 100);
  // top-k first, then top-p on the renormalised top 3 (0.526, 0.316, 0.158): with p = 0.84 the tail 0.158 ≤ 0.16
  // goes, whereas top-p alone on the full distribution keeps token 2 (its tail 0.15 + 0.05 = 0.2 > 0.16)
  h = histogram(new Sampler(4, { temperature: 1, topK: 3, topP: 0.84, seed: 3 }), 20000, p);
  assert.equal(h[2] + h[3], 0);
  h = histogram(new Sampler(4, { temperature: 1, topP: 0.84, seed: 3 }), 20000, p);
  assert.equal(h[3], 0);
  assert.ok(h[2] > 0);
});

test("bad sampling options fail clearly", () => {
  assert.throws(() => new Sampler(4, { temperature: -1 }), /temperature must be/);
  assert.throws(() => new Sampler(4, { topP: 0 }), /topP must be in \(0, 1\]/);
  assert.throws(() => new Sampler(4, { topK: 1.5 }), /topK must be an integer/);
});

test("generate stops at a stop id (excluded) or at maxNewTokens; seeded sampling is reproducible", () => {
  const m = tinyModel(tinyConfig(), 3, "float32", 0.5);
  const greedy = generate(m, [1, 4, 5], { maxNewTokens: 8, stopIds: [] });
  assert.equal(greedy.ids.length, 8);
  assert.equal(greedy.finishReason, "length");
  const stopAt = greedy.ids[3];
  const firstIdx = greedy.ids.indexOf(stopAt);
  const stopped = generate(m, [1, 4, 5], { maxNewTokens: 8, stopIds: [stopAt] });
  assert.deepEqual(stopped, { ids: greedy.ids.slice(0, firstIdx), finishReason: "stop", stopId: stopAt });
  const streamed: number[] = [];
  const a = generate(m, [1, 4, 5], { maxNewTokens: 6, temperature: 1, topK: 5, topP: 0.9, seed: 7, stopIds: [], onToken: (id) => streamed.push(id) });
  const b = generate(m, [1, 4, 5], { maxNewTokens: 6, temperature: 1, topK: 5, topP: 0.9, seed: 7, stopIds: [] });
  assert.deepEqual(a, b);
  assert.deepEqual(streamed, a.ids);
  assert.deepEqual(generate(m, [1], { maxNewTokens: 0 }), { ids: [], finishReason: "length" });
  assert.throws(() => generate(m, [], { maxNewTokens: 2 }), /at least one prompt token/);
});
