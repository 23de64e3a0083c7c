// Where a continuation's tokens begin when context and continuation are tokenized together, as
// lm-evaluation-harness does it (`_encode_pair`): trailing whitespace of the context moves to the continuation,
// encode(context + continuation) and encode(context) are compared, and the tail is the continuation. An option
// tokenized alone would get a different first token ("▁B" versus "B"), so scoring it alone is wrong.

/** Moves trailing whitespace of the context to the front of the continuation (harness `_encode_pair`). */
export function moveTrailingSpace(context: string, continuation: string): { context: string; continuation: string } {
  const trimmed = context.replace(/\s+$/u, "");
  if (trimmed.length === context.length) return { context, continuation };
  return { context: trimmed, continuation: context.slice(trimmed.length) + continuation };
}

/** How the tokens of context + continuation split. */
export interface ContinuationSplit {
  /** prefix (BOS), then the tokens of context + continuation */
  tokens: number[];
  /** index of the first continuation token (>= 1, so it always has a context to be predicted from) */
  start: number;
  /** the last context token merged with the continuation's start into one token, which is then scored with it */
  merged: boolean;
}

/** Options of splitContinuation. */
export interface SplitOptions {
  /** tokens the model puts before every text (its BOS), or [] */
  prefix: number[];
  /** a token to stand before an empty context when there is no prefix (the harness uses EOS); null: none */
  emptyContextToken?: number | null;
}

/**
 * Tokenizes context and continuation together and finds the continuation's tokens. `encode` turns text into
 * tokens without BOS. The continuation starts where the joint encoding stops agreeing with the context's own
 * encoding, at most at the context's length: when the harness's boundary token merges across (the context's last
 * characters and the continuation's first in one token), that token is scored too, so every character of the
 * continuation is covered. Returns an error message instead when the pair cannot be scored.
 */
export function splitContinuation(encode: (text: string) => number[], context: string, continuation: string, opts: SplitOptions): ContinuationSplit | { error: string } {
  const pair = moveTrailingSpace(context, continuation);
  let prefix = opts.prefix;
  if (pair.context.length === 0 && prefix.length === 0) {
    if (opts.emptyContextToken === undefined || opts.emptyContextToken === null) {
      return { error: "the context is empty and the model has neither a BOS nor an EOS token to stand before it, so the first token cannot be scored" };
    }
    prefix = [opts.emptyContextToken];
  }
  const whole = [...prefix, ...encode(pair.context + pair.continuation)];
  const ctx = pair.context.length === 0 ? prefix : [...prefix, ...encode(pair.context)];
  let lcp = 0;
  while (lcp < ctx.length && lcp < whole.length && whole[lcp] === ctx[lcp]) lcp++;
  const start = Math.min(lcp, ctx.length);
  if (start === 0) return { error: "the continuation merges with the first token of the context, so no token of it has a context to be scored from" };
  if (start >= whole.length) return { error: "the continuation adds no tokens after the context (it merged into the context's tokens)" };
  return { tokens: whole, start, merged: start < ctx.length };
}

/** Length of a string in Unicode code points (the unit of OpenAI `text_offset`). */
export function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/**
 * The first token that covers text after `boundary` (code points), from token start offsets: token i spans
 * offsets[i] .. offsets[i+1] (the last one up to `textLength`). This is the offset form of splitContinuation,
 * used over HTTP where only `text_offset` is known. Returns -1 when no token reaches past the boundary.
 */
export function firstTokenAfter(offsets: readonly number[], boundary: number, textLength: number): number {
  for (let i = 0; i < offsets.length; i++) {
    const end = i + 1 < offsets.length ? offsets[i + 1] : textLength;
    if (end > boundary) return i;
  }
  return -1;
}
