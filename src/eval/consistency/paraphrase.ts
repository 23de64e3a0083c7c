// Templated paraphrases of the question stem: a table of meaning-preserving rewrites of the framing only
// ("Which of the following is the most likely diagnosis?" <-> "What is the most likely diagnosis?", case
// preambles added or removed, the vital-signs list reordered, "presents to" <-> "comes to", ...). Each template
// declares the words it may touch; clinical-guard.ts rejects any rewrite that changes another word or a number.
import { MedtuneError } from "../../core/index.ts";
import type { QAItem } from "../../data/index.ts";
import { changedContent } from "./clinical-guard.ts";
import type { Perturbation, PerturbationOutput, Variant } from "./variant.ts";
import { variantItem } from "./variant.ts";
import { reorderVitals } from "./vital-signs.ts";

/** One stem rewrite: `apply` returns the new question, or null when the template does not fit. */
export interface ParaphraseTemplate {
  name: string;
  description: string;
  /** Words the rewrite may add, remove or move (lower case); everything else must stay. */
  framing: readonly string[];
  /** Kinds of item the template fits (the MCQ wordings assume options follow). */
  kinds: readonly QAItem["kind"][];
  apply(question: string, item: QAItem): string | null;
}

const ALL_KINDS: readonly QAItem["kind"][] = ["mcq", "yesno", "open"];
// What may follow "Which of the following is" for "What is" to ask the same thing.
const SUPERLATIVE = String.raw`(?:the\s+)?(?:most|best|next|single\s+best|likeliest|underlying|primary|main|mechanism|cause|diagnosis|preferred|strongest|greatest|first)\b`;
const CASE_PREAMBLES = [
  /^In a patient described as follows:\s*/,
  /^Consider (?:a|the) patient described as follows[:.]\s*/,
  /^Consider the following (?:case|patient|clinical scenario)[:.]\s*/,
];
const INSTRUCTION_PREAMBLE = /^(?:Answer the following (?:question|multiple-choice question)|Read the following question(?: carefully)?(?: and choose the (?:single )?best answer)?)[:.]\s*/;
const VIGNETTE_START = /^(?:A|An)\s+(?:\d+(?:\.\d+)?[- ](?:year|month|week|day|hour)s?[- ]old|newborn|neonate|infant|previously\s+healthy|pregnant|man|woman|boy|girl)\b/;
const PERSON = "man|woman|boy|girl|male|female|patient|infant|child|neonate|newborn|gentleman|lady|adolescent|teenager|primigravida|multigravida";

function replaceOnce(text: string, re: RegExp, to: string | ((...m: string[]) => string)): string | null {
  if (!re.test(text)) return null;
  re.lastIndex = 0;
  return text.replace(re, to as string);
}

function capitalize(s: string): string {
  return s.length > 0 ? s[0].toUpperCase() + s.slice(1) : s;
}

/** Indefinite article for the word that follows. */
function article(next: string): string {
  return /^[aeiou]/i.test(next) ? "An" : "A";
}

