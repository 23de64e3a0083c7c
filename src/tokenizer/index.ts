// tokenizer: Hugging Face tokenizer.json (and GGUF vocabularies turned into one) with BOS/EOS/pad handled as
// transformers does, and chat templates rendered with Jinja.
export * from "./spm-merges.ts";
export * from "./gguf-vocab.ts";
export * from "./tokenizer.ts";
export * from "./chat-template.ts";
