// Hugging Face model folders: config.json + model.safetensors (or shards listed in model.safetensors.index.json)
// loaded into float32 tensors keyed by HF name, checked against the config; and the reverse, which the trainer's
// merged export uses (config.json, generation_config.json, safetensors shards + index, tokenizer files copied).
import { copyFileSync, existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { MedtuneError, writeJsonAtomic } from "../core/index.ts";
import { checkTensors, expectedTensors } from "./expected-tensors.ts";
import { parseHfConfig, toHfConfig } from "./hf-config.ts";
import type { ModelConfig, TensorMap } from "./model-config.ts";
import { readSafetensors, readSafetensorsHeader, writeSafetensors, type SafetensorsOutDtype, type SafetensorsWriteTensor } from "./safetensors.ts";

/** A loaded Hugging Face model folder. */
export interface HfModel {
  config: ModelConfig;
  tensors: TensorMap;
  dir: string;
  /** The files read (config.json, safetensors files). */
  files: string[];
}

/** Tokenizer and generation files copied beside an exported model. */
export const TOKENIZER_FILES = [
  "tokenizer.json",
  "tokenizer_config.json",
  "special_tokens_map.json",
  "tokenizer.model",
  "added_tokens.json",
  "vocab.json",
  "merges.txt",
  "chat_template.jinja",
  "chat_template.json",
  "generation_config.json",
];

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new MedtuneError("model.missing-file", `cannot read ${what}: ${(e as Error).message}`, { where: path });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new MedtuneError("model.bad-json", `${what} is not valid JSON: ${(e as Error).message}`, { where: path, hint: "fix or re-download the file" });
  }
}

/** Reads config.json (plus eos ids from generation_config.json) of a model folder into a ModelConfig. */
export function readHfConfig(dir: string): ModelConfig {
  const path = join(dir, "config.json");
  if (!existsSync(path)) throw new MedtuneError("model.missing-file", "config.json is missing", { where: dir, hint: "a Hugging Face model folder needs config.json beside its safetensors files" });
  const config = parseHfConfig(readJson(path, "config.json"), path);
  const genPath = join(dir, "generation_config.json");
  if (existsSync(genPath)) {
    const gen = readJson(genPath, "generation_config.json") as { eos_token_id?: unknown; bos_token_id?: unknown };
    const ids = Array.isArray(gen.eos_token_id) ? gen.eos_token_id : gen.eos_token_id != null ? [gen.eos_token_id] : [];
    for (const id of ids) if (Number.isInteger(id) && !config.eosTokenIds.includes(id as number)) config.eosTokenIds.push(id as number);
    if (config.bosTokenId === undefined && Number.isInteger(gen.bos_token_id)) config.bosTokenId = gen.bos_token_id as number;
  }
  return config;
}

/** Maps each tensor name to the safetensors file holding it (single file or sharded index). */
export function hfWeightFiles(dir: string): Map<string, string> {
  const single = join(dir, "model.safetensors");
  const index = join(dir, "model.safetensors.index.json");
  const map = new Map<string, string>();
  if (existsSync(index)) {
    const j = readJson(index, "model.safetensors.index.json") as { weight_map?: Record<string, string> };
    if (!j.weight_map || typeof j.weight_map !== "object") {
      throw new MedtuneError("model.bad-index", "model.safetensors.index.json has no weight_map", { where: index });
    }
    for (const [name, file] of Object.entries(j.weight_map)) map.set(name, join(dir, file));
    for (const f of new Set(map.values())) {
      if (!existsSync(f)) throw new MedtuneError("model.missing-file", `shard listed in model.safetensors.index.json is missing`, { where: f, hint: "download every shard of the checkpoint" });
    }
    return map;
  }
  if (existsSync(single)) {
    for (const name of readSafetensorsHeader(single).tensors.keys()) map.set(name, single);
    return map;
  }
  const names = existsSync(dir) ? readdirSync(dir) : [];
  const hint = names.some((n) => n.endsWith(".bin") || n.endsWith(".pt") || n.endsWith(".pth"))
    ? "PyTorch .bin/.pt checkpoints are not supported; convert to safetensors (transformers: save_pretrained(..., safe_serialization=True))"
    : "expected model.safetensors or model.safetensors.index.json";
  throw new MedtuneError("model.missing-file", "no safetensors weights in the model folder", { where: dir, hint });
}

