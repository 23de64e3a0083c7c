// GGUF models: the fixture GGUFs load to exactly the tensors and config of their HF twins (q/k un-permuted), our
// writer reproduces the original stories260K.gguf tensor bytes, files round-trip through our reader and
// @huggingface/gguf, qwen2 is not permuted, llama3 rope scaling survives, and bad files are clear errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { readFileSync, truncateSync, writeFileSync } from "node:fs";
import { gguf, GGUFValueType } from "@huggingface/gguf";
import { MedtuneError } from "../../src/core/index.ts";
import { sharedPath } from "../helpers/shared.ts";
import { tmpDir } from "../helpers/tmp.ts";
import {
  fitLlama3RopeScaling, ggufTensorType, GGML_TYPE, llama3RopeFactors, loadGgufModel, loadHfModel, parseHfConfig, readGgufFile,
  readGgufTensorBytes, saveGgufModel, writeGguf, type ModelConfig, type TensorMap,
} from "../../src/formats/index.ts";

function maxDiff(a: TensorMap, b: TensorMap): { worst: number; name: string } {
  let worst = 0, name = "";
  for (const [n, t] of a) {
    const u = b.get(n);
    assert.ok(u, `missing ${n}`);
    assert.deepEqual(u.shape, t.shape, n);
    for (let i = 0; i < t.data.length; i++) {
      const d = Math.abs(t.data[i] - u.data[i]);
      if (d > worst) [worst, name] = [d, n];
    }
  }
  return { worst, name };
}

test("stories260K.gguf (F32) equals the HF folder after un-permuting q/k", async (t) => {
  const g = sharedPath(t, "models/stories260K/stories260K.gguf");
  const h = sharedPath(t, "models/stories260K/hf");
  if (!g || !h) return;
  const a = await loadGgufModel(g);
  const b = loadHfModel(h);
  assert.deepEqual(a.config, b.config);
  const d = maxDiff(b.tensors, a.tensors);
  process.stderr.write(`stories260K GGUF vs HF: max |diff| ${d.worst} (${d.name || "-"}), q[0..3] ${Array.from(a.tensors.get("model.layers.0.self_attn.q_proj.weight")!.data.slice(0, 3))}\n`);
  assert.equal(d.worst, 0);
  assert.equal(a.sourceTypes.get("model.layers.0.self_attn.q_proj.weight"), "F32");
});

test("llama-2-tiny-random.gguf (F16 matrices) equals its HF twin within F16 precision", async (t) => {
  const g = sharedPath(t, "models/llama-2-tiny-random/llama-2-tiny-random.gguf");
  const h = sharedPath(t, "models/llama-2-tiny-random/hf");
  if (!g || !h) return;
  const a = await loadGgufModel(g);
  const b = loadHfModel(h);
  assert.deepEqual(a.config, b.config);
  const d = maxDiff(b.tensors, a.tensors);
  process.stderr.write(`llama-2-tiny-random GGUF vs HF: max |diff| ${d.worst}\n`);
  assert.ok(d.worst <= 1e-3 * 2 ** -10, `max diff ${d.worst} at ${d.name}`);
  assert.equal(a.sourceTypes.get("lm_head.weight"), "F16");
});

test("our F32 GGUF of the HF stories260K reproduces the original file's tensor bytes and metadata", async (t) => {
  const g = sharedPath(t, "models/stories260K/stories260K.gguf");
  const h = sharedPath(t, "models/stories260K/hf");
  if (!g || !h) return;
  const m = loadHfModel(h);
  const out = join(tmpDir(), "s.gguf");
  await saveGgufModel(out, m.config, m.tensors, { preset: "F32", tokenizerFrom: g });
  const [ours, orig] = [await readGgufFile(out), await readGgufFile(g)];
  assert.equal(ours.tensors.length, orig.tensors.length);
  for (const t0 of orig.tensors) {
    const t1 = ours.tensors.find((x) => x.name === t0.name);
    assert.ok(t1, t0.name);
    assert.deepEqual(t1.ne, t0.ne, t0.name);
    assert.deepEqual(readGgufTensorBytes(ours, t1), readGgufTensorBytes(orig, t0), `${t0.name} bytes (q/k permutation)`);
  }
  for (const k of ["llama.block_count", "llama.embedding_length", "llama.feed_forward_length", "llama.attention.head_count", "llama.attention.head_count_kv", "llama.rope.dimension_count", "llama.context_length", "llama.attention.layer_norm_rms_epsilon", "tokenizer.ggml.tokens", "tokenizer.ggml.scores", "tokenizer.ggml.token_type", "tokenizer.ggml.bos_token_id"]) {
    assert.deepEqual(ours.metadata[k], orig.metadata[k], k);
  }
  // @huggingface/gguf reads the same file.
  const hf = await gguf(out, { allowLocalFile: true });
  assert.equal(hf.tensorInfos.length, 48);
  assert.equal(Number(hf.tensorDataOffset) % 32, 0);
  assert.equal((hf.metadata as Record<string, unknown>)["llama.attention.head_count_kv"], 4);
});

