// The export lines of one item, as `data prepare` writes them: the canonical item JSON, the chat-messages line
// ({id, messages}) and the prompt/completion line ({id, prompt, completion}). Byte-identical to JSON.stringify of
// those objects, but the prompt and completion are escaped once and reused by the chat line (their trimmed forms
// are cut from the escaped text), which saves re-escaping long answers and contexts.
import type { QAItem } from "./schema.ts";
import { renderExample, renderMessages, type PromptTemplate } from "./prompt.ts";

/** Which lines to build and how to render them. */
export interface ExportLineOptions {
  chat: boolean;
  completion: boolean;
  withExplanation?: boolean;
}

/** The JSON lines of an item (without newlines); a line not asked for is "". */
export interface ExportLines {
  item: string;
  chat: string;
  completion: string;
  /** The rendered example, for length statistics. */
  prompt: string;
  completionText: string;
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/**
 * JSON of `s.slice(from, to)` given `sJson` = JSON.stringify(s): JSON escapes code unit by code unit except that a
 * surrogate pair stays raw and a lone surrogate is escaped, so a cut that splits a pair is escaped afresh.
 */
export function jsonSlice(s: string, sJson: string, from: number, to: number): string {
  if (from === 0 && to === s.length) return sJson;
  if ((from > 0 && isLow(s.charCodeAt(from)) && isHigh(s.charCodeAt(from - 1))) || (to < s.length && isHigh(s.charCodeAt(to - 1)) && isLow(s.charCodeAt(to)))) {
    return JSON.stringify(s.slice(from, to));
  }
  // the escaped head and tail are short (a few characters of template text): escape them, cut them off
  const head = from === 0 ? 1 : JSON.stringify(s.slice(0, from)).length - 1;
  const tail = to === s.length ? 1 : JSON.stringify(s.slice(to)).length - 1;
  return '"' + sJson.slice(head, sJson.length - tail) + '"';
}

/** Builds the export lines of `item` rendered with template `t`. */
export function exportLines(item: QAItem, t: PromptTemplate, opts: ExportLineOptions): ExportLines {
  const renderOpts = { withExplanation: opts.withExplanation };
  const ex = renderExample(item, t, renderOpts);
  const out: ExportLines = { item: JSON.stringify(item), chat: "", completion: "", prompt: ex.prompt, completionText: ex.completion };
  if (!opts.chat && !opts.completion) return out;
  const id = JSON.stringify(item.id);
  const prompt = JSON.stringify(ex.prompt);
  const completion = JSON.stringify(ex.completion);
  if (opts.completion) out.completion = `{"id":${id},"prompt":${prompt},"completion":${completion}}`;
  if (opts.chat) {
    const msgs = renderMessages(item, t, renderOpts, ex);
    let line = `{"id":${id},"messages":[`;
    for (let i = 0; i < msgs.length; i++) {
      const m = msgs[i];
      let content: string;
      // the user turn is the prompt cut at its end, the assistant turn the completion cut at its start
      if (i === msgs.length - 2 && ex.prompt.startsWith(m.content)) content = jsonSlice(ex.prompt, prompt, 0, m.content.length);
      else if (i === msgs.length - 1 && ex.completion.endsWith(m.content)) content = jsonSlice(ex.completion, completion, ex.completion.length - m.content.length, ex.completion.length);
      else content = JSON.stringify(m.content);
      line += `${i > 0 ? "," : ""}{"role":${JSON.stringify(m.role)},"content":${content}}`;
    }
    out.chat = line + "]}";
  }
  return out;
}