/** The built-in stem templates (names are stable: they key variants and flips). */
export const PARAPHRASE_TEMPLATES: readonly ParaphraseTemplate[] = [
  {
    name: "which-to-what",
    description: "\"Which of the following is the most likely ...\" -> \"What is the most likely ...\"",
    framing: ["which", "what", "of", "the", "following", "one"],
    kinds: ["mcq"],
    apply: (q) => replaceOnce(q, new RegExp(String.raw`\b([Ww])hich(?:\s+one)?\s+of\s+the\s+following\s+is\s+(?=${SUPERLATIVE})`), (_m, w) => `${w === "W" ? "W" : "w"}hat is `),
  },
  {
    name: "what-to-which",
    description: "\"What is the most likely ...\" -> \"Which of the following is the most likely ...\"",
    framing: ["which", "what", "of", "the", "following"],
    kinds: ["mcq"],
    apply: (q) => replaceOnce(q, new RegExp(String.raw`\b([Ww])hat\s+is\s+(?=${SUPERLATIVE})`), (_m, w) => `${w === "W" ? "W" : "w"}hich of the following is `),
  },
  {
    name: "which-one-of",
    description: "\"Which of the following\" <-> \"Which one of the following\"",
    framing: ["one"],
    kinds: ["mcq"],
    apply: (q) => (/\b[Ww]hich\s+one\s+of\s+the\s+following\b/.test(q)
      ? q.replace(/\b([Ww])hich\s+one\s+of\s+the\s+following\b/, "$1hich of the following")
      : replaceOnce(q, /\b([Ww])hich\s+of\s+the\s+following\b/, "$1hich one of the following")),
  },
  {
    name: "case-preamble",
    description: "adds \"In a patient described as follows:\" before a clinical vignette, or removes such a preamble",
    framing: ["in", "a", "the", "patient", "described", "as", "follows", "consider", "following", "case", "clinical", "scenario"],
    kinds: ALL_KINDS,
    apply: (q) => {
      for (const re of CASE_PREAMBLES) if (re.test(q)) return capitalize(q.replace(re, ""));
      if (!VIGNETTE_START.test(q)) return null;
      return `In a patient described as follows: ${q}`;
    },
  },
  {
    name: "instruction-preamble",
    description: "adds \"Answer the following question.\" before the stem, or removes such an instruction",
    framing: ["answer", "the", "following", "question", "multiple", "choice", "read", "carefully", "and", "choose", "single", "best"],
    kinds: ALL_KINDS,
    apply: (q) => (INSTRUCTION_PREAMBLE.test(q) ? capitalize(q.replace(INSTRUCTION_PREAMBLE, "")) : `Answer the following question. ${q}`),
  },
  {
    name: "vitals-order",
    description: "reorders the vital-signs list (the first measurement moves to the end; values unchanged)",
    framing: [],
    kinds: ALL_KINDS,
    apply: (q) => reorderVitals(q),
  },
  {
    name: "age-phrasing",
    description: "\"A 45-year-old man\" -> \"A man aged 45 years\"",
    framing: ["a", "an", "year", "years", "month", "months", "week", "weeks", "day", "days", "old", "aged"],
    kinds: ALL_KINDS,
    apply: (q) => {
      const re = new RegExp(String.raw`^(?:A|An)\s+(\d+(?:\.\d+)?)-(year|month|week|day)-old\s+(${PERSON})\b`);
      const m = re.exec(q);
      if (m === null) return null;
      const unit = m[1] === "1" ? m[2] : `${m[2]}s`;
      return `${article(m[3])} ${m[3]} aged ${m[1]} ${unit}${q.slice(m[0].length)}`;
    },
  },
  {
    name: "presents-comes",
    description: "\"presents to the physician\" <-> \"comes to the physician\"",
    framing: ["presents", "comes", "present", "come", "presented", "came"],
    kinds: ALL_KINDS,
    apply: (q) => {
      if (/\bpresents\s+to\b/.test(q)) return q.replace(/\bpresents\s+to\b/, "comes to");
      if (/\bcomes\s+to\s+(?:the|his|her|their|a|an)\b/.test(q)) return q.replace(/\bcomes\s+to\b/, "presents to");
      return null;
    },
  },
  {
    name: "patient-determiner",
    description: "\"this patient\" <-> \"the patient\"",
    framing: ["this", "the"],
    kinds: ALL_KINDS,
    apply: (q) => {
      if (/\bthis\s+patient\b/.test(q)) return q.replace(/\bthis\s+patient\b/g, "the patient");
      return null;
    },
  },
  {
    name: "information-given",
    description: "prefixes the final question with \"Based on the information given,\" or removes such a prefix",
    framing: ["based", "on", "the", "information", "given", "these", "findings", "above"],
    kinds: ["mcq", "yesno"],
    apply: (q) => {
      const present = /(^|[.?!]\s+)Based on (?:the information given|these findings|the above(?: information)?),\s+(\p{Ll})/u;
      if (present.test(q)) return q.replace(present, (_m, pre: string, c: string) => `${pre}${c.toUpperCase()}`);
      const m = /(^|[.!?]\s+)(Which|What)\b(?=[^.!?]*\?\s*$)/.exec(q);
      if (m === null) return null;
      const at = m.index + m[1].length;
      return `${q.slice(0, at)}Based on the information given, ${m[2].toLowerCase()}${q.slice(at + m[2].length)}`;
    },
  },
  {
    name: "would-be",
    description: "\"is the most appropriate\" <-> \"would be the most appropriate\"",
    framing: ["is", "would", "be"],
    kinds: ["mcq", "open"],
    apply: (q) => {
      if (/\bwould\s+be\s+the\s+most\s+appropriate\b/.test(q)) return q.replace(/\bwould\s+be\s+(the\s+most\s+appropriate)\b/, "is $1");
      return replaceOnce(q, /\bis\s+(the\s+most\s+appropriate)\b/, "would be $1");
    },
  },
  {
    name: "management-wording",
    description: "\"next step in management\" <-> \"next step in the management of this patient\"",
    framing: ["the", "of", "this", "patient"],
    kinds: ["mcq", "open"],
    apply: (q) => {
      if (/\bnext\s+step\s+in\s+the\s+management\s+of\s+this\s+patient\b/.test(q)) return q.replace(/\bnext\s+step\s+in\s+the\s+management\s+of\s+this\s+patient\b/, "next step in management");
      return replaceOnce(q, /\bnext\s+step\s+in\s+management\b/, "next step in the management of this patient");
    },
  },
  {
    name: "context-question",
    description: "prefixes a question about supplied context with \"According to the context,\" or removes it",
    framing: ["according", "to", "the", "context", "based", "on"],
    kinds: ["yesno", "open"],
    apply: (q, item) => {
      const present = /^(?:According to|Based on) the context,\s+(\p{L})/u;
      if (present.test(q)) return q.replace(present, (_m, c: string) => c.toUpperCase());
      if (item.context === undefined || item.context.length === 0 || !/^\p{Lu}\p{Ll}/u.test(q)) return null;
      // Keep acronyms and names capitalized; lower only an ordinary first word ("Does", "Is", "Are").
      const first = /^(\p{L}+)/u.exec(q)![1];
      const isFunctionWord = /^(?:does|do|did|is|are|was|were|can|could|should|would|will|has|have|had|may|might|what|which|how|why|when|where|who)$/i.test(first);
      return `According to the context, ${isFunctionWord ? q[0].toLowerCase() + q.slice(1) : q}`;
    },
  },
];

