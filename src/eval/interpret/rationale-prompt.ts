// The rationale-with-citations prompt and its reply: the supplied sources (PubMedQA contexts or retrieved
// passages) numbered [1]..[n], the question, and an instruction to reply "Answer: ..." then "Rationale: ..."
// with bracketed citations after each sentence. The reply is split back into the answer line and rationale
// sentences, each with the citation markers it carries.
import type { QAItem } from "../../data/index.ts";
import type { ChatMessage, GenerateRequest } from "../../providers/index.ts";
import { parseCitations, stripCitations, type Citation } from "./citations.ts";

/** The instruction appended to every rationale prompt (recorded in the protocol). */
export const RATIONALE_INSTRUCTION =
  "Answer the question using the numbered sources above. Reply in exactly this format:\n" +
  "Answer: <your answer>\n" +
  "Rationale: <two to four sentences explaining the answer; end each sentence with the numbers of the sources that support it in square brackets, e.g. [1] or [2, 3]>";

/** The system message of chat-format rationale prompts. */
export const RATIONALE_SYSTEM = "You are a careful medical expert. Base every statement on the supplied sources and cite them.";

function answerHint(item: QAItem): string {
  if (item.kind === "yesno") return "yes, no or maybe";
  if (item.kind === "mcq") return "the letter of the correct option";
  return "a short answer";
}

/** The user text of a rationale prompt: numbered sources, the question (with options), the instruction. */
export function rationalePromptText(item: QAItem, passages: readonly string[]): string {
  const sources = passages.map((p, i) => `[${i + 1}] ${p.replace(/\s+/g, " ").trim()}`).join("\n");
  const options = item.kind === "mcq" && item.options ? `\n${item.options.map((o) => `${o.label}. ${o.text}`).join("\n")}` : "";
  return `Sources:\n${sources}\n\nQuestion: ${item.question}${options}\n\n${RATIONALE_INSTRUCTION.replace("<your answer>", `<${answerHint(item)}>`)}`;
}

/** The generation request: chat messages, or a raw prompt that ends in "Answer:" for the model to continue. */
export function rationaleRequest(item: QAItem, passages: readonly string[], opts: { format: "chat" | "prompt"; maxTokens?: number; temperature?: number; seed?: number }): GenerateRequest {
  const text = rationalePromptText(item, passages);
  const base = { maxTokens: opts.maxTokens ?? 384, temperature: opts.temperature ?? 0, ...(opts.seed !== undefined ? { seed: opts.seed } : {}) };
  if (opts.format === "chat") {
    const messages: ChatMessage[] = [{ role: "system", content: RATIONALE_SYSTEM }, { role: "user", content: text }];
    return { messages, ...base };
  }
  return { prompt: `${text}\n\nAnswer:`, ...base };
}

/** One rationale sentence: its text as written, without citation markers, and the markers it carries. */
export interface RationaleSentence {
  text: string;
  /** The sentence with bracketed citations removed (what support is measured on). */
  claim: string;
  citations: Citation[];
}

/** A parsed reply. */
export interface ParsedRationale {
  /** The text after "Answer:" (null when there is no answer line). */
  answerText: string | null;
  rationale: string;
  sentences: RationaleSentence[];
}

const ABBREVIATIONS = /(?:\b(?:e\.g|i\.e|vs|et al|approx|fig|figs|ref|refs|resp|cf|Dr|Mr|Mrs|Ms|Prof)\.)$/i;

/** Splits a rationale into sentences; a citation after the full stop ("... rose. [2]") stays with its sentence. */
export function splitRationale(text: string): RationaleSentence[] {
  const pieces: string[] = [];
  const lines = text.replace(/\r\n?/g, "\n").split(/\n+/);
  for (const line of lines) {
    const l = line.replace(/^\s*(?:[-*•]|\d+[.)])\s+/, "").trim();
    if (l === "") continue;
    let start = 0;
    const re = /[.!?](?=\s+\S)/g;
    for (let m = re.exec(l); m !== null; m = re.exec(l)) {
      const end = m.index + 1;
      if (ABBREVIATIONS.test(l.slice(Math.max(0, end - 8), end))) continue;
      pieces.push(l.slice(start, end));
      start = end;
    }
    pieces.push(l.slice(start));
  }
  // Leading citation markers of a piece belong to the sentence before it.
  const merged: string[] = [];
  for (const p of pieces.map((x) => x.trim()).filter((x) => x !== "")) {
    const lead = /^((?:\[[^\]]{1,40}\]\s*)+)([.;,]?)\s*(.*)$/s.exec(p);
    if (lead !== null && merged.length > 0 && parseCitations(lead[1]).length > 0) {
      merged[merged.length - 1] += ` ${lead[1].trim()}${lead[2]}`;
      if (lead[3].trim() !== "") merged.push(lead[3].trim());
    } else {
      merged.push(p);
    }
  }
  return merged.map((text) => ({ text, claim: stripCitations(text), citations: parseCitations(text) }));
}

/** Splits a reply into its answer line and rationale sentences. */
export function parseRationaleReply(output: string): ParsedRationale {
  const text = output.replace(/\r\n?/g, "\n").replace(/\*\*/g, "");
  const answer = /^[ \t]*(?:final\s+)?answer[ \t]*[:\-][ \t]*(.*)$/im.exec(text);
  const label = /^[ \t]*(?:rationale|reasoning|explanation|justification)[ \t]*[:\-][ \t]*/im.exec(text);
  let rationale: string;
  if (label !== null) {
    const from = label.index + label[0].length;
    // The rationale runs to the end, or to an answer line that comes after it.
    const after = text.slice(from);
    const nextAnswer = /^[ \t]*(?:final\s+)?answer[ \t]*[:\-]/im.exec(after);
    rationale = (nextAnswer === null ? after : after.slice(0, nextAnswer.index)).trim();
  } else if (answer !== null) {
    rationale = (text.slice(0, answer.index) + text.slice(answer.index + answer[0].length)).trim();
  } else {
    rationale = text.trim();
  }
  return { answerText: answer === null ? null : answer[1].trim(), rationale, sentences: splitRationale(rationale) };
}
