// The whole decoder on tiny float64 models: backward against finite differences (weights of every kind, LoRA A
// and B), the fused forwardBackward, the KV cache against full forwards (incl. left padding), the parameter
// layout under HF names, tensor round trips and input errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ModelConfig } from "../../src/formats/index.ts";
import { IGNORE_INDEX, LlamaModel, llamaParamSpecs, logSoftmaxForward } from "../../src/nn/index.ts";
import { Rng } from "../../src/core/index.ts";
import { assertGrad, gradCheck, maxAbsDiff } from "./grad-check.ts";
import { randomIds, tinyConfig, tinyModel } from "./tiny-model.ts";

const variants: { name: string; config: ModelConfig }[] = [
  { name: "llama, untied, GQA 4/2", config: tinyConfig() },
  { name: "qwen2, q/k/v bias, tied embeddings", config: tinyConfig({ arch: "qwen2", attentionBias: true, tieWordEmbeddings: true, ropeTheta: 1e6 }) },
  { name: "llama3 rope scaling, tied, H=6/Hkv=2", config: tinyConfig({ nHeads: 6, nKvHeads: 2, headDim: 6, tieWordEmbeddings: true, ropeTheta: 500000,
    ropeScaling: { type: "llama3", factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 4 } }) },
];

function batch(V: number): { ids: number[][]; labels: number[][]; mask: number[][] } {
  const ids = randomIds(2, 6, V);
  const labels = ids.map((r) => [...r]);
  labels[0][0] = labels[0][1] = IGNORE_INDEX; // prompt positions
  labels[1][4] = labels[1][5] = IGNORE_INDEX; // right padding
  const mask = [[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0]];
  return { ids, labels, mask };
}

for (const v of variants) {
  test(`whole-model gradient matches finite differences in float64 (${v.name})`, () => {
    const m = tinyModel(v.config, 11);
    const { ids, labels, mask } = batch(v.config.vocabSize);
    const loss = (): number => m.forward(ids, { labels, attentionMask: mask })!;
    m.zeroGrad();
    loss();
    m.backward();
    let checked = 0;
    for (const e of m.params.entries()) {
      const r = gradCheck(loss, m.params.get(e.name), m.grads.get(e.name), { count: Math.min(3, e.size), seed: e.offset + 1, rtol: 1e-5, atol: 1e-9 });
      assertGrad(e.name, r);
      checked += r.checked;
    }
    assert.ok(checked >= 3 * 20, `checked ${checked} coordinates`);
    // embedding rows of tokens that never appear (and are never predicted) get no gradient when untied
    if (!v.config.tieWordEmbeddings) {
      const used = new Set(ids.flat());
      const g = m.grads.get("model.embed_tokens.weight");
      const C = v.config.hiddenSize;
      for (let t = 0; t < v.config.vocabSize; t++) if (!used.has(t)) for (let c = 0; c < C; c++) assert.equal(g[t * C + c], 0);
    }
  });
}

test("whole-model LoRA gradient (A and B on all seven projections) matches finite differences; base stays frozen", () => {
  const config = variants[1].config;
  const m = tinyModel(config, 5);
  const lora = m.attachLora({ rank: 2, alpha: 4, seed: 9 });
  const rng = new Rng(4);
  for (let i = 0; i < lora.params.data.length; i++) lora.params.data[i] += 0.3 * rng.normal(); // B ≠ 0 so A gets gradient
  const { ids, labels, mask } = batch(config.vocabSize);
  const loss = (): number => m.forward(ids, { labels, attentionMask: mask })!;
  const before = Float64Array.from(m.params.data);
  m.zeroGrad();
  loss();
  m.backward();
  for (const e of lora.params.entries()) {
    assertGrad(e.name, gradCheck(loss, lora.params.get(e.name), lora.grads.get(e.name), { count: 3, seed: e.offset + 5, rtol: 1e-5, atol: 1e-9 }));
  }
  assert.ok(maxAbsDiff(before, m.params.data) === 0, "base weights unchanged");
  assert.ok(m.grads.data.every((x) => x === 0), "no base gradient is computed while an adapter is attached");
});

