// The perturbation seam of consistency testing: a perturbation is a pure function from one QAItem to variant
// items that ask the same question differently (options moved, stem reworded, drug names swapped, or the same
// prompt resampled). Each variant says how its option labels map back to the original item's labels, so an
// answer to the variant can be compared with the answer to the original by option text, not by letter.
import type { QAItem } from "../../data/index.ts";

/** One rewritten item and how to read its answers in terms of the original item. */
export interface Variant {
  /** The rewritten item (id `${original id}#${key}`); its gold follows the gold option's text. */
  item: QAItem;
  /** Name of the perturbation that made it (`option-cyclic`, `paraphrase`, ...). */
  perturbation: string;
  /** Short stable key, unique among the variants of one item (`shift-1`, `which-to-what`, `sample-3`). */
  key: string;
  /** What was changed, for a human reading the flips table. */
  description: string;
  /** Variant option label -> original option label (MCQ only; identity when options did not move). */
  labelMap?: Record<string, string>;
  /** Sampling instead of greedy decoding (N-sample agreement): the same prompt, another seed. */
  sampling?: { temperature: number; seed: number };
}

/** Why a perturbation made no variant of an item (reported, so a low variant count is explained). */
export interface PerturbationSkip {
  perturbation: string;
  reason: string;
}

/** What a perturbation made of one item: variants, or a reason it made none. */
export interface PerturbationOutput {
  variants: Variant[];
  skip?: PerturbationSkip;
}

/** Settings every perturbation may read. */
export interface PerturbationContext {
  /** Run seed; each item derives its own stream from it and its id, so adding items changes no other. */
  seed: number | string;
}

/** A named item -> variants function. */
export interface Perturbation {
  name: string;
  description: string;
  /** Makes the variants of one item (pure: the same item and seed give the same variants). */
  apply(item: QAItem, ctx: PerturbationContext): PerturbationOutput;
}

/** The identity label map of an item's options. */
export function identityLabelMap(item: QAItem): Record<string, string> | undefined {
  if (item.options === undefined) return undefined;
  const map: Record<string, string> = {};
  for (const o of item.options) map[o.label] = o.label;
  return map;
}

/** A variant item: a copy of `item` with the given fields replaced, a derived id and provenance in metadata. */
export function variantItem(item: QAItem, key: string, perturbation: string, fields: Partial<Pick<QAItem, "question" | "options" | "answer" | "context">>): QAItem {
  const out: QAItem = {
    ...item,
    ...fields,
    id: `${item.id}#${key}`,
    metadata: { ...item.metadata, originalId: item.id, perturbation, variant: key },
  };
  delete out.raw;
  return out;
}
