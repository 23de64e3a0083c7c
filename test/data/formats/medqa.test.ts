// MedQA-USMLE adapter on a small fixture: 4- and 5-option records, ids, metadata, and each kind of bad record.
import { test } from "node:test";
import assert from "node:assert/strict";
import { collect, tmpFile } from "./collect.ts";

const lines = [
  JSON.stringify({ id: "q-1", question: "Q one?", answer: "Beta", options: { A: "Alpha", B: "Beta", C: "Gamma", D: "Delta" }, meta_info: "step1", answer_idx: "B", metamap_phrases: ["one", "two"] }),
  JSON.stringify({ question: "Q two?", answer: "Echo", options: { A: "Alpha", B: "Beta", C: "Gamma", D: "Delta", E: "Echo" }, meta_info: "step2&3", answer_idx: "E" }),
  JSON.stringify({ question: "Q three?", options: { A: "Alpha", B: "Beta", C: "Gamma", D: "Delta" }, answer_idx: "F" }),
  JSON.stringify({ options: { A: "Alpha", B: "Beta" }, answer_idx: "A" }),
  '{"question": "broken", "options": {',
  JSON.stringify({ question: "Q six?", answer: "Gamma", options: { A: "Alpha", B: "Beta", C: "Gamma", D: "Delta" } }),
  JSON.stringify({ question: "Q seven?", answer: "Something else", options: { A: "Alpha", B: "Beta", C: "Gamma", D: "Delta" }, answer_idx: "a" }),
  JSON.stringify({ question: "Q eight?", options: [{ key: "A", value: "x" }, { key: "B", value: "y" }], answer_idx: "B" }),
  JSON.stringify({ question: "Q nine?", options: { A: "Alpha", B: "Beta" } }),
];

test("MedQA: 4- and 5-option items with ids, meta_info and metamap phrases in metadata", async () => {
  const p = tmpFile("phrases_no_exclude_test.jsonl", lines.join("\n") + "\n");
  const { records, items } = await collect("medqa", p);
  assert.equal(records.length, 9, "one record per non-blank line, nothing lost");
  const [one, two] = items;
  assert.deepEqual(one, {
    id: "medqa:q-1", source: "medqa", kind: "mcq", question: "Q one?",
    options: [{ label: "A", text: "Alpha" }, { label: "B", text: "Beta" }, { label: "C", text: "Gamma" }, { label: "D", text: "Delta" }],
    answer: "B", metadata: { file: "phrases_no_exclude_test.jsonl", split: "test", metaInfo: "step1", metamapPhrases: ["one", "two"] },
  });
  assert.equal(two.id, "medqa:phrases_no_exclude_test.jsonl:2", "no id: position-based");
  assert.equal(two.options?.length, 5);
  assert.equal(two.answer, "E");
  const six = items.find((i) => i.question === "Q six?")!;
  assert.equal(six.answer, "C");
  assert.equal(six.metadata.answerFrom, "text");
  const seven = items.find((i) => i.question === "Q seven?")!;
  assert.equal(seven.answer, "A", "answer_idx matched case-insensitively");
  assert.equal(seven.metadata.answerText, "Something else", "a stated answer that disagrees with the gold option is kept");
  const eight = items.find((i) => i.question === "Q eight?")!;
  assert.deepEqual(eight.options, [{ label: "A", text: "x" }, { label: "B", text: "y" }]);
});

test("MedQA: out-of-range key, missing field, broken JSON and missing gold are error records with reasons", async () => {
  const p = tmpFile("medqa.jsonl", lines.join("\n"));
  const { errors } = await collect("medqa", p);
  assert.deepEqual(errors.map((e) => [e.line, e.error!.field, e.error!.reason]), [
    [3, "answer_idx", "answer.out-of-range"],
    [4, "question", "field.missing"],
    [5, "(line)", "json.parse"],
    [9, "answer_idx", "field.missing"],
  ]);
  assert.match(errors[0].error!.message, /"F" but the options are A, B, C, D/);
  assert.equal(errors[2].raw, lines[4], "the raw text is kept for quarantine");
  assert.ok(errors.every((e) => e.file === p));
});

test("MedQA: sourceName renames the source and the id prefix", async () => {
  const { items } = await collect("medqa", tmpFile("m.jsonl", lines[0]), { sourceName: "usmle" });
  assert.equal(items[0].id, "usmle:q-1");
  assert.equal(items[0].source, "usmle");
});