test("forwardBackward gives the loss and gradients of forward + backward", () => {
  const config = variants[0].config;
  const a = tinyModel(config, 2);
  const { ids, labels, mask } = batch(config.vocabSize);
  a.zeroGrad();
  const l1 = a.forward(ids, { labels, attentionMask: mask })!;
  a.backward();
  const g1 = Float64Array.from(a.grads.data);
  a.zeroGrad();
  const l2 = a.forwardBackward(ids, { labels, attentionMask: mask });
  assert.ok(Math.abs(l1 - l2) < 1e-14);
  assert.ok(maxAbsDiff(g1, a.grads.data) < 1e-14);
  // backward accumulates: a second pass doubles the gradient
  a.forwardBackward(ids, { labels, attentionMask: mask });
  for (let i = 0; i < g1.length; i += 7) assert.ok(Math.abs(a.grads.data[i] - 2 * g1[i]) < 1e-12);
  // lossNormalizer rescales loss and gradient
  a.zeroGrad();
  const l3 = a.forwardBackward(ids, { labels, attentionMask: mask, lossNormalizer: 2 * a.lastTokenCount });
  assert.ok(Math.abs(l3 - l1 / 2) < 1e-14);
  for (let i = 0; i < g1.length; i += 7) assert.ok(Math.abs(a.grads.data[i] - g1[i] / 2) < 1e-12);
});

test("the loss equals the mean −log p of the scored tokens from full logits; noGrad gives the same loss", () => {
  const config = variants[2].config;
  const m = tinyModel(config, 3);
  const { ids, labels, mask } = batch(config.vocabSize);
  const V = config.vocabSize;
  const loss = m.forward(ids, { labels, attentionMask: mask })!;
  const lossNoGrad = m.forward(ids, { labels, attentionMask: mask, noGrad: true })!;
  assert.ok(Math.abs(loss - lossNoGrad) < 1e-14);
  const logits = m.logits(ids, { attentionMask: mask });
  logSoftmaxForward(logits, logits, 12, V);
  let sum = 0, n = 0;
  for (let b = 0; b < 2; b++) for (let t = 0; t < 5; t++) {
    const y = labels[b][t + 1];
    if (y === IGNORE_INDEX) continue;
    sum -= logits[(b * 6 + t) * V + y];
    n++;
  }
  assert.equal(m.lastTokenCount, n);
  assert.ok(Math.abs(loss - sum / n) < 1e-12);
  assert.throws(() => m.backward(), /backward\(\) needs a preceding forward/);
});

test("KV-cache decoding (prefill in two chunks, then single steps) reproduces full-forward logits", () => {
  for (const v of variants) {
    const m = tinyModel(v.config, 4);
    const V = v.config.vocabSize;
    const seq = randomIds(1, 9, V, 8)[0];
    const full = m.logits([seq]);
    const cache = m.createCache(1, 12);
    let out = m.prefill(cache, [seq.slice(0, 3)]);
    assert.ok(maxAbsDiff(out, full.subarray(2 * V, 3 * V)) < 1e-12, `${v.name}: prefill`);
    out = m.prefill(cache, [seq.slice(3, 5)]);
    assert.ok(maxAbsDiff(out, full.subarray(4 * V, 5 * V)) < 1e-12, `${v.name}: second prefill chunk`);
    for (let t = 5; t < 9; t++) {
      out = m.decodeStep(cache, [seq[t]]);
      assert.ok(maxAbsDiff(out, full.subarray(t * V, (t + 1) * V)) < 1e-12, `${v.name}: decode step ${t}`);
    }
    assert.throws(() => m.prefill(cache, [[1, 2, 3, 4]]), /KV cache holds 12 tokens/);
  }
});

test("batched decoding with left padding matches per-sequence decoding (HF positions = cumsum(mask) − 1)", () => {
  const config = variants[0].config;
  const m = tinyModel(config, 6);
  const V = config.vocabSize;
  const a = [1, 5, 7, 3], b = [1, 9];
  const cache = m.createCache(2, 8);
  const out = Float64Array.from(m.prefill(cache, [a, [0, 0, ...b]], { attentionMask: [[1, 1, 1, 1], [0, 0, 1, 1]] }));
  const nextA = Float64Array.from(m.decodeStep(cache, [4, 6]));
  for (const [seq, row, next] of [[a, 0, 4], [b, 1, 6]] as const) {
    const full = m.logits([[...seq, next]]);
    const T = seq.length;
    assert.ok(maxAbsDiff(out.subarray(row * V, row * V + V), full.subarray((T - 1) * V, T * V)) < 1e-12, `row ${row} prefill`);
    assert.ok(maxAbsDiff(nextA.subarray(row * V, row * V + V), full.subarray(T * V, (T + 1) * V)) < 1e-12, `row ${row} decode`);
  }
});

