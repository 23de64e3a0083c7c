// Learning-rate schedules against their closed forms (warmup, constant, linear, cosine, floor) and against
// HF get_{linear,cosine}_schedule_with_warmup after the warmup; gradient clipping by global norm.
import { test } from "node:test";
import assert from "node:assert/strict";
import { clipGradNorm, gradNorm, learningRate } from "../../src/train/index.ts";

const close = (a: number, b: number, what: string): void => assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

test("warmup is linear from lr/W at step 1 to lr at step W, for every shape", () => {
  for (const type of ["constant", "linear", "cosine"] as const) {
    for (let s = 1; s <= 4; s++) close(learningRate(s, { type, lr: 2e-3, totalSteps: 20, warmupSteps: 4 }), (2e-3 * s) / 4, `${type} step ${s}`);
  }
});

test("constant stays at lr after warmup; without warmup from step 1", () => {
  for (const s of [5, 10, 20]) close(learningRate(s, { type: "constant", lr: 0.1, totalSteps: 20, warmupSteps: 4 }), 0.1, `step ${s}`);
  close(learningRate(1, { type: "constant", lr: 0.1, totalSteps: 20 }), 0.1, "step 1");
});

test("linear decay: lr·(1 − (s−1−W)/(S−W)), as HF's LambdaLR at current_step s−1", () => {
  const S = 10, W = 2, lr = 1;
  // HF: max(0, (S − cs) / (S − W)) for cs = s − 1 ≥ W
  for (let s = W + 1; s <= S; s++) close(learningRate(s, { type: "linear", lr, totalSteps: S, warmupSteps: W }), Math.max(0, (S - (s - 1)) / (S - W)), `step ${s}`);
  close(learningRate(3, { type: "linear", lr, totalSteps: S, warmupSteps: W }), 1, "first step after warmup is the peak");
  close(learningRate(10, { type: "linear", lr, totalSteps: S, warmupSteps: W }), 1 / 8, "the last step is not wasted at 0");
});

test("cosine decay: lr·½(1 + cos(π·p)), p = (s−1−W)/(S−W); the floor minLrRatio lifts it", () => {
  const S = 11, W = 1;
  close(learningRate(2, { type: "cosine", lr: 1, totalSteps: S, warmupSteps: W }), 1, "peak");
  close(learningRate(7, { type: "cosine", lr: 1, totalSteps: S, warmupSteps: W }), 0.5, "half way (p = 0.5)");
  close(learningRate(11, { type: "cosine", lr: 1, totalSteps: S, warmupSteps: W }), 0.5 * (1 + Math.cos(Math.PI * 0.9)), "last step (p = 0.9)");
  close(learningRate(7, { type: "cosine", lr: 2, totalSteps: S, warmupSteps: W, minLrRatio: 0.1 }), 2 * (0.1 + 0.9 * 0.5), "with a floor");
  close(learningRate(7, { type: "linear", lr: 2, totalSteps: S, warmupSteps: W, minLrRatio: 0.1 }), 2 * (0.1 + 0.9 * 0.5), "linear with a floor");
});

test("schedules reject impossible settings with a one-line reason", () => {
  assert.throws(() => learningRate(1, { type: "linear", lr: 1, totalSteps: 0 }), /total steps must be a positive integer/);
  assert.throws(() => learningRate(1, { type: "linear", lr: 1, totalSteps: 5, warmupSteps: -1 }), /warmup steps/);
  assert.throws(() => learningRate(1, { type: "linear", lr: Number.NaN, totalSteps: 5 }), /learning rate/);
  assert.throws(() => learningRate(1, { type: "linear", lr: 1, totalSteps: 5, minLrRatio: 2 }), /minLrRatio/);
});

test("gradient clipping scales by maxNorm/(‖g‖ + 1e-6) only above maxNorm (torch clip_grad_norm_)", () => {
  const g = new Float32Array([3, 4, 0]);
  const n = gradNorm(g);
  close(n, 5, "‖(3,4,0)‖");
  assert.equal(clipGradNorm(g, n, 10), 1, "below the limit: untouched");
  assert.deepEqual(Array.from(g), [3, 4, 0]);
  const k = clipGradNorm(g, n, 1);
  close(k, 1 / (5 + 1e-6), "factor");
  assert.ok(Math.abs(gradNorm(g) - 1) < 1e-6, `clipped norm ${gradNorm(g)}`);
  assert.equal(clipGradNorm(g, 100, 0), 1, "maxNorm 0 = off");
  assert.ok(Number.isNaN(gradNorm(new Float32Array([1, Number.NaN]))), "a NaN gradient shows in the norm");
});
