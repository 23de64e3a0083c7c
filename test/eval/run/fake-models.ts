// Fake Models for evaluation tests: they read the question out of the prompt (the last "Question: ..." block),
// look the item up, and answer by a rule (gold, a constant letter, a per-item table), counting every request so
// tests can check what the request cache saved. No model weights involved.
import type { GenerateRequest, GenerateResult, LogprobRequest, LogprobResult, Model } from "../../../src/providers/index.ts";
import { DEFAULT_TEMPLATE, type QAItem } from "../../../src/data/index.ts";
import { itemsHash, type EvalProtocol } from "../../../src/eval/index.ts";

/** Picks the answer label a fake gives for an item (null: refuse / garbage). */
export type Rule = (item: QAItem) => string | null;

/** A counting fake model. */
export interface FakeModel extends Model {
  calls: { logprobs: number; generate: number; batches: number };
  /** throw (like a crash) once this many logprob requests have been served */
  crashAfter?: number;
}

/** The item whose question ends the prompt. */
function itemOf(byQuestion: Map<string, QAItem>, text: string): QAItem {
  const at = text.lastIndexOf("Question: ");
  if (at < 0) throw new Error(`fake model: no "Question: " in prompt ${JSON.stringify(text.slice(0, 80))}`);
  const rest = text.slice(at + "Question: ".length);
  for (const [q, it] of byQuestion) if (rest.startsWith(q)) return it;
  throw new Error(`fake model: unknown question ${JSON.stringify(rest.slice(0, 80))}`);
}

/** A fake that scores the continuation naming `rule(item)` highest, and generates "The answer is (X)." with CoT. */
export function fakeModel(items: readonly QAItem[], rule: Rule, opts: { id?: string; logprobs?: boolean; openAnswer?: (item: QAItem) => string } = {}): FakeModel {
  const byQuestion = new Map(items.map((it) => [it.question, it]));
  const m: FakeModel = {
    calls: { logprobs: 0, generate: 0, batches: 0 },
    async logprobs(reqs: LogprobRequest[]): Promise<LogprobResult[]> {
      m.calls.batches++;
      return reqs.map((r) => {
        if (m.crashAfter !== undefined && m.calls.logprobs >= m.crashAfter) throw new Error("simulated crash");
        m.calls.logprobs++;
        const item = itemOf(byQuestion, r.context);
        const choice = rule(item);
        const opt = item.options?.find((o) => o.label === choice);
        const named = choice !== null && (r.continuation === ` ${choice}` || (opt !== undefined && r.continuation === ` ${opt.text}`));
        // Longer continuations get lower scores (like a real model), the chosen one a clear margin.
        return { logprob: named ? -0.1 : -3 - 0.01 * r.continuation.length, tokens: 1, isGreedy: named };
      });
    },
    async generate(reqs: GenerateRequest[]): Promise<GenerateResult[]> {
      m.calls.batches++;
      return reqs.map((r) => {
        m.calls.generate++;
        const text = r.prompt ?? r.messages!.map((x) => x.content).join("\n");
        const item = itemOf(byQuestion, text);
        if (item.kind === "open") return { text: opts.openAnswer ? opts.openAnswer(item) : ` ${item.answer}`, finishReason: "stop", latencyMs: 1 };
        const choice = rule(item);
        if (text.includes("numbered sources above")) {
          // A rationale reply citing the first supplied passage with its own words.
          const words = (item.context?.[0] ?? "").split(/\s+/).slice(0, 12).join(" ");
          return { text: ` ${choice ?? "unsure"}\nRationale: ${words} [1].`, finishReason: "stop", latencyMs: 1 };
        }
        const isAnswerStage = r.prompt !== undefined && /Therefore, the answer is$/.test(r.prompt);
        if (choice === null) return { text: isAnswerStage ? " unclear." : " I am not sure about this one.", finishReason: "stop", latencyMs: 1 };
        return { text: isAnswerStage ? ` (${choice}).` : ` The findings point to option ${choice}.`, finishReason: "stop", latencyMs: 1 };
      });
    },
    info: () => ({ id: opts.id ?? "fake", provider: "fake", fingerprint: opts.id ?? "fake", capabilities: { logprobs: opts.logprobs ?? true, chat: false } }),
    close: async () => {},
  };
  return m;
}

/** Gold answers: the oracle. */
export const oracle: Rule = (item) => item.answer;

/** Always the same label. */
export const always = (label: string): Rule => () => label;

/** A protocol for tests, built field by field like the eval recipe does. */
export function protocolFor(items: readonly QAItem[], over: Partial<EvalProtocol> = {}): EvalProtocol {
  const { name, ...text } = DEFAULT_TEMPLATE;
  return {
    version: 1, task: "t", kind: items[0].kind, scoring: "loglik", template: { name, text }, choices: "letters", lengthUnit: "chars",
    fewShot: { n: 0, seed: 0, pool: null }, format: null, cot: null, maxTokens: null, answerMaxTokens: null, temperature: null, stop: null,
    system: null, extraction: null, seed: null, withContext: true, dataset: { sha256: itemsHash(items), n: items.length }, ...over,
  };
}
