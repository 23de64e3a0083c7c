// Item scoring: log-likelihood choices (letters, texts, yes/no) with acc, acc_norm and option probabilities worked
// by hand; prompts with and without context and with few-shot examples; the two CoT stages' exact text; answer
// extraction of generated text; open answers by EM, token F1 and ROUGE-L.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_TEMPLATE, type QAItem } from "../../../src/data/index.ts";
import {
  buildPrompt, firstStageRequest, loglikChoices, promptItem, sampleFewShot, scoreChoiceGeneration, scoreLoglik, scoreOpenGeneration, secondStageRequest,
  DEFAULT_COT, DEFAULT_STOP, type GenerativeSettings,
} from "../../../src/eval/index.ts";

const MCQ: QAItem = {
  id: "q1", source: "s", kind: "mcq", question: "Which drug lowers glucose?", subject: "Endocrinology", metadata: {},
  options: [{ label: "A", text: "Metformin" }, { label: "B", text: "Warfarin therapy" }, { label: "C", text: "Aspirin" }], answer: "A",
};
const YN: QAItem = { id: "y1", source: "pubmedqa", kind: "yesno", question: "Does X help?", context: ["First passage.", "Second passage."], answer: "maybe", metadata: {} };
const GEN: GenerativeSettings = { format: "completion", cot: { ...DEFAULT_COT }, maxTokens: 100, answerMaxTokens: 10, temperature: 0, stop: [...DEFAULT_STOP], system: "sys", seed: 3 };

test("loglik choices: ' A' letters, ' text' texts, and yes/no/maybe labels", () => {
  assert.deepEqual(loglikChoices(MCQ, "letters").map((c) => c.continuation), [" A", " B", " C"]);
  assert.deepEqual(loglikChoices(MCQ, "texts").map((c) => [c.continuation, c.text]), [[" Metformin", "Metformin"], [" Warfarin therapy", "Warfarin therapy"], [" Aspirin", "Aspirin"]]);
  assert.deepEqual(loglikChoices(YN, "letters").map((c) => c.continuation), [" yes", " no", " maybe"]);
  assert.throws(() => loglikChoices({ ...MCQ, kind: "open", options: undefined }, "letters"), (e: Error & { hint?: string }) => /generative/.test(e.hint ?? ""));
});

test("acc picks the largest log-likelihood, acc_norm the largest per character; probabilities are the softmax", () => {
  const choices = loglikChoices(MCQ, "texts");
  // ll: A -9 (9 chars: -1.0/char), B -8 (16 chars: -0.5/char), C -10 (7 chars).
  const res = [-9, -8, -10].map((logprob) => ({ logprob, tokens: 2, isGreedy: false }));
  const r = scoreLoglik(MCQ, choices, res, "chars");
  assert.equal(r.loglik!.pred, "B");
  assert.equal(r.loglik!.predNorm, "B");
  assert.equal(r.scores.acc, 0);
  const z = Math.exp(-9) + Math.exp(-8) + Math.exp(-10);
  r.loglik!.probs.forEach((p, i) => assert.ok(Math.abs(p - Math.exp([-9, -8, -10][i]) / z) < 1e-15));
  // Raw: A -4 beats B -5; per character: B -5/16 = -0.3125 beats A -4/9 = -0.444. Gold A.
  const split = scoreLoglik(MCQ, choices, [-4, -5, -10].map((logprob) => ({ logprob, tokens: 2, isGreedy: false })), "chars");
  assert.deepEqual([split.loglik!.pred, split.loglik!.predNorm], ["A", "B"]);
  assert.deepEqual(split.scores, { acc: 1, acc_norm: 0 });
  assert.equal(split.correct, true, "acc is the primary outcome by default");
  const byNorm = scoreLoglik(MCQ, choices, [-4, -5, -10].map((logprob) => ({ logprob, tokens: 2, isGreedy: false })), "chars", "acc_norm");
  assert.equal(byNorm.prediction, "B");
  assert.equal(byNorm.correct, false, "acc_norm as the primary outcome (option texts)");
});

test("a failed option fails the item; -Infinity on some options is a valid score", () => {
  const choices = loglikChoices(MCQ, "letters");
  const bad = scoreLoglik(MCQ, choices, [{ logprob: -1, tokens: 1, isGreedy: true }, { logprob: Number.NaN, tokens: 0, isGreedy: false, error: "too long" }, { logprob: -2, tokens: 1, isGreedy: false }], "chars");
  assert.equal(bad.correct, false);
  assert.equal(bad.prediction, null);
  assert.match(bad.error!, /option B: too long/);
  const inf = scoreLoglik(MCQ, choices, [{ logprob: -1, tokens: 1, isGreedy: true }, { logprob: -Infinity, tokens: 1, isGreedy: false }, { logprob: -2, tokens: 1, isGreedy: false }], "chars");
  assert.equal(inf.prediction, "A");
  assert.equal(inf.loglik!.probs[1], 0);
  assert.throws(() => scoreLoglik({ ...MCQ, answer: "Z" }, choices, [], "chars"), /not one of the options/);
});

