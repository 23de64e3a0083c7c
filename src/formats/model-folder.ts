// One entry point for "a model the user points at": a Hugging Face folder (config.json + safetensors), a .gguf
// file, or a folder holding exactly one .gguf. Anything else is an error that says what was expected.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { MedtuneError } from "../core/index.ts";
import { loadGgufModel } from "./gguf-model.ts";
import { loadHfModel } from "./hf-model.ts";
import type { ModelConfig, TensorMap } from "./model-config.ts";

/** A loaded model and where it came from. */
export interface LoadedModel {
  format: "hf" | "gguf";
  /** The folder (HF) or file (GGUF) loaded. */
  path: string;
  config: ModelConfig;
  tensors: TensorMap;
  /** GGUF metadata (GGUF only). */
  metadata?: Record<string, unknown>;
}

/** Says which format a path holds without loading weights: an HF folder or a GGUF file (resolved path). */
export function detectModel(path: string): { format: "hf" | "gguf"; path: string } {
  if (!existsSync(path)) throw new MedtuneError("model.missing", `no such file or folder: ${path}`, { hint: "give a Hugging Face model folder or a .gguf file" });
  if (statSync(path).isFile()) {
    if (path.endsWith(".gguf")) return { format: "gguf", path };
    throw new MedtuneError("model.format", `not a model file: ${path}`, { hint: "give a .gguf file or a Hugging Face folder with config.json" });
  }
  if (existsSync(join(path, "config.json"))) return { format: "hf", path };
  const ggufs = readdirSync(path).filter((n) => n.endsWith(".gguf"));
  if (ggufs.length === 1) return { format: "gguf", path: join(path, ggufs[0]) };
  if (ggufs.length > 1) {
    throw new MedtuneError("model.ambiguous", `${ggufs.length} .gguf files in ${path}: ${ggufs.join(", ")}`, { hint: "point at one of them" });
  }
  throw new MedtuneError("model.missing", `no config.json or *.gguf at ${path}`, { hint: "give a Hugging Face model folder (config.json + model.safetensors) or a .gguf file" });
}

/** Loads a model from an HF folder or a GGUF file into float32 tensors with Hugging Face names. */
export async function loadModel(path: string): Promise<LoadedModel> {
  const d = detectModel(path);
  if (d.format === "hf") {
    const m = loadHfModel(d.path);
    return { format: "hf", path: d.path, config: m.config, tensors: m.tensors };
  }
  const m = await loadGgufModel(d.path);
  return { format: "gguf", path: d.path, config: m.config, tensors: m.tensors, metadata: m.metadata };
}
