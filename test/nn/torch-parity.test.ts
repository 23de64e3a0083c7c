// Parity with the PyTorch float64 reference in ../shared/golden for the four tiny models (GQA, real Llama-2
// vocabulary with F16 weights, Qwen2 bias + BF16 + tied embeddings, llama3 rope scaling): logits and loss within
// 1e-4 relative, every weight gradient and every LoRA gradient within 1e-3 relative (or 1e-6 absolute), on
// every kernel implementation this machine has.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { loadHfModel, readSafetensors, readSafetensorsInts } from "../../src/formats/index.ts";
import { LlamaModel } from "../../src/nn/index.ts";
import { availableKernels } from "../../src/tensor/index.ts";
import { sharedPath } from "../helpers/shared.ts";
import { compare, goldenAdapter, head, type Comparison } from "./parity-helpers.ts";

const MODELS = ["stories260K", "llama-2-tiny-random", "tiny-qwen2-random", "tiny-llama3-random"];
/** Gradient tolerance; float32 BLAS accumulation may also miss by 1e-5 of the tensor's largest element on elements that cancel to ~0. */
const GRAD_TOL = { rtol: 1e-3, atol: 1e-6, scaleTol: 1e-5 };

/** Compares every golden tensor under `prefix` with ours; returns the count and a one-line summary. */
function summarize(
  g: Map<string, { data: Float32Array }>, prefix: string, ours: (name: string) => ArrayLike<number>,
  report: (what: string, c: Comparison) => void,
): { n: number; text: string } {
  let n = 0, maxAbs = 0, maxRel = 0, scaleOnly = 0, elems = 0;
  let worst = "";
  for (const [k, ref] of g) {
    if (!k.startsWith(prefix)) continue;
    n++;
    const c = compare(ours(k.slice(prefix.length)), ref.data, GRAD_TOL);
    if (c.bad > 0) report(k, c);
    if (c.maxRel > maxRel) {
      maxRel = c.maxRel;
      worst = k.slice(prefix.length);
    }
    maxAbs = Math.max(maxAbs, c.maxAbs);
    scaleOnly += c.scaleOnly;
    elems += c.n;
  }
  const text = `max abs ${maxAbs.toExponential(2)}, max rel (where abs > 1e-6) ${maxRel.toExponential(2)}${worst ? ` in ${worst}` : ""}` +
    (scaleOnly ? `, ${scaleOnly}/${elems} elements pass only within 1e-5 of their tensor's largest gradient` : "");
  return { n, text };
}

for (const name of MODELS) {
  for (const kern of availableKernels()) {
    test(`PyTorch parity: ${name} logits, loss, weight gradients and LoRA gradients (${kern.name} kernels)`, (t) => {
      const jsonPath = sharedPath(t, `golden/${name}.torch.json`);
      const stPath = sharedPath(t, `golden/${name}.torch.safetensors`);
      const hfDir = sharedPath(t, `models/${name}/hf`);
      if (!jsonPath || !stPath || !hfDir) return;
      const meta = JSON.parse(readFileSync(jsonPath, "utf8")) as { loss: number; lora_loss: number };
      const ints = readSafetensorsInts(stPath, { names: ["input_ids", "labels"] });
      const g = readSafetensors(stPath, { filter: (n) => n !== "input_ids" && n !== "labels" });
      const ids = ints.get("input_ids")!;
      const labels = ints.get("labels")!;
      const [B, T] = ids.shape;
      const batch = { data: ids.data, B, T };
      const lab = { data: labels.data, B, T };
      const hf = loadHfModel(hfDir);
      const model = LlamaModel.fromTensors(hf.config, hf.tensors, { kernels: kern });
      const lines: string[] = [];
      const fails: string[] = [];
      const report = (what: string, c: Comparison, first = ""): void => {
        lines.push(`${c.bad === 0 ? "PASS" : "FAIL"} ${what}: max abs ${c.maxAbs.toExponential(2)}, max rel ${c.maxRel.toExponential(2)}${first}${c.bad ? `, ${c.bad}/${c.n} outside tolerance, first ${c.firstBad}` : ""}`);
        if (c.bad > 0) fails.push(what);
      };

      const logits = model.logits(batch);
      const gl = g.get("logits")!.data;
      report("logits", compare(logits, gl, { rtol: 1e-4, atol: 0, relFloor: 1 }), `, first ${head(logits)} vs torch ${head(gl)}`);

      model.zeroGrad();
      const loss = model.forward(batch, { labels: lab })!;
      model.backward();
      report("loss", compare([loss], [meta.loss], { rtol: 1e-4, atol: 0 }), `, ${loss.toPrecision(9)} vs torch ${meta.loss.toPrecision(9)}`);
      const grads = summarize(g, "grad.", (k) => model.grads.get(k), report);
      assert.equal(grads.n, model.params.entries().length, "the golden holds a gradient for every weight");
      lines.push(`${fails.some((f) => f.startsWith("grad.")) ? "FAIL" : "PASS"} ${grads.n} weight gradients: ${grads.text}, first ${head(model.grads.get("model.norm.weight"))} vs torch ${head(g.get("grad.model.norm.weight")!.data)}`);

      const lora = model.loadLora(goldenAdapter(g, "lora.", 4, 8));
      model.zeroGrad();
      const loraLoss = model.forwardBackward(batch, { labels: lab });
      report("LoRA loss", compare([loraLoss], [meta.lora_loss], { rtol: 1e-4, atol: 0 }), `, ${loraLoss.toPrecision(9)} vs torch ${meta.lora_loss.toPrecision(9)}`);
      const lg = summarize(g, "lora_grad.", (k) => lora.grads.get(k), report);
      assert.equal(lg.n, lora.params.entries().length, "the golden holds a gradient for every LoRA matrix");
      lines.push(`${fails.some((f) => f.startsWith("lora_grad.")) ? "FAIL" : "PASS"} ${lg.n} LoRA gradients: ${lg.text}`);
      console.log(`${name} (${kern.name}, B=${B}, T=${T}):\n  ${lines.join("\n  ")}`);
      assert.deepEqual(fails, [], `outside tolerance: ${fails.join(", ")}`);
    });
  }
}