test("F16 and Q8_0 exports round-trip through our reader (Q8_0 falls back to F16 for 172-wide rows)", async (t) => {
  const h = sharedPath(t, "models/stories260K/hf");
  if (!h) return;
  const m = loadHfModel(h);
  const dir = tmpDir();
  for (const [preset, tol] of [["F16", 2 ** -11], ["Q8_0", 1 / 127]] as const) {
    const p = join(dir, `${preset}.gguf`);
    const r = await saveGgufModel(p, m.config, m.tensors, { preset, tokenizerFrom: h });
    const back = await loadGgufModel(p);
    assert.deepEqual(back.config, m.config);
    for (const [n, x] of m.tensors) {
      const y = back.tensors.get(n)!.data;
      let amax = 0, worst = 0;
      for (let i = 0; i < x.data.length; i++) {
        amax = Math.max(amax, Math.abs(x.data[i]));
        worst = Math.max(worst, Math.abs(x.data[i] - y[i]));
      }
      assert.ok(worst <= tol * amax + 1e-7, `${preset} ${n}: ${worst} vs amax ${amax}`);
    }
    if (preset === "Q8_0") {
      assert.equal(r.types.get("blk.0.attn_q.weight"), "Q8_0");
      assert.equal(r.types.get("blk.0.ffn_down.weight"), "F16");
      assert.equal(r.types.get("blk.0.attn_norm.weight"), "F32");
      assert.equal(back.sourceTypes.get("model.layers.0.mlp.up_proj.weight"), "Q8_0");
    }
  }
});

test("qwen2 (bias, tied, no permutation) and llama3 (rope_freqs) survive a GGUF round trip", async (t) => {
  const q = sharedPath(t, "models/tiny-qwen2-random/hf");
  const l3 = sharedPath(t, "models/tiny-llama3-random/hf");
  if (!q || !l3) return;
  for (const dir of [q, l3]) {
    const m = loadHfModel(dir);
    const p = join(tmpDir(), "m.gguf");
    const r = await saveGgufModel(p, m.config, m.tensors, { preset: "F32", tokenizerFrom: dir });
    assert.equal(r.types.has("output.weight"), false, "tied: no output tensor");
    const back = await loadGgufModel(p);
    assert.deepEqual(back.config, m.config);
    assert.equal(maxDiff(m.tensors, back.tensors).worst, 0);
    const f = await readGgufFile(p);
    if (m.config.arch === "qwen2") {
      assert.equal(f.metadata["general.architecture"], "qwen2");
      const raw = new Float32Array(readGgufTensorBytes(f, f.tensors.find((x) => x.name === "blk.0.attn_q.weight")!).buffer);
      assert.deepEqual(raw, m.tensors.get("model.layers.0.self_attn.q_proj.weight")!.data, "qwen2 q rows are not permuted");
      assert.ok(f.tensors.some((x) => x.name === "blk.1.attn_k.bias"));
    } else {
      assert.ok(f.tensors.some((x) => x.name === "rope_freqs.weight"));
    }
  }
});

test("llama3 rope factors fit back to the config (Llama 3.1/3.2 settings and the tiny fixture)", () => {
  for (const [theta, D, s] of [
    [500000, 128, { type: "llama3" as const, factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8192 }],
    [500000, 64, { type: "llama3" as const, factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8192 }],
    [500000, 8, { type: "llama3" as const, factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 256 }],
  ] as const) {
    const ff = llama3RopeFactors(s, theta, D);
    assert.ok(ff.some((v) => v > 1 && v < s.factor), "some frequencies are in the smooth band");
    assert.deepEqual(fitLlama3RopeScaling(ff, theta, D, 131072, "test"), s);
  }
  assert.equal(fitLlama3RopeScaling(new Float32Array(4).fill(1), 10000, 8, 2048, "test"), undefined);
  assert.throws(() => fitLlama3RopeScaling(new Float32Array([1, 3, 1, 8]), 10000, 8, 2048, "test"), /does not follow Llama 3/);
});

