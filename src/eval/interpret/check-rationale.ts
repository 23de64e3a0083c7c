// Checks a rationale against the sources it was given: every citation must name a supplied source (1..n), and
// each cited source must support the sentence that cites it (lexical-support.ts; a sentence citing several
// sources is also scored against their union). Uncited sentences are counted, not scored.
import { DEFAULT_SUPPORT_THRESHOLD, isSupportedScore, supportScore, type LexicalSupportOptions } from "./lexical-support.ts";
import { splitRationale, type RationaleSentence } from "./rationale-prompt.ts";

/** One source index named by a citation in one sentence. */
export interface CitationCheck {
  /** The 1-based index named. */
  index: number;
  /** The marker it came from ("[2,3]"). */
  marker: string;
  isValid: boolean;
  /** Why the citation is invalid. */
  reason?: string;
  /** Lexical support of the sentence by this source (null: invalid, or the sentence has no content words). */
  score: number | null;
  isSupported: boolean | null;
  /** The judge model's verdict, when a judge was asked. */
  judge?: boolean | null;
}

/** One rationale sentence and its citations. */
export interface SentenceCheck {
  text: string;
  claim: string;
  citations: CitationCheck[];
  isCited: boolean;
  /** Support by the union of the valid cited sources (null when none is valid or the claim is empty). */
  unionScore: number | null;
  isSupported: boolean | null;
}

/** A rationale's checks and counts. */
export interface RationaleCheck {
  sentences: SentenceCheck[];
  nSentences: number;
  nCitedSentences: number;
  /** Source indices named, over all sentences (a marker "[1,2]" names two). */
  nReferences: number;
  nValidReferences: number;
  /** Valid references whose sentence has content words, and how many of those the source supports. */
  nAssessed: number;
  nSupported: number;
  /** Sentences with at least one valid citation and content, and how many the union of their sources supports. */
  nAssessedSentences: number;
  nSupportedSentences: number;
  /** Notes on malformed markers ("range 5-2 is backwards"). */
  malformed: string[];
}

/** Why a cited index is not a supplied source, or null when it is one. */
export function citationProblem(index: number, nSources: number): string | null {
  if (!Number.isInteger(index)) return `source ${index} is not a whole number`;
  if (nSources === 0) return "no sources were supplied";
  if (index < 1) return `source ${index} does not exist (sources are numbered from 1)`;
  if (index > nSources) return `source ${index} is beyond the ${nSources} supplied`;
  return null;
}

/** Checks rationale text (or sentences already split) against the supplied passages. */
export function checkRationale(rationale: string | readonly RationaleSentence[], passages: readonly string[], opts: LexicalSupportOptions = {}): RationaleCheck {
  const sentences = typeof rationale === "string" ? splitRationale(rationale) : rationale;
  const threshold = opts.threshold ?? DEFAULT_SUPPORT_THRESHOLD;
  const out: RationaleCheck = {
    sentences: [], nSentences: 0, nCitedSentences: 0, nReferences: 0, nValidReferences: 0, nAssessed: 0, nSupported: 0,
    nAssessedSentences: 0, nSupportedSentences: 0, malformed: [],
  };
  for (const s of sentences) {
    const citations: CitationCheck[] = [];
    const validIdx: number[] = [];
    for (const c of s.citations) {
      if (c.malformed !== undefined) out.malformed.push(`${c.raw}: ${c.malformed}`);
      for (const index of c.indices) {
        const problem = c.malformed !== undefined ? c.malformed : citationProblem(index, passages.length);
        if (problem !== null) {
          citations.push({ index, marker: c.raw, isValid: false, reason: problem, score: null, isSupported: null });
          continue;
        }
        const score = supportScore(s.claim, passages[index - 1], opts);
        citations.push({ index, marker: c.raw, isValid: true, score: Number.isNaN(score) ? null : score, isSupported: isSupportedScore(score, threshold) });
        if (!validIdx.includes(index)) validIdx.push(index);
      }
    }
    let unionScore: number | null = null;
    if (validIdx.length > 0) {
      const u = supportScore(s.claim, validIdx.map((k) => passages[k - 1]).join("\n"), opts);
      unionScore = Number.isNaN(u) ? null : u;
    }
    const check: SentenceCheck = {
      text: s.text, claim: s.claim, citations, isCited: citations.length > 0, unionScore,
      isSupported: unionScore === null ? null : unionScore >= threshold,
    };
    out.sentences.push(check);
    out.nSentences++;
    if (check.isCited) out.nCitedSentences++;
    for (const c of citations) {
      out.nReferences++;
      if (!c.isValid) continue;
      out.nValidReferences++;
      if (c.isSupported === null) continue;
      out.nAssessed++;
      if (c.isSupported) out.nSupported++;
    }
    if (check.isSupported !== null) {
      out.nAssessedSentences++;
      if (check.isSupported) out.nSupportedSentences++;
    }
  }
  return out;
}
