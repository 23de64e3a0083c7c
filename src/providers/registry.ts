// The providers as one typed table (name -> opener), so configs and recipes open any model the same way:
// `openModel({ provider: "llamacpp", modelPath })`.
import { MedtuneError } from "../core/index.ts";
import { openLlamaCpp, type LlamaCppOptions } from "./llamacpp.ts";
import type { Model } from "./model.ts";
import { openOpenAI, type OpenAIOptions } from "./openai.ts";
import { createLocalModel, type LocalModelOptions } from "./local.ts";

/** Which provider, with its options. */
export type ModelSpec = ({ provider: "llamacpp" } & LlamaCppOptions) | ({ provider: "openai" } & OpenAIOptions) | ({ provider: "local" } & LocalModelOptions);

/** Every provider by name. */
export const PROVIDERS: { [K in ModelSpec["provider"]]: (spec: Extract<ModelSpec, { provider: K }>) => Promise<Model> } = {
  llamacpp: (spec) => openLlamaCpp(spec),
  openai: async (spec) => openOpenAI(spec),
  local: (spec) => createLocalModel(spec),
};

/** Opens the model a spec describes. */
export async function openModel(spec: ModelSpec): Promise<Model> {
  const name = (spec as { provider?: unknown })?.provider;
  if (typeof name !== "string" || !(name in PROVIDERS)) {
    throw new MedtuneError("providers.unknown", `unknown provider ${JSON.stringify(name)}`, { where: "provider", hint: `one of: ${Object.keys(PROVIDERS).join(", ")}` });
  }
  return (PROVIDERS[name as ModelSpec["provider"]] as (s: ModelSpec) => Promise<Model>)(spec);
}
