// Generative scoring. MCQ and yes/no: zero-shot chain of thought in two stages (Kojima et al. 2022): the prompt
// plus "Let's think step by step." yields the reasoning, then prompt + reasoning + "Therefore, the answer is"
// yields the answer, and the answer is read by the extraction rules (src/eval/extract) from that transcript;
// without CoT one short generation is read the same way. Open-ended: one generation scored by SQuAD EM, token F1
// and ROUGE-L against the reference. Chat models get the same text as one user turn instead of a raw prompt.
import type { QAItem } from "../../data/index.ts";
import type { ChatMessage, GenerateRequest, GenerateResult } from "../../providers/index.ts";
import { extractChoice, extractYesNo, type ExtractionResult } from "../extract/answer-extract.ts";
import { exactMatchMetric, f1Metric } from "../metrics/squad.ts";
import { rougeLMetric } from "../metrics/rouge-l.ts";
import type { ItemResult } from "./item-result.ts";

/** How generation is run (all recorded in the protocol). */
export interface GenerativeSettings {
  format: "completion" | "chat";
  cot: { prompt: string; answerPrompt: string } | null;
  /** new tokens for the reasoning (CoT) or for the whole answer (no CoT, open items) */
  maxTokens: number;
  /** new tokens after the answer trigger (CoT) */
  answerMaxTokens: number;
  temperature: number;
  stop: string[];
  /** chat mode: the system message ("" for none) */
  system: string;
  /** sampling seed (temperature > 0) */
  seed: number;
}

/** Default CoT triggers (Kojima et al. 2022, zero-shot-CoT). */
export const DEFAULT_COT = { prompt: "Let's think step by step.", answerPrompt: "Therefore, the answer is" } as const;

/** Default stop strings for raw completions: a new few-shot question ends the answer. */
export const DEFAULT_STOP: readonly string[] = ["\n\nQuestion:", "\nQuestion:"];

/** The question as a chat user turn: the completion prompt without its trailing "Answer:" cue. */
function chatQuestion(prompt: string): string {
  return prompt.replace(/\n?Answer:\s*$/u, "").trimEnd();
}

/** The first-stage request: CoT reasoning, or the whole answer without CoT. */
export function firstStageRequest(prompt: string, item: QAItem, s: GenerativeSettings): GenerateRequest {
  const useCot = s.cot !== null && item.kind !== "open";
  const maxTokens = useCot || item.kind === "open" ? s.maxTokens : s.answerMaxTokens;
  const common = { maxTokens, temperature: s.temperature, seed: s.seed };
  if (s.format === "chat") {
    const instruction = useCot ? `\n\n${s.cot!.prompt} Then finish with "${s.cot!.answerPrompt} <answer>".` : "";
    return { ...common, messages: [...systemTurn(s), { role: "user", content: chatQuestion(prompt) + instruction }] };
  }
  return { ...common, prompt: useCot ? `${prompt} ${s.cot!.prompt}` : prompt, stop: [...s.stop] };
}

function systemTurn(s: GenerativeSettings): ChatMessage[] {
  return s.system ? [{ role: "system", content: s.system }] : [];
}

/** Whether the item needs a second (answer-trigger) stage after `first`. */
export function needsSecondStage(item: QAItem, s: GenerativeSettings): boolean {
  return s.cot !== null && item.kind !== "open" && s.format === "completion";
}

/** The second-stage request of two-stage CoT: the reasoning, then the answer trigger. */
export function secondStageRequest(prompt: string, reasoning: string, s: GenerativeSettings): GenerateRequest {
  const cot = s.cot!;
  const sep = reasoning.endsWith("\n") || reasoning === "" ? "" : "\n";
  return { prompt: `${prompt} ${cot.prompt}${reasoning}${sep}${cot.answerPrompt}`, maxTokens: s.answerMaxTokens, temperature: s.temperature, seed: s.seed, stop: ["\n", ...s.stop] };
}

function failed(item: QAItem, error: string, scores: Record<string, number>): ItemResult {
  return { id: item.id, source: item.source, subject: item.subject ?? null, kind: item.kind, gold: item.answer, prediction: null, correct: false, scores, error };
}

/** Reads the answer of an MCQ or yes/no item from its generation(s) and scores it. */
export function scoreChoiceGeneration(item: QAItem, s: GenerativeSettings, first: GenerateResult, second: GenerateResult | null): ItemResult {
  if (first.error !== undefined) return failed(item, first.error, { acc: 0, parsed: 0 });
  if (second?.error !== undefined) return failed(item, `answer stage: ${second.error}`, { acc: 0, parsed: 0 });
  // The whole transcript after the prompt: the last answer statement wins, so the answer stage decides when it
  // states one, and the reasoning's own conclusion counts when it does not.
  const transcript = second !== null ? `${first.text}\n${s.cot!.answerPrompt}${second.text}` : first.text;
  const ex: ExtractionResult = item.kind === "yesno" ? extractYesNo(transcript) : extractChoice(transcript, item.options ?? []);
  const ok = ex.answer !== null && ex.answer === (item.kind === "yesno" ? item.answer.toLowerCase() : item.answer);
  return {
    id: item.id,
    source: item.source,
    subject: item.subject ?? null,
    kind: item.kind,
    gold: item.answer,
    prediction: ex.answer,
    correct: ok,
    scores: { acc: ok ? 1 : 0, parsed: ex.answer !== null ? 1 : 0 },
    generation: {
      ...(second !== null ? { reasoning: first.text, output: second.text } : { output: first.text }),
      extraction: ex.reason !== undefined ? { method: ex.method, reason: ex.reason } : { method: ex.method },
      finishReason: (second ?? first).finishReason,
    },
  };
}

/** Scores an open-ended answer: SQuAD exact match (the primary outcome), token F1 and ROUGE-L. */
export function scoreOpenGeneration(item: QAItem, first: GenerateResult): ItemResult {
  if (first.error !== undefined) return failed(item, first.error, { exact_match: 0, f1: 0, rouge_l: 0 });
  const pred = first.text.trim();
  const em = exactMatchMetric.score(pred, item.answer).score;
  return {
    id: item.id,
    source: item.source,
    subject: item.subject ?? null,
    kind: item.kind,
    gold: item.answer,
    prediction: pred,
    correct: em === 1,
    scores: { exact_match: em, f1: f1Metric.score(pred, item.answer).score, rouge_l: rougeLMetric.score(pred, item.answer).score },
    generation: { output: first.text, finishReason: first.finishReason },
  };
}
