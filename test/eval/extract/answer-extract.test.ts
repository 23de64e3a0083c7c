// Answer extraction on realistic model outputs: letters in every common form, answers given only as option text,
// changed minds, negations, enumerations, out-of-range letters and ambiguity, each with the expected answer (or
// null) and, for misses, a reason an audit can show.
import { test } from "node:test";
import assert from "node:assert/strict";
import { extractChoice, extractYesNo, normalizeForMatch } from "../../../src/eval/extract/answer-extract.ts";
import { summarizeExtractions } from "../../../src/eval/extract/extraction-audit.ts";

const OPTIONS = [
  { label: "A", text: "Metformin" },
  { label: "B", text: "Insulin glargine" },
  { label: "C", text: "Glipizide" },
  { label: "D", text: "Lifestyle modification only" },
  { label: "E", text: "Insulin" },
];
const FOUR = OPTIONS.slice(0, 4);

// [model output, expected answer (null = unparsed), expected method (optional)]
const CASES: Array<[string, string | null, string?]> = [
  ["The answer is (C).", "C", "answer-statement"],
  ["Answer: C", "C", "answer-statement"],
  ["**C.** Glipizide", "C"],
  ["C) Glipizide", "C"],
  ["the correct option is C", "C", "option-statement"],
  ["I would choose option B because it provides basal coverage without hypoglycemia.", "B", "choice-statement"],
  ["Let's think step by step. The patient has an HbA1c of 9.1% and eGFR of 25.\nMetformin is contraindicated.\n\nC", "C", "last-line"],
  ["Metformin", "A", "option-text"],
  ["A. is wrong because it is contraindicated in renal failure. B is too aggressive. C. causes hypoglycemia in CKD. So the answer is D.", "D", "answer-statement"],
  ["Option A and C are incorrect; B is correct.", "B", "assertion"],
  ["the answer is c", "C", "answer-statement"],
  ["The answer is B. Wait, let me reconsider the renal function. Actually, the answer is C.", "C", "answer-statement"],
  ["Insulin glargine is the best option here.", "B", "option-text-mention"],
  ["Insulin", "E", "option-text"],
  ["\\boxed{D}", "D", "boxed"],
  ["Final Answer: **(A) Metformin**", "A", "answer-statement"],
  ["Answer:\n\nB", "B", "answer-statement"],
  ["After careful consideration, I'd go with D.", "D", "choice-statement"],
  ["The most likely answer is E", "E", "answer-statement"],
  ["ANSWER: A", "A", "answer-statement"],
  ["Hepatitis B is the most likely diagnosis in the stem, but for this question the answer is C.", "C", "answer-statement"],
  ["I would not choose A; the answer is D.", "D", "answer-statement"],
  ["If the answer were A, the patient would develop lactic acidosis. Therefore, (B).", "B", "conclusion"],
  ["B", "B", "last-line"],
  ["(d)", "D", "last-line"],
  ["Option D: Lifestyle modification only", "D", "last-line"],
  ["The best choice is glipizide.", "C", "answer-text"],
  ["Correct answer: E. Insulin", "E", "answer-statement"],
  ["My answer: B", "B", "answer-statement"],
  ["The answer is I think C", "C"],
  ["It's definitely not A. I believe it's B.", "B", "belief-statement"],
  ["D is most likely the correct answer.", "D", "assertion"],
  ["答案：C", "C", "label-after-colon"],
  ["The patient has hepatitis B. Option C is correct.", "C", "assertion"],
  ["I do not think B is right here. If B is correct, the patient would be hypoglycemic. Answer: C", "C", "answer-statement"],
  ["B. Insulin glargine\n\nBasal insulin is safe at this eGFR and rarely causes hypoglycemia.", "B", "first-line"],
  ["None of the options is ideal, but C is the closest.", "C", "assertion"],
  ["Explanation: Metformin is first-line but contraindicated at this eGFR; glipizide risks hypoglycemia.\nAnswer: A", "A", "answer-statement"],
  ["Answer: C\n\nExplanation: A is incorrect because metformin is contraindicated. B is excessive.", "C", "answer-statement"],
  ["The correct answer is option C, glipizide.", "C", "answer-statement"],
  ["Given the eGFR of 25, metformin is contraindicated.\n\nTherefore, the best answer is D. Lifestyle modification only.", "D", "answer-statement"],
  ["Answer: The patient should start insulin glargine at bedtime.", "B", "option-text-mention"],
  ["I'll go with C since glipizide is hepatically cleared.", "C", "choice-statement"],
  ["C is the answer.", "C", "assertion"],
  ["The answer is C because A is wrong and B is wrong.", "C", "answer-statement"],
  ["the answer is d) lifestyle modification only", "D", "answer-statement"],
  ["Answer: Ｃ", "C", "answer-statement"],
  ["The answer is Metformin (A).", "A"],
  ["We can rule out A since metformin needs eGFR > 30. Between B and C, basal insulin is safer.\n\nFinal answer: B", "B", "answer-statement"],
  ["### Final Answer\n(C) Glipizide", "C"],
  ["Both options have merit, but the single best answer is A.", "A", "answer-statement"],
  ["The answer is not A, but C.", "C", "answer-statement"],
  ["The correct answer is not (B); it's (D).", "D", "answer-statement"],
  // Misses and ambiguity.
  ["The answer is B or C.", null, "ambiguous"],
  ["Both A and D are correct.", null, "ambiguous"],
  ["Answer: A, B", null, "ambiguous"],
  ["I'm torn between B and C; both have merit.", null, "unparsed"],
  ["A. Metformin\nB. Insulin glargine\nC. Glipizide\nD. Lifestyle modification only\nE. Insulin", null, "unparsed"],
  ["", null, "unparsed"],
  ["Metformin lowers hepatic glucose output, whereas glipizide stimulates insulin release from beta cells; the choice depends on renal function, hypoglycemia risk, weight, cost, patient preference, and comorbidities such as heart failure or chronic kidney disease, which should all be weighed carefully with the patient before any decision is made here.", null, "unparsed"],
  ["Answer: 2", null, "unparsed"],
  ["I", null, "unparsed"],
  ["Let's evaluate each option:\nA) Metformin - contraindicated\nB) Insulin glargine - reasonable", null, "unparsed"],
];

