// Parity with llama.cpp (../shared/models/*/golden, F32 KV cache): log-probabilities of every case within 1e-4
// and the same 16-token greedy continuations, loading the HF folders and the GGUF files, and with the synthetic
// LoRA adapter (PEFT folder on the HF model, GGUF adapter on the GGUF model).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadGgufLora, loadGgufModel, loadHfModel, loadPeftAdapter, type ModelConfig, type TensorMap } from "../../src/formats/index.ts";
import { LlamaModel, generate, logSoftmaxForward } from "../../src/nn/index.ts";
import { availableKernels, type Kernels } from "../../src/tensor/index.ts";
import { sharedPath } from "../helpers/shared.ts";
import { head } from "./parity-helpers.ts";

interface GoldenCase {
  prompt: string;
  input_ids: number[];
  greedy_next_16?: number[];
  positions: { next_input_token: number | null; next_input_token_logprob: number | null; top5: [number, number][] }[];
}
interface Golden {
  vocab_size: number;
  cases: GoldenCase[];
}

const TOL = 1e-4;

/** Checks one model against one golden file; returns printable lines, throws on a miss. */
function check(model: LlamaModel, goldenDir: string, stem: string, allPositions: boolean, label: string): void {
  const g = JSON.parse(readFileSync(join(goldenDir, `${stem}.llamacpp.json`), "utf8")) as Golden;
  const raw = readFileSync(join(goldenDir, `${stem}.llamacpp.logprobs.f32`));
  const lp = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
  const V = g.vocab_size;
  assert.equal(V, model.config.vocabSize);
  let off = 0, maxDiff = 0, maxJson = 0, greedyOk = 0, greedyN = 0, compared = 0;
  const lines: string[] = [];
  for (const [ci, c] of g.cases.entries()) {
    const T = c.input_ids.length;
    const logp = model.logits([c.input_ids]);
    logSoftmaxForward(logp, logp, T, V);
    const rows = allPositions ? T : 1;
    let firstBad: string | null = null;
    for (let r = 0; r < rows; r++) {
      const t = allPositions ? r : T - 1;
      for (let j = 0; j < V; j++) {
        const ref = lp[off + r * V + j];
        const ours = logp[t * V + j];
        const d = ref === -Infinity ? (ours < -80 ? 0 : Infinity) : Math.abs(ours - ref); // llama.cpp probability 0
        if (ref !== -Infinity) {
          compared++;
          if (d > maxDiff) maxDiff = d;
        }
        if (!(d <= TOL) && firstBad === null) firstBad = `position ${t} token ${j}: log p ${ours} vs llama.cpp ${ref}`;
      }
    }
    assert.equal(firstBad, null, `${label} case ${ci}: ${firstBad}`);
    if (ci === 0) lines.push(`case 0 last-position log p ${head(logp.subarray((T - 1) * V))} vs llama.cpp ${head(lp.subarray(off + (rows - 1) * V))}`);
    off += rows * V;
    c.positions.forEach((p, t) => {
      const pairs: [number, number][] = [...p.top5];
      if (p.next_input_token !== null && p.next_input_token_logprob !== null) pairs.push([p.next_input_token, p.next_input_token_logprob]);
      for (const [tok, ref] of pairs) {
        const d = Math.abs(logp[t * V + tok] - ref);
        maxJson = Math.max(maxJson, d);
        assert.ok(d <= TOL, `${label} case ${ci} position ${t} token ${tok}: log p ${logp[t * V + tok]} vs llama.cpp top-5/next ${ref}`);
      }
    });
    if (c.greedy_next_16) {
      greedyN++;
      const out = generate(model, c.input_ids, { maxNewTokens: 16, stopIds: [] });
      assert.deepEqual(out.ids, c.greedy_next_16, `${label} case ${ci} ("${c.prompt}") greedy continuation`);
      greedyOk++;
    }
  }
  assert.equal(off, lp.length, "every golden row was compared");
  console.log(`PASS ${label}: ${g.cases.length} cases, ${compared} log-probs, max |Δ log p| ${maxDiff.toExponential(2)} (JSON top-5/next ${maxJson.toExponential(2)}), greedy ${greedyOk}/${greedyN} identical\n  ${lines.join("\n  ")}`);
}

const MODELS: { name: string; allPositions: boolean }[] = [
  { name: "stories260K", allPositions: true },
  { name: "llama-2-tiny-random", allPositions: false },
];

async function load(dir: string, src: "hf" | "gguf", name: string): Promise<{ config: ModelConfig; tensors: TensorMap }> {
  return src === "hf" ? loadHfModel(join(dir, "hf")) : await loadGgufModel(join(dir, `${name}.gguf`));
}

for (const { name, allPositions } of MODELS) {
  for (const src of ["hf", "gguf"] as const) {
    const kernels: (Kernels | undefined)[] = src === "hf" ? availableKernels() : [undefined];
    for (const kern of kernels) {
      test(`llama.cpp parity: ${name} from ${src === "hf" ? "the HF folder" : "the GGUF file"}${kern ? ` (${kern.name} kernels)` : ""}: log-probs within 1e-4, same greedy continuations`, async (t) => {
        const dir = sharedPath(t, `models/${name}`);
        if (!dir) return;
        const m = await load(dir, src, name);
        const model = LlamaModel.fromTensors(m.config, m.tensors, kern ? { kernels: kern } : {});
        check(model, join(dir, "golden"), name, allPositions, `${name} ${src}${kern ? ` ${kern.name}` : ""}`);
      });
    }
  }
}

for (const src of ["hf", "gguf"] as const) {
  test(`the stories260K LoRA test adapter (${src === "hf" ? "PEFT folder on the HF model" : "GGUF adapter on the GGUF model"}) reproduces the stories260K-lora-test goldens`, async (t) => {
    const dir = sharedPath(t, "models/stories260K");
    if (!dir) return;
    const m = await load(dir, src, "stories260K");
    const adapter = src === "hf"
      ? loadPeftAdapter(join(dir, "lora-test", "peft"), m.config)
      : await loadGgufLora(join(dir, "lora-test", "stories260K-lora-test.gguf"), m.config);
    const model = LlamaModel.fromTensors(m.config, m.tensors);
    const lora = model.loadLora(adapter);
    assert.deepEqual(lora.targetModules(), ["q_proj", "v_proj", "down_proj"]);
    assert.equal(lora.numTrainable(), 5 * 4 * ((64 + 64) + (64 + 32) + (172 + 64)));
    check(model, join(dir, "golden"), "stories260K-lora-test", true, `stories260K-lora-test ${src}`);
    model.mergeLora(); // the merged weights give the same log-probs (what an exported model would hold)
    check(model, join(dir, "golden"), "stories260K-lora-test", true, `stories260K-lora-test ${src} merged`);
  });
}
