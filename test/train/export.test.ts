// Exports of a trained model in the tools users load them with: the merged GGUF and the GGUF LoRA adapter (on
// the base GGUF) in llama.cpp (node-llama-cpp, F32 KV cache) give the engine's next-token log-probabilities within
// 1e-3; the PEFT folder round-trips through our loader bit for bit and the merged HF folder reloads to the same
// model. One LoRA run and one full fine-tuning run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadGgufModel, loadHfModel, loadPeftAdapter, readGgufFile, readSafetensors } from "../../src/formats/index.ts";
import { loadTokenizer } from "../../src/tokenizer/index.ts";
import { LlamaModel } from "../../src/nn/index.ts";
import { FinetuneConfigSchema } from "../../src/recipes/finetune-config.ts";
import { finetune } from "../../src/recipes/finetune.ts";
import { sharedPath } from "../helpers/shared.ts";
import { llamaOrSkip, disposeLlama, llamaLogprobs } from "../helpers/llama.ts";
import { tmpDir } from "../helpers/tmp.ts";
import { TASK_A, taskItems, writePrepared } from "./synthetic.ts";

/** The engine's log-softmax at every position. */
function engineLogprobs(m: LlamaModel, ids: number[]): Float64Array[] {
  const V = m.config.vocabSize;
  const logits = m.logits([ids]);
  return ids.map((_, t) => {
    const row = Float64Array.from(logits.subarray(t * V, (t + 1) * V));
    let mx = -Infinity;
    for (const x of row) mx = Math.max(mx, x);
    let s = 0;
    for (const x of row) s += Math.exp(x - mx);
    const lse = mx + Math.log(s);
    return row.map((x) => x - lse);
  });
}

/** max |a − b| over entries where llama.cpp reports a probability above 1e-9 (it truncates the rest). */
function maxDiff(a: Float64Array[], b: Float64Array[]): number {
  let w = 0;
  for (let r = 0; r < a.length; r++) for (let v = 0; v < a[r].length; v++) if (b[r][v] > Math.log(1e-9)) w = Math.max(w, Math.abs(a[r][v] - b[r][v]));
  return w;
}

const PROMPT = [1, 403, 407, 261, 378, 432, 300, 272, 13, 68, 58];

test("LoRA exports: merged GGUF and GGUF LoRA match the engine in llama.cpp; PEFT and HF folders round-trip", async (t) => {
  const hfDir = sharedPath(t, "models/stories260K/hf");
  if (!hfDir) return;
  const dir = tmpDir();
  const data = writePrepared(join(dir, "data"), taskItems(TASK_A, 16, 1), taskItems(TASK_A, 4, 2));
  const r = await finetune(FinetuneConfigSchema.parse({
    model: hfDir, out: join(dir, "run"), data: { dir: data }, prompt: { appendEos: false }, lora: { rank: 4, alpha: 16, dropout: 0.05 }, optim: { lr: 5e-3 },
    batch: { size: 4, gradAccum: 1 }, steps: { max: 6 }, eval: { every: 3 }, export: { formats: ["peft", "gguf-lora", "hf", "gguf", "base-gguf"], ggufPreset: "F32" },
  }), { quiet: true });
  const e = r.exports;
  assert.ok(e.peft && e["gguf-lora"] && e.hf && e.gguf && e["base-gguf"]);

  // PEFT: our loader reads back exactly the weights that were exported (the best evaluation's)
  const adapter = loadPeftAdapter(e.peft, loadHfModel(hfDir).config);
  assert.equal(adapter.config.r, 4);
  assert.equal(adapter.config.alpha, 16);
  const best = readSafetensors(join(r.runDir, "checkpoints/best/trainable.safetensors"));
  assert.equal(adapter.tensors.size, 35, "7 projections × 5 layers");
  for (const [module, p] of adapter.tensors) {
    assert.deepEqual(Array.from(p.A.data), Array.from(best.get(`base_model.model.${module}.lora_A.weight`)!.data), `${module} A`);
    assert.deepEqual(Array.from(p.B.data), Array.from(best.get(`base_model.model.${module}.lora_B.weight`)!.data), `${module} B`);
  }
  const base = loadHfModel(hfDir);
  const withAdapter = LlamaModel.fromTensors(base.config, base.tensors);
  withAdapter.loadLora(adapter);
  const ours = engineLogprobs(withAdapter, PROMPT);
  const baseOnly = engineLogprobs(LlamaModel.fromTensors(base.config, base.tensors), PROMPT);
  assert.ok(maxDiff(ours, baseOnly) > 1e-2, "the adapter changes the model");
  const merged = loadHfModel(e.hf);
  const mergedLp = engineLogprobs(LlamaModel.fromTensors(merged.config, merged.tensors), PROMPT);
  const dMerged = maxDiff(mergedLp, ours);
  assert.ok(dMerged < 1e-4, `merged HF folder vs base + PEFT adapter: ${dMerged}`);

  const gl = await readGgufFile(e["gguf-lora"]);
  assert.equal(gl.metadata["general.type"], "adapter");
  assert.equal(gl.metadata["adapter.type"], "lora");
  assert.equal(Number(gl.metadata["adapter.lora.alpha"]), 16);
  const llama = await llamaOrSkip(t);
  if (!llama) return;
  const V = base.config.vocabSize;
  const cppMerged = await llamaLogprobs(llama, e.gguf, PROMPT, V);
  const cppLora = await llamaLogprobs(llama, e["base-gguf"], PROMPT, V, { lora: e["gguf-lora"] });
  const d1 = maxDiff(ours, cppMerged), d2 = maxDiff(ours, cppLora);
  process.stderr.write(`llama.cpp vs engine (LoRA run): merged GGUF max |d log p| ${d1.toExponential(2)}, base GGUF + GGUF LoRA ${d2.toExponential(2)}; ` +
    `merged HF vs PEFT in the engine ${dMerged.toExponential(2)}; first log-probs engine ${Array.from(ours[1].slice(0, 3), (x) => x.toFixed(4)).join(", ")} llama.cpp ${Array.from(cppLora[1].slice(0, 3), (x) => x.toFixed(4)).join(", ")}\n`);
  assert.ok(d1 <= 1e-3, `merged GGUF: ${d1}`);
  assert.ok(d2 <= 1e-3, `GGUF LoRA: ${d2}`);
});

