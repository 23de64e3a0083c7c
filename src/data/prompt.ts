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

function fill(tpl: string, vars: Record<string, string>): string {
  return tpl.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? vars[k] : m));
}

/** A rendered training example: prompt and completion (the loss covers the completion only). */
export interface RenderedExample {
  prompt: string;
  completion: string;
}

/** Renders the prompt (question side) of an item. */
export function renderPrompt(item: QAItem, t: PromptTemplate): string {
  const context = item.context && item.context.length > 0
    ? fill(t.context, { passages: item.context.map((text, i) => fill(t.passage, { n: String(i + 1), text })).join("\n") })
    : "";
  const options = (item.options ?? []).map((o) => fill(t.option, { label: o.label, text: o.text })).join("\n");
  const body = item.kind === "mcq" ? t.mcq : item.kind === "yesno" ? t.yesno : t.open;
  return fill(body, { context, question: item.question, options });
}

/** Renders the completion (answer side) of an item. */
export function renderCompletion(item: QAItem, t: PromptTemplate, opts: { withExplanation?: boolean } = {}): string {
  const explanation = opts.withExplanation !== false && item.explanation && t.explanation ? fill(t.explanation, { text: item.explanation }) : "";
  if (item.kind === "mcq") {
    const opt = item.options?.find((o) => o.label === item.answer);
    return fill(t.mcqAnswer, { label: item.answer, text: opt?.text ?? "", explanation });
  }
  if (item.kind === "yesno") return fill(t.yesnoAnswer, { label: item.answer, explanation });
  return fill(t.openAnswer, { answer: item.answer });
}

/** Renders an item into prompt + completion. */
export function renderExample(item: QAItem, t: PromptTemplate, opts: { withExplanation?: boolean } = {}): RenderedExample {
  return { prompt: renderPrompt(item, t), completion: renderCompletion(item, t, opts) };
}

/** Chat messages for an item (system, earlier turns kept by chat adapters in metadata.history, user, assistant). */
export function renderMessages(item: QAItem, t: PromptTemplate, opts: { withExplanation?: boolean } = {}): Array<{ role: string; content: string }> {
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
  msgs.push({ role: "user", content: renderPrompt(item, t).replace(/\nAnswer:$/, "").trimEnd() });
  msgs.push({ role: "assistant", content: renderCompletion(item, t, opts).trimStart() });
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
