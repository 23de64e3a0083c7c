// AdamW against PyTorch (../shared/golden adamw.*: three full fine-tuning steps of torch.optim.AdamW, lr 1e-3,
// betas 0.9/0.999, eps 1e-8, weight decay 0.01, on the same batch): the loss before each step and after the last
// within 1e-3 relative, and every final weight within 1e-3 relative (1e-6 absolute) for the four tiny models; plus
// one step by hand against the closed form, the decay mask, and state restore. Where torch's own gradient is below
// 1e-6 (the absolute gradient tolerance of a float32 engine), Adam's step g/(|g|+eps) with eps = 1e-8 turns a
// float32-level gradient difference into a visible weight difference; those few weights get 1e-5 absolute.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { loadHfModel, readSafetensors, readSafetensorsInts } from "../../src/formats/index.ts";
import { LlamaModel } from "../../src/nn/index.ts";
import { AdamW } from "../../src/train/index.ts";
import { sharedPath } from "../helpers/shared.ts";

const MODELS = ["stories260K", "llama-2-tiny-random", "tiny-qwen2-random", "tiny-llama3-random"];

for (const name of MODELS) {
  test(`AdamW: 3 full fine-tuning steps of ${name} match torch.optim.AdamW (losses and final weights)`, (t) => {
    const jsonPath = sharedPath(t, `golden/${name}.torch.json`);
    const stPath = sharedPath(t, `golden/${name}.torch.safetensors`);
    const hfDir = sharedPath(t, `models/${name}/hf`);
    if (!jsonPath || !stPath || !hfDir) return;
    const meta = JSON.parse(readFileSync(jsonPath, "utf8")) as { adamw: string; adamw_losses: number[] };
    const hp = JSON.parse(meta.adamw) as { lr: number; betas: [number, number]; eps: number; weight_decay: number; steps: number };
    const ints = readSafetensorsInts(stPath, { names: ["input_ids", "labels"] });
    const ids = ints.get("input_ids")!, labels = ints.get("labels")!;
    const [B, T] = ids.shape;
    const hf = loadHfModel(hfDir);
    const model = LlamaModel.fromTensors(hf.config, hf.tensors);
    const opt = new AdamW(model.params.data.length, { beta1: hp.betas[0], beta2: hp.betas[1], eps: hp.eps, weightDecay: hp.weight_decay });
    const losses: number[] = [];
    for (let s = 0; s < hp.steps; s++) {
      model.zeroGrad();
      losses.push(model.forwardBackward({ data: ids.data, B, T }, { labels: { data: labels.data, B, T } }));
      opt.update(model.params.data, model.grads.data, hp.lr);
    }
    losses.push(model.forward({ data: ids.data, B, T }, { labels: { data: labels.data, B, T }, noGrad: true })!);
    const lossRel = Math.max(...losses.map((l, i) => Math.abs(l - meta.adamw_losses[i]) / Math.abs(meta.adamw_losses[i])));
    const golden = readSafetensors(stPath, { filter: (n) => n.startsWith("adamw.final.") });
    const grads = readSafetensors(stPath, { filter: (n) => n.startsWith("grad.") });
    let maxRel = 0, maxAbs = 0, bad = 0, n = 0, tinyGrad = 0, worst = "";
    for (const [k, ref] of golden) {
      const w = k.slice("adamw.final.".length);
      const ours = model.params.get(w);
      const g0 = grads.get(`grad.${w}`)!.data;
      assert.equal(ours.length, ref.data.length, k);
      for (let i = 0; i < ours.length; i++) {
        const d = Math.abs(ours[i] - ref.data[i]);
        const rel = d / Math.max(Math.abs(ref.data[i]), 1e-12);
        if (d > 1e-3 * Math.abs(ref.data[i]) + 1e-6) {
          if (Math.abs(g0[i]) < 1e-6 && d <= 1e-5) tinyGrad++;
          else bad++;
        }
        if (d > maxAbs) maxAbs = d;
        if (d > 1e-6 && rel > maxRel) { maxRel = rel; worst = k; }
        n++;
      }
    }
    process.stderr.write(`${name} AdamW: losses ${losses.map((l) => l.toFixed(6)).join(", ")} vs torch ${meta.adamw_losses.map((l) => l.toFixed(6)).join(", ")} ` +
      `(max rel ${lossRel.toExponential(2)}); ${golden.size} weights, ${n} values: max abs ${maxAbs.toExponential(2)}, max rel ${maxRel.toExponential(2)} in ${worst}, ${bad} outside 1e-3 rel + 1e-6 abs, ${tinyGrad} with |torch grad| < 1e-6 within 1e-5 abs\n`);
    assert.equal(golden.size, model.params.entries().length, "the golden holds every final weight");
    assert.ok(lossRel <= 1e-3, `losses within 1e-3 relative: ${lossRel}`);
    assert.equal(bad, 0, `${bad} final weights outside tolerance`);
    assert.ok(losses[3] < losses[0], "the loss falls");
  });
}

