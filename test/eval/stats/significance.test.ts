// Ranking models with pairwise exact McNemar tests and Holm's correction, on a constructed 100-item example:
// A right on items 0-79, B on 0-75 and 80-81, C on 0-49.
// A vs B: only-A 4, only-B 2 -> p = 2·(1+6+15)/64 = 0.6875; A vs C: 30 vs 0 -> 2/2^30; B vs C: 28 vs 0 -> 2/2^28.
// Holm over 3 pairs: A-C 3·2^-29, B-C 2·2^-27, A-B max(0.6875, ...) = 0.6875.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rankModels } from "../../../src/eval/stats/significance.ts";

const range = (lo: number, hi: number): number[] => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
function bits(right: number[]): Uint8Array {
  const out = new Uint8Array(100);
  for (const i of right) out[i] = 1;
  return out;
}
const A = bits(range(0, 79));
const B = bits([...range(0, 75), 80, 81]);
const C = bits(range(0, 49));

test("ranking, pairwise p-values, Holm adjustment and ties with the best", () => {
  const r = rankModels([{ name: "C", correct: C }, { name: "B", correct: B }, { name: "A", correct: A }]);
  assert.deepEqual(r.models.map((m) => [m.rank, m.name, m.accuracy]), [[1, "A", 0.8], [2, "B", 0.78], [3, "C", 0.5]]);
  const pair = (a: string, b: string) => r.pairs.find((p) => p.a === a && p.b === b)!;
  assert.deepEqual([pair("A", "B").onlyA, pair("A", "B").onlyB], [4, 2]);
  assert.ok(Math.abs(pair("A", "B").pValue - 0.6875) < 1e-12);
  assert.ok(Math.abs(pair("A", "C").pAdjusted - 3 * 2 ** -29) < 1e-20);
  assert.ok(Math.abs(pair("B", "C").pAdjusted - 2 * 2 ** -27) < 1e-20);
  assert.ok(Math.abs(pair("A", "B").pAdjusted - 0.6875) < 1e-12);
  assert.deepEqual(r.pairs.map((p) => p.isSignificant), [false, true, true]);
  assert.deepEqual(r.models.map((m) => m.isTiedWithBest), [true, true, false]);
  assert.deepEqual(r.models[0].notSignificantlyDifferentFrom, ["B"]);
  assert.deepEqual(r.models[2].notSignificantlyDifferentFrom, []);
  assert.ok(r.models[0].lo < 0.8 && r.models[0].hi > 0.8);
  assert.equal(r.test, "mcnemar-exact");
});

test("items are aligned by id when ids are given", () => {
  const ids = range(0, 99).map((i) => `q${i}`);
  const order = range(0, 99).reverse();
  const shuffledIds = order.map((i) => ids[i]);
  const shuffledB = Uint8Array.from(order.map((i) => B[i]));
  const aligned = rankModels([{ name: "A", correct: A, itemIds: ids }, { name: "B", correct: shuffledB, itemIds: shuffledIds }]);
  const plain = rankModels([{ name: "A", correct: A }, { name: "B", correct: B }]);
  assert.deepEqual(aligned.pairs, plain.pairs);
});

test("mismatched candidates are refused", () => {
  assert.throws(() => rankModels([{ name: "A", correct: A }, { name: "A", correct: B }]), /appears twice/);
  assert.throws(() => rankModels([{ name: "A", correct: A }, { name: "B", correct: B.slice(1) }]), /has 99 items/);
  assert.throws(() => rankModels([{ name: "A", correct: [1, 0], itemIds: ["x", "y"] }, { name: "B", correct: [1, 0] }]), /some models have item ids/);
  assert.throws(() => rankModels([{ name: "A", correct: [1, 0], itemIds: ["x", "y"] }, { name: "B", correct: [1, 0], itemIds: ["x", "z"] }]), /"z" of model "B" is not among/);
  assert.throws(() => rankModels([]), /no models/);
  const one = rankModels([{ name: "solo", correct: [1, 0, 1] }]);
  assert.deepEqual([one.models.length, one.pairs.length, one.models[0].isTiedWithBest], [1, 0, true]);
});
