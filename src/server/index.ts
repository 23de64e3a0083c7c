// server: `medtune serve`, an OpenAI-compatible HTTP API over any Model (models, chat completions with streaming,
// completions with logprobs and echo), and its CLI command spec.
export * from "./http-io.ts";
export * from "./route-context.ts";
export * from "./openai-params.ts";
export * from "./completions.ts";
export * from "./chat-completions.ts";
export * from "./server.ts";
export * from "./serve-command.ts";
