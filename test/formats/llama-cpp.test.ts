// Acceptance against llama.cpp (node-llama-cpp, prebuilt CPU binaries): GGUF files written by our writer load,
// tokenize and evaluate in llama.cpp exactly as the originals do. F32 export of the HF stories260K reproduces the
// golden llama.cpp log-probs (q/k permutation + tokenizer built from tokenizer.json); each quant type's blocks mean
// in llama.cpp what our dequantizer says (token embedding lookup is exact dequantization); whole quantized files run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import type { Llama } from "node-llama-cpp";
import { Rng } from "../../src/core/index.ts";
import { sharedPath } from "../helpers/shared.ts";
import { llamaOrSkip, disposeLlama, llamaLogprobs } from "../helpers/llama.ts";
import { tmpDir } from "../helpers/tmp.ts";
import { expectedTensors, loadGgufModel, loadHfModel, parseHfConfig, saveGgufModel, type GgmlTypeName, type TensorMap } from "../../src/formats/index.ts";

function maxAbsDiff(a: ArrayLike<number>[], b: ArrayLike<number>[], above = -Infinity): number {
  let w = 0;
  for (let r = 0; r < a.length; r++) {
    for (let v = 0; v < a[r].length; v++) {
      const x = a[r][v], y = b[r][v];
      if (!Number.isFinite(x) && !Number.isFinite(y)) continue;
      if (y > above) w = Math.max(w, Math.abs(x - y));
    }
  }
  return w;
}

test("llama.cpp: our F32 GGUF of the HF stories260K matches the golden llama.cpp log-probs and tokenization", async (t) => {
  const hf = sharedPath(t, "models/stories260K/hf");
  const goldenJson = sharedPath(t, "models/stories260K/golden/stories260K.llamacpp.json");
  const goldenBin = sharedPath(t, "models/stories260K/golden/stories260K.llamacpp.logprobs.f32");
  if (!hf || !goldenJson || !goldenBin) return;
  const llama = await llamaOrSkip(t);
  if (!llama) return;
  const m = loadHfModel(hf);
  const path = join(tmpDir(), "stories-f32.gguf");
  await saveGgufModel(path, m.config, m.tensors, { preset: "F32", tokenizerFrom: hf });
  const golden = JSON.parse(readFileSync(goldenJson, "utf8")) as { vocab_size: number; cases: Array<{ prompt: string; input_ids: number[] }> };
  const raw = readFileSync(goldenBin);
  const all = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  const model = await llama.loadModel({ modelPath: path });
  const tokenized = golden.cases.map((c) => [m.config.bosTokenId!, ...model.tokenize(c.prompt)]);
  await model.dispose();
  let at = 0;
  for (const [i, c] of golden.cases.entries()) {
    assert.deepEqual(tokenized[i], c.input_ids, `llama.cpp tokenizes "${c.prompt}" with our tokenizer metadata like the original`);
    const ours = await llamaLogprobs(llama, path, c.input_ids, golden.vocab_size);
    const ref = c.input_ids.map((_, p) => all.subarray(at + p * golden.vocab_size, at + (p + 1) * golden.vocab_size));
    at += c.input_ids.length * golden.vocab_size;
    const d = maxAbsDiff(ours, ref);
    process.stderr.write(`llama.cpp F32 re-export vs golden "${c.prompt}": max |d log p| ${d.toExponential(2)}, first ${ours[0].slice(0, 3).join(", ")}\n`);
    assert.ok(d <= 1e-4, `max |d log p| ${d}`);
  }
});

