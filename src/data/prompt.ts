// Prompt templates: how a QAItem becomes a training prompt and completion (and chat messages). The template is
// saved beside every export so training and evaluation render items the same way. The MCQ layout follows
// lm-evaluation-harness ("Question: ...\nA. ...\nAnswer:") so log-likelihood scoring matches training.
import { z } from "zod";
import type { QAItem } from "./schema.ts";

/** A prompt template; placeholders are `{name}` (see renderPrompt for the names). */
export const PromptTemplateSchema = z
  .object({
    name: z.string().min(1),
    /** System message for chat exports ("" for none). */
    system: z.string(),
    /** Prompt of an MCQ: {context} {question} {options}. */
    mcq: z.string(),
    /** Prompt of a yes/no/maybe item: {context} {question}. */
    yesno: z.string(),
    /** Prompt of an open item: {context} {question}. */
    open: z.string(),
    /** One option line: {label} {text}. */
    option: z.string(),
    /** Context block, inserted at {context} when the item has context: {passages}; empty otherwise. */
    context: z.string(),
    /** One context passage: {n} (1-based) {text}. */
    passage: z.string(),
    /** Completion of an MCQ: {label} {text} {explanation}. */
    mcqAnswer: z.string(),
    /** Completion of a yes/no/maybe item: {label} {explanation}. */
    yesnoAnswer: z.string(),
    /** Completion of an open item: {answer}. */
    openAnswer: z.string(),
    /** Text after {explanation} placeholders when the item has one, e.g. "\nExplanation: {text}". */
    explanation: z.string(),
  })
  .strict();
export type PromptTemplate = z.infer<typeof PromptTemplateSchema>;

/** The default template: lm-evaluation-harness style prompts, answer letter then option text. */
export const DEFAULT_TEMPLATE: PromptTemplate = {
  name: "medtune-default-v1",
  system: "You are a careful medical expert. Answer the question accurately and concisely.",
  mcq: "{context}Question: {question}\n{options}\nAnswer:",
  yesno: "{context}Question: {question}\nAnswer yes, no or maybe.\nAnswer:",
  open: "{context}Question: {question}\nAnswer:",
  option: "{label}. {text}",
  context: "Context:\n{passages}\n\n",
  passage: "[{n}] {text}",
  mcqAnswer: " {label}. {text}{explanation}",
  yesnoAnswer: " {label}{explanation}",
  openAnswer: " {answer}",
  explanation: "\nExplanation: {text}",
};

/** Built-in templates by name. */
export const TEMPLATES: Record<string, PromptTemplate> = {
  [DEFAULT_TEMPLATE.name]: DEFAULT_TEMPLATE,
  "medtune-letter-v1": { ...DEFAULT_TEMPLATE, name: "medtune-letter-v1", mcqAnswer: " {label}", yesnoAnswer: " {label}", explanation: "" },
};

// A template string compiled once: literal text and placeholders in order (a number is the index of the value to
// insert). It renders exactly what one pass of `tpl.replace(/\{(\w+)\}/g, (m, k) => k in vars ? vars[k] : m)` would:
// values are not re-scanned, a placeholder that is no variable of its slot stays literal, and one that names an
// Object.prototype member renders that member as a string (as `k in vars` on an object literal did).
type Parts = ReadonlyArray<string | number>;

/** Compiled slots of a PromptTemplate, each with its variables in the order the renderers pass them. */
interface CompiledTemplate {
  context: Parts; // passages
  passage: Parts; // n, text
  option: Parts; // label, text
  mcq: Parts; // context, question, options (the same three for every prompt kind)
  yesno: Parts;
  open: Parts;
  mcqAnswer: Parts; // label, text, explanation
  yesnoAnswer: Parts; // label, explanation
  openAnswer: Parts; // answer
  explanation: Parts; // text
}

const PLACEHOLDER = /\{(\w+)\}/g;
const PROTO_PROBE: Record<string, unknown> = {};

function compileSlot(tpl: string, names: readonly string[]): Parts {
  const parts: Array<string | number> = [];
  let lit = "";
  let at = 0;
  for (const m of tpl.matchAll(PLACEHOLDER)) {
    lit += tpl.slice(at, m.index);
    at = m.index + m[0].length;
    const k = names.indexOf(m[1]);
    if (k >= 0) {
      parts.push(lit, k);
      lit = "";
    } else lit += m[1] in PROTO_PROBE ? String(PROTO_PROBE[m[1]]) : m[0];
  }
  parts.push(lit + tpl.slice(at));
  return parts;
}

const compiledTemplates = new WeakMap<PromptTemplate, CompiledTemplate>();

