// Wilson score interval against Newcombe (1998, Stat Med 17:857-872, Table II, method 3) worked examples.
import { test } from "node:test";
import assert from "node:assert/strict";
import { wilsonInterval } from "../../../src/eval/stats/wilson.ts";

test("Newcombe (1998) examples: 81/263, 15/148, 0/20, 1/29", () => {
  const cases: Array<[number, number, string, string]> = [[81, 263, "0.2553", "0.3662"], [15, 148, "0.0624", "0.1605"], [0, 20, "0.0000", "0.1611"], [1, 29, "0.0061", "0.1718"]];
  for (const [k, n, lo, hi] of cases) {
    const w = wilsonInterval(k, n);
    assert.equal(w.lo.toFixed(4), lo, `${k}/${n} lower`);
    assert.equal(w.hi.toFixed(4), hi, `${k}/${n} upper`);
    assert.equal(w.estimate, k / n);
  }
});

test("the interval stays in [0, 1], is symmetric in k <-> n-k, and widens with confidence", () => {
  assert.equal(wilsonInterval(20, 20).hi, 1);
  const a = wilsonInterval(3, 10);
  const b = wilsonInterval(7, 10);
  assert.ok(Math.abs(a.lo - (1 - b.hi)) < 1e-15 && Math.abs(a.hi - (1 - b.lo)) < 1e-15);
  const w99 = wilsonInterval(3, 10, 0.99);
  assert.ok(w99.lo < a.lo && w99.hi > a.hi);
  assert.throws(() => wilsonInterval(0, 0), /n > 0/);
  assert.throws(() => wilsonInterval(5, 4), /successes <= n/);
});
