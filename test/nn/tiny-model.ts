// Test helper: tiny Llama-family configs and float64 models with every weight perturbed (norms ≠ 1, biases ≠ 0)
// so finite-difference checks exercise each term.
import { Rng } from "../../src/core/index.ts";
import type { ModelConfig } from "../../src/formats/index.ts";
import { LlamaModel, type DType } from "../../src/nn/index.ts";

/** A tiny config: GQA 4/2, head_dim 4 ≠ C/H, two layers; override anything. */
export function tinyConfig(over: Partial<ModelConfig> = {}): ModelConfig {
  return {
    arch: "llama", vocabSize: 13, hiddenSize: 10, intermediateSize: 14, nLayers: 2, nHeads: 4, nKvHeads: 2, headDim: 4,
    rmsNormEps: 1e-5, ropeTheta: 10000, maxPositionEmbeddings: 64, tieWordEmbeddings: false, attentionBias: false,
    eosTokenIds: [2], bosTokenId: 1, ...over,
  };
}

/** A random model whose weights, norms and biases are all non-trivial. */
export function tinyModel(config: ModelConfig, seed = 1, dtype: DType = "float64", std = 0.3): LlamaModel {
  const m = LlamaModel.random(config, { seed, dtype, std });
  const rng = new Rng(seed + 1000);
  for (const e of m.params.entries()) {
    const v = m.params.get(e.name);
    if (e.name.endsWith("norm.weight")) for (let i = 0; i < v.length; i++) v[i] = 1 + 0.3 * rng.normal();
    if (e.name.endsWith(".bias")) for (let i = 0; i < v.length; i++) v[i] = 0.2 * rng.normal();
  }
  return m;
}

/** B rows of T random token ids in [0, V), seeded. */
export function randomIds(B: number, T: number, V: number, seed = 3): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: B }, () => Array.from({ length: T }, () => rng.int(V)));
}
