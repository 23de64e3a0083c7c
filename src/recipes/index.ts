// recipes: the user-facing flows, each readable top to bottom.
export * from "./prepare-config.ts";
export * from "./prepare.ts";
export * from "./inspect.ts";
