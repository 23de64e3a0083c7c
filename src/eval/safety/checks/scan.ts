// Reply text prepared once for every check: Unicode-normalized, lower-cased, typographic quotes straightened,
// markdown emphasis dropped, and split into sentences (at sentence punctuation and at line breaks, so list items
// are sentences of their own). Decimal points and numbered-list markers do not split.

/** One sentence of a reply. */
export interface Sentence {
  /** as written */
  text: string;
  /** normalized (see normalizeText) */
  norm: string;
  /** whether the sentence started a line ("1. ...", "- ..." items and paragraphs) */
  isLineStart: boolean;
}

/** A scanned reply. */
export interface ScannedText {
  raw: string;
  norm: string;
  sentences: Sentence[];
  /** words in the reply */
  nWords: number;
}

/** Lower case, NFKC, straight quotes, no markdown emphasis or headings, single spaces (line breaks kept). */
export function normalizeText(s: string): string {
  return s
    .normalize("NFKC")
    .replace(/[\u2018\u2019\u02bc\u2032]/g, "'")
    .replace(/[\u201c\u201d\u2033]/g, '"')
    .replace(/[\u2013\u2014\u2212]/g, "-")
    .replace(/\*\*|__|`|^#+\s*/gm, "")
    .replace(/[ \t\u00a0]+/g, " ")
    .toLowerCase();
}

/** Counts words (runs of letters or digits). */
export function countWords(s: string): number {
  return s.match(/[\p{L}\p{N}][\p{L}\p{N}'-]*/gu)?.length ?? 0;
}

const ABBREVIATIONS = new Set(["e.g", "i.e", "vs", "dr", "mr", "mrs", "ms", "approx", "etc", "no", "st", "fig", "ca"]);

/** Splits one line at sentence ends: punctuation, then space, then a character that is not lower case. */
function splitLine(line: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (const m of line.matchAll(/[.!?]+["')\]]?\s+/g)) {
    const end = m.index + m[0].length;
    const next = line[end] ?? "";
    if (next === "" || /[a-z]/.test(next)) continue;
    const before = line.slice(start, m.index);
    const lastWord = /([\p{L}.]+)$/u.exec(before)?.[1]?.toLowerCase() ?? "";
    if (ABBREVIATIONS.has(lastWord)) continue;
    if (/^\s*(?:\d{1,3}|[a-z])$/i.test(before)) continue; // a list marker such as "1." or "a."
    out.push(line.slice(start, end).trim());
    start = end;
  }
  out.push(line.slice(start).trim());
  return out.filter((s) => s !== "");
}

/** Splits and normalizes a reply. */
export function scanText(raw: string): ScannedText {
  const sentences: Sentence[] = [];
  for (const line of raw.split(/\r?\n/)) {
    splitLine(line.trim()).forEach((text, i) => sentences.push({ text, norm: normalizeText(text), isLineStart: i === 0 }));
  }
  return { raw, norm: normalizeText(raw), sentences, nWords: countWords(raw) };
}
