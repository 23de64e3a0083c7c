// FlatParams: named, aligned views into one flat buffer (what optimizers and EWC treat as one vector).
import { test } from "node:test";
import assert from "node:assert/strict";
import { FlatParams } from "../../src/nn/index.ts";

test("tensors are aligned views of one buffer; like() copies the layout zeroed", () => {
  const p = new FlatParams([{ name: "a", shape: [3, 5] }, { name: "b", shape: [7] }, { name: "c", shape: [2, 2, 2] }], "float32");
  const [a, b, c] = p.entries();
  assert.deepEqual([a.offset, b.offset, c.offset], [0, 16, 32]);
  assert.equal(p.count(), 15 + 7 + 8);
  assert.equal(p.data.length, 48);
  p.get("b")[2] = 4;
  assert.equal(p.data[18], 4);
  assert.equal(p.get("b").length, 7);
  assert.deepEqual(p.shape("c"), [2, 2, 2]);
  const g = p.like();
  assert.ok(g.data instanceof Float32Array && g.data.length === 48 && g.data.every((x) => x === 0));
  assert.deepEqual(g.names(), ["a", "b", "c"]);
  p.zero();
  assert.ok(p.data.every((x) => x === 0));
  assert.ok(new FlatParams([{ name: "x", shape: [1] }], "float64").data instanceof Float64Array);
  assert.throws(() => p.get("d"), /no parameter named d/);
  assert.throws(() => new FlatParams([{ name: "a", shape: [1] }, { name: "a", shape: [2] }], "float32"), /duplicate parameter name a/);
});
