// The optional judge model for citation support: any provider's Model gets a rubric prompt per (statement,
// cited passage) pair, "Does passage [k] support this statement? Answer yes or no.", greedy and short; the first
// yes or no in its reply is the verdict, anything else is unparsed (null) and left out of the agreement.
import { MedtuneError } from "../../core/index.ts";
import type { GenerateRequest, Model } from "../../providers/index.ts";

/** One statement and the passage it cites. */
export interface JudgeClaim {
  claim: string;
  passage: string;
  /** The passage's 1-based index, as the rationale cited it. */
  index: number;
}

/** The judge's reply to one claim. */
export interface JudgeVerdict {
  verdict: boolean | null;
  output: string;
  error?: string;
}

/** Settings of judging. */
export interface JudgeOptions {
  /** Chat messages or a raw prompt (default: chat when the judge has a chat template). */
  format?: "chat" | "prompt";
  /** New tokens at most (default 8). */
  maxTokens?: number;
  /** Claims per call (default 32). */
  batchSize?: number;
}

/** The rubric prompt for one claim. */
export function judgePrompt(c: JudgeClaim): string {
  return `You check whether a source passage supports a statement. Judge only from the passage.\n\nPassage [${c.index}]:\n${c.passage.replace(/\s+/g, " ").trim()}\n\nStatement:\n${c.claim}\n\nDoes passage [${c.index}] support this statement? Answer yes or no.`;
}

/** The verdict in a judge's reply: its first standalone yes or no (null when it has neither). */
export function parseJudgeVerdict(output: string): boolean | null {
  const m = /(?<![\p{L}\p{N}])(yes|no)(?![\p{L}\p{N}])/iu.exec(output.replace(/\*\*/g, ""));
  if (m === null) return null;
  return m[1].toLowerCase() === "yes";
}

/** Asks the judge about every claim; verdicts in claim order. */
export async function judgeClaims(judge: Model, claims: readonly JudgeClaim[], opts: JudgeOptions = {}): Promise<JudgeVerdict[]> {
  const format = opts.format ?? (judge.info().capabilities.chat ? "chat" : "prompt");
  const size = opts.batchSize ?? 32;
  if (!Number.isInteger(size) || size < 1) throw new MedtuneError("eval.interpret.bad-option", `batchSize must be a positive integer, got ${size}`);
  const out: JudgeVerdict[] = [];
  for (let i = 0; i < claims.length; i += size) {
    const batch = claims.slice(i, i + size);
    const reqs: GenerateRequest[] = batch.map((c) => {
      const text = judgePrompt(c);
      const base = { maxTokens: opts.maxTokens ?? 8, temperature: 0 };
      return format === "chat" ? { messages: [{ role: "user" as const, content: text }], ...base } : { prompt: `${text}\nAnswer:`, ...base };
    });
    const res = await judge.generate(reqs);
    if (res.length !== reqs.length) throw new MedtuneError("eval.interpret.provider", `the judge returned ${res.length} results for ${reqs.length} requests`);
    for (const r of res) out.push(r.error !== undefined ? { verdict: null, output: r.text, error: r.error } : { verdict: parseJudgeVerdict(r.text), output: r.text });
  }
  return out;
}
