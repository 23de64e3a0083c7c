// LoRA: LoraLinear's backward (x, A, B; with and without dropout, with bias) against finite differences, PEFT's
// initialisation, and the invariants: B = 0 gives the base output exactly, merged equals unmerged, the
// trainable count equals Σ R·(in + out), the formats round trip, and clear errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../src/core/index.ts";
import { LoraLinear, linearForward, resolveLoraTargets, type LoraScratch } from "../../src/nn/index.ts";
import { tsKernels } from "../../src/tensor/index.ts";
import { assertGrad, dot, gradCheck, maxAbsDiff, randn } from "./grad-check.ts";
import { randomIds, tinyConfig, tinyModel } from "./tiny-model.ts";

for (const [dropout, bias] of [[0, false], [0.4, true]] as const) {
  test(`LoraLinear backward matches finite differences (dropout ${dropout}, bias ${bias})`, () => {
    const N = 5, inF = 7, outF = 4, R = 3;
    const rng = new Rng(1);
    const base = { inF, outF, weight: randn(rng, outF * inF), bias: bias ? randn(rng, outF) : null };
    const A = randn(rng, R * inF), B = randn(rng, outF * R);
    const x = randn(rng, N * inF), dout = randn(rng, N * outF);
    const sc: LoraScratch = { dxa: new Float64Array(N * R), drop: new Float64Array(N * inF), dropGrad: new Float64Array(N * inF) };
    const out = new Float64Array(N * outF);
    // a fresh LoraLinear with the same seed draws the same dropout mask on every evaluation
    const make = (dA = new Float64Array(R * inF), dB = new Float64Array(outF * R)): LoraLinear =>
      LoraLinear.fromBase(base, { rank: R, alpha: 6, dropout, seed: 42, init: false, A, B, dA, dB });
    const loss = (): number => {
      linearForward(out, x, base.weight, base.bias, N, inF, outF, tsKernels);
      make().forward(out, x, N, tsKernels, sc, true);
      return dot(out, dout);
    };
    const dA = new Float64Array(R * inF), dB = new Float64Array(outF * R), dx = new Float64Array(N * inF);
    const ll = make(dA, dB);
    linearForward(out, x, base.weight, base.bias, N, inF, outF, tsKernels);
    ll.forward(out, x, N, tsKernels, sc, true);
    ll.backward(dx, dout, x, N, tsKernels, sc);
    // the base path's dx (dout·W) is the linear op's job; add it to compare against the whole layer
    tsKernels.gemm(false, false, N, inF, outF, 1, dout, outF, base.weight, inF, 1, dx, inF);
    assertGrad("dA", gradCheck(loss, A, dA));
    assertGrad("dB", gradCheck(loss, B, dB));
    assertGrad("dx", gradCheck(loss, x, dx));
    assert.equal(ll.scale, 2);
  });
}

test("LoRA init follows PEFT: A ~ U(−1/sqrt(in), 1/sqrt(in)), B = 0, seeded", () => {
  const base = { inF: 64, outF: 32, weight: new Float32Array(64 * 32), bias: null };
  const a = LoraLinear.fromBase(base, { rank: 8, alpha: 16, seed: 3 });
  const b = LoraLinear.fromBase(base, { rank: 8, alpha: 16, seed: 3 });
  const bound = 1 / Math.sqrt(64);
  let mx = 0;
  for (const v of a.A) mx = Math.max(mx, Math.abs(v));
  assert.ok(mx <= bound && mx > 0.95 * bound, `max |A| ${mx} vs bound ${bound}`);
  assert.ok(a.B.every((v) => v === 0));
  assert.deepEqual(Array.from(a.A), Array.from(b.A));
  assert.equal(LoraLinear.fromBase(base, { rank: 4, alpha: 8, rsLora: true }).scale, 4);
  assert.throws(() => LoraLinear.fromBase(base, { rank: 0, alpha: 1 }), /rank must be a positive integer/);
  assert.throws(() => LoraLinear.fromBase(base, { rank: 2, alpha: 1, dropout: 1 }), /dropout must be in \[0, 1\)/);
});