/** Applies one template to an item's stem, checked by the clinical guard; null when it does not fit or fails the guard. */
export function applyParaphrase(item: QAItem, t: ParaphraseTemplate): { question: string } | { rejected: string } | null {
  if (!t.kinds.includes(item.kind)) return null;
  const out = t.apply(item.question, item);
  if (out === null || out === item.question) return null;
  const diff = changedContent(item.question, out, new Set(t.framing));
  if (diff.length > 0) return { rejected: `template ${t.name} would change ${diff.slice(0, 5).join(", ")}` };
  return { question: out };
}

/** Stem paraphrases from the built-in templates (or the named subset): one variant per template that fits. */
export function paraphrasePerturbation(templateNames?: readonly string[]): Perturbation {
  const templates = templateNames === undefined ? PARAPHRASE_TEMPLATES : templateNames.map((n) => {
    const t = PARAPHRASE_TEMPLATES.find((x) => x.name === n);
    if (t === undefined) throw new MedtuneError("eval.consistency.unknown-template", `unknown paraphrase template "${n}"`, { hint: `known templates: ${PARAPHRASE_TEMPLATES.map((x) => x.name).join(", ")}` });
    return t;
  });
  return {
    name: "paraphrase",
    description: `templated stem paraphrases (${templates.map((t) => t.name).join(", ")})`,
    apply(item): PerturbationOutput {
      const variants: Variant[] = [];
      const rejected: string[] = [];
      for (const t of templates) {
        const r = applyParaphrase(item, t);
        if (r === null) continue;
        if ("rejected" in r) {
          rejected.push(r.rejected);
          continue;
        }
        const labelMap = item.options === undefined ? undefined : Object.fromEntries(item.options.map((o) => [o.label, o.label]));
        variants.push({ item: variantItem(item, t.name, "paraphrase", { question: r.question }), perturbation: "paraphrase", key: t.name, description: t.description, labelMap });
      }
      if (variants.length > 0) return { variants };
      return { variants, skip: { perturbation: "paraphrase", reason: rejected.length > 0 ? rejected.join("; ") : "no template fits the stem" } };
    },
  };
}
