// Exports of a trained model through the formats layer's writers: a PEFT adapter folder (adapter_config.json +
// adapter_model.safetensors, PEFT key names), a llama.cpp GGUF LoRA adapter (general.type=adapter,
// adapter.type=lora, adapter.lora.alpha), a merged Hugging Face folder (config, safetensors, tokenizer files) and
// a GGUF of the merged model. LoRA exports come first; the merge then folds the adapter into the model in place.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fail, writeJsonAtomic } from "../core/index.ts";
import { saveGgufLora, saveGgufModel, saveHfModel, savePeftAdapter, type GgufPreset, type SafetensorsOutDtype, type TensorMap } from "../formats/index.ts";
import type { LlamaModel } from "../nn/index.ts";
import { tokenizerFilesFromGgufFile } from "../tokenizer/index.ts";

/** What can be exported: the adapter (PEFT, GGUF LoRA), the merged model (HF folder, GGUF), the untouched base as GGUF. */
export const EXPORT_FORMATS = ["peft", "gguf-lora", "hf", "gguf", "base-gguf"] as const;
/** One of EXPORT_FORMATS. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Where and how to export. */
export interface ExportOptions {
  /** the run's export/ folder */
  dir: string;
  formats: readonly ExportFormat[];
  /** quantization of the GGUF files (F32 for exact parity, F16 as convert_hf_to_gguf.py, or a K-quant) */
  ggufPreset: GgufPreset;
  /** dtype of the merged safetensors */
  hfDtype: SafetensorsOutDtype;
  /** the base model: its format and path (tokenizer files and GGUF tokenizer metadata come from it) */
  source: { format: "hf" | "gguf"; path: string };
  /** general.name of the GGUF files */
  name: string;
}

/** The model's weights as float32 tensors, as views when the model is float32 (no copy of a large model). */
function weightViews(model: LlamaModel): TensorMap {
  if (model.dtype !== "float32") return model.toTensors();
  const out: TensorMap = new Map();
  for (const e of model.params.entries()) out.set(e.name, { shape: [...e.shape], data: model.params.get(e.name) as Float32Array });
  return out;
}

/** Writes the requested exports; returns format -> path. With an adapter, `hf`/`gguf` leave the model merged. */
export async function exportModel(model: LlamaModel, o: ExportOptions): Promise<Partial<Record<ExportFormat, string>>> {
  const out: Partial<Record<ExportFormat, string>> = {};
  const lora = model.lora;
  for (const f of o.formats) {
    if ((f === "peft" || f === "gguf-lora") && lora === null) fail("export.no-adapter", `export format "${f}" needs a LoRA run`, "export.formats", 'full fine-tuning exports "hf" and "gguf"');
  }
  mkdirSync(o.dir, { recursive: true });
  const tokenizerFrom = o.source.path;
  if (lora !== null) {
    const adapter = lora.toAdapter();
    adapter.config.baseModel = o.source.path;
    if (o.formats.includes("peft")) {
      const p = join(o.dir, "adapter");
      mkdirSync(p, { recursive: true });
      savePeftAdapter(p, adapter);
      out.peft = p;
    }
    if (o.formats.includes("gguf-lora")) {
      const p = join(o.dir, "adapter.gguf");
      saveGgufLora(p, adapter, model.config, { name: `${o.name} LoRA` });
      out["gguf-lora"] = p;
    }
  }
  if (o.formats.includes("base-gguf")) {
    const p = join(o.dir, "base.gguf");
    await saveGgufModel(p, model.config, weightViews(model), { preset: o.ggufPreset, tokenizerFrom, name: `${o.name} base` });
    out["base-gguf"] = p;
  }
  if (!o.formats.includes("hf") && !o.formats.includes("gguf")) return out;
  if (lora !== null) model.mergeLora(); // W += (alpha/r)·B·A, exact
  const tensors = weightViews(model);
  if (o.formats.includes("hf")) {
    const p = join(o.dir, "merged");
    mkdirSync(p, { recursive: true });
    saveHfModel(p, model.config, tensors, { dtype: o.hfDtype, copyTokenizerFrom: o.source.format === "hf" ? o.source.path : undefined });
    if (o.source.format === "gguf") {
      // a GGUF carries its tokenizer as metadata: write it out as tokenizer.json + tokenizer_config.json
      const files = await tokenizerFilesFromGgufFile(o.source.path);
      writeJsonAtomic(join(p, "tokenizer.json"), files.tokenizerJson);
      writeJsonAtomic(join(p, "tokenizer_config.json"), files.tokenizerConfig);
    }
    if (!existsSync(join(p, "tokenizer.json"))) fail("export.no-tokenizer", "the merged folder has no tokenizer.json (the base model folder has none)", p, "copy the base model's tokenizer files into it");
    out.hf = p;
  }
  if (o.formats.includes("gguf")) {
    const p = join(o.dir, "model.gguf");
    await saveGgufModel(p, model.config, tensors, { preset: o.ggufPreset, tokenizerFrom, name: o.name });
    out.gguf = p;
  }
  return out;
}
