// The dataset adapter registry: one typed table from format name to adapter (DESIGN.md "tables instead of class
// trees"); getAdapter() resolves a name from a config and lists the known names when it is wrong.
import { MedtuneError } from "../../core/index.ts";
import type { Adapter } from "./types.ts";
import { medqa } from "./medqa.ts";
import { medmcqa } from "./medmcqa.ts";
import { pubmedqa } from "./pubmedqa.ts";
import { medquad } from "./medquad.ts";
import { mmlu } from "./mmlu.ts";
import { genericJsonl } from "./generic-jsonl.ts";
import { genericCsv } from "./generic-csv.ts";
import { alpaca } from "./alpaca.ts";
import { chat } from "./chat.ts";
import { medtune } from "./medtune.ts";

export type { Adapter, AdapterOptions, FieldMapping, SourceRecord } from "./types.ts";

/** Every dataset adapter by name. */
export const ADAPTERS: Record<string, Adapter> = Object.fromEntries(
  [medqa, medmcqa, pubmedqa, medquad, mmlu, genericJsonl, genericCsv, alpaca, chat, medtune].map((a) => [a.name, a]),
);

/** The adapter registered under `name`; throws a MedtuneError listing the known names otherwise. */
export function getAdapter(name: string): Adapter {
  const a = Object.hasOwn(ADAPTERS, name) ? ADAPTERS[name] : undefined;
  if (a === undefined) {
    throw new MedtuneError("data.unknown-format", `unknown dataset format "${name}"`, { hint: `use one of: ${Object.keys(ADAPTERS).join(", ")}` });
  }
  return a;
}
