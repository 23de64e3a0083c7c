// nn: the Llama-family model in TypeScript: ops in forward/backward pairs, the decoder with flat weights and
// gradients, LoRA adapters, a KV cache, sampling and generation.
export * from "./params.ts";
export * from "./embedding.ts";
export * from "./rms-norm.ts";
export * from "./rope.ts";
export * from "./attention.ts";
export * from "./swiglu.ts";
export * from "./linear.ts";
export * from "./cross-entropy.ts";
export * from "./dropout.ts";
export * from "./lora.ts";
export * from "./kv-cache.ts";
export * from "./model.ts";
export * from "./sampling.ts";
export * from "./generate.ts";
