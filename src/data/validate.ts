// Stage 2 of the data pipeline: semantic validation of a cleaned QAItem. Record-level schema via zod, then
// the rules per kind (mcq: 2-10 unique non-empty options and exactly one gold label; yesno: a lower-case
// YESNO_LABELS answer; open: a non-empty answer). The first problem found is returned with a stable reason
// code from REASONS, the field at fault and one sentence saying what is wrong and what to do.
import { QAItemSchema, QA_KINDS, YESNO_LABELS, type QAItem } from "./schema.ts";

/** Why an item was rejected: stable reason code (a key of REASONS), field at fault, one-sentence message. */
export interface Problem {
  reason: string;
  field: string;
  message: string;
}

/** Every reason code validateItem can return, with a one-line description (data card, docs). */
export const REASONS = {
  "schema.invalid": "The record does not match the QAItem schema (wrong type, missing or unknown field).",
  "id.empty": "The item id is empty or only whitespace.",
  "kind.unknown": "The item kind is not one of mcq, yesno, open.",
  "question.empty": "The question is empty after cleaning.",
  "mcq.missing-options": "A multiple-choice item has no options.",
  "mcq.too-few-options": "A multiple-choice item has fewer than 2 options.",
  "mcq.too-many-options": "A multiple-choice item has more than 10 options.",
  "mcq.empty-label": "An option label is empty or only whitespace.",
  "mcq.duplicate-labels": "Two options share the same label.",
  "mcq.empty-option": "An option text is empty after cleaning.",
  "mcq.duplicate-options": "Two options have the same text (ignoring case and whitespace).",
  "mcq.multiple-answers": "The answer names several options; exactly one gold option is required.",
  "mcq.answer-not-an-option": "The answer is not the label of any option.",
  "yesno.bad-label": "A yes/no/maybe answer is not exactly yes, no or maybe in lower case.",
  "yesno.bad-options": "A yes/no/maybe item has options other than unique yes/no/maybe labels including the answer.",
  "open.empty-answer": "An open-ended item has an empty answer.",
} as const satisfies Record<string, string>;

/** A reason code of validateItem. */
export type ReasonCode = keyof typeof REASONS;

/** Checks one item (typically a QAItem fresh from an adapter and the cleaner); returns its first problem or null. */
export function validateItem(item: unknown): Problem | null {
  if (typeof item !== "object" || item === null || Array.isArray(item)) {
    return problem("schema.invalid", "(record)", `The record is ${describe(item)}, not an object; map it to a QAItem first.`);
  }
  const rec = item as Record<string, unknown>;
  if (typeof rec.id === "string" && !hasText(rec.id)) {
    return problem("id.empty", "id", `The id is ${quote(rec.id)}; give every item a unique non-empty id (or let the adapter number it).`);
  }
  if (!(QA_KINDS as readonly unknown[]).includes(rec.kind)) {
    const what = rec.kind === undefined ? "missing" : quote(rec.kind);
    return problem("kind.unknown", "kind", `The kind is ${what}; set it to one of ${QA_KINDS.join(", ")}.`);
  }
  let q: QAItem;
  if (surelyMatchesSchema(rec)) q = rec as QAItem;
  else {
    const parsed = QAItemSchema.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      let path = issue.path.map(String).join(".");
      if (issue.code === "unrecognized_keys" && issue.keys.length > 0) path = path ? `${path}.${issue.keys[0]}` : issue.keys[0];
      const field = path || "(record)";
      return problem("schema.invalid", field, `Field ${field} is invalid (${issue.message.replace(/\.$/, "")}); fix the record or the adapter's field mapping.`);
    }
    q = parsed.data;
  }
  if (!hasText(q.question)) {
    return problem("question.empty", "question", `The question is empty (${quote(q.question)}); fill in the question text or drop the record.`);
  }
  if (q.kind === "mcq") return validateMcq(q);
  if (q.kind === "yesno") return validateYesNo(q);
  if (!hasText(q.answer)) {
    return problem("open.empty-answer", "answer", `The answer is empty (${quote(q.answer)}); an open-ended item needs a reference answer, so fill it in or drop the record.`);
  }
  return null;
}

