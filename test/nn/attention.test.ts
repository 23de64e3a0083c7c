// Grouped-query attention: forward against a plain loop (repeat_kv, causal, padding and window masks, KV-cache
// offsets), backward (q, k, v) against float64 finite differences, for GQA 6/2 and 4/2, MHA, T=1, odd sizes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../src/core/index.ts";
import { attentionBackward, attentionForward, attentionScratchSize, type AttentionDims } from "../../src/nn/index.ts";
import { tsKernels } from "../../src/tensor/index.ts";
import { assertGrad, dot, gradCheck, maxAbsDiff, randn } from "./grad-check.ts";

function plainAttention(q: Float64Array, k: Float64Array, v: Float64Array, mask: number[] | null, d: AttentionDims): Float64Array {
  const { B, Tq, Tk, H, Hkv, D, qStart, kStride, window } = d;
  const out = new Float64Array(B * Tq * H * D);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const g = Math.floor(h / (H / Hkv));
      for (let i = 0; i < Tq; i++) {
        const keys: number[] = [];
        for (let j = 0; j < Tk; j++) {
          const visible = j <= qStart + i && (window === 0 || j > qStart + i - window) && (mask === null || mask[b * kStride + j] === 1);
          if (visible) keys.push(j);
        }
        if (keys.length === 0) continue;
        const sc = keys.map((j) => {
          let s = 0;
          for (let e = 0; e < D; e++) s += q[((b * Tq + i) * H + h) * D + e] * k[((b * kStride + j) * Hkv + g) * D + e];
          return s / Math.sqrt(D);
        });
        const mx = Math.max(...sc);
        const ex = sc.map((s) => Math.exp(s - mx));
        const z = ex.reduce((a, c) => a + c, 0);
        for (let e = 0; e < D; e++) {
          let o = 0;
          keys.forEach((j, r) => { o += (ex[r] / z) * v[((b * kStride + j) * Hkv + g) * D + e]; });
          out[((b * Tq + i) * H + h) * D + e] = o;
        }
      }
    }
  }
  return out;
}

const cases: { name: string; d: AttentionDims; mask: number[] | null }[] = [
  { name: "GQA H=6/Hkv=2, B=2, T=5, left padding", d: { B: 2, Tq: 5, Tk: 5, H: 6, Hkv: 2, D: 4, qStart: 0, kStride: 5, window: 0 }, mask: [1, 1, 1, 1, 1, 0, 0, 1, 1, 1] },
  { name: "GQA H=4/Hkv=2, T=1", d: { B: 1, Tq: 1, Tk: 1, H: 4, Hkv: 2, D: 2, qStart: 0, kStride: 1, window: 0 }, mask: null },
  { name: "MHA H=Hkv=3, odd D=3, T=7, right padding, window 3", d: { B: 1, Tq: 7, Tk: 7, H: 3, Hkv: 3, D: 3, qStart: 0, kStride: 7, window: 3 }, mask: [1, 1, 1, 1, 1, 0, 0] },
  { name: "KV-cache shape: 2 new queries after 4 cached keys, stride 8", d: { B: 2, Tq: 2, Tk: 6, H: 4, Hkv: 2, D: 4, qStart: 4, kStride: 8, window: 0 }, mask: [1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0] },
  { name: "several 64-row query blocks: T=150, window 70 crossing blocks, padding", d: { B: 1, Tq: 150, Tk: 150, H: 2, Hkv: 1, D: 2, qStart: 0, kStride: 150, window: 70 },
    mask: Array.from({ length: 150 }, (_, j) => (j % 37 === 5 ? 0 : 1)) },
  { name: "KV-cache shape with blocks: 70 new queries after 30 cached keys", d: { B: 1, Tq: 70, Tk: 100, H: 2, Hkv: 2, D: 2, qStart: 30, kStride: 128, window: 0 }, mask: null },
];

for (const c of cases) {
  test(`attention forward matches a plain loop and backward matches finite differences (${c.name})`, () => {
    const d = c.d;
    const rng = new Rng(d.H * 100 + d.Tq);
    const q = randn(rng, d.B * d.Tq * d.H * d.D);
    const k = randn(rng, d.B * d.kStride * d.Hkv * d.D);
    const v = randn(rng, d.B * d.kStride * d.Hkv * d.D);
    const R = randn(rng, q.length);
    const out = new Float64Array(q.length);
    const lse = new Float64Array(d.B * d.H * d.Tq);
    const s = new Float64Array(attentionScratchSize(d.Tq, d.Tk));
    const dp = new Float64Array(attentionScratchSize(d.Tq, d.Tk));
    attentionForward(out, lse, q, k, v, c.mask, d, s, tsKernels);
    const ref = plainAttention(q, k, v, c.mask, d);
    const diff = maxAbsDiff(out, ref);
    assert.ok(diff < 1e-12, `forward max diff ${diff}`);
    const loss = (): number => {
      attentionForward(out, lse, q, k, v, c.mask, d, s, tsKernels);
      return dot(out, R);
    };
    loss();
    const dq = new Float64Array(q.length);
    const dk = new Float64Array(k.length);
    const dv = new Float64Array(v.length);
    attentionBackward(dq, dk, dv, R, q, k, v, lse, c.mask, d, s, dp, tsKernels);
    const count = q.length > 200 ? 60 : undefined; // large cases: a random subset of coordinates
    assertGrad("dq", gradCheck(loss, q, dq, { count }));
    assertGrad("dk", gradCheck(loss, k, dk, { count }));
    assertGrad("dv", gradCheck(loss, v, dv, { count }));
  });
}

test("a query with no visible key gets a zero output and passes no gradient", () => {
  const d: AttentionDims = { B: 1, Tq: 3, Tk: 3, H: 2, Hkv: 1, D: 2, qStart: 0, kStride: 3, window: 0 };
  const rng = new Rng(5);
  const q = randn(rng, 12), k = randn(rng, 6), v = randn(rng, 6);
  const out = new Float64Array(12), lse = new Float64Array(6), s = new Float64Array(9), dp = new Float64Array(9);
  attentionForward(out, lse, q, k, v, [0, 1, 1], d, s, tsKernels);
  assert.deepEqual(Array.from(out.subarray(0, 4)), [0, 0, 0, 0]);
  const dq = new Float64Array(12), dk = new Float64Array(6), dv = new Float64Array(6);
  attentionBackward(dq, dk, dv, new Float64Array(12).fill(1), q, k, v, lse, [0, 1, 1], d, s, dp, tsKernels);
  assert.deepEqual(Array.from(dq.subarray(0, 4)), [0, 0, 0, 0]);
  assert.deepEqual(Array.from(dk.subarray(0, 2)), [0, 0], "a padding key gets no gradient");
  assert.deepEqual(Array.from(dv.subarray(0, 2)), [0, 0]);
});
