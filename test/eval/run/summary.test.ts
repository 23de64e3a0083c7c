// Task summaries: bootstrap intervals per metric with recorded seeds, macro-F1 for yes/no worked by hand, groups per
// subject and source, calibration from the option probabilities, and the result file's checks when read back.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { isMedtuneError } from "../../../src/core/index.ts";
import type { QAItem } from "../../../src/data/index.ts";
import { macroF1, readTaskResult, summarizeTask, type ItemResult } from "../../../src/eval/index.ts";
import { protocolFor } from "./fake-models.ts";
import { tmpDir } from "../../helpers/tmp.ts";

const STATS = { nResamples: 300, confidence: 0.95, seed: 9, nBins: 5 };

test("macro-F1 over yes/no/maybe by hand", () => {
  const gold = ["yes", "yes", "no", "maybe", "no"];
  const pred = ["yes", "no", "no", null, "yes"];
  // yes: tp1 fp1 fn1 -> 0.5; no: tp1 fp1 fn1 -> 0.5; maybe: tp0 fn1 -> 0.
  assert.ok(Math.abs(macroF1(gold, pred, ["yes", "no", "maybe"]) - 1 / 3) < 1e-12);
  assert.equal(macroF1(["yes"], ["yes"], ["yes", "no"]), 0.5, "a label never seen scores 0, as scikit-learn with labels=");
});

test("summaries: metrics with intervals and seeds, groups, calibration; yes/no adds macro-F1", () => {
  const items: QAItem[] = Array.from({ length: 40 }, (_, i) => ({ id: `i${i}`, source: i < 20 ? "s1" : "s2", kind: "yesno", question: `q${i}`, answer: i % 3 === 0 ? "no" : "yes", subject: i % 2 ? "odd" : "even", metadata: {} }));
  const results: ItemResult[] = items.map((it, i) => {
    const correct = i % 4 !== 0;
    const pred = correct ? it.answer : it.answer === "yes" ? "no" : "yes";
    const labels = ["yes", "no", "maybe"];
    const probs = labels.map((l) => (l === pred ? 0.8 : 0.1));
    return { id: it.id, source: it.source, subject: it.subject!, kind: "yesno", gold: it.answer, prediction: pred, correct, scores: { acc: correct ? 1 : 0, acc_norm: correct ? 1 : 0 },
      loglik: { labels, continuations: labels.map((l) => ` ${l}`), logliks: probs.map(Math.log), tokens: [1, 1, 1], probs, pred, predNorm: pred, confidence: 0.8 } };
  });
  const s = summarizeTask(results, protocolFor(items), STATS);
  assert.equal(s.metrics.acc.value, 30 / 40);
  assert.equal(s.metrics.acc.seed, "9/acc");
  assert.ok(s.metrics.acc.lo < 0.75 && s.metrics.acc.hi > 0.75);
  assert.ok(s.metrics.macro_f1.value > 0 && s.metrics.macro_f1.value < 1);
  assert.deepEqual(s.groups.subject!.groups.map((g) => [g.group, g.n]), [["even", 20], ["odd", 20]]);
  assert.deepEqual(s.groups.source!.groups.map((g) => g.group), ["s1", "s2"]);
  // Every item has confidence 0.8 (one bin) and accuracy 0.75: ECE = |0.75 - 0.8| = 0.05.
  assert.ok(Math.abs(s.calibration!.ece - 0.05) < 1e-12);
  assert.equal(s.extraction, null);
  const again = summarizeTask(results, protocolFor(items), STATS);
  assert.deepEqual(again.metrics, s.metrics, "seeded: the same intervals every time");
  assert.throws(() => summarizeTask([], protocolFor(items), STATS), /no evaluated items/);
});

test("reading a result file checks its layout and that its protocol matches the recorded key", () => {
  const dir = tmpDir();
  const p = join(dir, "x.json");
  writeFileSync(p, JSON.stringify({ format: "something-else" }));
  assert.throws(() => readTaskResult(p), (e: unknown) => isMedtuneError(e) && e.code === "eval.result-invalid" && e.where === p);
  writeFileSync(p, "{ truncated");
  assert.throws(() => readTaskResult(p), /not valid JSON/);
  const items: QAItem[] = [{ id: "a", source: "s", kind: "mcq", question: "q", options: [{ label: "A", text: "x" }, { label: "B", text: "y" }], answer: "A", metadata: {} }];
  writeFileSync(p, JSON.stringify({ format: "medtune-eval-result-v1", task: "t", protocol: protocolFor(items), protocolKey: "edited", summary: {}, items: [], model: {} }));
  assert.throws(() => readTaskResult(p), /does not match its recorded key/);
  assert.throws(() => readTaskResult(join(dir, "none.json")), (e: unknown) => isMedtuneError(e) && e.code === "eval.result-missing");
});
