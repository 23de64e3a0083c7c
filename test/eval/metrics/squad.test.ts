// SQuAD v1.1 exact match and token F1 against the official evaluate-v1.1.py: the expected normalized strings and
// scores below are what that script's normalize_answer / exact_match_score / f1_score return for these inputs
// (run with Python 3.11), including its quirks: ASCII-only punctuation, Unicode word boundaries for articles,
// Python whitespace, and F1 = 0 when both sides normalize to nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { exactMatch, exactMatchMax, exactMatchMetric, f1Metric, normalizeAnswer, tokenF1, tokenF1Max } from "../../../src/eval/metrics/squad.ts";

// [prediction, gold, normalized prediction, exact match, F1] from evaluate-v1.1.py.
const OFFICIAL: Array<[string, string, string, boolean, number]> = [
  ["the Denver Broncos", "Denver Broncos", "denver broncos", true, 1],
  ["Broncos", "Denver Broncos", "broncos", false, 0.6666666666666666],
  ["Denver, Broncos!", "denver broncos", "denver broncos", true, 1],
  ["the the cat cat", "the cat", "cat cat", false, 0.6666666666666666],
  ["Thé theatre—an apple a day", "theatre apple day", "thé theatre— apple day", false, 0.5714285714285715],
  ["éthe Broncos", "the broncos", "éthe broncos", false, 0.6666666666666666],
  ["Metformin 500 mg twice daily", "metformin 500mg bid", "metformin 500 mg twice daily", false, 0.25],
  ["a", "the", "", true, 0],
  ["", "Denver Broncos", "", false, 0],
  ["Type 2 diabetes mellitus (T2DM)", "type 2 diabetes", "type 2 diabetes mellitus t2dm", false, 0.7499999999999999],
  ["denver\x85broncos\u00a0team", "Denver Broncos", "denver broncos team", false, 0.8],
  ["Santa Clara, California", "Levi's Stadium in Santa Clara, California", "santa clara california", false, 0.6666666666666666],
];

for (const [pred, gold, norm, em, f1] of OFFICIAL) {
  test(`SQuAD official: ${JSON.stringify(pred)} vs ${JSON.stringify(gold)}`, () => {
    assert.equal(normalizeAnswer(pred), norm);
    assert.equal(exactMatch(pred, gold), em);
    assert.ok(Math.abs(tokenF1(pred, gold).f1 - f1) < 1e-12, `F1 ${tokenF1(pred, gold).f1} vs ${f1}`);
  });
}

test("F1 by hand: 'Broncos' vs 'Denver Broncos' has precision 1, recall 1/2, F1 2·(1·0.5)/(1+0.5)", () => {
  const r = tokenF1("Broncos", "Denver Broncos");
  assert.equal(r.precision, 1);
  assert.equal(r.recall, 0.5);
  assert.ok(Math.abs(r.f1 - 2 / 3) < 1e-15);
});

test("several gold answers: the best one counts (metric_max_over_ground_truths)", () => {
  const golds = ["Denver Broncos", "Broncos", "The Broncos of Denver"];
  assert.equal(exactMatchMax("broncos.", golds), 1);
  assert.equal(exactMatchMax("Carolina Panthers", golds), 0);
  // "the Broncos team" -> [broncos, team]: vs "Broncos" P 1/2 R 1 F 2/3; vs "Denver Broncos" P 1/2 R 1/2 F 1/2.
  assert.ok(Math.abs(tokenF1Max("the Broncos team", golds) - 2 / 3) < 1e-15);
  assert.throws(() => tokenF1Max("x", []), /no gold answer/);
});

test("exact_match and f1 handlers pass, fail and say which gold matched", () => {
  const hit = exactMatchMetric.score("The Broncos!", ["Denver Broncos", "Broncos"]);
  assert.deepEqual([hit.pass, hit.score], [true, 1]);
  assert.match(hit.reason, /#2 of 2/);
  const miss = exactMatchMetric.score("Panthers", "Denver Broncos");
  assert.deepEqual([miss.pass, miss.score], [false, 0]);
  assert.match(miss.reason, /matches no gold/);
  const f = f1Metric.score("Broncos", "Denver Broncos");
  assert.equal(f.pass, undefined);
  assert.ok(Math.abs(f.score - 2 / 3) < 1e-15);
  assert.match(f.reason, /precision 1\.000, recall 0\.500/);
});
