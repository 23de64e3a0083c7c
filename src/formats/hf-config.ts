// Hugging Face config.json <-> ModelConfig for the Llama family (LlamaConfig, MistralConfig, Qwen2Config in
// transformers), validated with zod. Defaults are transformers' own; anything the engine cannot run (another
// architecture, another activation, rope scaling other than llama3) is a clear error naming it.
import { z } from "zod";
import { MedtuneError, formatPath } from "../core/index.ts";
import type { Arch, Llama3RopeScaling, ModelConfig } from "./model-config.ts";

/** Architectures the engine runs, with the config.json `architectures` class of each. */
export const SUPPORTED_ARCHS: Record<Arch, string> = {
  llama: "LlamaForCausalLM",
  mistral: "MistralForCausalLM",
  qwen2: "Qwen2ForCausalLM",
};

const CLASS_TO_ARCH: Record<string, Arch> = {
  LlamaForCausalLM: "llama",
  LlamaModel: "llama",
  MistralForCausalLM: "mistral",
  MistralModel: "mistral",
  Qwen2ForCausalLM: "qwen2",
  Qwen2Model: "qwen2",
};

const intId = z.number().int().nonnegative();

const HfConfigSchema = z.looseObject({
  model_type: z.string().optional(),
  architectures: z.array(z.string()).nullish(),
  vocab_size: z.number().int().positive(),
  hidden_size: z.number().int().positive(),
  intermediate_size: z.number().int().positive(),
  num_hidden_layers: z.number().int().positive(),
  num_attention_heads: z.number().int().positive(),
  num_key_value_heads: z.number().int().positive().nullish(),
  head_dim: z.number().int().positive().nullish(),
  hidden_act: z.string().optional(),
  max_position_embeddings: z.number().int().positive().optional(),
  rms_norm_eps: z.number().positive().optional(),
  rope_theta: z.number().positive().optional(),
  rope_scaling: z.record(z.string(), z.unknown()).nullish(),
  attention_bias: z.boolean().optional(),
  mlp_bias: z.boolean().optional(),
  tie_word_embeddings: z.boolean().optional(),
  sliding_window: z.number().int().positive().nullish(),
  use_sliding_window: z.boolean().optional(),
  bos_token_id: intId.nullish(),
  eos_token_id: z.union([intId, z.array(intId)]).nullish(),
  pad_token_id: intId.nullish(),
  torch_dtype: z.string().nullish(),
  partial_rotary_factor: z.number().optional(),
});

type HfConfigJson = z.infer<typeof HfConfigSchema>;

function archOf(json: HfConfigJson, where: string): Arch {
  const mt = json.model_type;
  if (mt === "llama" || mt === "mistral" || mt === "qwen2") return mt;
  const fromClass = (json.architectures ?? []).map((c) => CLASS_TO_ARCH[c]).find(Boolean);
  if (!mt && fromClass) return fromClass;
  const supported = Object.entries(SUPPORTED_ARCHS).map(([a, c]) => `${a} (${c})`).join(", ");
  throw new MedtuneError(
    "model.unsupported-arch",
    `unsupported architecture: model_type ${JSON.stringify(mt ?? null)}, architectures ${JSON.stringify(json.architectures ?? [])}`,
    { where, hint: `supported: ${supported}; Llama 2/3, TinyLlama and SmolLM use model_type "llama"` },
  );
}

function parseRopeScaling(raw: Record<string, unknown> | null | undefined, where: string): Llama3RopeScaling | undefined {
  if (!raw) return undefined;
  const type = (raw.rope_type ?? raw.type) as string | undefined;
  if (type === undefined || type === "default") return undefined;
  if (type !== "llama3") {
    throw new MedtuneError("model.unsupported-rope", `unsupported rope_scaling type "${type}"`, {
      where,
      hint: 'supported: none/"default" and "llama3"; linear, dynamic, yarn and longrope scaling are not implemented',
    });
  }
  const num = (k: string, dflt?: number): number => {
    const v = raw[k] ?? dflt;
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0) {
      throw new MedtuneError("model.config", `rope_scaling.${k} must be a positive number (got ${JSON.stringify(v)})`, { where, hint: "fix config.json" });
    }
    return v;
  };
  const s: Llama3RopeScaling = {
    type: "llama3",
    factor: num("factor"),
    lowFreqFactor: num("low_freq_factor", 1),
    highFreqFactor: num("high_freq_factor", 4),
    originalMaxPositionEmbeddings: num("original_max_position_embeddings", 8192),
  };
  if (s.highFreqFactor <= s.lowFreqFactor) {
    throw new MedtuneError("model.config", `rope_scaling.high_freq_factor (${s.highFreqFactor}) must exceed low_freq_factor (${s.lowFreqFactor})`, { where });
  }
  return s;
}

