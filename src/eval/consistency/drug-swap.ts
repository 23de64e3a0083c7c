// Brand/generic drug-name swaps from the built-in lexicon (drug-lexicon.ts): whole words only, case-preserving,
// in the stem, the options and the context alike so the item stays coherent. Two directions, one variant each:
// brand <-> generic ("Tylenol" -> "acetaminophen", "warfarin" -> "Coumadin") and US <-> international generic
// ("acetaminophen" -> "paracetamol"). Items that are about drug names, or that name one drug two ways, are skipped.
import { MedtuneError } from "../../core/index.ts";
import type { QAItem } from "../../data/index.ts";
import { DRUG_LEXICON, type DrugEntry } from "./drug-lexicon.ts";
import type { Perturbation, PerturbationOutput, Variant } from "./variant.ts";
import { variantItem } from "./variant.ts";

/** Which way names are swapped. */
export type DrugSwapDirection = "brand-generic" | "us-international";

type NameKind = "generic" | "international" | "alias" | "brand";

interface NameInfo {
  entry: number;
  kind: NameKind;
  /** The name as the lexicon writes it. */
  canonical: string;
}

/** A compiled lexicon: one matcher over every name, and what each name is. */
export interface DrugMatcher {
  re: RegExp;
  names: Map<string, NameInfo>;
  entries: readonly DrugEntry[];
}

function normName(s: string): string {
  return s.normalize("NFKC").toLowerCase().replace(/\s+/g, " ");
}

function escapeName(name: string): string {
  return name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\s+/g, String.raw`\s+`);
}

/** Compiles a lexicon into one whole-word matcher; throws when a name belongs to two drugs. */
export function compileDrugLexicon(entries: readonly DrugEntry[] = DRUG_LEXICON): DrugMatcher {
  const names = new Map<string, NameInfo>();
  const add = (name: string, entry: number, kind: NameKind): void => {
    const key = normName(name);
    const prev = names.get(key);
    if (prev !== undefined) {
      throw new MedtuneError("eval.consistency.bad-lexicon", `drug name "${name}" appears twice (entries ${prev.entry} and ${entry})`, { hint: "every name must mean exactly one drug" });
    }
    names.set(key, { entry, kind, canonical: name });
  };
  entries.forEach((e, i) => {
    add(e.generic, i, "generic");
    if (e.international !== undefined) add(e.international, i, "international");
    for (const a of e.aliases ?? []) add(a, i, "alias");
    for (const b of e.brands) add(b, i, "brand");
  });
  const alternation = [...names.values()].map((n) => n.canonical).sort((a, b) => b.length - a.length).map(escapeName).join("|");
  // Whole words: not inside a longer word, and not one part of a hyphenated or slashed compound
  // ("carbidopa-levodopa", "Depo-Provera", "warfarin-induced").
  const re = new RegExp(String.raw`(?<![\p{L}\p{N}])(?<![\p{L}\p{N}][-/])(?:${alternation})(?![\p{L}\p{N}])(?![-/][\p{L}\p{N}])`, "giu");
  return { re, names, entries };
}

let defaultMatcher: DrugMatcher | null = null;
function builtin(): DrugMatcher {
  return (defaultMatcher ??= compileDrugLexicon());
}

// Words that make an item about the names themselves, where a swap changes the question.
const NAMING_QUESTION = /\b(?:brand|trade|generic|proprietary|non-?proprietary|chemical)\s+names?\b|\bmarketed\s+(?:as|under)\b|\b(?:also|commonly)\s+(?:known|called|sold)\b|\bsold\s+(?:as|under)\b/i;
// A route or preparation next to a generic: a brand may be one preparation only, so those stay generic.
const PREPARATION_BEFORE = /\b(?:topical|intranasal|nasal|inhaled|nebuli[sz]ed|ophthalmic|otic|transdermal|intravenous|IV|IM|intramuscular|subcutaneous|oral|sublingual|rectal|vaginal|intrathecal|depot|extended[- ]release|sustained[- ]release|long[- ]acting|liposomal)\s+$/i;
const PREPARATION_AFTER = /^\s+(?:cream|gel|ointment|lotion|patch|spray|drops|solution|suspension|injection|infusion|inhaler|suppository|tablets?|capsules?|acetate|sodium|potassium|calcium|magnesium|hydrochloride|HCl|sulfate|sulphate|succinate|tartrate|citrate|maleate|besylate|mesylate|phosphate|bromide|fumarate)\b/i;

function isAllUpper(s: string): boolean {
  return /\p{L}.*\p{L}/u.test(s) && s === s.toUpperCase() && s !== s.toLowerCase();
}

/** Writes `target` in the case pattern of `source` (which the lexicon writes as `canonical`); a capital that starts a sentence stays. */
export function matchCase(source: string, canonical: string, target: string, isSentenceStart: boolean): string {
  let out: string;
  if (source === canonical) out = target;
  else if (isAllUpper(source)) out = target.toUpperCase();
  else if (source === source.toLowerCase()) out = target.toLowerCase();
  else if (/^\p{Lu}/u.test(source)) out = target[0].toUpperCase() + target.slice(1);
  else out = target;
  if (isSentenceStart && /^\p{Lu}/u.test(source) && /^\p{Ll}/u.test(out)) out = out[0].toUpperCase() + out.slice(1);
  return out;
}

