// Perturbations as pure functions: option permutations keep the gold with its text, stem paraphrases change
// only framing words (checked on hand-written stems and on every item of the shared MedQA slice), vital signs
// are reordered without losing one, and the guard rejects a rewrite that touches clinical content.
import { test } from "node:test";
import assert from "node:assert/strict";
import { getAdapter, type QAItem } from "../../../src/data/index.ts";
import { optionCyclicPerturbation, optionRandomPerturbation, permuteOptions, reorderBlocker } from "../../../src/eval/consistency/option-order.ts";
import { applyParaphrase, PARAPHRASE_TEMPLATES, paraphrasePerturbation } from "../../../src/eval/consistency/paraphrase.ts";
import { changedContent } from "../../../src/eval/consistency/clinical-guard.ts";
import { reorderVitals, splitSentences } from "../../../src/eval/consistency/vital-signs.ts";
import { resamplePerturbation } from "../../../src/eval/consistency/resample.ts";
import { sharedPath } from "../../helpers/shared.ts";

function mcq(id: string, question: string, texts: string[], answer: string): QAItem {
  return { id, source: "test", kind: "mcq", question, options: texts.map((text, i) => ({ label: "ABCDEFGHIJ"[i], text })), answer, metadata: {} };
}

const ITEM = mcq("q1", "A 45-year-old man presents to the emergency department with chest pain. Which of the following is the most likely diagnosis?", ["Pericarditis", "Aortic dissection", "Pulmonary embolism", "Myocardial infarction"], "D");

function goldText(it: QAItem): string {
  return it.options!.find((o) => o.label === it.answer)!.text;
}

test("permuteOptions: letters stay, texts move, the gold follows its text and the label map points back", () => {
  const v = permuteOptions(ITEM, [3, 0, 1, 2], "k", "test", "d");
  assert.deepEqual(v.item.options!.map((o) => o.label), ["A", "B", "C", "D"]);
  assert.deepEqual(v.item.options!.map((o) => o.text), ["Myocardial infarction", "Pericarditis", "Aortic dissection", "Pulmonary embolism"]);
  assert.equal(v.item.answer, "A");
  assert.equal(goldText(v.item), goldText(ITEM));
  assert.deepEqual(v.labelMap, { A: "D", B: "A", C: "B", D: "C" });
  assert.equal(v.item.id, "q1#k");
  assert.equal(v.item.metadata.originalId, "q1");
  assert.throws(() => permuteOptions(ITEM, [0, 0, 1, 2], "k", "t", "d"), /not a permutation/);
});

test("option-cyclic makes k-1 shifts, each keeping the gold with its text; option-random is seeded and distinct", () => {
  const cyc = optionCyclicPerturbation.apply(ITEM, { seed: 0 });
  assert.equal(cyc.variants.length, 3);
  for (const v of cyc.variants) {
    assert.equal(goldText(v.item), "Myocardial infarction");
    for (const o of v.item.options!) assert.equal(o.text, ITEM.options!.find((x) => x.label === v.labelMap![o.label])!.text);
  }
  assert.deepEqual(new Set(cyc.variants.map((v) => v.item.answer)), new Set(["A", "B", "C"]));
  const r1 = optionRandomPerturbation(4).apply(ITEM, { seed: 7 });
  const r2 = optionRandomPerturbation(4).apply(ITEM, { seed: 7 });
  const r3 = optionRandomPerturbation(4).apply(ITEM, { seed: 8 });
  assert.equal(r1.variants.length, 4);
  assert.deepEqual(r1.variants.map((v) => v.description), r2.variants.map((v) => v.description));
  assert.notDeepEqual(r1.variants.map((v) => v.description), r3.variants.map((v) => v.description));
  const orders = r1.variants.map((v) => v.item.options!.map((o) => o.text).join("|"));
  assert.equal(new Set(orders).size, 4);
  assert.ok(!orders.includes(ITEM.options!.map((o) => o.text).join("|")), "never the identity");
  for (const v of r1.variants) assert.equal(goldText(v.item), "Myocardial infarction");
  // Two options have exactly one other order.
  const two = mcq("q2", "Is it?", ["Yes it is", "No it is not"], "A");
  assert.equal(optionRandomPerturbation(3).apply(two, { seed: 0 }).variants.length, 1);
});