for (const [output, expected, method] of CASES) {
  test(`extractChoice: ${JSON.stringify(output.length > 70 ? output.slice(0, 67) + "..." : output)} -> ${expected ?? "unparsed"}`, () => {
    const r = extractChoice(output, OPTIONS);
    assert.equal(r.answer, expected, `got ${JSON.stringify(r)}`);
    if (method !== undefined) assert.equal(r.method, method, `got ${JSON.stringify(r)}`);
    if (expected === null) assert.ok(r.reason && r.reason.length > 0, "an unparsed answer must say why");
  });
}

test("letters beyond the option count are ignored and named in the reason", () => {
  const r = extractChoice("The answer is (E).", FOUR);
  assert.equal(r.answer, null);
  assert.match(r.reason ?? "", /E, outside the options A-D/);
  // ...while a later in-range statement still counts.
  assert.equal(extractChoice("The answer is E. Sorry, there is no E; the answer is D.", FOUR).answer, "D");
});

test("a changed mind is reported beside the final answer", () => {
  const r = extractChoice("The answer is B. Actually, on reflection, the answer is C.", OPTIONS);
  assert.equal(r.answer, "C");
  assert.match(r.reason ?? "", /earlier statements named B/);
});

test("a letter followed by another option's text is flagged", () => {
  const r = extractChoice("The answer is (B) Metformin.", OPTIONS);
  assert.equal(r.answer, "B");
  assert.match(r.reason ?? "", /option A/);
});

test("labels-only extraction works without option texts, with the default A-J", () => {
  assert.equal(extractChoice("Therefore the answer is (H).").answer, "H");
  assert.equal(extractChoice("so the answer is B", ["A", "B", "C", "D"]).answer, "B");
  assert.equal(extractChoice("Metformin", ["A", "B", "C", "D"]).answer, null);
});