test("with B = 0 the adapted model gives the base model's logits exactly (float32)", () => {
  const config = tinyConfig({ arch: "qwen2", attentionBias: true });
  const m = tinyModel(config, 3, "float32", 0.2);
  const ids = randomIds(2, 7, config.vocabSize);
  const base = m.logits(ids);
  m.attachLora({ rank: 4, alpha: 8, seed: 1 });
  assert.deepEqual(Array.from(m.logits(ids)), Array.from(base));
});

test("a merged adapter gives the unmerged adapter's logits (within float32 rounding)", () => {
  const config = tinyConfig();
  const m = tinyModel(config, 4, "float32", 0.2);
  const lora = m.attachLora({ rank: 3, alpha: 5, targets: ["q", "v", "down", "gate"], seed: 2 });
  const rng = new Rng(9);
  for (let i = 0; i < lora.params.data.length; i++) lora.params.data[i] = 0.2 * rng.normal();
  const ids = randomIds(2, 6, config.vocabSize);
  const unmerged = m.logits(ids);
  const q0 = Float32Array.from(m.params.get("model.layers.0.self_attn.q_proj.weight"));
  m.mergeLora();
  assert.equal(m.lora, null);
  const merged = m.logits(ids);
  let maxRel = 0;
  for (let i = 0; i < merged.length; i++) maxRel = Math.max(maxRel, Math.abs(merged[i] - unmerged[i]) / Math.max(1, Math.abs(unmerged[i])));
  assert.ok(maxRel < 1e-5, `max relative difference ${maxRel}`);
  assert.ok(maxAbsDiff(q0, m.params.get("model.layers.0.self_attn.q_proj.weight")) > 1e-3, "the base weight changed");
  assert.throws(() => m.mergeLora(), /no LoRA adapter to merge/);
});

test("merge is exact: W' = W + (alpha/R)·B·A computed in float64", () => {
  const m = tinyModel(tinyConfig(), 5, "float64");
  const lora = m.attachLora({ rank: 2, alpha: 3, targets: ["o"], layers: [1], seed: 2 });
  const rng = new Rng(1);
  for (let i = 0; i < lora.params.data.length; i++) lora.params.data[i] = rng.normal();
  const W = Float64Array.from(m.params.get("model.layers.1.self_attn.o_proj.weight"));
  const A = lora.params.get("base_model.model.model.layers.1.self_attn.o_proj.lora_A.weight"); // (2, 16)
  const B = lora.params.get("base_model.model.model.layers.1.self_attn.o_proj.lora_B.weight"); // (10, 2)
  const expect = W.map((w, idx) => {
    const o = Math.floor(idx / 16), i = idx % 16;
    return w + 1.5 * (B[o * 2] * A[i] + B[o * 2 + 1] * A[16 + i]);
  });
  m.mergeLora();
  assert.ok(maxAbsDiff(expect, m.params.get("model.layers.1.self_attn.o_proj.weight")) < 1e-14);
});

test("the trainable parameter count equals Σ over targets of R·(in + out)", () => {
  const config = tinyConfig({ nLayers: 3 }); // C 10, F 14, H·D 16, Hkv·D 8
  const m = tinyModel(config, 1, "float32");
  const R = 4;
  const io: Record<string, [number, number]> = { q: [10, 16], k: [10, 8], v: [10, 8], o: [16, 10], gate: [10, 14], up: [10, 14], down: [14, 10] };
  for (const targets of [["q", "v"], ["q", "k", "v", "o", "gate", "up", "down"], ["down"]]) {
    const lora = m.attachLora({ rank: R, alpha: 8, targets });
    const expected = 3 * targets.reduce((s, t) => s + R * (io[t][0] + io[t][1]), 0);
    assert.equal(lora.numTrainable(), expected, targets.join(","));
    assert.equal(lora.modules.size, 3 * targets.length);
  }
  const two = m.attachLora({ rank: R, alpha: 8, targets: ["q"], layers: [0, 2] });
  assert.equal(two.numTrainable(), 2 * R * 26);
  assert.deepEqual([...two.modules.keys()], ["model.layers.0.self_attn.q_proj", "model.layers.2.self_attn.q_proj"]);
  assert.ok(two.params.has("base_model.model.model.layers.2.self_attn.q_proj.lora_A.weight"));
});

