// Hugging Face folders: the four fixture checkpoints load with the expected configs and shapes (F32, mixed
// F16/F32, BF16, tied, qwen2 bias, llama3 rope), sharded save/load round-trips, and missing pieces are clear errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { sharedPath } from "../helpers/shared.ts";
import { tmpDir } from "../helpers/tmp.ts";
import { MedtuneError } from "../../src/core/index.ts";
import { expectedTensors, loadHfModel, readSafetensorsHeader, saveHfModel } from "../../src/formats/index.ts";

test("stories260K and llama-2-tiny-random load with configs from config.json", (t) => {
  const s = sharedPath(t, "models/stories260K/hf");
  const l = sharedPath(t, "models/llama-2-tiny-random/hf");
  if (!s || !l) return;
  const a = loadHfModel(s);
  assert.deepEqual({ ...a.config }, {
    arch: "llama", vocabSize: 512, hiddenSize: 64, intermediateSize: 172, nLayers: 5, nHeads: 8, nKvHeads: 4, headDim: 8, rmsNormEps: 1e-5,
    ropeTheta: 10000, maxPositionEmbeddings: 2048, tieWordEmbeddings: false, attentionBias: false, eosTokenIds: [2], bosTokenId: 1,
  });
  assert.equal(a.tensors.size, 2 + 9 * 5 + 1);
  assert.deepEqual(a.tensors.get("model.layers.0.self_attn.k_proj.weight")!.shape, [32, 64]);
  const b = loadHfModel(l);
  assert.equal(b.config.vocabSize, 32000);
  assert.deepEqual(b.tensors.get("lm_head.weight")!.shape, [32000, 8]);
  const dtypes = new Set([...readSafetensorsHeader(join(l, "model.safetensors")).tensors.values()].map((e) => e.dtype));
  assert.deepEqual([...dtypes].sort(), ["F16", "F32"], "mixed-dtype file");
});

test("tiny-qwen2 (BF16, bias, tied) and tiny-llama3 (rope scaling, tied) load with expected shapes", (t) => {
  const q = sharedPath(t, "models/tiny-qwen2-random/hf");
  const l3 = sharedPath(t, "models/tiny-llama3-random/hf");
  if (!q || !l3) return;
  const a = loadHfModel(q);
  assert.equal(a.config.arch, "qwen2");
  assert.equal(a.config.attentionBias, true);
  assert.equal(a.config.tieWordEmbeddings, true);
  assert.equal(a.config.ropeTheta, 1e6);
  assert.equal(a.tensors.has("lm_head.weight"), false);
  assert.deepEqual(a.tensors.get("model.layers.1.self_attn.q_proj.bias")!.shape, [48]);
  assert.deepEqual(a.tensors.get("model.layers.1.self_attn.k_proj.bias")!.shape, [16]);
  assert.deepEqual([...a.tensors.keys()].sort(), [...expectedTensors(a.config).keys()].sort());
  const b = loadHfModel(l3);
  assert.deepEqual(b.config.ropeScaling, { type: "llama3", factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 256 });
  assert.equal(b.config.ropeTheta, 500000);
  assert.deepEqual(b.tensors.get("model.layers.0.self_attn.v_proj.weight")!.shape, [16, 48]);
});

test("save -> load round-trips, sharded with an index, tokenizer files copied", (t) => {
  const s = sharedPath(t, "models/stories260K/hf");
  if (!s) return;
  const m = loadHfModel(s);
  const out = join(tmpDir(), "export");
  saveHfModel(out, m.config, m.tensors, { copyTokenizerFrom: s, maxShardBytes: 300_000 });
  const idx = JSON.parse(readFileSync(join(out, "model.safetensors.index.json"), "utf8"));
  const shards = new Set(Object.values(idx.weight_map as Record<string, string>));
  assert.ok(shards.size >= 3, `sharded into ${shards.size} files`);
  assert.ok(existsSync(join(out, "tokenizer.json")) && existsSync(join(out, "tokenizer_config.json")));
  const back = loadHfModel(out);
  assert.deepEqual(back.config, m.config);
  for (const [n, x] of m.tensors) assert.deepEqual(back.tensors.get(n)!.data, x.data, n);
  const f16 = join(tmpDir(), "f16");
  saveHfModel(f16, m.config, m.tensors, { dtype: "BF16" });
  assert.equal(JSON.parse(readFileSync(join(f16, "config.json"), "utf8")).torch_dtype, "bfloat16");
  const b = loadHfModel(f16);
  const x = m.tensors.get("model.norm.weight")!.data, y = b.tensors.get("model.norm.weight")!.data;
  for (let i = 0; i < x.length; i++) assert.ok(Math.abs(x[i] - y[i]) <= Math.abs(x[i]) * 2 ** -8);
});

test("missing config, weights, tensor (named with its file) and shape mismatch are clear errors", (t) => {
  const s = sharedPath(t, "models/stories260K/hf");
  if (!s) return;
  const dir = join(tmpDir(), "m");
  cpSync(s, dir, { recursive: true });
  const isErr = (code: string, re: RegExp) => (e: unknown) => e instanceof MedtuneError && e.code === code && re.test(e.message);
  const cfg = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
  writeFileSync(join(dir, "config.json"), JSON.stringify({ ...cfg, tie_word_embeddings: false, num_hidden_layers: 6 }));
  assert.throws(() => loadHfModel(dir), isErr("model.missing-tensor", /"model\.layers\.5\.input_layernorm\.weight" is missing from model\.safetensors/));
  writeFileSync(join(dir, "config.json"), JSON.stringify({ ...cfg, intermediate_size: 170 }));
  assert.throws(() => loadHfModel(dir), isErr("model.shape", /mlp\.gate_proj\.weight" has shape \[172,64\] but the config implies \[170,64\]/));
  rmSync(join(dir, "model.safetensors"));
  writeFileSync(join(dir, "pytorch_model.bin"), "x");
  assert.throws(() => loadHfModel(dir), (e: unknown) => e instanceof MedtuneError && /PyTorch \.bin/.test(e.hint ?? ""));
  rmSync(join(dir, "config.json"));
  assert.throws(() => loadHfModel(dir), isErr("model.missing-file", /config\.json is missing/));
});
