// The stratified splitter: exact global proportions, per-stratum proportions, determinism from the seed, and
// independence from input order.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../src/core/index.ts";
import { StratifiedSplitter, stratumOf, type QAItem } from "../../src/data/index.ts";

function run(items: Array<[string, string]>, seed = 1, f = { train: 0.8, validation: 0.1, test: 0.1 }): Map<string, number> {
  const s = new StratifiedSplitter(f, seed);
  for (const [stratum, id] of items) s.add(stratum, id);
  const a = s.assign();
  return new Map(items.map(([, id], i) => [id, a[i]]));
}

function makeItems(n: number, strata: number, rng: Rng): Array<[string, string]> {
  return Array.from({ length: n }, (_, i) => [`s${rng.int(strata)}`, `id-${i}`] as [string, string]);
}

test("global split sizes match the fractions to within one item", () => {
  const items = makeItems(1003, 7, new Rng(3));
  const m = run(items);
  const counts = [0, 0, 0];
  for (const v of m.values()) counts[v]++;
  assert.ok(Math.abs(counts[0] - 0.8 * 1003) <= 1, `train ${counts[0]}`);
  assert.ok(Math.abs(counts[1] - 0.1 * 1003) <= 1, `validation ${counts[1]}`);
  assert.ok(Math.abs(counts[2] - 0.1 * 1003) <= 1, `test ${counts[2]}`);
});

test("every stratum is split in proportion (within 2 items)", () => {
  const items = makeItems(5000, 12, new Rng(5));
  const m = run(items, 9);
  const per = new Map<string, number[]>();
  for (const [stratum, id] of items) {
    const c = per.get(stratum) ?? [0, 0, 0];
    c[m.get(id)!]++;
    per.set(stratum, c);
  }
  for (const [stratum, c] of per) {
    const n = c[0] + c[1] + c[2];
    assert.ok(Math.abs(c[0] - 0.8 * n) <= 2 && Math.abs(c[1] - 0.1 * n) <= 2 && Math.abs(c[2] - 0.1 * n) <= 2, `${stratum}: ${c} of ${n}`);
  }
});

test("small strata are spread, not all dumped into train", () => {
  // 30 strata of 4 items with equal thirds: every split gets items from many strata.
  const items: Array<[string, string]> = [];
  for (let s = 0; s < 30; s++) for (let j = 0; j < 4; j++) items.push([`s${s}`, `x${s}-${j}`]);
  const m = run(items, 1, { train: 1 / 3, validation: 1 / 3, test: 1 / 3 });
  const counts = [0, 0, 0];
  for (const v of m.values()) counts[v]++;
  assert.deepEqual(counts, [40, 40, 40]);
});

test("the assignment depends on ids and seed, not on input order", () => {
  const items = makeItems(500, 5, new Rng(11));
  const a = run(items, 42);
  const shuffled = new Rng(99).shuffle([...items]);
  const b = run(shuffled, 42);
  for (const [id, v] of a) assert.equal(b.get(id), v, id);
  const c = run(items, 43);
  let differ = 0;
  for (const [id, v] of a) if (c.get(id) !== v) differ++;
  assert.ok(differ > 50, `another seed should move many items, moved ${differ}`);
});

test("fractions must sum to 1", () => {
  assert.throws(() => new StratifiedSplitter({ train: 0.8, validation: 0.1, test: 0.2 }, 1), /sum to 1/);
});

test("stratum keys use source, subject and answer label", () => {
  const item: QAItem = { id: "x", source: "medqa", kind: "mcq", question: "q", options: [{ label: "A", text: "a" }, { label: "B", text: "b" }], answer: "B", subject: "step1", metadata: {} };
  assert.equal(stratumOf(item, ["source", "subject", "label"]), "medqa\u0001step1\u0001B");
  assert.equal(stratumOf({ ...item, kind: "open", answer: "long text" }, ["label"]), "open");
});
