// Llama-family models <-> GGUF files. Loading maps GGUF names to Hugging Face names, reverses `ne` into row-major
// shapes, dequantizes to float32 and un-permutes q/k rows for llama (not qwen2, which llama.cpp keeps in NEOX
// order). Saving does the reverse with a per-tensor type policy modelled on llama.cpp's llama_tensor_get_type.
import { GGUFValueType } from "@huggingface/gguf";
import { MedtuneError } from "../core/index.ts";
import { checkTensors, expectedTensors } from "./expected-tensors.ts";
import { ggufToModelConfig, GGUF_FILE_TYPE, llama3RopeFactors, modelConfigToGguf } from "./gguf-config.ts";
import { ggufTensorToHf, hfTensorToGguf } from "./gguf-names.ts";
import { GGML_BLOCK, ggmlBlock, ggmlTypeName, type GgmlTypeName } from "./gguf-quants.ts";
import { canQuantize, ggmlTypeId, quantize } from "./gguf-quantize.ts";
import { readGgufFile, readGgufTensor, type GgufFile, type GgufTypedValue } from "./gguf-read.ts";
import { ggufTokenizerFromGguf, ggufTokenizerFromHf } from "./gguf-tokenizer.ts";
import { writeGguf, type GgufWriteTensor } from "./gguf-write.ts";
import type { ModelConfig, TensorMap } from "./model-config.ts";
import { permuteQkRows, unpermuteQkRows } from "./rope-permute.ts";

/** A model loaded from GGUF. */
export interface GgufModel {
  config: ModelConfig;
  tensors: TensorMap;
  /** All GGUF metadata (tokenizer keys included). */
  metadata: GgufFile["metadata"];
  file: GgufFile;
  /** GGML type of each loaded tensor (HF name -> type name), e.g. to report what was dequantized. */
  sourceTypes: Map<string, string>;
}

/** True when llama.cpp stores this architecture's q/k rows permuted (llama, mistral). */
export function isQkPermuted(config: ModelConfig): boolean {
  return config.arch === "llama" || config.arch === "mistral";
}

function reorderQk(config: ModelConfig, hfName: string, data: Float32Array, shape: number[], dir: "toHf" | "toGguf"): Float32Array {
  if (!isQkPermuted(config)) return data;
  const isQ = hfName.includes("self_attn.q_proj."), isK = hfName.includes("self_attn.k_proj.");
  if (!isQ && !isK) return data;
  const heads = isQ ? config.nHeads : config.nKvHeads;
  const cols = shape.length === 2 ? shape[1] : 1;
  return dir === "toHf" ? unpermuteQkRows(data, shape[0], cols, heads) : permuteQkRows(data, shape[0], cols, heads);
}

/** Loads a GGUF model file into float32 tensors with Hugging Face names and a ModelConfig. */
export async function loadGgufModel(path: string): Promise<GgufModel> {
  const file = await readGgufFile(path);
  if (file.metadata["general.type"] === "adapter") {
    throw new MedtuneError("gguf.is-adapter", "this GGUF file is a LoRA adapter, not a model", { where: path, hint: "load it with loadGgufLora together with its base model" });
  }
  if (file.tensors.length === 0) throw new MedtuneError("gguf.no-weights", "this GGUF file has no tensors (vocabulary-only)", { where: path, hint: "use it as a tokenizer, or point at the full model file" });
  const config = ggufToModelConfig(file);
  const byName = new Map(file.tensors.map((t) => [t.name, t]));
  const tensors: TensorMap = new Map();
  const sourceTypes = new Map<string, string>();
  for (const [hf, shape] of expectedTensors(config)) {
    const gname = hfTensorToGguf(hf)!;
    const info = byName.get(gname);
    if (!info) throw new MedtuneError("model.missing-tensor", `tensor "${gname}" (${hf}) is missing`, { where: path, hint: "the GGUF file does not match its own metadata" });
    if (!ggmlBlock(info.type)) {
      throw new MedtuneError("gguf.unsupported-type", `tensor "${gname}" has type ${ggmlTypeName(info.type)}, which cannot be dequantized`, {
        where: path,
        hint: `supported: ${Object.keys(GGML_BLOCK).join(", ")}; use a Q8_0, Q6_K, Q5_K_M or Q4_K_M (or F16) file of the model`,
      });
    }
    const hfShape = [...info.ne].reverse();
    while (hfShape.length > shape.length && hfShape[0] === 1) hfShape.shift();
    if (hfShape.length !== shape.length || hfShape.some((d, i) => d !== shape[i])) {
      throw new MedtuneError("model.shape", `tensor "${gname}" has GGUF dims [${info.ne}] (row-major [${hfShape}]) but the metadata implies [${shape}]`, { where: path });
    }
    const data = reorderQk(config, hf, readGgufTensor(file, info), shape, "toHf");
    tensors.set(hf, { shape, data });
    sourceTypes.set(hf, ggmlTypeName(info.type));
  }
  for (const t of file.tensors) {
    if (t.name === "rope_freqs.weight" || ggufTensorToHf(t.name) !== undefined) continue;
    throw new MedtuneError("gguf.unexpected-tensor", `tensor "${t.name}" is not part of a ${config.arch} model`, { where: path, hint: "this GGUF holds a different architecture than its metadata says" });
  }
  return { config, tensors, metadata: file.metadata, file, sourceTypes };
}

