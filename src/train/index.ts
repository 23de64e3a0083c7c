// train: the optimizer, schedules, clipping, prompt formatting and tokenization of examples, batching, replay,
// EWC and the Fisher, early stopping, validation, checkpoints, metrics, the training loop and the exports.
export * from "./adamw.ts";
export * from "./schedule.ts";
export * from "./grad-clip.ts";
export * from "./prompt-format.ts";
export * from "./encode.ts";
export * from "./train-data.ts";
export * from "./batches.ts";
export * from "./replay.ts";
export * from "./trainable.ts";
export * from "./ewc.ts";
export * from "./fisher.ts";
export * from "./early-stop.ts";
export * from "./evaluate.ts";
export * from "./checkpoint.ts";
export * from "./metrics-log.ts";
export * from "./trainer.ts";
export * from "./export.ts";
