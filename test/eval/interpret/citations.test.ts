// Citation parsing, reply splitting, lexical support and Cohen's kappa: every citation form a model writes,
// rationales split into sentences with their markers, hand-written rationales that are valid and supported,
// cite a missing source, cite nothing, or cite a source that does not support them; kappa on a worked example.
import { test } from "node:test";
import assert from "node:assert/strict";
import { expandNumberList, parseCitations, stripCitations } from "../../../src/eval/interpret/citations.ts";
import { parseRationaleReply, rationalePromptText, rationaleRequest, splitRationale } from "../../../src/eval/interpret/rationale-prompt.ts";
import { contentWords, supportScore } from "../../../src/eval/interpret/lexical-support.ts";
import { checkRationale, citationProblem } from "../../../src/eval/interpret/check-rationale.ts";
import { cohensKappa } from "../../../src/eval/interpret/kappa.ts";
import type { QAItem } from "../../../src/data/index.ts";

test("parseCitations reads every common form with its indices", () => {
  const cases: Array<[string, number[][]]> = [
    ["It rose [1].", [[1]]],
    ["It rose [2,3] and fell [ 4 ; 5 ].", [[2, 3], [4, 5]]],
    ["Range [1-3] and [2–4].", [[1, 2, 3], [2, 3, 4]]],
    ["Both [1][2].", [[1], [2]]],
    ["As [Source 2] says.", [[2]]],
    ["As source 2 and passages 1 and 3 say; see reference 4.", [[2], [1, 3], [4]]],
    ["[1, 2-3, 2]", [[1, 2, 3]]],
    ["No citation (2) here, nor [a], nor [CI 1.2-3.4].", []],
    ["Dose 2.5 mg [7].", [[7]]],
  ];
  for (const [text, want] of cases) assert.deepEqual(parseCitations(text).map((c) => c.indices), want, text);
  const c = parseCitations("see [9-2]")[0];
  assert.match(c.malformed!, /backwards/);
  assert.deepEqual(expandNumberList("1-200").malformed !== undefined, true);
  assert.equal(stripCitations("Aspirin helps [1, 2]. It is cheap [3]."), "Aspirin helps. It is cheap.");
  const pos = parseCitations("ab [12] cd")[0];
  assert.deepEqual([pos.start, pos.end, pos.raw, pos.form], [3, 7, "[12]", "bracket"]);
});

test("rationale replies split into answer and sentences; a citation after the full stop stays with its sentence", () => {
  const reply = "Answer: yes\nRationale: Aspirin lowered infarction risk, e.g. in older adults [1]. Bleeding rose. [2] The answer is no. [3]\n";
  const p = parseRationaleReply(reply);
  assert.equal(p.answerText, "yes");
  assert.deepEqual(p.sentences.map((s) => s.text), ["Aspirin lowered infarction risk, e.g. in older adults [1].", "Bleeding rose. [2]", "The answer is no. [3]"]);
  assert.deepEqual(p.sentences.map((s) => s.citations.map((c) => c.indices[0])), [[1], [2], [3]]);
  assert.equal(p.sentences[1].claim, "Bleeding rose.");
  const noLabel = parseRationaleReply("Because it works [1].\nAnswer: B");
  assert.equal(noLabel.answerText, "B");
  assert.equal(noLabel.rationale, "Because it works [1].");
  assert.deepEqual(splitRationale("- First point [1]\n- Second point [2]").map((s) => s.text), ["First point [1]", "Second point [2]"]);
});

test("the rationale prompt numbers sources [1]..[n] and asks for Answer/Rationale with bracketed citations", () => {
  const item: QAItem = { id: "p1", source: "pubmedqa", kind: "yesno", question: "Does aspirin help?", answer: "yes", context: ["First\npassage.", "Second passage."], metadata: {} };
  const text = rationalePromptText(item, item.context!);
  assert.match(text, /^Sources:\n\[1\] First passage\.\n\[2\] Second passage\.\n\nQuestion: Does aspirin help\?/);
  assert.match(text, /Answer: <yes, no or maybe>/);
  assert.match(text, /square brackets, e\.g\. \[1\] or \[2, 3\]/);
  const raw = rationaleRequest(item, item.context!, { format: "prompt" });
  assert.ok(raw.prompt!.endsWith("\n\nAnswer:"));
  assert.equal(raw.temperature, 0);
  const chat = rationaleRequest(item, item.context!, { format: "chat" });
  assert.equal(chat.messages!.length, 2);
});