test("parameters live in one flat buffer under HF names; fromTensors/toTensors round-trip", () => {
  const config = tinyConfig({ arch: "qwen2", attentionBias: true });
  const m = tinyModel(config, 7, "float32");
  const C = 10, F = 14, V = 13, HD = 16, KD = 8;
  const perLayer = C + HD * C + HD + 2 * (KD * C + KD) + C * HD + C + 2 * F * C + C * F;
  assert.equal(m.params.count(), V * C + 2 * perLayer + C + V * C);
  assert.deepEqual(m.params.shape("model.layers.1.self_attn.k_proj.weight"), [KD, C]);
  const q = m.params.get("model.layers.0.self_attn.q_proj.weight");
  assert.equal(q.buffer, m.params.data.buffer, "a view, not a copy");
  assert.deepEqual(m.params.names(), llamaParamSpecs(config).map((s) => s.name));
  const back = LlamaModel.fromTensors(config, m.toTensors(), { dtype: "float32" });
  const ids = randomIds(1, 4, V);
  assert.deepEqual(Array.from(back.logits(ids)), Array.from(m.logits(ids)));
});

test("fromTensors names the missing, misshapen or unexpected tensor", () => {
  const config = tinyConfig({ tieWordEmbeddings: true });
  const t = tinyModel(config, 1, "float32").toTensors();
  assert.ok(!t.has("lm_head.weight"), "a tied head is not saved");
  const withHead = new Map(t);
  withHead.set("lm_head.weight", t.get("model.embed_tokens.weight")!);
  withHead.set("model.layers.0.self_attn.rotary_emb.inv_freq", { shape: [2], data: new Float32Array(2) });
  LlamaModel.fromTensors(config, withHead); // tolerated: HF sometimes saves both
  const missing = new Map(t);
  missing.delete("model.layers.1.mlp.up_proj.weight");
  assert.throws(() => LlamaModel.fromTensors(config, missing), /model\.layers\.1\.mlp\.up_proj\.weight/);
  const bad = new Map(t);
  bad.set("model.norm.weight", { shape: [9], data: new Float32Array(9) });
  assert.throws(() => LlamaModel.fromTensors(config, bad), /model\.norm\.weight has shape \[9\], the config implies \[10\]/);
  const extra = new Map(t);
  extra.set("model.layers.0.mlp.up_proj.bias", { shape: [14], data: new Float32Array(14) });
  assert.throws(() => LlamaModel.fromTensors(config, extra), /up_proj\.bias has no place/);
  assert.throws(() => LlamaModel.fromTensors({ ...config, nKvHeads: 3 }, t), /not a multiple of num_key_value_heads/);
});

test("bad inputs fail with the row, position and allowed range", () => {
  const m = tinyModel(tinyConfig(), 1, "float32");
  assert.throws(() => m.forward([[1, 2, 13]]), /input_ids\[0\]\[2\] = 13: token ids must be integers in \[0, 13\)/);
  assert.throws(() => m.forward([[1, 2, 3], [1, 2]]), /row 1 has 2 tokens, row 0 has 3/);
  assert.throws(() => m.forward([[1, 2, 3]], { labels: [[1, -5, 3]] }), /labels\[0\]\[1\] = -5/);
  assert.throws(() => m.forward([[1, 2, 3]], { attentionMask: [[1, 2, 1]] }), /attention_mask values must be 0 or 1/);
  assert.throws(() => m.forward([[1, 2, 3]], { labels: [[1, 2]] }), /labels row 0 has 2 tokens|labels has shape/);
  assert.throws(() => m.forward({ data: [1, 2, 3], B: 2, T: 2 }), /holds 3 values, not B·T = 2·2/);
});

test("flat (B·T) batches give the same loss as nested rows; a batch with no scored token has loss 0", () => {
  const m = tinyModel(tinyConfig(), 2);
  const ids = randomIds(2, 5, 13);
  const labels = ids.map((r) => [...r]);
  const a = m.forward(ids, { labels })!;
  const b = m.forward({ data: ids.flat(), B: 2, T: 5 }, { labels: { data: labels.flat(), B: 2, T: 5 } })!;
  assert.equal(a, b);
  assert.equal(m.forward(ids, { labels: ids.map((r) => r.map(() => IGNORE_INDEX)) }), 0);
  assert.equal(m.lastTokenCount, 0);
});

test("long sequences (several attention blocks): prefill 70 + decode matches the full forward", () => {
  const config = tinyConfig({ maxPositionEmbeddings: 256 });
  const m = tinyModel(config, 9, "float64", 0.3);
  const V = config.vocabSize;
  const seq = randomIds(1, 100, V, 4)[0];
  const full = m.logits([seq]);
  const cache = m.createCache(1, 100);
  let out = m.prefill(cache, [seq.slice(0, 70)]);
  assert.ok(maxAbsDiff(out, full.subarray(69 * V, 70 * V)) < 1e-12);
  for (let t = 70; t < 100; t++) {
    out = m.decodeStep(cache, [seq[t]]);
    assert.ok(maxAbsDiff(out, full.subarray(t * V, (t + 1) * V)) < 1e-12, `step ${t}`);
  }
});
