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

// The template language's definition: one pass of a regex replace, unknown placeholders left as written (this is
// what the compiled renderer must reproduce exactly, including the odd corners below).
function fill(tpl: string, vars: Record<string, string>): string {
  return tpl.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? vars[k] : m));
}

function reference(item: QAItem, t: typeof DEFAULT_TEMPLATE): { prompt: string; completion: string } {
  const context = item.context && item.context.length > 0 ? fill(t.context, { passages: item.context.map((text, i) => fill(t.passage, { n: String(i + 1), text })).join("\n") }) : "";
  const options = (item.options ?? []).map((o) => fill(t.option, { label: o.label, text: o.text })).join("\n");
  const prompt = fill(item.kind === "mcq" ? t.mcq : item.kind === "yesno" ? t.yesno : t.open, { context, question: item.question, options });
  const explanation = item.explanation && t.explanation ? fill(t.explanation, { text: item.explanation }) : "";
  const completion = item.kind === "mcq"
    ? fill(t.mcqAnswer, { label: item.answer, text: item.options?.find((o) => o.label === item.answer)?.text ?? "", explanation })
    : item.kind === "yesno" ? fill(t.yesnoAnswer, { label: item.answer, explanation }) : fill(t.openAnswer, { answer: item.answer });
  return { prompt, completion };
}

test("compiled templates render exactly as the regex definition, odd placeholders included", () => {
  const odd = {
    ...DEFAULT_TEMPLATE, name: "odd",
    mcq: "{{question}} {label} {toString} {constructor}{__proto__} $& $1 {options}{context}",
    option: "{label}){text}{n}", context: "<{passages}>{question}", passage: "{n}{n}:{text}",
    mcqAnswer: "{explanation}{label}{text}{answer}", explanation: "[{text}]{label}", open: "Q {question}", yesno: "{options}{question}",
  };
  const tricky: QAItem = { ...mcq, question: "Has {options} and $& in it?", options: [{ label: "A", text: "{text}" }, { label: "B", text: "$1" }], context: ["one {n}", "two"], explanation: "{label}" };
  for (const t of [DEFAULT_TEMPLATE, TEMPLATES["medtune-letter-v1"], odd]) {
    for (const item of [mcq, tricky, { ...tricky, kind: "open" as const, options: undefined }, { ...tricky, kind: "yesno" as const, answer: "yes", options: undefined }]) {
      assert.deepEqual(renderExample(item, t), reference(item, t), `${t.name} ${item.kind}`);
    }
  }
});

test("chat messages from a rendered example equal those rendered from scratch", () => {
  const ex = renderExample(mcq, DEFAULT_TEMPLATE);
  assert.deepEqual(renderMessages(mcq, DEFAULT_TEMPLATE, {}, ex), renderMessages(mcq, DEFAULT_TEMPLATE));
  assert.equal(renderMessages(mcq, DEFAULT_TEMPLATE, {}, ex)[1].content, ex.prompt.slice(0, -"\nAnswer:".length));
});