test("target names: short, _proj, all-linear; unknown targets and layers fail clearly", () => {
  assert.deepEqual(resolveLoraTargets(["v_proj", "q"]), ["q_proj", "v_proj"]);
  assert.equal(resolveLoraTargets(["all-linear"]).length, 7);
  assert.equal(resolveLoraTargets(undefined).length, 7);
  assert.throws(() => resolveLoraTargets(["lm_head"]), /unknown LoRA target module "lm_head"/);
  const m = tinyModel(tinyConfig(), 1, "float32");
  assert.throws(() => m.attachLora({ rank: 2, alpha: 4, layers: [5] }), /layer index 5 is outside 0..1/);
});

test("an adapter exported with toAdapter loads back into another model with the same outputs", () => {
  const config = tinyConfig({ tieWordEmbeddings: true });
  const a = tinyModel(config, 8, "float32", 0.2);
  const b = tinyModel(config, 8, "float32", 0.2);
  const lora = a.attachLora({ rank: 2, alpha: 4, targets: ["k", "up"], seed: 5 });
  const rng = new Rng(3);
  for (let i = 0; i < lora.params.data.length; i++) lora.params.data[i] = 0.3 * rng.normal();
  const adapter = lora.toAdapter();
  assert.deepEqual(adapter.config, { r: 2, alpha: 4, dropout: 0, targetModules: ["k_proj", "up_proj"], bias: "none", useRslora: false });
  b.loadLora(adapter);
  const ids = randomIds(1, 5, config.vocabSize);
  assert.deepEqual(Array.from(b.logits(ids)), Array.from(a.logits(ids)));
  const bad = { config: adapter.config, tensors: new Map(adapter.tensors) };
  bad.tensors.set("model.embed_tokens", adapter.tensors.get("model.layers.0.self_attn.k_proj")!);
  assert.throws(() => b.loadLora(bad), /model\.embed_tokens is not a q\/k\/v\/o\/gate\/up\/down projection/);
  const wrong = { config: adapter.config, tensors: new Map([["model.layers.0.mlp.up_proj", { A: { shape: [2, 9], data: new Float32Array(18) }, B: { shape: [14, 2], data: new Float32Array(28) } }]]) };
  assert.throws(() => b.loadLora(wrong), /LoRA A of model\.layers\.0\.mlp\.up_proj has shape \[2,9\], expected \[2,10\]/);
});

test("LoRA dropout is active only in training mode and reproducible from the seed", () => {
  const config = tinyConfig();
  const make = () => {
    const m = tinyModel(config, 2, "float64");
    const l = m.attachLora({ rank: 2, alpha: 4, dropout: 0.5, seed: 11 });
    const rng = new Rng(6);
    for (let i = 0; i < l.params.data.length; i++) l.params.data[i] = 0.3 * rng.normal();
    return m;
  };
  const ids = randomIds(1, 6, config.vocabSize);
  const labels = ids;
  const m1 = make(), m2 = make();
  const evalLoss = m1.forward(ids, { labels })!;
  assert.equal(m1.forward(ids, { labels }), evalLoss, "eval mode: deterministic, no dropout");
  m1.training = true;
  m2.training = true;
  const t1 = m1.forward(ids, { labels })!;
  assert.notEqual(t1, evalLoss);
  assert.equal(m2.forward(ids, { labels }), t1, "same seed, same masks");
  assert.notEqual(m1.forward(ids, { labels }), t1, "a new mask each step");
});
