// ROUGE-L, ROUGE-Lsum and ROUGE-N against rouge-score's own tests (rouge/rouge_scorer_test.py), whose
// "AgainstRouge155" values come from the original ROUGE-1.5.5 Perl script on rouge/testdata/{target,prediction}.txt
// (first two lines, copied below); the Porter stemmer against the examples of Porter (1980) and NLTK's extensions.
import { test } from "node:test";
import assert from "node:assert/strict";
import { lcsIndices, lcsLength, rougeL, rougeLMetric, rougeLsum } from "../../../src/eval/metrics/rouge-l.ts";
import { rougeN } from "../../../src/eval/metrics/rouge-n.ts";
import { rougeTokenize } from "../../../src/eval/metrics/rouge-tokenize.ts";
import { porterStem } from "../../../src/eval/metrics/porter-stemmer.ts";

const TARGETS = [
  "ZfbCUIUuePaiLVUlCaUXxkpu XPeWing tUHfPMuZ',-Xd Y BrUgVJing M-HV.-DgdDaY.rFDJCRing Ht-LM EKBDXkME,yz'RBr q'wtion wIojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxer tKM L",
  "KsJdPByEtAor fE-Qg Dpdbring cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMtion psing sbKao Q m qiing LMmer HqqLFXe,XPY,J XsurkMer ,ed nB'wH'bWVHjWFEing tQ.saefZwJtKrTlixYpMMsJing UCAPwNHeYVjDing c T BUySKtion gMPfJpwGw p'NvxAoping eu pBwMBKV'I DNxqelhu,PHPxDEq,mtion SN",
];
const PREDICTIONS = [
  "rFDJCRtion Ht-LM EKtDXkME,yz'RBr q'wer wrojNbN wL,b .a-'XdQggyFl jB-RPP'iyOIcUxi",
  "n cw-WeFyu vC MoBL Xdn g wkvcEiGvKtion BDFhrpMer pstion sbKao Q m qier LMmed HqqLFXe,XPY,J XsurkMeo ,ed nB'wH'bWVHjWFEer tQ.saefZwJtKrTlixYpMMNJtion UCAPwNHeYVjD",
];

function close(actual: { precision: number; recall: number; f: number }, p: number, r: number, f: number, places = 5): void {
  const tol = 0.5 * 10 ** -places;
  assert.ok(Math.abs(actual.precision - p) <= tol, `precision ${actual.precision} vs ${p}`);
  assert.ok(Math.abs(actual.recall - r) <= tol, `recall ${actual.recall} vs ${r}`);
  assert.ok(Math.abs(actual.f - f) <= tol, `f ${actual.f} vs ${f}`);
}

test("ROUGE-L against ROUGE-1.5.5 (rouge-score testRougeLAgainstRouge155)", () => {
  close(rougeL(PREDICTIONS[0], TARGETS[0]), 0.6875, 0.40741, 0.51163);
  close(rougeL(PREDICTIONS[1], TARGETS[1]), 0.65385, 0.40476, 0.5);
});

test("ROUGE-1 and ROUGE-2 against ROUGE-1.5.5, with and without the Porter stemmer", () => {
  close(rougeN(PREDICTIONS[0], TARGETS[0], 1), 0.6875, 0.40741, 0.51163);
  close(rougeN(PREDICTIONS[1], TARGETS[1], 1), 0.65385, 0.40476, 0.5);
  close(rougeN(PREDICTIONS[1], TARGETS[1], 1, { useStemmer: true }), 0.69231, 0.42857, 0.52941);
  close(rougeN(PREDICTIONS[0], TARGETS[0], 2, { useStemmer: true }), 0.53333, 0.30769, 0.39024);
  close(rougeN(PREDICTIONS[1], TARGETS[1], 2), 0.48, 0.29268, 0.36364);
});

test("rouge-score unit cases: consecutive and non-consecutive LCS, ROUGE-1, empty text", () => {
  close(rougeL("testing one", "testing one two"), 1, 2 / 3, 4 / 5, 12);
  close(rougeL("testing two", "testing one two"), 1, 2 / 3, 4 / 5, 12);
  close(rougeN("testing", "testing one two", 1), 1, 1 / 3, 1 / 2, 12);
  close(rougeL("", "testing one two"), 0, 0, 0, 12);
  close(rougeL("/", "w1 w2"), 0, 0, 0, 12);
});

