// The engine's model description, mapped once from Hugging Face config.json or GGUF metadata (snake_case stays
// at that edge). Covers the Llama family: llama (Llama 2/3, TinyLlama, SmolLM), mistral, qwen2.

/** Supported decoder architectures. */
export type Arch = "llama" | "mistral" | "qwen2";

/** Llama 3 RoPE frequency scaling (rope_scaling.rope_type = "llama3"). */
export interface Llama3RopeScaling {
  type: "llama3";
  factor: number;
  lowFreqFactor: number;
  highFreqFactor: number;
  originalMaxPositionEmbeddings: number;
}

/** Everything the engine needs to build a Llama-family decoder. Letters as in STYLE.md. */
export interface ModelConfig {
  arch: Arch;
  /** V */
  vocabSize: number;
  /** C */
  hiddenSize: number;
  /** F */
  intermediateSize: number;
  /** L */
  nLayers: number;
  /** H */
  nHeads: number;
  /** Hkv */
  nKvHeads: number;
  /** D (hidden_size / num_heads unless config.json gives head_dim) */
  headDim: number;
  rmsNormEps: number;
  ropeTheta: number;
  ropeScaling?: Llama3RopeScaling;
  maxPositionEmbeddings: number;
  /** LM head shares the embedding matrix. */
  tieWordEmbeddings: boolean;
  /** q/k/v projections carry a bias (qwen2). */
  attentionBias: boolean;
  /** Mistral sliding window, when set (informational; training sequences are shorter). */
  slidingWindow?: number;
  bosTokenId?: number;
  eosTokenIds: number[];
  padTokenId?: number;
}

/** A named float32 tensor; names are Hugging Face's (`model.layers.0.self_attn.q_proj.weight`). */
export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}

/** Weights keyed by Hugging Face name. */
export type TensorMap = Map<string, NamedTensor>;
