// RoPE: forward against HF apply_rotary_pos_emb written with cat/rotate_half, arbitrary positions (KV-cache
// offsets), inv_freq with and without Llama 3 scaling (each frequency band), backward against finite differences.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../src/core/index.ts";
import { RopeTable, ropeBackward, ropeForward, ropeInvFreq } from "../../src/nn/index.ts";
import { assertGrad, dot, gradCheck, maxAbsDiff, randn } from "./grad-check.ts";

/** q·cos + rotate_half(q)·sin with emb = cat(freqs, freqs), as HF writes it, for one head vector. */
function hfRope(x: number[], pos: number, inv: Float64Array): number[] {
  const D = x.length;
  const freqs = Array.from(inv, (f) => pos * f);
  const emb = [...freqs, ...freqs];
  const rot = [...x.slice(D / 2).map((v) => -v), ...x.slice(0, D / 2)];
  return x.map((v, i) => v * Math.cos(emb[i]) + rot[i] * Math.sin(emb[i]));
}

test("ropeInvFreq without scaling is 1/theta^(2i/D)", () => {
  const inv = ropeInvFreq(8, 10000);
  assert.deepEqual(Array.from(inv), [0, 2, 4, 6].map((k) => 1 / Math.pow(10000, k / 8)));
});

test("llama3 rope scaling: high frequencies kept, low divided by factor, the middle band interpolated", () => {
  const scaling = { factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8192 };
  const D = 128, theta = 500000;
  const base = ropeInvFreq(D, theta);
  const scaled = ropeInvFreq(D, theta, scaling);
  const bands = { high: 0, low: 0, mid: 0 };
  for (let i = 0; i < D / 2; i++) {
    const wavelen = (2 * Math.PI) / base[i];
    if (wavelen < 8192 / 4) {
      assert.equal(scaled[i], base[i]);
      bands.high++;
    } else if (wavelen > 8192 / 1) {
      assert.ok(Math.abs(scaled[i] - base[i] / 8) < 1e-18);
      bands.low++;
    } else {
      const smooth = (8192 / wavelen - 1) / (4 - 1);
      assert.ok(smooth >= 0 && smooth <= 1);
      assert.ok(Math.abs(scaled[i] - ((1 - smooth) * base[i] / 8 + smooth * base[i])) < 1e-18);
      assert.ok(scaled[i] < base[i] && scaled[i] > base[i] / 8);
      bands.mid++;
    }
  }
  assert.ok(bands.high > 0 && bands.low > 0 && bands.mid > 0, `all three bands present: ${JSON.stringify(bands)}`);
});

for (const [N, nHeads, D, scaled] of [[1, 1, 2, false], [5, 3, 8, true], [4, 2, 6, false]] as const) {
  test(`rope forward matches HF rotate_half and backward matches finite differences (N=${N}, heads=${nHeads}, D=${D}${scaled ? ", llama3" : ""})`, () => {
    const rng = new Rng(N * 10 + D);
    const inv = ropeInvFreq(D, 10000, scaled ? { factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 16 } : undefined);
    const table = new RopeTable(inv);
    const pos = Array.from({ length: N }, (_, n) => (n * 37 + 3) % 101); // arbitrary, non-monotone positions
    table.ensure(Math.max(...pos) + 1);
    const x = randn(rng, N * nHeads * D);
    const out = new Float64Array(x.length);
    ropeForward(out, x, pos, table, N, nHeads, D);
    const ref: number[] = [];
    for (let n = 0; n < N; n++) for (let h = 0; h < nHeads; h++) ref.push(...hfRope(Array.from(x.subarray((n * nHeads + h) * D, (n * nHeads + h + 1) * D)), pos[n], inv));
    assert.ok(maxAbsDiff(out, ref) < 1e-12, `max diff ${maxAbsDiff(out, ref)}`);
    const inPlace = Float64Array.from(x);
    ropeForward(inPlace, inPlace, pos, table, N, nHeads, D);
    assert.ok(maxAbsDiff(inPlace, out) === 0, "in place gives the same result");
    const R = randn(rng, x.length);
    const dx = new Float64Array(x.length);
    ropeBackward(dx, R, pos, table, N, nHeads, D);
    assertGrad("dx", gradCheck(() => {
      ropeForward(out, x, pos, table, N, nHeads, D);
      return dot(out, R);
    }, x, dx));
  });
}

test("the rope table grows on demand and keeps earlier positions", () => {
  const t = new RopeTable(ropeInvFreq(4, 10000));
  t.ensure(10);
  const c5 = t.cos[5 * 2 + 1];
  t.ensure(1000);
  assert.ok(t.nPos >= 1000);
  assert.equal(t.cos[5 * 2 + 1], c5);
  assert.ok(Math.abs(t.sin[999 * 2 + 1] - Math.sin(999 / 100)) < 1e-12);
});
