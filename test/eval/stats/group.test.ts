// Per-group results: Wilson intervals for correct/incorrect outcomes, seeded bootstrap for scores, one method for
// all rows, per-group seeds that do not depend on the other groups, small groups flagged.
import { test } from "node:test";
import assert from "node:assert/strict";
import { groupResults, OVERALL_GROUP } from "../../../src/eval/stats/group.ts";
import { wilsonInterval } from "../../../src/eval/stats/wilson.ts";

test("binary outcomes: a Wilson interval per subject and overall, groups sorted by name", () => {
  const groups = ["surgery", "cardiology", "surgery", "cardiology", "cardiology", "surgery", "surgery"];
  const values = [1, 1, 0, 1, 0, 1, 1];
  const r = groupResults(groups, values);
  assert.deepEqual(r.groups.map((g) => [g.group, g.n, g.mean]), [["cardiology", 3, 2 / 3], ["surgery", 4, 3 / 4]]);
  const w = wilsonInterval(3, 4);
  assert.deepEqual([r.groups[1].lo, r.groups[1].hi, r.groups[1].method], [w.lo, w.hi, "wilson"]);
  assert.equal(r.overall.group, OVERALL_GROUP);
  assert.equal(r.overall.n, 7);
  assert.ok(r.groups.every((g) => g.isSmall));
  assert.equal(groupResults(groups, values, { minN: 3 }).groups[0].isSmall, false);
});

test("scores use the bootstrap with a per-group seed; adding a group leaves the others unchanged", () => {
  const base = { g: ["a", "a", "a", "b", "b", "b"], v: [0.2, 0.9, 0.5, 1, 0.4, 0.7] };
  const r1 = groupResults(base.g, base.v, { seed: 7, nResamples: 300 });
  assert.equal(r1.groups[0].method, "bootstrap");
  assert.equal(r1.groups[0].seed, "7/a");
  const r2 = groupResults([...base.g, "c", "c"], [...base.v, 0.1, 0.3], { seed: 7, nResamples: 300 });
  assert.deepEqual(r2.groups[0], r1.groups[0]);
  assert.deepEqual(r2.groups[1], r1.groups[1]);
  // A group of scores that happen to be 0/1 still gets the same kind of interval as its neighbours.
  const r3 = groupResults(["x", "x", "y", "y"], [1, 0, 0.5, 0.25], { nResamples: 200 });
  assert.deepEqual(r3.groups.map((g) => g.method), ["bootstrap", "bootstrap"]);
});

test("mismatched input is refused", () => {
  assert.throws(() => groupResults(["a"], [1, 0]), /1 group labels for 2 values/);
  assert.throws(() => groupResults([], []), /no items/);
  assert.throws(() => groupResults(["a", "a"], [0.5, 1], { interval: "wilson" }), /values other than 0\/1/);
  assert.throws(() => groupResults(["a"], [NaN]), /value 0 \(group "a"\) is NaN/);
});