test("options that refer to other options block reordering, with the reason", () => {
  for (const text of ["All of the above", "None of the above", "Both A and C", "A and B", "Option B", "either of these"]) {
    const it = mcq("x", "Which?", ["Alpha", "Beta", "Gamma", text], "A");
    assert.ok(reorderBlocker(it) !== null, text);
    const out = optionCyclicPerturbation.apply(it, { seed: 0 });
    assert.equal(out.variants.length, 0);
    assert.match(out.skip!.reason, /refers to other options/);
  }
  assert.equal(reorderBlocker(mcq("y", "Which?", ["Vitamin B12", "Hepatitis B", "Type A dissection", "Folate"], "A")), null);
});

test("paraphrase templates rewrite framing only, and each fitting template makes one variant", () => {
  const cases: Array<[string, string, string]> = [
    ["which-to-what", "Which of the following is the most likely diagnosis?", "What is the most likely diagnosis?"],
    ["what-to-which", "What is the most appropriate next step in management?", "Which of the following is the most appropriate next step in management?"],
    ["which-one-of", "Which of the following is the cause?", "Which one of the following is the cause?"],
    ["which-one-of", "Which one of the following is the cause?", "Which of the following is the cause?"],
    ["case-preamble", "A 3-month-old girl is brought in. What is the diagnosis?", "In a patient described as follows: A 3-month-old girl is brought in. What is the diagnosis?"],
    ["case-preamble", "In a patient described as follows: A man has a cough. Why?", "A man has a cough. Why?"],
    ["instruction-preamble", "Why does it hurt?", "Answer the following question. Why does it hurt?"],
    ["age-phrasing", "A 45-year-old man has chest pain.", "A man aged 45 years has chest pain."],
    ["age-phrasing", "An 1-year-old infant has a fever.", "An infant aged 1 year has a fever."],
    ["presents-comes", "A woman presents to the clinic with a rash.", "A woman comes to the clinic with a rash."],
    ["patient-determiner", "What caused this patient's rash?", "What caused the patient's rash?"],
    ["information-given", "A man has a cough. Which of the following is the cause?", "A man has a cough. Based on the information given, which of the following is the cause?"],
    ["would-be", "Which of the following is the most appropriate treatment?", "Which of the following would be the most appropriate treatment?"],
    ["management-wording", "What is the next step in management?", "What is the next step in the management of this patient?"],
  ];
  for (const [name, before, after] of cases) {
    const t = PARAPHRASE_TEMPLATES.find((x) => x.name === name)!;
    const r = applyParaphrase(mcq("p", before, ["x", "y"], "A"), t);
    assert.ok(r !== null && "question" in r, `${name} should fit "${before}"`);
    assert.equal(r.question, after, name);
  }
  assert.ok(PARAPHRASE_TEMPLATES.length >= 12);
  assert.equal(new Set(PARAPHRASE_TEMPLATES.map((t) => t.name)).size, PARAPHRASE_TEMPLATES.length);
  // A template that does not fit makes nothing; MCQ-only wordings never touch yes/no items.
  assert.equal(applyParaphrase(mcq("p", "Why?", ["x", "y"], "A"), PARAPHRASE_TEMPLATES.find((t) => t.name === "which-to-what")!), null);
  const yn: QAItem = { id: "y", source: "t", kind: "yesno", question: "Does aspirin reduce mortality?", answer: "yes", context: ["Aspirin reduced mortality."], metadata: {} };
  const out = paraphrasePerturbation().apply(yn, { seed: 0 });
  assert.deepEqual(out.variants.map((v) => v.key).sort(), ["context-question", "instruction-preamble"]);
  assert.equal(out.variants.find((v) => v.key === "context-question")!.item.question, "According to the context, does aspirin reduce mortality?");
});