/** Whole-file quantization presets (llama-quantize names). */
export type GgufPreset = "F32" | "F16" | "BF16" | "Q8_0" | "Q4_0" | "Q4_1" | "Q5_0" | "Q5_1" | "Q4_K" | "Q4_K_S" | "Q4_K_M" | "Q5_K" | "Q5_K_S" | "Q5_K_M" | "Q6_K";

const PRESET_BASE: Record<GgufPreset, GgmlTypeName> = {
  F32: "F32", F16: "F16", BF16: "BF16", Q8_0: "Q8_0", Q4_0: "Q4_0", Q4_1: "Q4_1", Q5_0: "Q5_0", Q5_1: "Q5_1",
  Q4_K: "Q4_K", Q4_K_S: "Q4_K", Q4_K_M: "Q4_K", Q5_K: "Q5_K", Q5_K_S: "Q5_K", Q5_K_M: "Q5_K", Q6_K: "Q6_K",
};

/** llama.cpp's fallback when rows are not a multiple of the type's block size. */
const FALLBACK: Partial<Record<GgmlTypeName, GgmlTypeName>> = { Q4_K: "Q5_0", Q5_K: "Q5_1", Q6_K: "Q8_0" };

// llama.cpp's use_more_bits: the first and last eighth of layers, and every third layer between.
function useMoreBits(i: number, n: number): boolean {
  return i < Math.floor(n / 8) || i >= Math.floor((7 * n) / 8) || (i - Math.floor(n / 8)) % 3 === 2;
}

/**
 * The GGML type a tensor gets under a preset: 1-D tensors stay F32; the output matrix (or the tied embedding) gets
 * Q6_K unless the preset is Q8_0 or unquantized; Q4_K_M/Q5_K_M give attn_v and ffn_down Q6_K in the layers
 * use_more_bits picks; Q4_K_S/Q5_K_S give the first layers' attn_v/ffn_down Q5_K; rows that do not fit a block size
 * fall back as llama-quantize does (Q4_K->Q5_0, Q5_K->Q5_1, Q6_K->Q8_0), then to F16.
 */
export function ggufTensorType(preset: GgufPreset, ggufName: string, ne: number[], config: ModelConfig): GgmlTypeName {
  if (ne.filter((d) => d > 1).length < 2 || ggufName === "rope_freqs.weight") return "F32";
  let t = PRESET_BASE[preset];
  const quantized = !["F32", "F16", "BF16"].includes(t);
  const layer = /^blk\.(\d+)\./.exec(ggufName);
  const i = layer ? Number(layer[1]) : -1;
  const isOutput = ggufName === "output.weight" || (config.tieWordEmbeddings && ggufName === "token_embd.weight");
  if (quantized && isOutput && t !== "Q8_0") t = "Q6_K";
  else if (ggufName.includes("attn_v.weight") || ggufName.includes("ffn_down.weight")) {
    if ((preset === "Q4_K_M" || preset === "Q5_K_M") && useMoreBits(i, config.nLayers)) t = "Q6_K";
    else if (preset === "Q4_K_S" && (ggufName.includes("attn_v") ? i < 4 : i < Math.floor(config.nLayers / 8))) t = "Q5_K";
  }
  if (!canQuantize(t, ne[0])) {
    const fb = FALLBACK[t];
    t = fb && canQuantize(fb, ne[0]) ? fb : "F16";
  }
  return t;
}