test("tensor type policy follows llama-quantize (Q4_K_M, fallbacks, 1-D tensors)", () => {
  const c = parseHfConfig({ model_type: "llama", vocab_size: 1024, hidden_size: 512, intermediate_size: 1024, num_hidden_layers: 16, num_attention_heads: 8 });
  assert.equal(ggufTensorType("Q4_K_M", "blk.0.attn_q.weight", [512, 512], c), "Q4_K");
  assert.equal(ggufTensorType("Q4_K_M", "blk.0.attn_v.weight", [512, 512], c), "Q6_K", "first eighth of layers");
  assert.equal(ggufTensorType("Q4_K_M", "blk.3.attn_v.weight", [512, 512], c), "Q4_K");
  assert.equal(ggufTensorType("Q4_K_M", "blk.4.ffn_down.weight", [1024, 512], c), "Q6_K", "(i - n/8) % 3 == 2");
  assert.equal(ggufTensorType("Q4_K_M", "output.weight", [512, 1024], c), "Q6_K");
  assert.equal(ggufTensorType("Q8_0", "output.weight", [512, 1024], c), "Q8_0");
  assert.equal(ggufTensorType("Q4_K_M", "blk.0.attn_norm.weight", [512], c), "F32");
  assert.equal(ggufTensorType("Q4_K_M", "blk.0.attn_q.weight", [576, 576], c), "Q5_0", "576 is not a multiple of 256");
  assert.equal(ggufTensorType("Q6_K", "blk.0.attn_q.weight", [576, 576], c), "Q8_0");
  assert.equal(ggufTensorType("Q8_0", "blk.0.ffn_down.weight", [172, 64], c), "F16");
});

test("vocab-only, adapter, unsupported architecture, unsupported type and truncated files are clear errors", async (t) => {
  const vocab = sharedPath(t, "models/ggml-vocab-llama-spm/ggml-vocab-llama-spm.gguf");
  const lora = sharedPath(t, "models/stories260K/lora-test/stories260K-lora-test.gguf");
  const g = sharedPath(t, "models/stories260K/stories260K.gguf");
  if (!vocab || !lora || !g) return;
  const rejects = (p: Promise<unknown>, code: string, re: RegExp) => assert.rejects(p, (e: unknown) => e instanceof MedtuneError && e.code === code && re.test(e.message));
  await rejects(loadGgufModel(vocab), "gguf.no-weights", /vocabulary-only/);
  await rejects(loadGgufModel(lora), "gguf.is-adapter", /LoRA adapter/);
  const dir = tmpDir();
  const str = (value: string) => ({ value, type: GGUFValueType.STRING });
  const gem = join(dir, "gemma.gguf");
  writeGguf(gem, new Map([["general.architecture", str("gemma2")]]), [{ name: "token_embd.weight", ne: [4, 4], type: GGML_TYPE.F32, bytes: 64, data: () => new Uint8Array(64) }]);
  await rejects(loadGgufModel(gem), "model.unsupported-arch", /"gemma2"/);
  const f = await readGgufFile(g);
  const iq = join(dir, "iq.gguf");
  const meta = new Map(Object.entries(f.typed));
  const tensors = f.tensors.map((x) => ({ name: x.name, ne: x.ne, type: x.type, bytes: x.bytes!, data: () => readGgufTensorBytes(f, x) }));
  const qi = tensors.findIndex((x) => x.name === "blk.0.attn_q.weight");
  tensors[qi] = { name: "blk.0.attn_q.weight", ne: [256, 16], type: GGML_TYPE.IQ2_XXS, bytes: 16 * 66, data: () => new Uint8Array(16 * 66) };
  writeGguf(iq, meta, tensors);
  await rejects(loadGgufModel(iq), "gguf.unsupported-type", /tensor "blk\.0\.attn_q\.weight" has type IQ2_XXS/);
  const cut = join(dir, "cut.gguf");
  writeFileSync(cut, readFileSync(g));
  truncateSync(cut, 600_000);
  await rejects(loadGgufModel(cut), "gguf.truncated", /ends past the end of the file/);
  truncateSync(cut, 5000);
  await rejects(readGgufFile(cut), "gguf.truncated", /cannot parse GGUF header/);
  const notGguf = join(dir, "x.gguf");
  writeFileSync(notGguf, "hello world, not a gguf file at all");
  await rejects(readGgufFile(notGguf), "gguf.bad-file", /magic/);
});

test("export refuses a tokenizer whose size differs from the model's vocabulary", async (t) => {
  const h = sharedPath(t, "models/stories260K/hf");
  const l = sharedPath(t, "models/llama-2-tiny-random/llama-2-tiny-random.gguf");
  if (!h || !l) return;
  const m = loadHfModel(h);
  const cfg: ModelConfig = m.config;
  await assert.rejects(saveGgufModel(join(tmpDir(), "x.gguf"), cfg, m.tensors, { tokenizerFrom: l }), /tokenizer has 32000 tokens but the model's vocabulary is 512/);
});
