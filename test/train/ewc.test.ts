// EWC: the penalty is 0 at θ* and equals (λ/2)·Σ F·(θ−θ*)²; its gradient equals λ·F·(θ−θ*) by central finite
// differences (float64); the Fisher estimator equals a direct computation (each example's gradient of its summed
// log-likelihood by finite differences, squared, averaged), for LoRA and full fine-tuning; Fisher files round-trip.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { Rng } from "../../src/core/index.ts";
import type { ModelConfig } from "../../src/formats/index.ts";
import { LlamaModel } from "../../src/nn/index.ts";
import { estimateFisher, ewcBackward, ewcForward, loadFisher, saveFisher, trainableOf, type TrainExample } from "../../src/train/index.ts";
import { tmpDir } from "../helpers/tmp.ts";

const CONFIG: ModelConfig = {
  arch: "llama", vocabSize: 11, hiddenSize: 8, intermediateSize: 12, nLayers: 2, nHeads: 4, nKvHeads: 2, headDim: 2,
  rmsNormEps: 1e-5, ropeTheta: 10000, maxPositionEmbeddings: 32, tieWordEmbeddings: false, attentionBias: false, eosTokenIds: [2], bosTokenId: 1,
};

function examples(): TrainExample[] {
  const r = new Rng(5);
  return [5, 7, 4].map((T, n) => {
    const ids = Int32Array.from({ length: T }, () => r.int(11));
    const labels = Int32Array.from(ids, (id, t) => (t < 2 ? -100 : id)); // a two-token prompt
    return { ids, labels, nScored: T - 2, where: `ex${n}` };
  });
}

function randomVec(n: number, seed: number, scale = 1): Float64Array {
  const r = new Rng(seed);
  return Float64Array.from({ length: n }, () => r.normal() * scale);
}

test("EWC penalty: 0 at θ*, (λ/2)·Σ F·(θ−θ*)² elsewhere", () => {
  const n = 50;
  const anchor = randomVec(n, 1), theta = randomVec(n, 2);
  const F = randomVec(n, 3).map(Math.abs);
  assert.equal(ewcForward(anchor, anchor, F, 3), 0);
  let want = 0;
  for (let i = 0; i < n; i++) want += F[i] * (theta[i] - anchor[i]) ** 2;
  assert.ok(Math.abs(ewcForward(theta, anchor, F, 3) - 1.5 * want) < 1e-12 * want);
  const g = new Float64Array(n);
  ewcBackward(g, anchor, anchor, F, 3);
  assert.ok(g.every((x) => x === 0), "no pull at θ*");
});

test("EWC gradient equals λ·F·(θ−θ*) and the central finite differences of the penalty (float64)", () => {
  const n = 40, lambda = 0.7, h = 1e-5;
  const anchor = randomVec(n, 4), theta = randomVec(n, 5);
  const F = randomVec(n, 6).map(Math.abs);
  const g = new Float64Array(n).fill(0.25); // backward accumulates
  ewcBackward(g, theta, anchor, F, lambda);
  let worst = 0;
  for (let i = 0; i < n; i++) {
    const x = theta[i];
    theta[i] = x + h;
    const up = ewcForward(theta, anchor, F, lambda);
    theta[i] = x - h;
    const down = ewcForward(theta, anchor, F, lambda);
    theta[i] = x;
    const fd = (up - down) / (2 * h);
    const analytic = lambda * F[i] * (theta[i] - anchor[i]);
    assert.ok(Math.abs(g[i] - 0.25 - analytic) < 1e-14, `closed form at ${i}`);
    worst = Math.max(worst, Math.abs(g[i] - 0.25 - fd) / Math.max(1e-8, Math.abs(fd)));
  }
  process.stderr.write(`EWC gradient vs finite differences: max rel ${worst.toExponential(2)}\n`);
  assert.ok(worst < 1e-7, `max rel ${worst}`);
  // the checker catches a wrong gradient: a missing λ
  const bad = F.map((f, i) => f * (theta[i] - anchor[i]));
  assert.ok(bad.some((b, i) => Math.abs(b - (g[i] - 0.25)) > 1e-3));
});

