// formats: model files in and out — safetensors, Hugging Face folders and config.json, GGUF (read, dequantize,
// quantize, write, LoRA adapters, tokenizer metadata) and PEFT adapters — all meeting the engine at ModelConfig
// and float32 tensors keyed by Hugging Face name.
export * from "./model-config.ts";
export * from "./half.ts";
export * from "./safetensors.ts";
export * from "./hf-config.ts";
export * from "./expected-tensors.ts";
export * from "./hf-model.ts";
export * from "./rope-permute.ts";
export * from "./gguf-names.ts";
export * from "./gguf-quants.ts";
export * from "./gguf-quantize.ts";
export * from "./gguf-read.ts";
export * from "./gguf-write.ts";
export * from "./gguf-config.ts";
export * from "./gguf-tokenizer.ts";
export * from "./gguf-model.ts";
export * from "./lora-adapter.ts";
export * from "./peft.ts";
export * from "./gguf-lora.ts";
export * from "./model-folder.ts";