test("prompts: harness layout, numbered context on or off, few-shot examples before the question", () => {
  assert.equal(buildPrompt(MCQ, DEFAULT_TEMPLATE, true, [], () => ""), "Question: Which drug lowers glucose?\nA. Metformin\nB. Warfarin therapy\nC. Aspirin\nAnswer:");
  assert.equal(buildPrompt(YN, DEFAULT_TEMPLATE, true, [], () => ""), "Context:\n[1] First passage.\n[2] Second passage.\n\nQuestion: Does X help?\nAnswer yes, no or maybe.\nAnswer:");
  assert.equal(buildPrompt(YN, DEFAULT_TEMPLATE, false, [], () => ""), "Question: Does X help?\nAnswer yes, no or maybe.\nAnswer:");
  assert.equal(promptItem(YN, false).context, undefined);
  assert.deepEqual(YN.context?.length, 2, "the item itself is untouched");
  const shot: QAItem = { ...MCQ, id: "q0", question: "Which is an anticoagulant?", answer: "B" };
  assert.equal(buildPrompt(MCQ, DEFAULT_TEMPLATE, true, [shot], (ex) => ` ${ex.answer}`).split("\n\n")[0], "Question: Which is an anticoagulant?\nA. Metformin\nB. Warfarin therapy\nC. Aspirin\nAnswer: B");
  const pool = Array.from({ length: 10 }, (_, i) => ({ ...MCQ, id: `p${i}`, question: `Q${i}?` }));
  const s1 = sampleFewShot(pool[3], pool, 4, 11);
  assert.equal(s1.length, 4);
  assert.ok(!s1.some((x) => x.id === "p3"));
  assert.deepEqual(sampleFewShot(pool[3], pool, 4, 11), s1, "seeded");
  const variant = { ...pool[3], id: "p3#shift-1", metadata: { originalId: "p3" } };
  assert.deepEqual(sampleFewShot(variant, pool, 4, 11).map((x) => x.id), s1.map((x) => x.id), "a variant gets its original's examples");
  assert.equal(sampleFewShot(pool[3], pool, 20, 11).length, 9, "at most the pool minus the item");
});

test("zero-shot CoT: the reasoning request, then the answer trigger after the reasoning (Kojima et al.)", () => {
  const prompt = buildPrompt(MCQ, DEFAULT_TEMPLATE, true, [], () => "");
  const first = firstStageRequest(prompt, MCQ, GEN);
  assert.equal(first.prompt, `${prompt} Let's think step by step.`);
  assert.equal(first.maxTokens, 100);
  assert.deepEqual(first.stop, [...DEFAULT_STOP]);
  const second = secondStageRequest(prompt, " Metformin is a biguanide.", GEN);
  assert.equal(second.prompt, `${prompt} Let's think step by step. Metformin is a biguanide.\nTherefore, the answer is`);
  assert.equal(second.maxTokens, 10);
  const noCot = firstStageRequest(prompt, MCQ, { ...GEN, cot: null });
  assert.equal(noCot.prompt, prompt);
  assert.equal(noCot.maxTokens, 10);
  const chat = firstStageRequest(prompt, MCQ, { ...GEN, format: "chat" });
  assert.equal(chat.messages![0].content, "sys");
  assert.ok(chat.messages![1].content.startsWith("Question: Which drug lowers glucose?\nA. Metformin"));
  assert.ok(!chat.messages![1].content.includes("Answer:\n"), "the completion cue is dropped for chat");
  assert.match(chat.messages![1].content, /Let's think step by step\. Then finish with "Therefore, the answer is <answer>"\.$/);
});

test("generated answers are extracted (or audited as unparsed) and open answers get EM, F1 and ROUGE-L", () => {
  const ok = scoreChoiceGeneration(MCQ, GEN, { text: " Metformin lowers hepatic glucose output.", latencyMs: 1 }, { text: " (A).", latencyMs: 1 });
  assert.equal(ok.prediction, "A");
  assert.equal(ok.correct, true);
  assert.equal(ok.generation!.reasoning, " Metformin lowers hepatic glucose output.");
  const unparsed = scoreChoiceGeneration(MCQ, GEN, { text: " Hard to say.", latencyMs: 1 }, { text: " unclear.", latencyMs: 1 });
  assert.equal(unparsed.prediction, null);
  assert.equal(unparsed.scores.parsed, 0);
  assert.equal(unparsed.generation!.extraction!.method, "unparsed");
  const yn = scoreChoiceGeneration(YN, { ...GEN, cot: null }, { text: " Maybe, the evidence is mixed.", latencyMs: 1 }, null);
  assert.equal(yn.prediction, "maybe");
  assert.equal(yn.correct, true);
  const failed = scoreChoiceGeneration(MCQ, GEN, { text: "", latencyMs: 1, error: "timeout", retryable: true }, null);
  assert.equal(failed.correct, false);
  assert.equal(failed.error, "timeout");
  const open: QAItem = { id: "o1", source: "s", kind: "open", question: "What does insulin do?", answer: "It lowers blood glucose.", metadata: {} };
  const exact = scoreOpenGeneration(open, { text: " it lowers blood glucose\n", latencyMs: 1 });
  assert.deepEqual(exact.scores, { exact_match: 1, f1: 1, rouge_l: 1 });
  const part = scoreOpenGeneration(open, { text: " lowers glucose", latencyMs: 1 });
  assert.equal(part.scores.exact_match, 0);
  // SQuAD tokens: pred [lowers, glucose], gold [it, lowers, blood, glucose]: P 1, R 0.5, F1 2/3.
  assert.ok(Math.abs(part.scores.f1 - 2 / 3) < 1e-12);
  assert.equal(part.correct, false);
});