function compiled(t: PromptTemplate): CompiledTemplate {
  let c = compiledTemplates.get(t);
  if (c === undefined) {
    const body = ["context", "question", "options"];
    c = {
      context: compileSlot(t.context, ["passages"]),
      passage: compileSlot(t.passage, ["n", "text"]),
      option: compileSlot(t.option, ["label", "text"]),
      mcq: compileSlot(t.mcq, body),
      yesno: compileSlot(t.yesno, body),
      open: compileSlot(t.open, body),
      mcqAnswer: compileSlot(t.mcqAnswer, ["label", "text", "explanation"]),
      yesnoAnswer: compileSlot(t.yesnoAnswer, ["label", "explanation"]),
      openAnswer: compileSlot(t.openAnswer, ["answer"]),
      explanation: compileSlot(t.explanation, ["text"]),
    };
    compiledTemplates.set(t, c);
  }
  return c;
}

function render(parts: Parts, a: string, b = "", c = ""): string {
  let out = parts[0] as string;
  for (let i = 1; i < parts.length; i += 2) {
    const k = parts[i] as number;
    out += (k === 0 ? a : k === 1 ? b : c) + (parts[i + 1] as string);
  }
  return out;
}

/** A rendered training example: prompt and completion (the loss covers the completion only). */
export interface RenderedExample {
  prompt: string;
  completion: string;
}

/** Renders the prompt (question side) of an item. */
export function renderPrompt(item: QAItem, t: PromptTemplate): string {
  const c = compiled(t);
  let context = "";
  if (item.context && item.context.length > 0) {
    let passages = "";
    for (let i = 0; i < item.context.length; i++) passages += (i > 0 ? "\n" : "") + render(c.passage, String(i + 1), item.context[i]);
    context = render(c.context, passages);
  }
  let options = "";
  if (item.options) for (let i = 0; i < item.options.length; i++) options += (i > 0 ? "\n" : "") + render(c.option, item.options[i].label, item.options[i].text);
  const body = item.kind === "mcq" ? c.mcq : item.kind === "yesno" ? c.yesno : c.open;
  return render(body, context, item.question, options);
}

/** Renders the completion (answer side) of an item. */
export function renderCompletion(item: QAItem, t: PromptTemplate, opts: { withExplanation?: boolean } = {}): string {
  const c = compiled(t);
  const explanation = opts.withExplanation !== false && item.explanation && t.explanation ? render(c.explanation, item.explanation) : "";
  if (item.kind === "mcq") {
    const opt = item.options?.find((o) => o.label === item.answer);
    return render(c.mcqAnswer, item.answer, opt?.text ?? "", explanation);
  }
  if (item.kind === "yesno") return render(c.yesnoAnswer, item.answer, explanation);
  return render(c.openAnswer, item.answer);
}

/** Renders an item into prompt + completion. */
export function renderExample(item: QAItem, t: PromptTemplate, opts: { withExplanation?: boolean } = {}): RenderedExample {
  return { prompt: renderPrompt(item, t), completion: renderCompletion(item, t, opts) };
}

/**
 * Chat messages for an item (system, earlier turns kept by chat adapters in metadata.history, user, assistant);
 * `ex`, when given, is the item's `renderExample` with the same template and options (saves rendering it twice).
 */
export function renderMessages(item: QAItem, t: PromptTemplate, opts: { withExplanation?: boolean } = {}, ex?: RenderedExample): Array<{ role: string; content: string }> {
  const msgs: Array<{ role: string; content: string }> = [];
  const system = typeof item.metadata.system === "string" ? item.metadata.system : t.system;
  if (system) msgs.push({ role: "system", content: system });
  const history = item.metadata.history;
  if (Array.isArray(history)) {
    for (const h of history) {
      if (h && typeof h === "object" && typeof (h as { role?: unknown }).role === "string" && typeof (h as { content?: unknown }).content === "string") {
        msgs.push({ role: (h as { role: string }).role, content: (h as { content: string }).content });
      }
    }
  }
  const prompt = ex?.prompt ?? renderPrompt(item, t);
  const completion = ex?.completion ?? renderCompletion(item, t, opts);
  msgs.push({ role: "user", content: (prompt.endsWith("\nAnswer:") ? prompt.slice(0, -8) : prompt).trimEnd() });
  msgs.push({ role: "assistant", content: completion.trimStart() });
  return msgs;
}

/** Checks a template renders the gold answer into the completion (fails at start, not mid-run). */
export function checkTemplate(t: PromptTemplate): string | null {
  const probe: QAItem = {
    id: "probe", source: "probe", kind: "mcq", question: "Q?", options: [{ label: "A", text: "alpha" }, { label: "B", text: "beta" }],
    answer: "B", metadata: {},
  };
  const r = renderExample(probe, t);
  if (!r.completion.includes("B")) return "the mcqAnswer template drops the answer label ({label})";
  if (!r.prompt.includes("Q?")) return "the mcq template drops the question ({question})";
  if (!r.prompt.includes("alpha")) return "the mcq template drops the options ({options})";
  const open = renderExample({ ...probe, kind: "open", options: undefined, answer: "the answer text" }, t);
  if (!open.completion.includes("the answer text")) return "the openAnswer template drops the answer ({answer})";
  const yn = renderExample({ ...probe, kind: "yesno", options: undefined, answer: "maybe" }, t);
  if (!yn.completion.includes("maybe")) return "the yesnoAnswer template drops the label ({label})";
  return null;
}