test("AdamW: one step by hand (bias correction, eps outside the sqrt, decoupled decay, decay mask)", () => {
  const p = new Float64Array([1, -2, 0.5, 3]);
  const g = new Float64Array([0.1, -0.2, 0, 4]);
  const mask = new Uint8Array([1, 1, 1, 0]);
  const opt = new AdamW(4, { beta1: 0.8, beta2: 0.9, eps: 1e-3, weightDecay: 0.1, decayMask: mask }, "float64");
  const lr = 0.01;
  const expect = (p0: Float64Array, m: number[], v: number[], t: number): number[] =>
    Array.from(p0, (x, i) => {
      const decayed = mask[i] ? x * (1 - lr * 0.1) : x;
      return decayed - (lr / (1 - 0.8 ** t)) * m[i] / (Math.sqrt(v[i]) / Math.sqrt(1 - 0.9 ** t) + 1e-3);
    });
  const p0 = p.slice();
  const m1 = Array.from(g, (x) => 0.2 * x), v1 = Array.from(g, (x) => 0.1 * x * x);
  opt.update(p, g, lr);
  const e1 = expect(p0, m1, v1, 1);
  for (let i = 0; i < 4; i++) assert.ok(Math.abs(p[i] - e1[i]) < 1e-15, `step 1 element ${i}: ${p[i]} vs ${e1[i]}`);
  const p1 = p.slice();
  const m2 = m1.map((m, i) => 0.8 * m + 0.2 * g[i]), v2 = v1.map((v, i) => 0.9 * v + 0.1 * g[i] * g[i]);
  opt.update(p, g, lr);
  const e2 = expect(p1, m2, v2, 2);
  for (let i = 0; i < 4; i++) assert.ok(Math.abs(p[i] - e2[i]) < 1e-15, `step 2 element ${i}`);
  assert.equal(p[2], p1[2] * (1 - lr * 0.1), "zero gradient: only the decay moves the weight");
  // restoring the state reproduces the next step exactly
  const other = new AdamW(4, { beta1: 0.8, beta2: 0.9, eps: 1e-3, weightDecay: 0.1, decayMask: mask }, "float64");
  other.load(opt.m, opt.v, opt.step);
  const q = p.slice();
  opt.update(p, g, lr);
  other.update(q, g, lr);
  assert.deepEqual(Array.from(q), Array.from(p));
});

test("AdamW rejects bad hyper-parameters with a one-line reason", () => {
  assert.throws(() => new AdamW(3, { beta1: 1 }), /betas must be in \[0, 1\)/);
  assert.throws(() => new AdamW(3, { eps: 0 }), /eps must be positive/);
  assert.throws(() => new AdamW(3, { weightDecay: -1 }), /weight decay must be ≥ 0/);
});