/** Direct per-example empirical Fisher on chosen parameter indices: central differences of each example's summed NLL. */
function directFisher(model: LlamaModel, buf: Float64Array, exs: TrainExample[], idx: number[]): number[] {
  const h = 1e-5;
  const nll = (e: TrainExample): number => model.forward({ data: e.ids, B: 1, T: e.ids.length }, { labels: { data: e.labels, B: 1, T: e.ids.length }, lossNormalizer: 1, noGrad: true })!;
  return idx.map((i) => {
    let s = 0;
    for (const e of exs) {
      const x = buf[i];
      buf[i] = x + h;
      const up = nll(e);
      buf[i] = x - h;
      const down = nll(e);
      buf[i] = x;
      s += ((up - down) / (2 * h)) ** 2;
    }
    return s / exs.length;
  });
}

for (const method of ["lora", "full"] as const) {
  test(`Fisher (${method}): the estimator equals per-example gradients squared and averaged, computed directly`, () => {
    const model = LlamaModel.random(CONFIG, { seed: 3, dtype: "float64", std: 0.4 });
    if (method === "lora") {
      const lora = model.attachLora({ rank: 2, alpha: 4, targets: ["q", "v", "down"], seed: 2 });
      const r = new Rng(9);
      for (const e of lora.params.entries()) if (e.name.includes("lora_B")) lora.params.get(e.name).forEach((_, i, a) => { a[i] = 0.3 * r.normal(); });
    }
    const t = trainableOf(model);
    const exs = examples();
    const F = estimateFisher(model, t, exs);
    const buf = t.params.data as Float64Array;
    const r = new Rng(7);
    const idx: number[] = [];
    for (const e of t.params.entries()) idx.push(e.offset + r.int(e.size));
    const direct = directFisher(model, buf, exs, idx);
    let worst = 0;
    idx.forEach((i, k) => { worst = Math.max(worst, Math.abs(F[i] - direct[k]) / Math.max(1e-10, direct[k])); });
    process.stderr.write(`Fisher ${method}: ${idx.length} parameters, first ${direct.slice(0, 3).map((x) => x.toExponential(3)).join(", ")}; max rel vs direct ${worst.toExponential(2)}\n`);
    assert.ok(worst < 1e-5, `max rel ${worst}`);
    assert.ok(direct.some((x) => x > 0), "the check covers non-zero entries");
    // not the square of the mean gradient: the per-example structure matters
    model.zeroGrad();
    for (const e of exs) model.forwardBackward({ data: e.ids, B: 1, T: e.ids.length }, { labels: { data: e.labels, B: 1, T: e.ids.length }, lossNormalizer: exs.length });
    const meanSq = idx.map((i) => t.grads.data[i] ** 2);
    assert.ok(idx.some((i, k) => Math.abs(meanSq[k] - F[i]) > 1e-3 * F[i]), "differs from (mean gradient)²");
  });
}

test("Fisher files round-trip and refuse another parameter set", () => {
  const model = LlamaModel.random(CONFIG, { seed: 1 });
  model.attachLora({ rank: 2, alpha: 4, targets: ["q"], seed: 1 });
  const t = trainableOf(model);
  const F = randomVec(t.params.data.length, 1).map(Math.abs), anchor = randomVec(t.params.data.length, 2);
  const p = join(tmpDir(), "fisher.safetensors");
  saveFisher(p, t, F, anchor, { kind: "lora", examples: 3, runs: 2 });
  const back = loadFisher(p, t);
  for (const e of t.params.entries()) {
    for (let i = e.offset; i < e.offset + e.size; i++) {
      assert.equal(back.fisher[i], Math.fround(F[i]));
      assert.equal(back.anchor[i], Math.fround(anchor[i]));
    }
  }
  assert.deepEqual(back.info, { kind: "lora", examples: 3, runs: 2 });
  const full = LlamaModel.random(CONFIG, { seed: 1 });
  assert.throws(() => loadFisher(p, trainableOf(full)), /covers lora parameters but this run trains all weights/);
  const other = LlamaModel.random(CONFIG, { seed: 1 });
  other.attachLora({ rank: 3, alpha: 4, targets: ["q"], seed: 1 });
  assert.throws(() => loadFisher(p, trainableOf(other)), /lacks or misshapes/);
});