/** Parses a config.json object into a ModelConfig; `where` names the file in errors. */
export function parseHfConfig(json: unknown, where = "config.json"): ModelConfig {
  const r = HfConfigSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new MedtuneError("model.config", `invalid config.json at ${formatPath(issue.path)}: ${issue.message}`, { where, hint: "a Llama-family config.json needs vocab_size, hidden_size, intermediate_size, num_hidden_layers and num_attention_heads" });
  }
  const c = r.data;
  const arch = archOf(c, where);
  const act = c.hidden_act ?? "silu";
  if (act !== "silu" && act !== "swish") {
    throw new MedtuneError("model.unsupported-act", `unsupported hidden_act "${act}"`, { where, hint: "the engine implements SwiGLU (silu) MLPs only" });
  }
  if (c.mlp_bias) throw new MedtuneError("model.unsupported", "mlp_bias: true is not supported", { where, hint: "the engine's MLP has no bias terms" });
  if (c.partial_rotary_factor !== undefined && c.partial_rotary_factor !== 1) {
    throw new MedtuneError("model.unsupported", `partial_rotary_factor ${c.partial_rotary_factor} is not supported`, { where, hint: "the engine applies RoPE to the full head dimension" });
  }
  if (arch === "llama" && c.attention_bias) {
    throw new MedtuneError("model.unsupported", "attention_bias: true on a llama model (bias on q, k, v and o) is not supported", { where, hint: "q/k/v bias is supported for qwen2" });
  }
  const nHeads = c.num_attention_heads;
  const nKvHeads = c.num_key_value_heads ?? nHeads;
  if (nHeads % nKvHeads !== 0) {
    throw new MedtuneError("model.config", `num_attention_heads (${nHeads}) is not a multiple of num_key_value_heads (${nKvHeads})`, { where });
  }
  if (!c.head_dim && c.hidden_size % nHeads !== 0) {
    throw new MedtuneError("model.config", `hidden_size (${c.hidden_size}) is not divisible by num_attention_heads (${nHeads}) and head_dim is not given`, { where });
  }
  const headDim = c.head_dim ?? c.hidden_size / nHeads;
  if (headDim % 2 !== 0) throw new MedtuneError("model.config", `head_dim ${headDim} must be even for RoPE`, { where });
  const eos = c.eos_token_id == null ? [] : Array.isArray(c.eos_token_id) ? c.eos_token_id : [c.eos_token_id];
  // Qwen2 always carries q/k/v bias (Qwen2Attention hard-codes bias=True); Mistral never does.
  const attentionBias = arch === "qwen2" ? true : false;
  // Mistral's window is on by default when given; Qwen2 only with use_sliding_window.
  const slidingWindow = c.sliding_window != null && (arch === "mistral" || (arch === "qwen2" && c.use_sliding_window)) ? c.sliding_window : undefined;
  const config: ModelConfig = {
    arch,
    vocabSize: c.vocab_size,
    hiddenSize: c.hidden_size,
    intermediateSize: c.intermediate_size,
    nLayers: c.num_hidden_layers,
    nHeads,
    nKvHeads,
    headDim,
    rmsNormEps: c.rms_norm_eps ?? 1e-6,
    ropeTheta: c.rope_theta ?? 10000,
    maxPositionEmbeddings: c.max_position_embeddings ?? (arch === "llama" ? 2048 : 32768),
    tieWordEmbeddings: c.tie_word_embeddings ?? false,
    attentionBias,
    eosTokenIds: [...new Set(eos)],
  };
  const rs = parseRopeScaling(c.rope_scaling, where);
  if (rs) config.ropeScaling = rs;
  if (slidingWindow !== undefined) config.slidingWindow = slidingWindow;
  if (c.bos_token_id != null) config.bosTokenId = c.bos_token_id;
  if (c.pad_token_id != null) config.padTokenId = c.pad_token_id;
  return config;
}

/** The config.json object transformers writes for a ModelConfig (snake_case, with the architecture class). */
export function toHfConfig(config: ModelConfig, opts: { torchDtype?: string } = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {
    architectures: [SUPPORTED_ARCHS[config.arch]],
    model_type: config.arch,
    vocab_size: config.vocabSize,
    hidden_size: config.hiddenSize,
    intermediate_size: config.intermediateSize,
    num_hidden_layers: config.nLayers,
    num_attention_heads: config.nHeads,
    num_key_value_heads: config.nKvHeads,
    head_dim: config.headDim,
    hidden_act: "silu",
    max_position_embeddings: config.maxPositionEmbeddings,
    rms_norm_eps: config.rmsNormEps,
    rope_theta: config.ropeTheta,
    rope_scaling: config.ropeScaling
      ? {
          rope_type: "llama3",
          factor: config.ropeScaling.factor,
          low_freq_factor: config.ropeScaling.lowFreqFactor,
          high_freq_factor: config.ropeScaling.highFreqFactor,
          original_max_position_embeddings: config.ropeScaling.originalMaxPositionEmbeddings,
        }
      : null,
    tie_word_embeddings: config.tieWordEmbeddings,
    bos_token_id: config.bosTokenId ?? null,
    eos_token_id: config.eosTokenIds.length === 1 ? config.eosTokenIds[0] : config.eosTokenIds.length ? config.eosTokenIds : null,
    pad_token_id: config.padTokenId ?? null,
    torch_dtype: opts.torchDtype ?? "float32",
  };
  if (config.arch === "llama") {
    out.attention_bias = false;
    out.mlp_bias = false;
  }
  if (config.arch === "mistral") out.sliding_window = config.slidingWindow ?? null;
  if (config.arch === "qwen2") {
    out.use_sliding_window = config.slidingWindow !== undefined;
    out.sliding_window = config.slidingWindow ?? null;
  }
  return out;
}
