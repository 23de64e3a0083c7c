// The tokenizer of Google's rouge-score package (rouge/tokenize.py), which replicates ROUGE-1.5.5: lowercase,
// every run of characters outside [a-z0-9] becomes a space (so accented and non-Latin letters are dropped),
// split on spaces, optionally Porter-stem tokens longer than 3 characters. `unicode` keeps letters and digits
// of every script instead, for non-English answers; scores made with it are not comparable to rouge-score.
import { porterStem } from "./porter-stemmer.ts";

/** Tokenization settings for ROUGE. */
export interface RougeTokenizeOptions {
  /** Porter-stem tokens longer than 3 characters, as rouge-score's use_stemmer=True (default false). */
  useStemmer?: boolean;
  /** `rouge-score` (default, ASCII a-z0-9 only) or `unicode` (any letter or digit). */
  charset?: "rouge-score" | "unicode";
}

const NON_ALNUM_ASCII = /[^a-z0-9]+/g;
const NON_ALNUM_UNICODE = /[^\p{L}\p{N}]+/gu;

/** Splits text into ROUGE tokens. */
export function rougeTokenize(text: string, opts: RougeTokenizeOptions = {}): string[] {
  const re = opts.charset === "unicode" ? NON_ALNUM_UNICODE : NON_ALNUM_ASCII;
  const tokens = text.toLowerCase().replace(re, " ").split(" ").filter((t) => t.length > 0);
  if (!opts.useStemmer) return tokens;
  // Python's len() counts code points; stems can never be empty for tokens longer than 3.
  return tokens.map((t) => ([...t].length > 3 ? porterStem(t) : t));
}
