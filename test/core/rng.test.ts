// The seeded RNG: reproducible streams, state save/restore, uniform range and normal moments.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../src/core/index.ts";

test("the same seed gives the same stream; state restores it", () => {
  const a = new Rng(42);
  const b = new Rng(42);
  for (let i = 0; i < 100; i++) assert.equal(a.next(), b.next());
  const st = a.state();
  const x = [a.next(), a.normal(), a.nextU32()];
  b.setState(st);
  assert.deepEqual([b.next(), b.normal(), b.nextU32()], x);
  assert.notEqual(new Rng(43).next(), new Rng(42).next());
});

test("uniform in [0,1) with mean 1/2; normal with mean 0 and variance 1", () => {
  const r = new Rng(7);
  let s = 0, s1 = 0, s2 = 0;
  const n = 200_000;
  for (let i = 0; i < n; i++) {
    const u = r.next();
    assert.ok(u >= 0 && u < 1);
    s += u;
    const z = r.normal();
    s1 += z;
    s2 += z * z;
  }
  assert.ok(Math.abs(s / n - 0.5) < 0.005);
  assert.ok(Math.abs(s1 / n) < 0.01);
  assert.ok(Math.abs(s2 / n - 1) < 0.02);
});
