// Prompt rendering: exact strings for each kind (lm-evaluation-harness MCQ layout), chat messages, and the check
// that rejects a template that drops the answer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_TEMPLATE, TEMPLATES, renderExample, renderMessages, checkTemplate, type QAItem } from "../../src/data/index.ts";

const mcq: QAItem = {
  id: "t:1", source: "t", kind: "mcq", question: "Which drug reverses heparin?",
  options: [{ label: "A", text: "Vitamin K" }, { label: "B", text: "Protamine sulfate" }, { label: "C", text: "Idarucizumab" }, { label: "D", text: "Flumazenil" }],
  answer: "B", explanation: "Protamine binds heparin.", metadata: {},
};

test("an MCQ renders in the lm-evaluation-harness layout, answer letter then text then explanation", () => {
  const ex = renderExample(mcq, DEFAULT_TEMPLATE);
  assert.equal(ex.prompt, "Question: Which drug reverses heparin?\nA. Vitamin K\nB. Protamine sulfate\nC. Idarucizumab\nD. Flumazenil\nAnswer:");
  assert.equal(ex.completion, " B. Protamine sulfate\nExplanation: Protamine binds heparin.");
  assert.equal(renderExample(mcq, DEFAULT_TEMPLATE, { withExplanation: false }).completion, " B. Protamine sulfate");
  assert.equal(renderExample(mcq, TEMPLATES["medtune-letter-v1"]).completion, " B");
});

test("a yes/no item renders its numbered context passages", () => {
  const item: QAItem = { id: "p:1", source: "p", kind: "yesno", question: "Does X help?", context: ["First passage.", "Second passage."], answer: "maybe", metadata: {} };
  const ex = renderExample(item, DEFAULT_TEMPLATE, { withExplanation: false });
  assert.equal(ex.prompt, "Context:\n[1] First passage.\n[2] Second passage.\n\nQuestion: Does X help?\nAnswer yes, no or maybe.\nAnswer:");
  assert.equal(ex.completion, " maybe");
});

test("chat messages carry system, history, user and assistant turns", () => {
  const item: QAItem = { id: "c:1", source: "c", kind: "open", question: "And the dose?", answer: "500 mg twice daily.", metadata: { system: "Be brief.", history: [{ role: "user", content: "What treats it?" }, { role: "assistant", content: "Amoxicillin." }] } };
  assert.deepEqual(renderMessages(item, DEFAULT_TEMPLATE), [
    { role: "system", content: "Be brief." },
    { role: "user", content: "What treats it?" },
    { role: "assistant", content: "Amoxicillin." },
    { role: "user", content: "Question: And the dose?" },
    { role: "assistant", content: "500 mg twice daily." },
  ]);
});

test("a template that drops the answer is refused", () => {
  assert.equal(checkTemplate(DEFAULT_TEMPLATE), null);
  assert.match(checkTemplate({ ...DEFAULT_TEMPLATE, mcqAnswer: " The answer is below." }) ?? "", /drops the answer label/);
  assert.match(checkTemplate({ ...DEFAULT_TEMPLATE, openAnswer: "" }) ?? "", /drops the answer/);
});
