// Option-order perturbations: the same MCQ with its option texts moved to other letters (every cyclic shift, and
// seeded random permutations). The letters stay in place and the texts move, so the gold label follows its text.
// Items whose options point at other options ("All of the above", "Both A and C") are skipped: moving them
// would change what they mean.
import { MedtuneError, Rng } from "../../core/index.ts";
import type { QAItem } from "../../data/index.ts";
import type { Perturbation, PerturbationOutput, Variant } from "./variant.ts";
import { variantItem } from "./variant.ts";

// Option texts whose meaning depends on the other options or on their position.
const POSITIONAL_OPTION = [
  /\b(?:all|none|both|neither|either|any|each)\s+of\s+(?:the\s+)?(?:above|below|following|these|those|them|others?)\b/i,
  /\b(?:all|none)\s+(?:the\s+)?(?:above|of\s+these)\b/i,
  /\b(?:above|previous|preceding|following)\s+(?:options?|choices?|answers?|statements?)\b/i,
  /\b(?:options?|choices?|answers?)\s+[(\[]?[A-J][)\]]?(?![\p{L}\p{N}])/iu,
  /(?<![\p{L}\p{N}])[(\[]?[A-J][)\]]?\s*(?:,|&|\+|\band\b|\bor\b|\bnor\b)\s*[(\[]?[A-J][)\]]?(?![\p{L}\p{N}])/u,
  /^\s*(?:only\s+)?[(\[]?[A-J][)\]]?\s*$/u,
];

/** Why an item's options cannot be reordered without changing its meaning, or null when they can. */
export function reorderBlocker(item: QAItem): string | null {
  if (item.kind !== "mcq" || item.options === undefined || item.options.length < 2) return "not a multiple-choice item with at least 2 options";
  for (const o of item.options) {
    for (const re of POSITIONAL_OPTION) {
      if (re.test(o.text)) return `option ${o.label} ("${o.text.slice(0, 60)}") refers to other options or to its position`;
    }
  }
  return null;
}

/** The item with its option texts reordered: position i gets the original option `order[i]`; labels stay in place. */
export function permuteOptions(item: QAItem, order: readonly number[], key: string, perturbation: string, description: string): Variant {
  const options = item.options;
  if (item.kind !== "mcq" || options === undefined) throw new MedtuneError("eval.consistency.not-mcq", `item ${item.id} has no options to permute`);
  const k = options.length;
  if (order.length !== k || new Set(order).size !== k || order.some((j) => !Number.isInteger(j) || j < 0 || j >= k)) {
    throw new MedtuneError("eval.consistency.bad-permutation", `[${order.join(", ")}] is not a permutation of 0..${k - 1}`, { where: item.id });
  }
  const goldIndex = options.findIndex((o) => o.label === item.answer);
  if (goldIndex < 0) throw new MedtuneError("eval.consistency.no-gold", `gold label "${item.answer}" is not one of the options`, { where: item.id, hint: "validate the dataset first (medtune data validate)" });
  const newOptions = order.map((j, i) => ({ label: options[i].label, text: options[j].text }));
  const labelMap: Record<string, string> = {};
  order.forEach((j, i) => (labelMap[options[i].label] = options[j].label));
  const answer = options[order.indexOf(goldIndex)].label;
  return { item: variantItem(item, key, perturbation, { options: newOptions, answer }), perturbation, key, description, labelMap };
}

function describeOrder(item: QAItem, order: readonly number[]): string {
  const options = item.options!;
  return order.map((j, i) => `${options[i].label}<-${options[j].label}`).join(" ");
}

function isIdentity(order: readonly number[]): boolean {
  return order.every((j, i) => j === i);
}

/** Every cyclic shift of the options (k-1 variants for k options); shift s puts original option (i+s) mod k at i. */
export const optionCyclicPerturbation: Perturbation = {
  name: "option-cyclic",
  description: "every cyclic shift of the option texts over the fixed letters (the gold follows its text)",
  apply(item): PerturbationOutput {
    const blocker = reorderBlocker(item);
    if (blocker !== null) return { variants: [], skip: { perturbation: "option-cyclic", reason: blocker } };
    const k = item.options!.length;
    const variants: Variant[] = [];
    for (let s = 1; s < k; s++) {
      const order = Array.from({ length: k }, (_, i) => (i + s) % k);
      variants.push(permuteOptions(item, order, `shift-${s}`, "option-cyclic", `options shifted by ${s}: ${describeOrder(item, order)}`));
    }
    return { variants };
  },
};

/** Seeded random permutations of the options (distinct, never the identity, never a cyclic shift when k > 3). */
export function optionRandomPerturbation(nPermutations = 3): Perturbation {
  if (!Number.isInteger(nPermutations) || nPermutations < 1) throw new MedtuneError("eval.consistency.bad-option", `nPermutations must be a positive integer, got ${nPermutations}`);
  return {
    name: "option-random",
    description: `${nPermutations} seeded random permutations of the option texts (the gold follows its text)`,
    apply(item, ctx): PerturbationOutput {
      const blocker = reorderBlocker(item);
      if (blocker !== null) return { variants: [], skip: { perturbation: "option-random", reason: blocker } };
      const k = item.options!.length;
      const rng = new Rng(`${ctx.seed}/option-random/${item.id}`);
      const seen = new Set<string>();
      // Cyclic shifts are already covered by option-cyclic; with k <= 3 every permutation is a shift or a swap.
      const isCyclic = (o: number[]): boolean => o.every((j, i) => j === (i + o[0]) % k);
      let factorial = 1;
      for (let i = 2; i <= k; i++) factorial *= i;
      const available = k > 3 ? factorial - k : factorial - 1;
      const want = Math.min(nPermutations, available);
      const variants: Variant[] = [];
      for (let attempt = 0; variants.length < want && attempt < 1000; attempt++) {
        const order = rng.shuffle(Array.from({ length: k }, (_, i) => i));
        const sig = order.join(",");
        if (isIdentity(order) || seen.has(sig) || (k > 3 && isCyclic(order))) continue;
        seen.add(sig);
        const n = variants.length + 1;
        variants.push(permuteOptions(item, order, `perm-${n}`, "option-random", `random permutation ${n}: ${describeOrder(item, order)}`));
      }
      return { variants };
    },
  };
}
