// data: dataset adapters, the canonical QAItem, cleaning, validation, deduplication, PHI scrub, contamination,
// splits, prompt rendering and the data card.
export * from "./schema.ts";
export * from "./formats/types.ts";
export { ADAPTERS, getAdapter } from "./formats/index.ts";
export * from "./detect-format.ts";
export * from "./clean.ts";
export * from "./validate.ts";
export { ItemWords } from "./text-norm.ts";
export * from "./dedup.ts";
export * from "./phi.ts";
export * from "./contamination.ts";
export * from "./split.ts";
export * from "./prompt.ts";
export * from "./export-lines.ts";
export * from "./length-stats.ts";
export * from "./data-card.ts";