function replacementFor(info: NameInfo, entry: DrugEntry, direction: DrugSwapDirection): string | null {
  if (direction === "brand-generic") {
    if (info.kind === "brand") return entry.generic;
    return entry.brands.length > 0 ? entry.brands[0] : null;
  }
  if (info.kind === "brand") return null;
  if (info.kind === "international") return entry.generic;
  return entry.international ?? null;
}

/** One swap made in a text. */
export interface DrugSwap {
  from: string;
  to: string;
}

/** Swaps every lexicon name in `text` in the given direction; returns the text and the swaps made. */
export function swapDrugNames(text: string, direction: DrugSwapDirection, matcher: DrugMatcher = builtin()): { text: string; swaps: DrugSwap[] } {
  const swaps: DrugSwap[] = [];
  matcher.re.lastIndex = 0;
  const out = text.replace(matcher.re, (m: string, offset: number) => {
    const info = matcher.names.get(normName(m));
    if (info === undefined) return m;
    const entry = matcher.entries[info.entry];
    const target = replacementFor(info, entry, direction);
    if (target === null) return m;
    if (direction === "brand-generic" && info.kind !== "brand") {
      const before = text.slice(Math.max(0, offset - 40), offset);
      const after = text.slice(offset + m.length, offset + m.length + 40);
      if (PREPARATION_BEFORE.test(before) || PREPARATION_AFTER.test(after)) return m;
    }
    const isSentenceStart = /(?:^|[.!?]\s+|\n\s*)$/.test(text.slice(0, offset));
    const to = matchCase(m, info.canonical, target, isSentenceStart);
    swaps.push({ from: m, to });
    return to;
  });
  return { text: out, swaps };
}

/** Drug names of the lexicon found in texts, grouped by drug: entry index -> distinct names (lower case). */
export function drugMentions(texts: readonly string[], matcher: DrugMatcher = builtin()): Map<number, Set<string>> {
  const found = new Map<number, Set<string>>();
  for (const t of texts) {
    for (const m of t.matchAll(matcher.re)) {
      const info = matcher.names.get(normName(m[0]));
      if (info === undefined) continue;
      let set = found.get(info.entry);
      if (set === undefined) found.set(info.entry, (set = new Set()));
      set.add(normName(m[0]));
    }
  }
  return found;
}

function itemTexts(item: QAItem): string[] {
  return [item.question, ...(item.options ?? []).map((o) => o.text), ...(item.context ?? [])];
}

/** The item with drug names swapped everywhere (stem, options, context), or a reason it cannot be. */
export function swapItemDrugNames(item: QAItem, direction: DrugSwapDirection, matcher: DrugMatcher = builtin()): { question: string; options?: QAItem["options"]; context?: string[]; swaps: DrugSwap[] } | { skip: string } {
  const texts = itemTexts(item);
  const mentions = drugMentions(texts, matcher);
  if (mentions.size === 0) return { skip: "no drug name from the lexicon" };
  if (texts.some((t) => NAMING_QUESTION.test(t))) return { skip: "the item is about drug names (brand/generic/trade name wording)" };
  for (const [e, names] of mentions) {
    if (names.size > 1) return { skip: `names one drug two ways (${[...names].join(", ")}): a swap would change what is asked (${matcher.entries[e].generic})` };
  }
  const swaps: DrugSwap[] = [];
  const run = (t: string): string => {
    const r = swapDrugNames(t, direction, matcher);
    swaps.push(...r.swaps);
    return r.text;
  };
  const question = run(item.question);
  const options = item.options?.map((o) => ({ label: o.label, text: run(o.text) }));
  const context = item.context?.map(run);
  if (swaps.length === 0) return { skip: `no ${direction === "brand-generic" ? "brand or generic" : "US or international"} name to swap` };
  if (options !== undefined && new Set(options.map((o) => normName(o.text))).size < options.length) {
    return { skip: "two options would read the same after the swap" };
  }
  return { question, options, context, swaps };
}

function describeSwaps(swaps: readonly DrugSwap[]): string {
  const uniq = [...new Set(swaps.map((s) => `${s.from} -> ${s.to}`))];
  return uniq.join(", ");
}

/** Brand/generic and US/international drug-name swaps: up to one variant per direction. */
export function drugSwapPerturbation(directions: readonly DrugSwapDirection[] = ["brand-generic", "us-international"], matcher?: DrugMatcher): Perturbation {
  return {
    name: "drug-names",
    description: `drug-name swaps from the built-in lexicon (${directions.join(", ")})`,
    apply(item): PerturbationOutput {
      const variants: Variant[] = [];
      const reasons: string[] = [];
      for (const d of directions) {
        const r = swapItemDrugNames(item, d, matcher);
        if ("skip" in r) {
          reasons.push(r.skip);
          continue;
        }
        const fields: Partial<Pick<QAItem, "question" | "options" | "context">> = { question: r.question };
        if (r.options !== undefined) fields.options = r.options;
        if (r.context !== undefined) fields.context = r.context;
        const labelMap = item.options === undefined ? undefined : Object.fromEntries(item.options.map((o) => [o.label, o.label]));
        variants.push({ item: variantItem(item, d, "drug-names", fields), perturbation: "drug-names", key: d, description: describeSwaps(r.swaps), labelMap });
      }
      if (variants.length > 0) return { variants };
      return { variants, skip: { perturbation: "drug-names", reason: [...new Set(reasons)].join("; ") } };
    },
  };
}
