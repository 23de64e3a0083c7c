// medtune's public library entry: the layers a program embeds, re-exported from their folder indexes.
export * as core from "./core/index.ts";
export * as data from "./data/index.ts";
export * as recipes from "./recipes/index.ts";
export * as formats from "./formats/index.ts";
export * as tokenizer from "./tokenizer/index.ts";
export * as tensor from "./tensor/index.ts";
export * as nn from "./nn/index.ts";
export * as providers from "./providers/index.ts";
export * as server from "./server/index.ts";
