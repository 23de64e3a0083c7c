// medtune's public library entry: the layers a program embeds, re-exported from their folder indexes.
export * as core from "./core/index.ts";
