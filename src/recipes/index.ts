// recipes: the user-facing flows, each readable top to bottom.
export * from "./prepare-config.ts";
export * from "./prepare.ts";
export * from "./inspect.ts";
export * from "./evaluate.ts";
export * from "./compare.ts";
export * from "./select.ts";
export * from "./finetune-config.ts";
export * from "./finetune.ts";
export * from "./pipeline.ts";
export * from "./redteam.ts";
export * from "./gate.ts";
export * from "./pipeline-safety.ts";