const MIN_OPTIONS = 2;
const MAX_OPTIONS = 10;

function validateMcq(q: QAItem): Problem | null {
  const options = q.options ?? [];
  if (options.length === 0) {
    return problem("mcq.missing-options", "options", `The multiple-choice item has no options; map the option fields (or set kind to open if it has none).`);
  }
  if (options.length < MIN_OPTIONS) {
    return problem("mcq.too-few-options", "options", `The item has ${options.length} option; a multiple-choice item needs ${MIN_OPTIONS} to ${MAX_OPTIONS}, so map the missing option fields.`);
  }
  if (options.length > MAX_OPTIONS) {
    return problem("mcq.too-many-options", "options", `The item has ${options.length} options; at most ${MAX_OPTIONS} are supported, so split or trim the item.`);
  }
  const labels = new Map<string, number>();
  for (let i = 0; i < options.length; i++) {
    const label = options[i].label;
    if (!hasText(label)) {
      return problem("mcq.empty-label", `options.${i}`, `Option ${i + 1} has the label ${quote(label)}; give each option a label such as A, B, C.`);
    }
    const first = labels.get(label);
    if (first !== undefined) {
      return problem("mcq.duplicate-labels", `options.${label}`, `Options ${first + 1} and ${i + 1} share the label ${quote(label)}; give each option its own label.`);
    }
    labels.set(label, i);
  }
  const texts = new Map<string, string>();
  for (const o of options) {
    if (!hasText(o.text)) {
      return problem("mcq.empty-option", `options.${o.label}`, `Option ${o.label} is empty (${quote(o.text)}); fill in its text or drop the record.`);
    }
    const key = normalizeOption(o.text);
    const first = texts.get(key);
    if (first !== undefined) {
      return problem("mcq.duplicate-options", `options.${o.label}`, `Options ${first} and ${o.label} are both ${quote(o.text)}; make the options distinct or drop the record.`);
    }
    texts.set(key, o.label);
  }
  if (labels.has(q.answer)) return null;
  const named = answerLabels(q.answer, labels);
  if (named.length > 1) {
    return problem("mcq.multiple-answers", "answer", `The answer ${quote(q.answer)} names options ${named.join(", ")}; keep exactly one gold option or drop the record.`);
  }
  const list = [...labels.keys()].join(", ");
  const caseMatch = [...labels.keys()].find((l) => l.toLowerCase() === q.answer.trim().toLowerCase());
  const textMatch = options.find((o) => normalizeOption(o.text) === normalizeOption(q.answer));
  const hint = caseMatch
    ? `labels are case-sensitive, so write ${quote(caseMatch)}`
    : textMatch
      ? `it matches the text of option ${textMatch.label}, so give the label ${quote(textMatch.label)} instead (or set the adapter's answerFormat to text)`
      : `set it to the gold option's label (one of ${list}) or fix the answer-key mapping`;
  return problem("mcq.answer-not-an-option", "answer", `The answer ${quote(q.answer)} is not an option label; ${hint}.`);
}

function validateYesNo(q: QAItem): Problem | null {
  const allowed = YESNO_LABELS as readonly string[];
  if (!allowed.includes(q.answer)) {
    const lowered = q.answer.trim().toLowerCase();
    const hint = allowed.includes(lowered) ? `write it as ${quote(lowered)}, in lower case` : `use one of ${allowed.join(", ")}, or set kind to open for a free-text answer`;
    return problem("yesno.bad-label", "answer", `The yes/no/maybe answer is ${quote(q.answer)}; ${hint}.`);
  }
  if (q.options !== undefined) {
    const seen = new Set<string>();
    for (const o of q.options) {
      if (!allowed.includes(o.label) || seen.has(o.label)) {
        return problem("yesno.bad-options", `options.${o.label}`, `The option label ${quote(o.label)} is not a distinct one of ${allowed.join(", ")}; drop the options of a yes/no/maybe item or label them with those words.`);
      }
      seen.add(o.label);
    }
    if (!seen.has(q.answer)) {
      return problem("yesno.bad-options", "options", `The options (${[...seen].join(", ")}) do not include the answer ${quote(q.answer)}; add it or drop the options.`);
    }
  }
  return null;
}

