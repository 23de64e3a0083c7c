// The weights a Llama-family checkpoint must hold, by Hugging Face name, with the shape the config implies
// (transformers' LlamaForCausalLM / MistralForCausalLM / Qwen2ForCausalLM state_dict). Loaders check against it.
import { MedtuneError } from "../core/index.ts";
import type { ModelConfig, TensorMap } from "./model-config.ts";

/** The linear projections of one decoder layer, by Hugging Face module suffix. */
export const LAYER_LINEARS = ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj"] as const;

/** Expected tensor names and shapes (row-major, [out, in] for linears) for a config. */
export function expectedTensors(config: ModelConfig): Map<string, number[]> {
  const { vocabSize: V, hiddenSize: C, intermediateSize: F, nHeads: H, nKvHeads: Hkv, headDim: D } = config;
  const m = new Map<string, number[]>();
  m.set("model.embed_tokens.weight", [V, C]);
  for (let l = 0; l < config.nLayers; l++) {
    const p = `model.layers.${l}.`;
    m.set(p + "input_layernorm.weight", [C]);
    m.set(p + "self_attn.q_proj.weight", [H * D, C]);
    m.set(p + "self_attn.k_proj.weight", [Hkv * D, C]);
    m.set(p + "self_attn.v_proj.weight", [Hkv * D, C]);
    if (config.attentionBias) {
      m.set(p + "self_attn.q_proj.bias", [H * D]);
      m.set(p + "self_attn.k_proj.bias", [Hkv * D]);
      m.set(p + "self_attn.v_proj.bias", [Hkv * D]);
    }
    m.set(p + "self_attn.o_proj.weight", [C, H * D]);
    m.set(p + "post_attention_layernorm.weight", [C]);
    m.set(p + "mlp.gate_proj.weight", [F, C]);
    m.set(p + "mlp.up_proj.weight", [F, C]);
    m.set(p + "mlp.down_proj.weight", [C, F]);
  }
  m.set("model.norm.weight", [C]);
  if (!config.tieWordEmbeddings) m.set("lm_head.weight", [V, C]);
  return m;
}

/** Shape of the linear `module` (e.g. `model.layers.0.self_attn.q_proj`) as [out, in], or undefined if unknown. */
export function linearShape(config: ModelConfig, module: string): [number, number] | undefined {
  const s = expectedTensors(config).get(module + ".weight");
  return s && s.length === 2 ? [s[0], s[1]] : undefined;
}

/** Checks that every expected tensor is present with the expected shape; `where` names the source in errors. */
export function checkTensors(config: ModelConfig, tensors: TensorMap, where: string, fileOf?: (name: string) => string | undefined): void {
  for (const [name, shape] of expectedTensors(config)) {
    const t = tensors.get(name);
    if (!t) {
      throw new MedtuneError("model.missing-tensor", `tensor "${name}" is missing`, {
        where: fileOf?.(name) ?? where,
        hint: "the checkpoint does not match its config (wrong architecture, or a file is missing)",
      });
    }
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new MedtuneError("model.shape", `tensor "${name}" has shape [${t.shape}] but the config implies [${shape}]`, {
        where: fileOf?.(name) ?? where,
        hint: "the checkpoint does not match its config.json (check hidden_size, heads, head_dim, vocab_size)",
      });
    }
  }
}
