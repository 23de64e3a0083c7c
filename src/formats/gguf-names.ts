// Tensor names in GGUF (llama.cpp's gguf-py TENSOR_NAMES) <-> Hugging Face state_dict names for the Llama family,
// e.g. `blk.3.attn_q.weight` <-> `model.layers.3.self_attn.q_proj.weight`, `output` <-> `lm_head`.

const GLOBAL: Record<string, string> = {
  token_embd: "model.embed_tokens",
  output_norm: "model.norm",
  output: "lm_head",
};

const LAYER: Record<string, string> = {
  attn_norm: "input_layernorm",
  attn_q: "self_attn.q_proj",
  attn_k: "self_attn.k_proj",
  attn_v: "self_attn.v_proj",
  attn_output: "self_attn.o_proj",
  ffn_norm: "post_attention_layernorm",
  ffn_gate: "mlp.gate_proj",
  ffn_up: "mlp.up_proj",
  ffn_down: "mlp.down_proj",
};

const GLOBAL_REV = Object.fromEntries(Object.entries(GLOBAL).map(([a, b]) => [b, a]));
const LAYER_REV = Object.fromEntries(Object.entries(LAYER).map(([a, b]) => [b, a]));

/** GGUF module name (`blk.0.attn_q`, `output`) -> HF module name, or undefined when not a Llama-family weight. */
export function ggufModuleToHf(name: string): string | undefined {
  if (name in GLOBAL) return GLOBAL[name];
  const m = /^blk\.(\d+)\.([a-z_]+)$/.exec(name);
  if (m && m[2] in LAYER) return `model.layers.${m[1]}.${LAYER[m[2]]}`;
  return undefined;
}

/** HF module name -> GGUF module name, or undefined. */
export function hfModuleToGguf(name: string): string | undefined {
  if (name in GLOBAL_REV) return GLOBAL_REV[name];
  const m = /^model\.layers\.(\d+)\.(.+)$/.exec(name);
  if (m && m[2] in LAYER_REV) return `blk.${m[1]}.${LAYER_REV[m[2]]}`;
  return undefined;
}

/** GGUF tensor name (`blk.0.attn_q.weight`) -> HF tensor name, or undefined. */
export function ggufTensorToHf(name: string): string | undefined {
  const m = /^(.+)\.(weight|bias)$/.exec(name);
  if (!m) return undefined;
  const mod = ggufModuleToHf(m[1]);
  return mod ? `${mod}.${m[2]}` : undefined;
}

/** HF tensor name -> GGUF tensor name, or undefined. */
export function hfTensorToGguf(name: string): string | undefined {
  const m = /^(.+)\.(weight|bias)$/.exec(name);
  if (!m) return undefined;
  const mod = hfModuleToGguf(m[1]);
  return mod ? `${mod}.${m[2]}` : undefined;
}

/** Which q/k projection a HF module is, for row permutation: "q", "k" or undefined. */
export function qkKind(hfModule: string): "q" | "k" | undefined {
  if (hfModule.endsWith("self_attn.q_proj")) return "q";
  if (hfModule.endsWith("self_attn.k_proj")) return "k";
  return undefined;
}
