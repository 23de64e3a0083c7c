// The streaming stratified splitter (stratified block randomization): proportions overall and per stratum,
// small strata spread, determinism from the seed, and independence from how strata interleave.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../src/core/index.ts";
import { StratifiedSplitter, stratumOf, splitBlock, type QAItem } from "../../src/data/index.ts";

function run(items: Array<[string, string]>, seed = 1, f = { train: 0.8, validation: 0.1, test: 0.1 }): Map<string, number> {
  const s = new StratifiedSplitter(f, seed);
  return new Map(items.map(([stratum, id]) => [id, s.assign(stratum)]));
}

function makeItems(n: number, strata: number, rng: Rng): Array<[string, string]> {
  return Array.from({ length: n }, (_, i) => [`s${rng.int(strata)}`, `id-${i}`] as [string, string]);
}

test("blocks match the fractions exactly when they can, by largest remainder otherwise", () => {
  assert.deepEqual([...splitBlock([0.8, 0.1, 0.1])].sort(), [0, 0, 0, 0, 0, 0, 0, 0, 1, 2]);
  assert.deepEqual([...splitBlock([0.5, 0.25, 0.25])], [0, 0, 1, 2]);
  assert.deepEqual([...splitBlock([1 / 3, 1 / 3, 1 / 3])], [0, 1, 2]);
  const odd = splitBlock([0.1234, 0.4556, 0.421]);
  assert.equal(odd.length, 100);
  assert.deepEqual([0, 1, 2].map((s) => odd.filter((x) => x === s).length), [12, 46, 42]);
});

test("every stratum is split in proportion: exact at each full block, within one block otherwise", () => {
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
    const full = Math.floor(n / 10);
    assert.ok(c[1] >= full && c[1] <= full + 1 && c[2] >= full && c[2] <= full + 1, `${stratum}: ${c} of ${n}`);
  }
});

test("small strata are spread at random, not all dumped into train", () => {
  // 300 strata of 2 items: about 20% of items land outside train.
  const items: Array<[string, string]> = [];
  for (let s = 0; s < 300; s++) for (let j = 0; j < 2; j++) items.push([`s${s}`, `x${s}-${j}`]);
  const m = run(items, 1);
  const outside = [...m.values()].filter((v) => v !== 0).length;
  assert.ok(outside > 80 && outside < 160, `${outside} of 600 outside train`);
});

test("the same seed gives the same split; interleaving strata differently does not change it; another seed does", () => {
  const items = makeItems(500, 5, new Rng(11));
  const a = run(items, 42);
  // Reorder across strata while keeping each stratum's own order.
  const byStratum = new Map<string, Array<[string, string]>>();
  for (const it of items) byStratum.set(it[0], [...(byStratum.get(it[0]) ?? []), it]);
  const regrouped = [...byStratum.values()].reverse().flat();
  const b = run(regrouped, 42);
  for (const [id, v] of a) assert.equal(b.get(id), v, id);
  const c = run(items, 43);
  let differ = 0;
  for (const [id, v] of a) if (c.get(id) !== v) differ++;
  assert.ok(differ > 30, `another seed should move many items, moved ${differ}`);
});

test("fractions must sum to 1", () => {
  assert.throws(() => new StratifiedSplitter({ train: 0.8, validation: 0.1, test: 0.2 }, 1), /sum to 1/);
});

test("stratum keys use source, subject and answer label", () => {
  const item: QAItem = { id: "x", source: "medqa", kind: "mcq", question: "q", options: [{ label: "A", text: "a" }, { label: "B", text: "b" }], answer: "B", subject: "step1", metadata: {} };
  assert.equal(stratumOf(item, ["source", "subject", "label"]), "medqa\u0001step1\u0001B");
  assert.equal(stratumOf({ ...item, kind: "open", answer: "long text" }, ["label"]), "open");
});