test("bad option lists are refused with a clear error", () => {
  assert.throws(() => extractChoice("A", [{ label: "1", text: "x" }, { label: "2", text: "y" }]), /not a single letter/);
  assert.throws(() => extractChoice("A", [{ label: "A", text: "x" }, { label: "a", text: "y" }]), /appears twice/);
  assert.throws(() => extractChoice("A", ["A"]), /at least 2 options/);
});

test("option-text matching prefers the longer of overlapping option texts", () => {
  assert.equal(extractChoice("insulin glargine", OPTIONS).answer, "B");
  assert.equal(extractChoice("insulin", OPTIONS).answer, "E");
  assert.equal(normalizeForMatch("  Insulin-Glargine (Lantus)! "), "insulin glargine lantus");
});

const YESNO: Array<[string, string | null, string?]> = [
  ["Yes", "yes", "last-line"],
  ["No.", "no", "last-line"],
  ["maybe", "maybe", "last-line"],
  ["Yes, the randomized trial showed a significant reduction in mortality.", "yes", "first-word"],
  ["The results suggest a benefit in the treated group.\nAnswer: yes", "yes"],
  ["Based on the context, the answer is no.", "no", "answer-statement"],
  ["No evidence of harm was found, and efficacy was shown. Therefore, the answer is yes.", "yes", "answer-statement"],
  ["Final answer: Maybe", "maybe"],
  ["Yes. Hmm, the confidence interval crosses 1, so on reflection the answer is no.", "no", "answer-statement"],
  ["\\boxed{no}", "no", "boxed"],
  ["Conclusion: yes", "yes", "answer-statement"],
  ["Based on the trial data, I would say yes.", "yes", "answer-statement"],
  ["The study supports this: yes.", "yes", "label-after-colon"],
  ["The abstract reports a significant effect.\nAnswer: (A) yes", "yes", "answer-statement"],
  ["(B) no", "no", "last-line"],
  ["The answer is yes or no depending on the subgroup.", null, "ambiguous"],
  ["The answer is not clear from the abstract.", null, "unparsed"],
  ["It is unclear whether the intervention helps; some say yes, others no.", null, "unparsed"],
  ["", null, "unparsed"],
];

for (const [output, expected, method] of YESNO) {
  test(`extractYesNo: ${JSON.stringify(output.length > 60 ? output.slice(0, 57) + "..." : output)} -> ${expected ?? "unparsed"}`, () => {
    const r = extractYesNo(output);
    assert.equal(r.answer, expected, `got ${JSON.stringify(r)}`);
    if (method !== undefined) assert.equal(r.method, method, `got ${JSON.stringify(r)}`);
    if (expected === null) assert.ok(r.reason && r.reason.length > 0);
  });
}

test("extractYesNo reports a changed mind", () => {
  const r = extractYesNo("Yes. On reflection, the answer is no.");
  assert.equal(r.answer, "no");
  assert.match(r.reason ?? "", /earlier statements said yes/);
});

test("the extraction audit counts methods and lists every unparsed output with its reason", () => {
  const outputs = ["Answer: C", "The answer is B or C.", "C", "", "I'm torn."];
  const audit = summarizeExtractions(outputs.map((o, i) => ({ id: `q${i}`, output: o, result: extractChoice(o, OPTIONS) })));
  assert.equal(audit.total, 5);
  assert.equal(audit.parsed, 2);
  assert.equal(audit.unparsed, 3);
  assert.equal(audit.parseRate, 2 / 5);
  assert.deepEqual(audit.byMethod, { "answer-statement": 1, "last-line": 1, ambiguous: 1, unparsed: 2 });
  assert.deepEqual(audit.unparsedItems.map((u) => u.id), ["q1", "q3", "q4"]);
  assert.ok(audit.unparsedItems.every((u) => u.reason.length > 0));
  assert.equal(audit.unparsedItems[1].excerpt, "");
});
