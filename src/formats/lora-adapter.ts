// The in-memory form of a LoRA adapter, shared by the PEFT and GGUF readers/writers: per linear module (HF name,
// e.g. `model.layers.0.self_attn.q_proj`) an A (r x in) and B (out x r) in Hugging Face row order, and the
// hyper-parameters. The update is W + scale·B·A with scale = alpha/r (alpha/sqrt(r) with rsLoRA), B = 0 at init.
import type { NamedTensor } from "./model-config.ts";

/** LoRA hyper-parameters (PEFT LoraConfig, camelCase). */
export interface LoraConfig {
  /** R */
  r: number;
  alpha: number;
  dropout: number;
  /** Module suffixes (`q_proj`) or a regex string, as PEFT's target_modules. */
  targetModules: string[] | string;
  /** PEFT bias mode; only "none" is supported. */
  bias: "none";
  /** Scale alpha/sqrt(r) instead of alpha/r. */
  useRslora: boolean;
  taskType?: string;
  baseModel?: string;
}

/** One adapted linear: A (r x in) and B (out x r). */
export interface LoraPair {
  A: NamedTensor;
  B: NamedTensor;
}

/** A LoRA adapter: config plus one A/B pair per adapted module. */
export interface LoraAdapter {
  config: LoraConfig;
  /** HF module name -> pair. */
  tensors: Map<string, LoraPair>;
}

/** The factor multiplying B·A: alpha/r, or alpha/sqrt(r) with rsLoRA. */
export function loraScale(config: LoraConfig): number {
  return config.useRslora ? config.alpha / Math.sqrt(config.r) : config.alpha / config.r;
}

/** The distinct module suffixes (`q_proj`, `down_proj`) an adapter touches, in a stable order. */
export function loraModuleSuffixes(tensors: Map<string, LoraPair>): string[] {
  const order = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];
  const seen = new Set<string>();
  for (const m of tensors.keys()) seen.add(m.slice(m.lastIndexOf(".") + 1));
  const rank = (s: string): number => (order.includes(s) ? order.indexOf(s) : order.length);
  return [...seen].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