test("full fine-tuning exports: the merged HF folder reloads to the trained model and its GGUF matches in llama.cpp", async (t) => {
  const hfDir = sharedPath(t, "models/stories260K/hf");
  if (!hfDir) return;
  const dir = tmpDir();
  const data = writePrepared(join(dir, "data"), taskItems(TASK_A, 16, 1), taskItems(TASK_A, 4, 2));
  const r = await finetune(FinetuneConfigSchema.parse({
    model: hfDir, out: join(dir, "run"), data: { dir: data }, method: "full", optim: { lr: 1e-3, weightDecay: 0.01 }, batch: { size: 4, gradAccum: 1 },
    steps: { max: 6 }, eval: { every: 0 }, export: { ggufPreset: "F32" },
  }), { quiet: true });
  assert.ok(r.best!.metrics.loss < r.baseline!.loss, `validation improves: ${r.baseline!.loss} -> ${r.best!.metrics.loss}`);
  const merged = loadHfModel(r.exports.hf!);
  const best = readSafetensors(join(r.runDir, "checkpoints/best/trainable.safetensors"));
  for (const [k, v] of merged.tensors) assert.deepEqual(Array.from(v.data), Array.from(best.get(k)!.data), k);
  const ours = engineLogprobs(LlamaModel.fromTensors(merged.config, merged.tensors), PROMPT);
  const llama = await llamaOrSkip(t);
  if (!llama) return;
  const d = maxDiff(ours, await llamaLogprobs(llama, r.exports.gguf!, PROMPT, merged.config.vocabSize));
  process.stderr.write(`llama.cpp vs engine (full fine-tuning): merged GGUF max |d log p| ${d.toExponential(2)}\n`);
  assert.ok(d <= 1e-3, `${d}`);
});

test("a GGUF input model: LoRA training, its GGUF LoRA on the input file in llama.cpp, and a merged HF folder with a tokenizer", async (t) => {
  const gguf = sharedPath(t, "models/stories260K/stories260K.gguf");
  if (!gguf) return;
  const dir = tmpDir();
  const data = writePrepared(join(dir, "data"), taskItems(TASK_A, 8, 1), taskItems(TASK_A, 4, 2));
  const r = await finetune(FinetuneConfigSchema.parse({
    model: gguf, out: join(dir, "run"), data: { dir: data }, prompt: { appendEos: false }, lora: { rank: 2, alpha: 4 }, optim: { lr: 5e-3 },
    batch: { size: 4, gradAccum: 1 }, steps: { max: 3 }, eval: { every: 0 }, export: { formats: ["peft", "gguf-lora", "hf"] },
  }), { quiet: true });
  const merged = loadHfModel(r.exports.hf!);
  const tok = await loadTokenizer(r.exports.hf!);
  assert.deepEqual(tok.encode("Once upon a time"), await loadTokenizer(gguf).then((x) => x.encode("Once upon a time")), "the merged folder's tokenizer.json tokenizes like the GGUF");
  const { config, tensors } = await loadGgufModel(gguf);
  const m = LlamaModel.fromTensors(config, tensors);
  m.loadLora(loadPeftAdapter(r.exports.peft!, config));
  const ours = engineLogprobs(m, PROMPT);
  assert.ok(maxDiff(engineLogprobs(LlamaModel.fromTensors(merged.config, merged.tensors), PROMPT), ours) < 1e-4, "merged HF = GGUF base + adapter");
  const llama = await llamaOrSkip(t);
  if (!llama) return;
  const d = maxDiff(ours, await llamaLogprobs(llama, gguf, PROMPT, config.vocabSize, { lora: r.exports["gguf-lora"] }));
  process.stderr.write(`llama.cpp vs engine (GGUF input + our GGUF LoRA): max |d log p| ${d.toExponential(2)}\n`);
  assert.ok(d <= 1e-3, `${d}`);
});

test.after(disposeLlama);