/** Loads a Hugging Face Llama-family model folder into float32 tensors, checking names and shapes. */
export function loadHfModel(dir: string): HfModel {
  const config = readHfConfig(dir);
  const where = new Map(hfWeightFiles(dir));
  const wanted = expectedTensors(config);
  const byFile = new Map<string, string[]>();
  for (const name of wanted.keys()) {
    const file = where.get(name);
    if (!file) {
      const files = [...new Set(where.values())].map((f) => f.slice(dir.length + 1)).join(", ");
      throw new MedtuneError("model.missing-tensor", `tensor "${name}" is missing from ${files}`, {
        where: dir,
        hint: config.tieWordEmbeddings || name !== "lm_head.weight" ? "the checkpoint does not match its config.json" : "set tie_word_embeddings: true in config.json if the model shares its embedding matrix",
      });
    }
    if (!byFile.has(file)) byFile.set(file, []);
    byFile.get(file)!.push(name);
  }
  const tensors: TensorMap = new Map();
  for (const [file, names] of byFile) {
    for (const [name, t] of readSafetensors(file, { names })) tensors.set(name, { shape: t.shape, data: t.data });
  }
  checkTensors(config, tensors, dir, (n) => where.get(n));
  return { config, tensors, dir, files: [join(dir, "config.json"), ...byFile.keys()] };
}

/** Options for `saveHfModel`. */
export interface SaveHfModelOptions {
  /** Folder whose tokenizer/generation files are copied (tokenizer.json, tokenizer_config.json, ...). */
  copyTokenizerFrom?: string;
  /** Weight dtype on disk (default F32). */
  dtype?: SafetensorsOutDtype;
  /** Largest shard in bytes before splitting (default 5 GB, as transformers). */
  maxShardBytes?: number;
}

const TORCH_DTYPE: Record<SafetensorsOutDtype, string> = { F32: "float32", F16: "float16", BF16: "bfloat16" };
const BYTES: Record<SafetensorsOutDtype, number> = { F32: 4, F16: 2, BF16: 2 };

/** Writes a Hugging Face model folder (config.json, safetensors or shards + index, tokenizer files). */
export function saveHfModel(dir: string, config: ModelConfig, tensors: TensorMap, opts: SaveHfModelOptions = {}): string[] {
  checkTensors(config, tensors, "tensors to save");
  const dtype = opts.dtype ?? "F32";
  const maxShard = opts.maxShardBytes ?? 5e9;
  const order = [...expectedTensors(config).keys()];
  for (const name of tensors.keys()) if (!order.includes(name)) order.push(name);
  const shards: string[][] = [[]];
  let cur = 0;
  for (const name of order) {
    const bytes = tensors.get(name)!.data.length * BYTES[dtype];
    if (cur > 0 && cur + bytes > maxShard) {
      shards.push([]);
      cur = 0;
    }
    shards[shards.length - 1].push(name);
    cur += bytes;
  }
  const written: string[] = [];
  const metadata = { format: "pt" };
  if (shards.length === 1) {
    const p = join(dir, "model.safetensors");
    writeSafetensors(p, order.map((n): [string, SafetensorsWriteTensor] => [n, tensors.get(n)!]), { dtype, metadata });
    written.push(p);
  } else {
    const weightMap: Record<string, string> = {};
    let total = 0;
    shards.forEach((names, i) => {
      const file = `model-${String(i + 1).padStart(5, "0")}-of-${String(shards.length).padStart(5, "0")}.safetensors`;
      writeSafetensors(join(dir, file), names.map((n): [string, SafetensorsWriteTensor] => [n, tensors.get(n)!]), { dtype, metadata });
      for (const n of names) {
        weightMap[n] = file;
        total += tensors.get(n)!.data.length * BYTES[dtype];
      }
      written.push(join(dir, file));
    });
    const idx = join(dir, "model.safetensors.index.json");
    writeJsonAtomic(idx, { metadata: { total_size: total }, weight_map: weightMap });
    written.push(idx);
  }
  const cfgPath = join(dir, "config.json");
  writeJsonAtomic(cfgPath, toHfConfig(config, { torchDtype: TORCH_DTYPE[dtype] }));
  written.push(cfgPath);
  const copied = new Set<string>();
  if (opts.copyTokenizerFrom) {
    for (const f of TOKENIZER_FILES) {
      const src = join(opts.copyTokenizerFrom, f);
      if (existsSync(src)) {
        copyFileSync(src, join(dir, f));
        copied.add(f);
        written.push(join(dir, f));
      }
    }
  }
  if (!copied.has("generation_config.json")) {
    const gen: Record<string, unknown> = {};
    if (config.bosTokenId !== undefined) gen.bos_token_id = config.bosTokenId;
    if (config.eosTokenIds.length) gen.eos_token_id = config.eosTokenIds.length === 1 ? config.eosTokenIds[0] : config.eosTokenIds;
    if (config.padTokenId !== undefined) gen.pad_token_id = config.padTokenId;
    const p = join(dir, "generation_config.json");
    writeJsonAtomic(p, gen);
    written.push(p);
  }
  return written;
}
