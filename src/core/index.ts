// core: errors, seeded RNG, hashing, streaming line I/O, atomic writes, progress, logging and config loading.
export * from "./errors.ts";
export * from "./rng.ts";
export * from "./hash.ts";
export * from "./jit-budget.ts";
export * from "./lines.ts";
export * from "./line-reader.ts";
export * from "./strict-utf8.ts";
export * from "./atomic.ts";
export * from "./log.ts";
export * from "./progress.ts";
export * from "./config.ts";
export * from "./paths.ts";