// ---- helpers -----------------------------------------------------------------------------------------------

const ITEM_KEYS = new Set(Object.keys(QAItemSchema.shape));

/**
 * Whether QAItemSchema surely accepts a record whose kind is already known good: the plain objects, arrays and
 * strings adapters build, with no unknown key. A shortcut past zod for the common case only; anything unusual
 * (another prototype, a symbol key, an own `constructor`) answers false and goes through zod.
 */
function surelyMatchesSchema(rec: Record<string, unknown>): boolean {
  if (Object.getPrototypeOf(rec) !== Object.prototype) return false;
  for (const k in rec) if (!ITEM_KEYS.has(k)) return false;
  const { id, source, question, answer, options, context, explanation, subject, metadata, raw } = rec;
  if (typeof id !== "string" || id.length === 0 || typeof source !== "string" || source.length === 0) return false;
  if (typeof question !== "string" || typeof answer !== "string") return false;
  if ((explanation !== undefined && typeof explanation !== "string") || (subject !== undefined && typeof subject !== "string")) return false;
  if (options !== undefined) {
    if (!Array.isArray(options)) return false;
    for (let i = 0; i < options.length; i++) {
      const o: unknown = options[i];
      if (typeof o !== "object" || o === null || Object.getPrototypeOf(o) !== Object.prototype) return false;
      for (const k in o) if (k !== "label" && k !== "text") return false;
      const { label, text } = o as { label?: unknown; text?: unknown };
      if (typeof label !== "string" || label.length === 0 || typeof text !== "string") return false;
    }
  }
  if (context !== undefined) {
    if (!Array.isArray(context)) return false;
    for (let i = 0; i < context.length; i++) if (typeof context[i] !== "string") return false;
  }
  return isPlainRecord(metadata) && (raw === undefined || isPlainRecord(raw));
}

function isPlainRecord(v: unknown): boolean {
  return typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype && !Object.hasOwn(v, "constructor") && Object.getOwnPropertySymbols(v).length === 0;
}

function problem(reason: ReasonCode, field: string, message: string): Problem {
  return { reason, field, message };
}

// Visible text: anything but whitespace and invisible formatting characters.
const VISIBLE = /[^\s\u00AD\u180E\u200B-\u200F\u2060\uFEFF]/;

function hasText(s: string): boolean {
  return VISIBLE.test(s);
}

/** Option identity for duplicate detection: NFC, case-folded, whitespace runs collapsed, trimmed. */
function normalizeOption(s: string): string {
  return s.normalize("NFC").toLowerCase().replace(/[\s\u200B\u2060\uFEFF]+/g, " ").trim();
}

// An answer written as several labels: "A, C", "A and C", "B/D", "A;C".
function answerLabels(answer: string, labels: Map<string, number>): string[] {
  const parts = answer.split(/\s*(?:,|;|\/|&|\+|\band\b|\s)\s*/).filter((p) => p !== "");
  return parts.length > 1 && parts.every((p) => labels.has(p)) ? parts : [];
}

const QUOTE_MAX = 60;

// A value quoted briefly for a message: JSON string syntax with invisible characters escaped, cut to QUOTE_MAX.
function quote(v: unknown): string {
  const s = typeof v === "string" ? v : JSON.stringify(v) ?? String(v);
  const cut = s.length > QUOTE_MAX ? `${s.slice(0, QUOTE_MAX)}…` : s;
  return JSON.stringify(cut).replace(/[\u007f-\u009f\u00a0\u00ad\u2000-\u200f\u2028-\u202f\u2060\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return `a ${typeof v}`;
}
