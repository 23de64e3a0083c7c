// PEFT LoRA adapter folders (Hugging Face peft): adapter_config.json + adapter_model.safetensors with keys
// `base_model.model.<module>.lora_A.weight` (r x in) and `.lora_B.weight` (out x r). Read into a LoraAdapter and
// written back so that `PeftModel.from_pretrained` loads the result.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { MedtuneError, formatPath, writeJsonAtomic } from "../core/index.ts";
import { linearShape } from "./expected-tensors.ts";
import { loraModuleSuffixes, type LoraAdapter, type LoraConfig, type LoraPair } from "./lora-adapter.ts";
import type { ModelConfig } from "./model-config.ts";
import { readSafetensors, writeSafetensors, type SafetensorsWriteTensor } from "./safetensors.ts";

const AdapterConfigSchema = z.looseObject({
  peft_type: z.string().optional(),
  task_type: z.string().nullish(),
  base_model_name_or_path: z.string().nullish(),
  r: z.number().int().positive(),
  lora_alpha: z.number().positive(),
  lora_dropout: z.number().min(0).max(1).optional(),
  bias: z.string().optional(),
  target_modules: z.union([z.array(z.string()), z.string()]).nullish(),
  fan_in_fan_out: z.boolean().optional(),
  use_rslora: z.boolean().optional(),
  use_dora: z.boolean().optional(),
  modules_to_save: z.array(z.string()).nullish(),
  rank_pattern: z.record(z.string(), z.unknown()).nullish(),
  alpha_pattern: z.record(z.string(), z.unknown()).nullish(),
});

/** Parses adapter_config.json into a LoraConfig, rejecting PEFT features the engine does not implement. */
export function parsePeftConfig(json: unknown, where: string): LoraConfig {
  const r = AdapterConfigSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new MedtuneError("peft.config", `invalid adapter_config.json at ${formatPath(issue.path)}: ${issue.message}`, { where });
  }
  const c = r.data;
  const unsupported = (what: string, hint: string): never => {
    throw new MedtuneError("peft.unsupported", `${what} is not supported`, { where, hint });
  };
  if (c.peft_type && c.peft_type !== "LORA") unsupported(`peft_type ${c.peft_type}`, "only LoRA adapters are supported");
  if (c.use_dora) unsupported("use_dora: true (DoRA)", "train or export a plain LoRA adapter");
  if (c.fan_in_fan_out) unsupported("fan_in_fan_out: true", "Llama-family linears are not Conv1D; re-export the adapter with fan_in_fan_out false");
  if (c.bias && c.bias !== "none") unsupported(`bias "${c.bias}"`, 'use bias "none"');
  if (c.modules_to_save?.length) unsupported(`modules_to_save ${JSON.stringify(c.modules_to_save)}`, "full-weight module copies are not supported; merge them into the base model");
  if (c.rank_pattern && Object.keys(c.rank_pattern).length) unsupported("rank_pattern", "use one rank for all modules");
  if (c.alpha_pattern && Object.keys(c.alpha_pattern).length) unsupported("alpha_pattern", "use one alpha for all modules");
  const config: LoraConfig = {
    r: c.r,
    alpha: c.lora_alpha,
    dropout: c.lora_dropout ?? 0,
    targetModules: c.target_modules ?? [],
    bias: "none",
    useRslora: c.use_rslora ?? false,
  };
  if (c.task_type) config.taskType = c.task_type;
  if (c.base_model_name_or_path) config.baseModel = c.base_model_name_or_path;
  return config;
}

const KEY_RE = /^base_model\.model\.(.+)\.lora_([AB])(?:\.[^.]+)?\.weight$/;

