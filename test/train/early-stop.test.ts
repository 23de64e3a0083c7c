// Early stopping as a table-driven state machine: each row is an observed score and the expected decision
// (improved, stop) and best step; plus the composite score's terms and a save/restore mid-sequence.
import { test } from "node:test";
import assert from "node:assert/strict";
import { EarlyStopper, compositeScore } from "../../src/train/index.ts";

type Row = [step: number, score: number, improved: boolean, stop: boolean, bestStep: number];

const TABLES: { name: string; patience: number | null; minDelta: number; rows: Row[] }[] = [
  {
    name: "patience 2, minDelta 0.1: small gains do not count, two misses stop",
    patience: 2, minDelta: 0.1,
    rows: [
      [0, 1.0, true, false, 0], // first evaluation is the best so far
      [10, 0.95, false, false, 0], // better, but not by more than minDelta
      [20, 0.85, true, false, 20], // beats 1.0 − 0.1
      [30, 0.9, false, false, 20],
      [40, 0.8, false, true, 20], // 0.8 is not below 0.85 − 0.1: second miss in a row stops
      [50, 0.1, false, true, 20], // once stopped it stays stopped
    ],
  },
  {
    name: "patience 1, minDelta 0: any non-improvement stops; equal is not better",
    patience: 1, minDelta: 0,
    rows: [[0, 2.0, true, false, 0], [5, 1.5, true, false, 5], [10, 1.5, false, true, 5]],
  },
  {
    name: "patience 3: the miss counter resets on improvement",
    patience: 3, minDelta: 0,
    rows: [[0, 5, true, false, 0], [1, 6, false, false, 0], [2, 7, false, false, 0], [3, 4, true, false, 3], [4, 9, false, false, 3], [5, 9, false, false, 3], [6, 9, false, true, 3]],
  },
  {
    name: "NaN never improves and counts as a miss",
    patience: 2, minDelta: 0,
    rows: [[0, Number.NaN, false, false, -1], [1, 3, true, false, 1], [2, Number.NaN, false, false, 1], [3, Number.NaN, false, true, 1]],
  },
  {
    name: "patience null never stops but still tracks the best",
    patience: null, minDelta: 0,
    rows: [[0, 1, true, false, 0], [1, 2, false, false, 0], [2, 3, false, false, 0], [3, 4, false, false, 0], [4, 0.5, true, false, 4]],
  },
];

for (const tab of TABLES) {
  test(`early stopping: ${tab.name}`, () => {
    const s = new EarlyStopper({ patience: tab.patience, minDelta: tab.minDelta });
    for (const [step, score, improved, stop, bestStep] of tab.rows) {
      const d = s.observe(step, score);
      assert.deepEqual({ improved: d.improved, stop: d.stop, bestStep: s.state().bestStep }, { improved, stop, bestStep }, `step ${step}, score ${score}`);
    }
  });
}

test("early stopping: a state restored mid-sequence continues exactly as the original", () => {
  const rows = TABLES[0].rows;
  const a = new EarlyStopper({ patience: 2, minDelta: 0.1 });
  for (const r of rows.slice(0, 3)) a.observe(r[0], r[1]);
  const b = new EarlyStopper({ patience: 2, minDelta: 0.1 });
  b.setState(JSON.parse(JSON.stringify(a.state())));
  for (const r of rows.slice(3)) assert.deepEqual(b.observe(r[0], r[1]), a.observe(r[0], r[1]));
});

test("early stopping rejects bad knobs", () => {
  assert.throws(() => new EarlyStopper({ patience: 0, minDelta: 0 }), /patience must be a positive integer/);
  assert.throws(() => new EarlyStopper({ patience: 2, minDelta: -1 }), /minDelta/);
});

test("composite score: loss, 1 − accuracy and retention (general loss increase since step 0), each weighted, each optional", () => {
  const w = { loss: 1, accuracy: 2, retention: 3 };
  const base = { loss: 2, accuracy: 0.25, generalLoss: 4 };
  assert.equal(compositeScore(base, base, w), 2 + 2 * 0.75 + 0);
  assert.equal(compositeScore({ loss: 1.5, accuracy: 0.5, generalLoss: 4.5 }, base, w), 1.5 + 2 * 0.5 + 3 * 0.5);
  assert.equal(compositeScore({ loss: 1.5 }, base, w), 1.5, "no MCQs, no general set: the loss alone");
  assert.equal(compositeScore({ loss: 1.5, accuracy: 0.5 }, base, { loss: 1, accuracy: 0, retention: 0 }), 1.5, "zero weight drops a term");
});