test("ROUGE-L by hand: 'the cat lay on a mat' vs 'the cat sat on the mat' has LCS the-cat-on-mat = 4 of 6", () => {
  // P = 4/6, R = 4/6, F = 2·(2/3)(2/3)/(4/3) = 2/3.
  close(rougeL("the cat lay on a mat", "The cat sat on the mat."), 4 / 6, 4 / 6, 2 / 3, 12);
  // Word order matters for LCS but not for ROUGE-1: the reversed sentence keeps every unigram but its longest
  // common subsequence is 3 (e.g. the-sat-the, the-on-the), so P = R = F = 3/6.
  close(rougeL("mat the on sat cat the", "the cat sat on the mat"), 3 / 6, 3 / 6, 3 / 6, 12);
  close(rougeN("mat the on sat cat the", "the cat sat on the mat", 1), 1, 1, 1, 12);
});

test("LCS table and read-back (rouge-score testLcsTable)", () => {
  const ref = ["1", "2", "3", "4", "5"];
  assert.equal(lcsLength(ref, ["2", "5", "3", "4"]), 3);
  assert.deepEqual(lcsIndices(ref, ["2", "5", "3", "4"]), [1, 2, 3]);
  assert.equal(lcsLength(ref, ["8", "9"]), 0);
  assert.deepEqual(lcsIndices(ref, ["8", "9"]), []);
});

test("ROUGE-Lsum: summary-level union LCS (rouge-score testRougeLsum, Lin 2004 §3.2)", () => {
  close(rougeLsum("w1 w2 w6 w7 w8\nw1 w3 w8 w9 w5", "w1 w2 w3 w4 w5"), 0.4, 0.8, 0.5333, 4);
  close(rougeLsum("", "w1 w2 w3 w4 w5"), 0, 0, 0, 12);
  close(rougeLsum("w1", ""), 0, 0, 0, 12);
  close(rougeLsum("/", "w1 w2 w3 w4 w5"), 0, 0, 0, 12);
});

test("tokenizer: rouge-score drops non-ASCII letters; the unicode charset keeps them", () => {
  assert.deepEqual(rougeTokenize("Café-au-lait spots, 6+"), ["caf", "au", "lait", "spots", "6"]);
  assert.deepEqual(rougeTokenize("Café-au-lait spots, 6+", { charset: "unicode" }), ["café", "au", "lait", "spots", "6"]);
  assert.deepEqual(rougeTokenize("Running runs ran", { useStemmer: true }), ["run", "run", "ran"]);
});

test("Porter stemmer: paper examples and NLTK extensions", () => {
  const cases: Record<string, string> = {
    caresses: "caress", ponies: "poni", cats: "cat", feed: "feed", agreed: "agre", plastered: "plaster", motoring: "motor",
    sing: "sing", conflated: "conflat", troubled: "troubl", sized: "size", hopping: "hop", falling: "fall", filing: "file",
    happy: "happi", relational: "relat", generalizations: "gener", oscillators: "oscil", hopeful: "hope", goodness: "good",
    adjustable: "adjust", controlling: "control", roll: "roll",
    // NLTK_EXTENSIONS: irregular forms, 'ies'/'ied' on 4-letter words, 'logi' keeps its l, 1-2 letter words untouched.
    dying: "die", ties: "tie", dies: "die", flies: "fli", spied: "spi", died: "die", skies: "sky", geology: "geolog", oed: "o", is: "is",
  };
  for (const [w, s] of Object.entries(cases)) assert.equal(porterStem(w), s, w);
});

test("rouge_l handler scores the best gold and reports precision and recall", () => {
  const r = rougeLMetric.score("the cat lay on a mat", ["a dog", "the cat sat on the mat"]);
  assert.ok(Math.abs(r.score - 2 / 3) < 1e-12);
  assert.match(r.reason, /#2 of 2/);
  assert.equal(r.pass, undefined);
});