/** A seeded random Llama with 256-wide rows, so every block size (32 and 256) applies. */
function syntheticModel(): { config: ReturnType<typeof parseHfConfig>; tensors: TensorMap } {
  const config = parseHfConfig({ model_type: "llama", vocab_size: 512, hidden_size: 256, intermediate_size: 512, num_hidden_layers: 1, num_attention_heads: 4, num_key_value_heads: 2, rms_norm_eps: 1e-5, bos_token_id: 1, eos_token_id: 2 });
  const rng = new Rng(42);
  const tensors: TensorMap = new Map();
  for (const [n, shape] of expectedTensors(config)) {
    const len = shape.reduce((a, b) => a * b, 1);
    const sd = n.includes("embed") ? 1 : 1.5 / Math.sqrt(shape[shape.length - 1]);
    tensors.set(n, { shape, data: new Float32Array(len).map(() => (shape.length === 1 ? 1 + 0.1 * rng.normal() : sd * rng.normal())) });
  }
  return { config, tensors };
}

const IDS = [1, 403, 407, 261, 378, 432];

test("llama.cpp dequantizes each of our quant types exactly as our reader does (token embedding lookup)", async (t) => {
  const tok = sharedPath(t, "models/stories260K/hf");
  if (!tok) return;
  const llama = await llamaOrSkip(t);
  if (!llama) return;
  const { config, tensors } = syntheticModel();
  const dir = tmpDir();
  for (const type of ["Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"] as GgmlTypeName[]) {
    // Only token_embd is quantized: llama.cpp's get_rows dequantizes it with no activation rounding, so its
    // output must equal the F32 model built from our dequantization of the same bytes.
    const q = join(dir, `${type}.gguf`);
    await saveGgufModel(q, config, tensors, { preset: "F32", tokenizerFrom: tok, tensorType: (n, p) => (n === "token_embd.weight" ? type : p) });
    const deq = await loadGgufModel(q);
    assert.equal(deq.sourceTypes.get("model.embed_tokens.weight"), type);
    const f = join(dir, `${type}-deq.gguf`);
    await saveGgufModel(f, deq.config, deq.tensors, { preset: "F32", tokenizerFrom: tok });
    const d = maxAbsDiff(await llamaLogprobs(llama, q, IDS, 512), await llamaLogprobs(llama, f, IDS, 512));
    process.stderr.write(`llama.cpp ${type} embedding vs our dequantization: max |d log p| ${d.toExponential(2)}\n`);
    assert.ok(d <= 1e-4, `${type}: ${d}`);
  }
});

test("whole Q8_0 and Q4_K_M files run in llama.cpp close to our dequantized weights", async (t) => {
  const tok = sharedPath(t, "models/stories260K/hf");
  if (!tok) return;
  const llama = await llamaOrSkip(t);
  if (!llama) return;
  const { config, tensors } = syntheticModel();
  const dir = tmpDir();
  const f32 = join(dir, "f32.gguf");
  await saveGgufModel(f32, config, tensors, { preset: "F32", tokenizerFrom: tok });
  const exact = await llamaLogprobs(llama, f32, IDS, 512);
  for (const preset of ["Q8_0", "Q4_K_M"] as const) {
    const q = join(dir, `${preset}.gguf`);
    const saved = await saveGgufModel(q, config, tensors, { preset, tokenizerFrom: tok });
    const deq = await loadGgufModel(q);
    const f = join(dir, `${preset}-deq.gguf`);
    await saveGgufModel(f, deq.config, deq.tensors, { preset: "F32", tokenizerFrom: tok });
    const [lq, ld] = [await llamaLogprobs(llama, q, IDS, 512), await llamaLogprobs(llama, f, IDS, 512)];
    const vsDeq = maxAbsDiff(lq, ld), vsExact = maxAbsDiff(lq, exact);
    process.stderr.write(`llama.cpp ${preset} (${[...new Set(saved.types.values())].join("/")}): max |d log p| vs our dequantized ${vsDeq.toFixed(4)}, vs unquantized ${vsExact.toFixed(4)}\n`);
    // What remains is llama.cpp rounding activations to 8 bits inside quantized matmuls.
    assert.ok(vsDeq < 0.3, `${preset}: ${vsDeq}`);
    assert.ok(lq.every((row) => row.every((v) => Number.isFinite(v))), "finite log-probs at every position");
    assert.ok(vsExact > vsDeq, "the file holds the quantized weights, not the originals");
  }
});

test.after(disposeLlama);
