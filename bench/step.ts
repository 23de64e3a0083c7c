// Tokens/s and peak RSS of one LoRA training step (forward + backward, LoRA on all seven projections) of a randomly
// initialised SmolLM2-135M-shaped model (30 layers, width 576, MLP 1536, 9 heads / 3 KV heads, vocab 49152) at
// batch 8 × 512 tokens, every token scored. Prints one JSON line. Smaller shapes for a quick run via environment:
// STEP_LAYERS, STEP_HIDDEN, STEP_FFN, STEP_HEADS, STEP_KV_HEADS, STEP_VOCAB, STEP_BATCH, STEP_SEQ, STEP_STEPS,
// STEP_RANK, STEP_DROPOUT (default 0.05), STEP_TARGETS (e.g. q,v), STEP_FULL=1 (full fine-tuning instead of LoRA); MEDTUNE_KERNELS picks kernels.
// Usage: node --import tsx bench/step.ts
import { Rng } from "../src/core/index.ts";
import type { ModelConfig } from "../src/formats/index.ts";
import { LlamaModel } from "../src/nn/index.ts";

function env(name: string, dflt: number): number {
  const v = process.env[name];
  if (v === undefined || v === "") return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${v}`);
  return n;
}

const C = env("STEP_HIDDEN", 576);
const H = env("STEP_HEADS", 9);
const config: ModelConfig = {
  arch: "llama",
  vocabSize: env("STEP_VOCAB", 49152),
  hiddenSize: C,
  intermediateSize: env("STEP_FFN", 1536),
  nLayers: env("STEP_LAYERS", 30),
  nHeads: H,
  nKvHeads: env("STEP_KV_HEADS", 3),
  headDim: C / H,
  rmsNormEps: 1e-5,
  ropeTheta: 100000,
  maxPositionEmbeddings: 8192,
  tieWordEmbeddings: true,
  attentionBias: false,
  eosTokenIds: [2],
};
const B = env("STEP_BATCH", 8);
const T = env("STEP_SEQ", 512);
const steps = env("STEP_STEPS", 3);
const rank = env("STEP_RANK", 16);
const full = process.env.STEP_FULL === "1";
const dropout = Number(process.env.STEP_DROPOUT ?? "0.05");
if (!(dropout >= 0 && dropout < 1)) throw new Error(`STEP_DROPOUT must be in [0, 1), got ${process.env.STEP_DROPOUT}`);
const targets = (process.env.STEP_TARGETS ?? "q,k,v,o,gate,up,down").split(",");

const t0 = performance.now();
const model = LlamaModel.random(config, { seed: 1 });
const lora = full ? null : model.attachLora({ rank, alpha: 2 * rank, dropout, targets, seed: 2 });
model.training = true;
const initMs = performance.now() - t0;
const rng = new Rng(3);
const ids = { data: Int32Array.from({ length: B * T }, () => rng.int(config.vocabSize)), B, T };

const times: number[] = [];
let loss = 0;
for (let s = 0; s <= steps; s++) {
  const a = performance.now();
  model.zeroGrad();
  loss = model.forwardBackward(ids, { labels: ids });
  const ms = performance.now() - a;
  if (s > 0) times.push(ms); // step 0 warms up (buffer allocation, JIT)
}
times.sort((a, b) => a - b);
const stepMs = times[Math.floor(times.length / 2)];
console.log(JSON.stringify({
  bench: "step",
  mode: full ? "full" : "lora",
  kernels: model.kernels.name,
  layers: config.nLayers, hidden: C, ffn: config.intermediateSize, heads: H, kvHeads: config.nKvHeads, vocab: config.vocabSize,
  batch: B, seq: T, loraRank: full ? null : rank, loraDropout: full ? null : dropout, trainable: full ? model.params.count() : lora!.numTrainable(), params: model.params.count(),
  steps, stepMs: Math.round(stepMs), stepMsBest: Math.round(times[0]),
  tokensPerSec: Math.round((B * T) / (stepMs / 1000)),
  peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  initMs: Math.round(initMs), loss: Number(loss.toFixed(4)),
}));