test("the clinical guard rejects any change outside a template's framing words", () => {
  assert.deepEqual(changedContent("Which of the following is the cause?", "What is the cause?", new Set(["which", "what", "of", "the", "following"])), []);
  assert.deepEqual(changedContent("BP is 80/50 mm Hg.", "BP is 80/60 mm Hg."), ["50", "60"]);
  assert.deepEqual(changedContent("There is no fever.", "There is fever."), ["no"]);
  const bad = { name: "bad", description: "drops a negation", framing: ["what"], kinds: ["mcq" as const], apply: (q: string) => q.replace("not ", "") };
  const r = applyParaphrase(mcq("p", "Which drug is not a cause?", ["x", "y"], "A"), bad);
  assert.ok(r !== null && "rejected" in r);
  assert.match(r.rejected, /not/);
});

test("vital signs: the list is reordered with every value kept; non-lists are left alone", () => {
  const q = "A 39-year-old woman is brought to the emergency department. Her temperature is 39.1°C (102.3°F), pulse is 126/min, respirations are 28/min, and blood pressure is 80/50 mm Hg. There is blood oozing.";
  const out = reorderVitals(q)!;
  assert.equal(out, "A 39-year-old woman is brought to the emergency department. Pulse is 126/min, respirations are 28/min, blood pressure is 80/50 mm Hg, and her temperature is 39.1°C (102.3°F). There is blood oozing.");
  assert.deepEqual(changedContent(q, out), []);
  assert.equal(reorderVitals("Vital signs show blood pressure 118/78 mm Hg, pulse 73/min and respiratory rate 16/min."), "Vital signs show pulse 73/min, respiratory rate 16/min and blood pressure 118/78 mm Hg.");
  assert.equal(reorderVitals("Her blood pressure is 160/90 mm Hg."), null);
  assert.equal(reorderVitals("Her pulse is 90/min and she is afebrile."), null);
  assert.equal(reorderVitals("Blood pressure is 110/70 mm Hg, regular radial pulse of 95/min, and temperature 37.2°C."), null);
  assert.deepEqual(splitSentences("Temp 39.1°C. Pulse 90/min! Ok? yes"), ["Temp 39.1°C. ", "Pulse 90/min! ", "Ok? yes"]);
});

test("samples: N variants of the unchanged item, each with its own seed and temperature > 0", () => {
  const out = resamplePerturbation(4, 0.8).apply(ITEM, { seed: 3 });
  assert.equal(out.variants.length, 4);
  assert.equal(new Set(out.variants.map((v) => v.sampling!.seed)).size, 4);
  for (const v of out.variants) {
    assert.equal(v.item.question, ITEM.question);
    assert.deepEqual(v.item.options, ITEM.options);
    assert.equal(v.sampling!.temperature, 0.8);
  }
  assert.throws(() => resamplePerturbation(3, 0), /temperature must be > 0/);
});

test("on the shared MedQA slice every paraphrase keeps numbers and content, and most items get one", async (t) => {
  const path = sharedPath(t, "data/medqa/medqa_us_4options_test_shared_slice.jsonl");
  if (path === null) return;
  const items: QAItem[] = [];
  for await (const r of getAdapter("medqa").read(path, {})) if (r.item) items.push(r.item);
  assert.ok(items.length > 100);
  const p = paraphrasePerturbation();
  let withVariant = 0;
  let vitals = 0;
  const perTemplate = new Map<string, number>();
  for (const it of items) {
    const out = p.apply(it, { seed: 0 });
    if (out.variants.length > 0) withVariant++;
    for (const v of out.variants) {
      perTemplate.set(v.key, (perTemplate.get(v.key) ?? 0) + 1);
      if (v.key === "vitals-order") vitals++;
      const nums = (s: string) => (s.match(/\d+(?:\.\d+)?/g) ?? []).sort();
      assert.deepEqual(nums(v.item.question), nums(it.question), `${it.id} ${v.key}`);
      assert.deepEqual(v.item.options, it.options);
      assert.equal(v.item.answer, it.answer);
    }
  }
  console.log(`paraphrased ${withVariant}/${items.length} items; per template: ${JSON.stringify(Object.fromEntries(perTemplate))}`);
  assert.ok(withVariant / items.length > 0.9, `only ${withVariant}/${items.length} items got a paraphrase`);
  assert.ok(vitals > 20, `vital signs reordered in only ${vitals} items`);
});
