// Token ids back to text for the `local` provider: pieces decoded in the context of the tokens before them (so
// SentencePiece's leading space survives, as llama.cpp's detokenizer keeps it) and token start offsets in code
// points for OpenAI `text_offset`, with byte tokens that end inside a UTF-8 character waiting for the rest of it.
import type { Tokenizer } from "../tokenizer/index.ts";
import { alignTokens } from "./token-offsets.ts";

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
  return alignTokens(tokens.length, added, text, {
    isSpecial: (i) => tok.specialIds.has(tokens[i]),
    special: (i) => tok.idToToken(tokens[i]) ?? "",
    run: (from, to) => decodeAfter(tok, decodeContext(tok, tokens, added, from), tokens.slice(from, to), false),
  });
}
