// providers: the `Model` interface (generate, score continuations, info) and its providers: llama.cpp through
// node-llama-cpp and any OpenAI-compatible HTTP server; plus the request cache, the continuation boundary, stop
// strings and chat rendering every provider shares (the local engine provider plugs in beside them).
export * from "./model.ts";
export * from "./request-check.ts";
export * from "./continuation.ts";
export * from "./stop-strings.ts";
export * from "./chat-prompt.ts";
export * from "./request-cache.ts";
export * from "./limiter.ts";
export * from "./retry.ts";
export * from "./http-client.ts";
export * from "./fingerprint.ts";
export * from "./llamacpp.ts";
export * from "./openai.ts";
export * from "./registry.ts";
export * from "./local.ts";
