// Token ids back to text for the `local` provider: pieces decoded in the context of the tokens before them (so
// SentencePiece's leading space survives, as llama.cpp's detokenizer keeps it) and token start offsets in code
// points for OpenAI `text_offset`, with byte tokens that end inside a UTF-8 character waiting for the rest of it.
import type { Tokenizer } from "../tokenizer/index.ts";

/** Non-special tokens at most used as decoding context. */
const CONTEXT_TOKENS = 8;

/** The trailing run of at most CONTEXT_TOKENS non-special tokens of `tokens[lo..hi)`. */
export function decodeContext(tok: Tokenizer, tokens: readonly number[], lo: number, hi: number): number[] {
  let from = hi;
  while (from > lo && hi - from < CONTEXT_TOKENS && !tok.specialIds.has(tokens[from - 1])) from--;
  return tokens.slice(from, hi) as number[];
}

/** Text of `ids` as it continues `context`: decode(context + ids) minus decode(context). */
export function decodeAfter(tok: Tokenizer, context: readonly number[], ids: readonly number[], skipSpecialTokens: boolean): string {
  if (ids.length === 0) return "";
  const alone = (): string => tok.decode(ids, { skipSpecialTokens });
  if (context.length === 0) return alone();
  const head = tok.decode(context, { skipSpecialTokens });
  const full = tok.decode([...context, ...ids], { skipSpecialTokens });
  return full.startsWith(head) ? full.slice(head.length) : alone();
}

/** Spelling of one token in context: a special token shows its own text (`<s>`). */
export function tokenText(tok: Tokenizer, tokens: readonly number[], lo: number, at: number, id: number): string {
  if (tok.specialIds.has(id)) return tok.idToToken(id) ?? "";
  return decodeAfter(tok, decodeContext(tok, tokens, lo, at), [id], false);
}

/**
 * Token texts and start offsets (code points) of `text` tokenized as `tokens`, the first `added` of which (BOS)
 * the model put there: those span no text. Texts are slices of `text`, so they concatenate back to it.
 */
export function tokenOffsets(tok: Tokenizer, tokens: readonly number[], added: number, text: string): { strings: string[]; offsets: number[] } {
  const cps = Array.from(text);
  const offsets: number[] = [];
  const strings: string[] = [];
  for (let i = 0; i < added; i++) {
    offsets.push(0);
    strings.push(tok.idToToken(tokens[i]) ?? "");
  }
  let segStart = added;
  let segOffset = 0;
  for (let i = added; i < tokens.length; i++) {
    offsets.push(segOffset);
    const special = tok.specialIds.has(tokens[i]);
    const piece = special
      ? tok.idToToken(tokens[i]) ?? ""
      : decodeAfter(tok, decodeContext(tok, tokens, added, segStart), tokens.slice(segStart, i + 1), false);
    if (!special && (piece.length === 0 || piece.endsWith("\uFFFD")) && i + 1 < tokens.length) continue;
    const end = Math.min(cps.length, Math.max(segOffset, segOffset + Array.from(piece).length));
    for (let k = segStart; k <= i; k++) offsets[k] = k === segStart ? segOffset : end;
    segStart = i + 1;
    segOffset = end;
  }
  for (let i = added; i < tokens.length; i++) {
    const end = i + 1 < tokens.length ? offsets[i + 1] : cps.length;
    strings.push(cps.slice(offsets[i], Math.max(offsets[i], end)).join(""));
  }
  return { strings, offsets };
}
