// GGUF LoRA adapters as llama.cpp's convert_lora_to_gguf.py writes them: general.type=adapter, adapter.type=lora,
// adapter.lora.alpha (llama.cpp scales by alpha/r), tensors `blk.N.<proj>.weight.lora_a` (ne [in, r]) and
// `.lora_b` (ne [r, out]); for llama/mistral the rows of q/k lora_b are permuted like the base q/k weights.
import { GGUFValueType } from "@huggingface/gguf";
import { MedtuneError } from "../core/index.ts";
import { LAYER_LINEARS } from "./expected-tensors.ts";
import { GGUF_ARCHS } from "./gguf-config.ts";
import { ggufModuleToHf, hfModuleToGguf } from "./gguf-names.ts";
import { GGML_TYPE } from "./gguf-quants.ts";
import { quantize } from "./gguf-quantize.ts";
import { readGgufFile, readGgufTensor, type GgufTypedValue } from "./gguf-read.ts";
import { writeGguf, type GgufWriteTensor } from "./gguf-write.ts";
import { loraModuleSuffixes, loraScale, type LoraAdapter, type LoraPair } from "./lora-adapter.ts";
import type { ModelConfig } from "./model-config.ts";
import { checkPair } from "./peft.ts";
import { permuteQkRows, unpermuteQkRows } from "./rope-permute.ts";

function permuteHeads(base: ModelConfig, module: string): number | undefined {
  if (base.arch !== "llama" && base.arch !== "mistral") return undefined;
  if (module.endsWith("self_attn.q_proj")) return base.nHeads;
  if (module.endsWith("self_attn.k_proj")) return base.nKvHeads;
  return undefined;
}

/** Loads a llama.cpp GGUF LoRA adapter for `base`, returning A/B in Hugging Face row order. */
export async function loadGgufLora(path: string, base: ModelConfig): Promise<LoraAdapter> {
  const file = await readGgufFile(path);
  if (file.metadata["general.type"] !== "adapter" || file.metadata["adapter.type"] !== "lora") {
    throw new MedtuneError("gguf.not-lora", "this GGUF file is not a LoRA adapter (general.type/adapter.type)", { where: path, hint: "load models with loadGgufModel" });
  }
  const arch = GGUF_ARCHS[String(file.metadata["general.architecture"])];
  const baseArch = base.arch === "mistral" ? "llama" : base.arch;
  if (arch !== baseArch) {
    throw new MedtuneError("gguf.lora-arch", `adapter is for architecture ${String(file.metadata["general.architecture"])}, base model is ${base.arch}`, { where: path });
  }
  const alpha = Number(file.metadata["adapter.lora.alpha"] ?? 0);
  const halves = new Map<string, Partial<LoraPair>>();
  for (const t of file.tensors) {
    const m = /^(.+)\.weight\.lora_(a|b)$/.exec(t.name);
    const module = m ? ggufModuleToHf(m[1]) : undefined;
    if (!m || !module) throw new MedtuneError("gguf.unexpected-tensor", `tensor "${t.name}" is not a LoRA weight of a Llama-family linear`, { where: path });
    const shape = [...t.ne].reverse();
    let data = readGgufTensor(file, t);
    const heads = permuteHeads(base, module);
    if (m[2] === "b" && heads) data = unpermuteQkRows(data, shape[0], shape[1], heads);
    if (!halves.has(module)) halves.set(module, {});
    halves.get(module)![m[2] === "a" ? "A" : "B"] = { shape, data };
  }
  const tensors = new Map<string, LoraPair>();
  let r = 0;
  for (const [module, p] of halves) {
    if (!p.A || !p.B) throw new MedtuneError("gguf.missing-tensor", `module ${module} has lora_${p.A ? "b" : "a"} missing`, { where: path });
    r = r || p.A.shape[0];
    checkPair(module, { A: p.A, B: p.B }, r, path, base);
    tensors.set(module, { A: p.A, B: p.B });
  }
  if (tensors.size === 0) throw new MedtuneError("gguf.empty", "the adapter holds no LoRA tensors", { where: path });
  if (!(alpha > 0)) throw new MedtuneError("gguf.bad-metadata", "adapter.lora.alpha is missing or not positive", { where: path });
  return { config: { r, alpha, dropout: 0, targetModules: loraModuleSuffixes(tensors), bias: "none", useRslora: false }, tensors };
}

/** Writes a LoRA adapter as a llama.cpp GGUF adapter for `base` (F32 tensors; alpha chosen so alpha/r = scale). */
export function saveGgufLora(path: string, adapter: LoraAdapter, base: ModelConfig, opts: { name?: string } = {}): number {
  const r = adapter.config.r;
  const meta = new Map<string, GgufTypedValue>([
    ["general.architecture", { value: base.arch === "qwen2" ? "qwen2" : "llama", type: GGUFValueType.STRING }],
    ["general.type", { value: "adapter", type: GGUFValueType.STRING }],
    ["adapter.type", { value: "lora", type: GGUFValueType.STRING }],
    ["adapter.lora.alpha", { value: loraScale(adapter.config) * r, type: GGUFValueType.FLOAT32 }],
  ]);
  if (opts.name) meta.set("general.name", { value: opts.name, type: GGUFValueType.STRING });
  const list: GgufWriteTensor[] = [];
  // Layer by layer, projections in forward order (q, k, v, o, gate, up, down), as llama.cpp's own files list them.
  const layerOf = (m: string): number => Number(/layers\.(\d+)\./.exec(m)?.[1] ?? -1);
  const projOf = (m: string): number => LAYER_LINEARS.findIndex((l) => m.endsWith(l));
  const modules = [...adapter.tensors.keys()].sort((a, b) => layerOf(a) - layerOf(b) || projOf(a) - projOf(b) || a.localeCompare(b));
  for (const module of modules) {
    const p = adapter.tensors.get(module)!;
    checkPair(module, p, r, path, base);
    const g = hfModuleToGguf(module);
    if (!g) throw new MedtuneError("gguf.lora-module", `module ${module} has no GGUF name`, { where: path });
    const heads = permuteHeads(base, module);
    const b = heads ? permuteQkRows(p.B.data, p.B.shape[0], p.B.shape[1], heads) : p.B.data;
    for (const [suffix, shape, data] of [["a", p.A.shape, p.A.data], ["b", p.B.shape, b]] as const) {
      const ne = [shape[1], shape[0]];
      list.push({ name: `${g}.weight.lora_${suffix}`, ne, type: GGML_TYPE.F32, bytes: data.length * 4, data: () => quantize("F32", data, ne[0]) });
    }
  }
  return writeGguf(path, meta, list);
}
