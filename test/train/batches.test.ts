// Batching and replay: every example once per epoch, seeded and reproducible, length bucketing cuts padding,
// seeking to a saved position continues the same stream, right padding with labels −100; the replay mixer
// replays the asked fraction and restores its state exactly.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../src/core/index.ts";
import { BatchStream, ReplayMixer, collate, epochBatches, type TrainExample } from "../../src/train/index.ts";

function lengthsOf(n: number, seed = 1): number[] {
  const r = new Rng(seed);
  return Array.from({ length: n }, () => 5 + r.int(200));
}

function example(len: number, prompt: number, tag = 0): TrainExample {
  const ids = Int32Array.from({ length: len }, (_, t) => 3 + ((t + tag) % 50));
  const labels = Int32Array.from(ids, (id, t) => (t < prompt ? -100 : id));
  return { ids, labels, nScored: len - prompt, where: `ex${tag}` };
}

test("an epoch covers every example exactly once, in batches of the given size, reproducibly", () => {
  const lengths = lengthsOf(1000);
  for (const bucket of [false, true]) {
    const b = epochBatches(lengths, 8, 7, 0, bucket);
    const seen = b.flat().sort((x, y) => x - y);
    assert.deepEqual(seen, lengths.map((_, i) => i), `bucket ${bucket}: every index once`);
    assert.equal(b.length, 125);
    assert.ok(b.every((x) => x.length === 8));
    assert.deepEqual(epochBatches(lengths, 8, 7, 0, bucket), b, "same seed and epoch: same batches");
    assert.notDeepEqual(epochBatches(lengths, 8, 7, 1, bucket), b, "another epoch: another order");
    assert.notDeepEqual(epochBatches(lengths, 8, 8, 0, bucket), b, "another seed: another order");
  }
  const small = epochBatches(lengthsOf(10), 4, 1, 0, true);
  assert.deepEqual(small.map((x) => x.length).sort(), [2, 4, 4], "10 examples in batches of 4: the last batch is partial, nothing dropped");
});

test("length bucketing pads far less than random batches", () => {
  const lengths = lengthsOf(2000, 3);
  const padding = (batches: number[][]): number => batches.reduce((a, b) => a + b.length * Math.max(...b.map((i) => lengths[i])) - b.reduce((s, i) => s + lengths[i], 0), 0);
  const rand = padding(epochBatches(lengths, 16, 1, 0, false));
  const buck = padding(epochBatches(lengths, 16, 1, 0, true));
  process.stderr.write(`padding tokens per epoch: random ${rand}, bucketed ${buck}\n`);
  assert.ok(buck < rand / 5, `bucketed ${buck} vs random ${rand}`);
});

test("a stream sought to a saved position continues exactly like the uninterrupted stream, across epochs", () => {
  const lengths = lengthsOf(37, 5);
  const a = new BatchStream(lengths, { batchSize: 5, seed: 11, bucket: true });
  const first: number[][] = [];
  for (let i = 0; i < 13; i++) first.push(a.next());
  const pos = a.position();
  assert.deepEqual(pos, { epoch: 1, batchIndex: 5 }, "8 batches per epoch: the 14th batch is epoch 1, index 5");
  const rest: number[][] = [];
  for (let i = 0; i < 20; i++) rest.push(a.next());
  const b = new BatchStream(lengths, { batchSize: 5, seed: 11, bucket: true });
  b.seek(JSON.parse(JSON.stringify(pos)));
  for (let i = 0; i < 20; i++) assert.deepEqual(b.next(), rest[i], `batch ${i} after the seek`);
  assert.throws(() => b.seek({ epoch: 0, batchIndex: 99 }), /outside the data/);
  assert.throws(() => new BatchStream([], { batchSize: 2, seed: 1, bucket: false }), /training split is empty/);
});

test("collate right-pads ids with the pad id and labels with −100, and counts scored and real tokens", () => {
  const mb = collate([example(4, 2, 0), example(6, 3, 1)], 0);
  assert.equal(mb.B, 2);
  assert.equal(mb.T, 6);
  assert.deepEqual(Array.from(mb.ids.subarray(0, 6)), [3, 4, 5, 6, 0, 0]);
  assert.deepEqual(Array.from(mb.labels.subarray(0, 6)), [-100, -100, 5, 6, -100, -100]);
  assert.deepEqual(Array.from(mb.labels.subarray(6)), [-100, -100, -100, 7, 8, 9]);
  assert.equal(mb.nScored, 2 + 3);
  assert.equal(mb.nTokens, 10);
});

test("replay adds the asked fraction of all examples, seeded, and resumes from its state", () => {
  const pool = Array.from({ length: 10 }, (_, i) => example(5, 1, i));
  for (const [fraction, batch] of [[0.2, 4], [0.1, 4], [0.5, 3], [0.25, 1]] as const) {
    const m = new ReplayMixer(pool, fraction, 1);
    let replayed = 0, task = 0;
    for (let i = 0; i < 400; i++) {
      replayed += m.draw(batch).length;
      task += batch;
    }
    const got = replayed / (replayed + task);
    assert.ok(Math.abs(got - fraction) < 0.005, `fraction ${fraction}, batch ${batch}: replayed share ${got}`);
  }
  const a = new ReplayMixer(pool, 0.3, 9);
  for (let i = 0; i < 7; i++) a.draw(4);
  const b = new ReplayMixer(pool, 0.3, 9);
  b.setState(JSON.parse(JSON.stringify(a.state())));
  for (let i = 0; i < 20; i++) assert.deepEqual(b.draw(4).map((e) => e.where), a.draw(4).map((e) => e.where));
  assert.deepEqual(new ReplayMixer(pool, 0, 1).draw(8), [], "fraction 0: nothing");
  assert.throws(() => new ReplayMixer([], 0.2, 1), /replay set is empty/);
  assert.throws(() => new ReplayMixer(pool, 1, 1), /fraction must be in \[0, 1\)/);
});