const PASSAGES = [
  "Aspirin reduced the risk of myocardial infarction by 25% in the randomized trial of 2,000 patients.",
  "Bleeding complications were more frequent in the aspirin group than with placebo.",
  "The study was funded by a national research grant.",
];

test("content-word recall: stop words and citation words ignored, stems matched, empty claims not assessable", () => {
  assert.deepEqual(contentWords("The passage shows that aspirin reduced infarctions [1]."), ["aspirin", "reduc", "infarct", "1"]);
  assert.equal(supportScore("Aspirin reduced myocardial infarction risk.", PASSAGES[0]), 1);
  assert.equal(supportScore("Statins lower cholesterol.", PASSAGES[2]), 0);
  assert.ok(Number.isNaN(supportScore("This is it.", PASSAGES[0])));
  // ROUGE-L recall is order-aware: the same words in another order score lower.
  const inOrder = supportScore("reduced the risk of myocardial infarction", PASSAGES[0], { measure: "rouge-l" });
  const shuffled = supportScore("infarction myocardial of risk the reduced", PASSAGES[0], { measure: "rouge-l" });
  assert.equal(inOrder, 1);
  assert.ok(shuffled < 0.5, `${shuffled}`);
});

test("hand-written rationales: valid and supported, invalid index, uncited, cited but unsupported", () => {
  const r = checkRationale(
    "Aspirin reduced the risk of myocardial infarction in the trial [1]. " +
    "Bleeding was more common with aspirin [4]. " +
    "This supports a yes answer overall. " +
    "Statins lower cholesterol levels dramatically [3]. " +
    "Bleeding complications were more frequent, and infarction risk fell [1, 2].",
    PASSAGES,
  );
  assert.equal(r.nSentences, 5);
  assert.equal(r.nCitedSentences, 4);
  const [supported, invalid, uncited, unsupported, both] = r.sentences;
  assert.deepEqual([supported.citations[0].isValid, supported.citations[0].isSupported, supported.isSupported], [true, true, true]);
  assert.equal(invalid.citations[0].isValid, false);
  assert.match(invalid.citations[0].reason!, /beyond the 3 supplied/);
  assert.equal(invalid.isSupported, null);
  assert.equal(uncited.isCited, false);
  assert.deepEqual(uncited.citations, []);
  assert.deepEqual([unsupported.citations[0].isValid, unsupported.citations[0].isSupported, unsupported.citations[0].score], [true, false, 0]);
  // Each source alone covers part of the last sentence; their union covers it.
  assert.ok(both.citations.every((c) => c.isValid));
  assert.equal(both.isSupported, true);
  assert.ok(both.unionScore! > Math.max(...both.citations.map((c) => c.score!)));
  assert.equal(r.nReferences, 5);
  assert.equal(r.nValidReferences, 4);
  assert.equal(r.nAssessed, 4);
  assert.equal(r.nSupported, 1 + (both.citations.filter((c) => c.isSupported).length));
  assert.equal(r.nAssessedSentences, 3);
  assert.equal(r.nSupportedSentences, 2);
  // A stricter threshold fails the partly supported ones.
  const strict = checkRationale("Aspirin reduced infarction and stroke and death [1].", PASSAGES, { threshold: 0.9 });
  assert.equal(strict.sentences[0].isSupported, false);
  assert.equal(citationProblem(0, 3), "source 0 does not exist (sources are numbered from 1)");
  assert.equal(citationProblem(2, 0), "no sources were supplied");
});

test("Cohen's kappa on a worked example and its undefined case", () => {
  // 2x2 table: yes/yes 20, yes/no 5, no/yes 10, no/no 15 (n = 50): p_o = 0.7, p_e = 0.5*0.6 + 0.5*0.4 = 0.5, kappa = 0.4.
  const a = [...Array(20).fill(true), ...Array(5).fill(true), ...Array(10).fill(false), ...Array(15).fill(false)];
  const b = [...Array(20).fill(true), ...Array(5).fill(false), ...Array(10).fill(true), ...Array(15).fill(false)];
  const k = cohensKappa(a, b);
  assert.deepEqual([k.yesYes, k.yesNo, k.noYes, k.noNo], [20, 5, 10, 15]);
  assert.equal(k.agreement, 0.7);
  assert.ok(Math.abs(k.kappa! - 0.4) < 1e-12);
  assert.equal(cohensKappa([true, true], [true, true]).kappa, null);
  assert.equal(cohensKappa([true, false], [false, true]).kappa, -1);
  assert.throws(() => cohensKappa([true], []), /differ in length/);
});
