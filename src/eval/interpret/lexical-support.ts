// Lexical support of a rationale sentence by a cited passage: how much of the sentence's content is found in the
// passage. `content-recall` (default): the share of the sentence's distinct content words (lower case, stop
// words and citation/meta words removed, Porter-stemmed) that occur in the passage. `rouge-l`: the longest
// common subsequence of tokens over the sentence's length (ROUGE-L recall of the sentence, order-aware).
// A sentence counts as supported when the score reaches the threshold (default 0.5).
import { porterStem } from "../metrics/porter-stemmer.ts";
import { lcsLength } from "../metrics/rouge-l.ts";

/** The overlap measure. */
export type SupportMeasure = "content-recall" | "rouge-l";

/** Settings of lexical support. */
export interface LexicalSupportOptions {
  /** Default `content-recall`. */
  measure?: SupportMeasure;
  /** Score at or above which a sentence is supported (default 0.5). */
  threshold?: number;
  /** Porter-stem tokens (default true). */
  isStemmed?: boolean;
}

/** Default support threshold. */
export const DEFAULT_SUPPORT_THRESHOLD = 0.5;

// English function words, plus words rationales use to talk about their sources rather than the content.
const STOPWORDS = new Set((
  "a about above after again against all am an and any are as at be because been before being below between both but by " +
  "can could did do does doing down during each few for from further had has have having he her here hers herself him " +
  "himself his how i if in into is it its itself just me more most my myself nor of off on once only or other our ours " +
  "ourselves out over own same she should so some such than that the their theirs them themselves then there these they " +
  "this those through to too under until up very was we were what when where which while who whom why will with would " +
  "you your yours yourself yourselves also may might must shall whether however although though thus therefore hence " +
  "within without upon via per among amongst whereas either neither yet still even " +
  "source sources passage passages context contexts reference references abstract document according states stated " +
  "state says said shows show showed shown suggests suggest suggested indicates indicate indicated reports reported " +
  "report answer question based evidence supports support supported demonstrates demonstrated"
).split(" "));

/** Content tokens of a text: lower-case words and numbers, stop words removed, optionally stemmed. */
export function contentWords(text: string, isStemmed = true): string[] {
  const raw = text.normalize("NFKC").toLowerCase().match(/\p{L}[\p{L}\p{N}'-]*|\d+(?:\.\d+)?/gu) ?? [];
  const out: string[] = [];
  for (let t of raw) {
    t = t.replace(/'s$/, "").replace(/['-]+$/, "");
    if (t === "" || STOPWORDS.has(t)) continue;
    out.push(isStemmed && /^\p{L}/u.test(t) && t.length > 3 ? porterStem(t) : t);
  }
  return out;
}

/** Support score of `sentence` by `passage` in [0, 1]; NaN when the sentence has no content words. */
export function supportScore(sentence: string, passage: string, opts: LexicalSupportOptions = {}): number {
  const stem = opts.isStemmed ?? true;
  const s = contentWords(sentence, stem);
  if (s.length === 0) return NaN;
  const p = contentWords(passage, stem);
  if ((opts.measure ?? "content-recall") === "rouge-l") return lcsLength(s, p) / s.length;
  const inPassage = new Set(p);
  const distinct = new Set(s);
  let hit = 0;
  for (const w of distinct) if (inPassage.has(w)) hit++;
  return hit / distinct.size;
}

/** Whether a score reaches the threshold (NaN: not assessable, returns null). */
export function isSupportedScore(score: number, threshold = DEFAULT_SUPPORT_THRESHOLD): boolean | null {
  return Number.isNaN(score) ? null : score >= threshold;
}