/** Options for `saveGgufModel`. */
export interface SaveGgufOptions {
  /** Quantization preset (default F16, as convert_hf_to_gguf.py). */
  preset?: GgufPreset;
  /** Where the tokenizer comes from: a .gguf file (keys copied) or a Hugging Face folder with tokenizer.json. */
  tokenizerFrom: string;
  /** `general.name`. */
  name?: string;
  /** llama.cpp pre-tokenizer name for byte-level BPE tokenizers, when it cannot be detected. */
  pre?: string;
  /** Extra metadata keys (override the generated ones). */
  metadata?: Map<string, GgufTypedValue>;
  /** Per-tensor type override: GGUF tensor name and the preset's choice -> type to write. */
  tensorType?: (ggufName: string, proposed: GgmlTypeName) => GgmlTypeName;
}

/** What `saveGgufModel` wrote. */
export interface SavedGguf {
  path: string;
  bytes: number;
  /** GGUF tensor name -> GGML type written. */
  types: Map<string, GgmlTypeName>;
}

/** Writes a Llama-family model as a GGUF file that llama.cpp loads (q/k permuted for llama/mistral). */
export async function saveGgufModel(path: string, config: ModelConfig, tensors: TensorMap, opts: SaveGgufOptions): Promise<SavedGguf> {
  checkTensors(config, tensors, "tensors to export");
  const preset = opts.preset ?? "F16";
  if (!(preset in PRESET_BASE)) throw new MedtuneError("gguf.preset", `unknown GGUF preset "${preset}"`, { hint: `supported: ${Object.keys(PRESET_BASE).join(", ")}` });
  const tok = opts.tokenizerFrom.endsWith(".gguf")
    ? await ggufTokenizerFromGguf(opts.tokenizerFrom)
    : ggufTokenizerFromHf(opts.tokenizerFrom, { vocabSize: config.vocabSize, pre: opts.pre });
  const nTok = (tok.get("tokenizer.ggml.tokens")?.value as unknown[] | undefined)?.length;
  if (nTok !== undefined && nTok !== config.vocabSize) {
    throw new MedtuneError("gguf.tokenizer", `tokenizer has ${nTok} tokens but the model's vocabulary is ${config.vocabSize}`, { where: opts.tokenizerFrom, hint: "export with the tokenizer the model was trained with" });
  }
  const list: GgufWriteTensor[] = [];
  const types = new Map<string, GgmlTypeName>();
  const add = (name: string, ne: number[], type: GgmlTypeName, make: () => Float32Array): void => {
    const n = ne.reduce((a, b) => a * b, 1);
    const b = GGML_BLOCK[type]!;
    types.set(name, type);
    list.push({ name, ne, type: ggmlTypeId(type), bytes: (n / b.blockSize) * b.typeSize, data: () => quantize(type, make(), ne[0]) });
  };
  if (config.ropeScaling) {
    const ff = llama3RopeFactors(config.ropeScaling, config.ropeTheta, config.headDim);
    add("rope_freqs.weight", [ff.length], "F32", () => ff);
  }
  for (const hf of expectedTensors(config).keys()) {
    const t = tensors.get(hf)!;
    const gname = hfTensorToGguf(hf)!;
    const ne = [...t.shape].reverse();
    const proposed = ggufTensorType(preset, gname, ne, config);
    const type = opts.tensorType ? opts.tensorType(gname, proposed) : proposed;
    if (!canQuantize(type, ne[0])) {
      throw new MedtuneError("gguf.bad-type", `tensor "${gname}" (rows of ${ne[0]}) cannot be stored as ${type}`, { hint: "row length must be a multiple of the type's block size (32, or 256 for K-quants)" });
    }
    add(gname, ne, type, () => reorderQk(config, hf, t.data, t.shape, "toGguf"));
  }
  const isQuantized = [...types.values()].some((t) => !["F32", "F16", "BF16"].includes(t));
  const meta = modelConfigToGguf(config, { name: opts.name, fileType: GGUF_FILE_TYPE[preset === "Q4_K" ? "Q4_K_M" : preset === "Q5_K" ? "Q5_K_M" : preset] });
  if (isQuantized) meta.set("general.quantization_version", { value: 2, type: GGUFValueType.UINT32 });
  for (const [k, v] of tok) meta.set(k, v);
  for (const [k, v] of opts.metadata ?? []) meta.set(k, v);
  const bytes = writeGguf(path, meta, list);
  return { path, bytes, types };
}
