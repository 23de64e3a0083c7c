// MCQ scoring from option log-likelihoods as lm-evaluation-harness computes acc and acc_norm (argmax of ll and of
// ll / len(option text), first option on ties like numpy), worked by hand; and the mcq_correct handler.
import { test } from "node:test";
import assert from "node:assert/strict";
import { argmaxFirst, mcqAccuracy, mcqCorrectMetric, mcqPredict, optionProbabilities, textLength } from "../../../src/eval/metrics/mcq.ts";

test("acc and acc_norm by hand: length normalization flips the choice, ties go to the first option", () => {
  // ll = [-4, -6, -9] on "cat" (3), "elephant" (8), "hippopotamus" (12):
  // acc picks 0 (-4 is largest); per character -1.333, -0.75, -0.75 -> tie between 1 and 2 -> 1.
  const p = mcqPredict({ logliks: [-4, -6, -9], optionTexts: ["cat", "elephant", "hippopotamus"], gold: 1 });
  assert.deepEqual(p, { pred: 0, predNorm: 1, isCorrect: false, isCorrectNorm: true });
});

test("acc_norm counts code points like Python len, or UTF-8 bytes on request", () => {
  assert.equal(textLength("café"), 4);
  assert.equal(textLength("café", "bytes"), 5);
  assert.equal(textLength("💊 dose"), 6);
  // ll/len: chars -> -10/4 = -2.5 vs -11/5 = -2.2 (option 1); bytes -> -10/5 = -2 vs -11/5 = -2.2 (option 0).
  const item = { logliks: [-10, -11], optionTexts: ["café", "cafes"], gold: 0 };
  assert.equal(mcqPredict(item, "chars").predNorm, 1);
  assert.equal(mcqPredict(item, "bytes").predNorm, 0);
});

test("accuracy over items keeps per-item outcomes for intervals and paired tests", () => {
  const items = [
    { logliks: [-1, -2], optionTexts: ["yes", "no"], gold: 0 },
    { logliks: [-3, -2], optionTexts: ["a", "bb"], gold: 0 },
    { logliks: [-5, -6, -7], optionTexts: ["x", "yyyyyyyy", "zz"], gold: 1 },
  ];
  const a = mcqAccuracy(items);
  assert.deepEqual([...a.correct], [1, 0, 0]);
  assert.deepEqual([...a.correctNorm], [1, 0, 1]); // -1/3 vs -2/2; -3/1 vs -2/2; -5, -0.75, -3.5
  assert.equal(a.acc, 1 / 3);
  assert.equal(a.accNorm, 2 / 3);
});

test("option probabilities are the softmax of the log-likelihoods", () => {
  const p = optionProbabilities([Math.log(0.2), Math.log(0.3), Math.log(0.1)]);
  assert.ok(Math.abs(p[0] - 1 / 3) < 1e-12 && Math.abs(p[1] - 0.5) < 1e-12 && Math.abs(p[2] - 1 / 6) < 1e-12);
  const big = optionProbabilities([-1000, -1001]); // no underflow
  assert.ok(Math.abs(big[0] - 1 / (1 + Math.exp(-1))) < 1e-12);
  assert.equal(argmaxFirst([1, 3, 3]), 1);
  assert.equal(argmaxFirst([]), -1);
});

test("bad scoring input is refused with the item named", () => {
  assert.throws(() => mcqPredict({ logliks: [-1, NaN], optionTexts: ["a", "b"], gold: 0 }, "chars", "item 7"), (e: Error & { where?: string }) => /NaN/.test(e.message) && e.where === "item 7");
  assert.throws(() => mcqPredict({ logliks: [-1, -2], optionTexts: ["a", ""], gold: 0 }), /empty/);
  assert.throws(() => mcqPredict({ logliks: [-1, -2], optionTexts: ["a", "b"], gold: 2 }), /gold index 2/);
  assert.throws(() => mcqPredict({ logliks: [-1, -2, -3], optionTexts: ["a", "b"], gold: 0 }), /3 log-likelihoods for 2/);
  assert.throws(() => optionProbabilities([-Infinity, -Infinity]), /-Infinity/);
});

test("mcq_correct handler: bare letters, extracted letters, unparsed answers", () => {
  const options = [{ label: "A", text: "Metformin" }, { label: "B", text: "Insulin" }, { label: "C", text: "Glipizide" }];
  assert.deepEqual(mcqCorrectMetric.score("b", "B", { options }).pass, true);
  const ex = mcqCorrectMetric.score("Renal function rules out metformin, so the answer is (C).", "C", { options });
  assert.equal(ex.score, 1);
  assert.match(ex.reason, /extracted by answer-statement/);
  const wrong = mcqCorrectMetric.score("Glipizide", "A", { options });
  assert.deepEqual([wrong.pass, wrong.score], [false, 0]);
  assert.match(wrong.reason, /chose C/);
  const miss = mcqCorrectMetric.score("I cannot decide.", "A", { options });
  assert.deepEqual([miss.pass, miss.score], [false, 0]);
  assert.match(miss.reason, /^unparsed/);
  // Without options, letters A-J are accepted.
  assert.equal(mcqCorrectMetric.score("Answer: G", "G").score, 1);
});