/** Loads a PEFT adapter folder; with `base`, checks every A/B pair against the base model's linear shapes. */
export function loadPeftAdapter(dir: string, base?: ModelConfig): LoraAdapter {
  const cfgPath = join(dir, "adapter_config.json");
  if (!existsSync(cfgPath)) throw new MedtuneError("peft.missing-file", "adapter_config.json is missing", { where: dir, hint: "a PEFT adapter folder holds adapter_config.json and adapter_model.safetensors" });
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(cfgPath, "utf8"));
  } catch (e) {
    throw new MedtuneError("peft.config", `adapter_config.json is not valid JSON: ${(e as Error).message}`, { where: cfgPath });
  }
  const config = parsePeftConfig(json, cfgPath);
  const wPath = join(dir, "adapter_model.safetensors");
  if (!existsSync(wPath)) {
    const hint = existsSync(join(dir, "adapter_model.bin")) ? "adapter_model.bin (pickle) is not supported; save the adapter with safe_serialization=True" : "the adapter weights are missing";
    throw new MedtuneError("peft.missing-file", "adapter_model.safetensors is missing", { where: dir, hint });
  }
  const halves = new Map<string, Partial<LoraPair>>();
  for (const [key, t] of readSafetensors(wPath)) {
    const m = KEY_RE.exec(key);
    if (!m) {
      throw new MedtuneError("peft.unexpected-tensor", `tensor "${key}" is not a LoRA A/B weight`, { where: wPath, hint: "only lora_A/lora_B weights of linear layers are supported (no embeddings, biases or magnitudes)" });
    }
    const [, module, ab] = m;
    if (!halves.has(module)) halves.set(module, {});
    halves.get(module)![ab as "A" | "B"] = { shape: t.shape, data: t.data };
  }
  const tensors = new Map<string, LoraPair>();
  for (const [module, p] of halves) {
    if (!p.A || !p.B) throw new MedtuneError("peft.missing-tensor", `module ${module} has lora_${p.A ? "B" : "A"} missing`, { where: wPath });
    const pair = { A: p.A, B: p.B };
    checkPair(module, pair, config.r, wPath, base);
    tensors.set(module, pair);
  }
  if (tensors.size === 0) throw new MedtuneError("peft.empty", "the adapter holds no LoRA weights", { where: wPath });
  return { config, tensors };
}

/** Checks A is (r x in), B is (out x r), and (with a base config) in/out match the base linear. */
export function checkPair(module: string, p: LoraPair, r: number, where: string, base?: ModelConfig): void {
  if (p.A.shape.length !== 2 || p.B.shape.length !== 2 || p.A.shape[0] !== r || p.B.shape[1] !== r) {
    throw new MedtuneError("peft.shape", `module ${module}: lora_A [${p.A.shape}] and lora_B [${p.B.shape}] do not have rank ${r} (expected A (r, in), B (out, r))`, { where });
  }
  if (!base) return;
  const s = linearShape(base, module);
  if (!s) throw new MedtuneError("peft.unknown-module", `module ${module} is not a linear layer of the base model`, { where, hint: "the adapter was trained for a different architecture or naming" });
  if (p.A.shape[1] !== s[1] || p.B.shape[0] !== s[0]) {
    throw new MedtuneError("peft.shape", `module ${module}: adapter maps ${p.A.shape[1]} -> ${p.B.shape[0]} but the base linear is ${s[1]} -> ${s[0]}`, { where, hint: "the adapter belongs to a different base model" });
  }
}

/** Writes a PEFT adapter folder (adapter_config.json + adapter_model.safetensors, F32). */
export function savePeftAdapter(dir: string, adapter: LoraAdapter): string[] {
  const { config } = adapter;
  for (const [m, p] of adapter.tensors) checkPair(m, p, config.r, "adapter to save");
  const weights: Array<[string, SafetensorsWriteTensor]> = [];
  for (const [module, p] of adapter.tensors) {
    weights.push([`base_model.model.${module}.lora_A.weight`, p.A]);
    weights.push([`base_model.model.${module}.lora_B.weight`, p.B]);
  }
  const wPath = join(dir, "adapter_model.safetensors");
  writeSafetensors(wPath, weights, { metadata: { format: "pt" } });
  const cfgPath = join(dir, "adapter_config.json");
  writeJsonAtomic(cfgPath, {
    peft_type: "LORA",
    task_type: config.taskType ?? "CAUSAL_LM",
    base_model_name_or_path: config.baseModel ?? null,
    r: config.r,
    lora_alpha: config.alpha,
    lora_dropout: config.dropout,
    bias: "none",
    fan_in_fan_out: false,
    use_rslora: config.useRslora,
    use_dora: false,
    target_modules: Array.isArray(config.targetModules) && config.targetModules.length === 0 ? loraModuleSuffixes(adapter.tensors) : config.targetModules,
    modules_to_save: null,
    init_lora_weights: true,
    layers_to_transform: null,
    layers_pattern: null,
    rank_pattern: {},
    alpha_pattern: {},
    inference_mode: true,
  });
  return [cfgPath, wPath];
}
