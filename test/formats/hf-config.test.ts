// config.json -> ModelConfig: defaults (kv heads, head_dim, rope theta), llama3 rope scaling, qwen2 bias, eos
// lists, sliding windows, and clear errors for unsupported architectures, activations and rope types.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MedtuneError } from "../../src/core/index.ts";
import { parseHfConfig, toHfConfig } from "../../src/formats/index.ts";

const base = { model_type: "llama", vocab_size: 100, hidden_size: 64, intermediate_size: 128, num_hidden_layers: 2, num_attention_heads: 4 };

test("llama defaults follow transformers' LlamaConfig", () => {
  const c = parseHfConfig(base);
  assert.equal(c.arch, "llama");
  assert.equal(c.nKvHeads, 4, "num_key_value_heads defaults to num_attention_heads");
  assert.equal(c.headDim, 16, "head_dim defaults to hidden/heads");
  assert.equal(c.ropeTheta, 10000);
  assert.equal(c.rmsNormEps, 1e-6);
  assert.equal(c.tieWordEmbeddings, false);
  assert.equal(c.attentionBias, false);
  assert.deepEqual(c.eosTokenIds, []);
  assert.equal(c.ropeScaling, undefined);
});

test("explicit head_dim, GQA, eos list, rope theta and llama3 scaling (rope_type or type)", () => {
  const c = parseHfConfig({
    ...base, num_key_value_heads: 2, head_dim: 32, rope_theta: 500000, eos_token_id: [128001, 128008, 128009], bos_token_id: 128000,
    rope_scaling: { rope_type: "llama3", factor: 32, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 },
  });
  assert.equal(c.headDim, 32);
  assert.equal(c.nKvHeads, 2);
  assert.deepEqual(c.eosTokenIds, [128001, 128008, 128009]);
  assert.equal(c.bosTokenId, 128000);
  assert.deepEqual(c.ropeScaling, { type: "llama3", factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8192 });
  const old = parseHfConfig({ ...base, rope_scaling: { type: "llama3", factor: 8 } });
  assert.equal(old.ropeScaling?.originalMaxPositionEmbeddings, 8192);
  assert.equal(parseHfConfig({ ...base, rope_scaling: { rope_type: "default" } }).ropeScaling, undefined);
});

test("architectures: by model_type or class; qwen2 always has q/k/v bias; mistral keeps its window", () => {
  const q = parseHfConfig({ ...base, model_type: "qwen2", use_sliding_window: false, sliding_window: 4096, tie_word_embeddings: true });
  assert.equal(q.arch, "qwen2");
  assert.equal(q.attentionBias, true);
  assert.equal(q.slidingWindow, undefined);
  assert.equal(q.tieWordEmbeddings, true);
  const m = parseHfConfig({ ...base, model_type: "mistral", sliding_window: 4096 });
  assert.equal(m.arch, "mistral");
  assert.equal(m.slidingWindow, 4096);
  const { model_type: _, ...noType } = base;
  assert.equal(parseHfConfig({ ...noType, architectures: ["MistralForCausalLM"] }).arch, "mistral");
});

test("unsupported architecture, activation, rope type and bad shapes name the problem", () => {
  const err = (json: unknown, re: RegExp, code?: string): void => {
    assert.throws(() => parseHfConfig(json, "x/config.json"), (e: unknown) => e instanceof MedtuneError && re.test(e.message) && e.where === "x/config.json" && (!code || e.code === code));
  };
  err({ ...base, model_type: "gemma2", architectures: ["Gemma2ForCausalLM"] }, /model_type "gemma2", architectures \["Gemma2ForCausalLM"\]/, "model.unsupported-arch");
  err({ ...base, hidden_act: "gelu_pytorch_tanh" }, /hidden_act "gelu_pytorch_tanh"/);
  err({ ...base, rope_scaling: { rope_type: "yarn", factor: 4 } }, /rope_scaling type "yarn"/, "model.unsupported-rope");
  err({ ...base, num_key_value_heads: 3 }, /not a multiple of num_key_value_heads/);
  err({ ...base, hidden_size: 66 }, /not divisible by num_attention_heads/);
  err({ ...base, vocab_size: undefined }, /vocab_size/);
  err({ ...base, mlp_bias: true }, /mlp_bias/);
  err({ ...base, attention_bias: true }, /attention_bias/);
});

test("toHfConfig round-trips through parseHfConfig", () => {
  for (const json of [
    { ...base, num_key_value_heads: 2, head_dim: 8, rope_scaling: { rope_type: "llama3", factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 256 }, eos_token_id: 2, bos_token_id: 1 },
    { ...base, model_type: "qwen2", tie_word_embeddings: true, rope_theta: 1e6, eos_token_id: [2, 3] },
    { ...base, model_type: "mistral", sliding_window: 4096 },
  ]) {
    const c = parseHfConfig(json);
    assert.deepEqual(parseHfConfig(toHfConfig(c)), c);
  }
});
