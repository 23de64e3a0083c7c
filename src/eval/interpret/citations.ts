// Citation markers in a model's rationale: bracketed numbers ("[1]", "[2,3]", "[1-3]", "[1][2]", "[source 2]")
// and source words ("source 2", "passages 1 and 3", "reference 4"). Each marker is parsed into the 1-based
// source indices it names, with its position, so a rationale sentence can be tied to the passages it cites.
// Bare parenthesized numbers ("(2)") are not citations: they collide with lists and values.

/** One citation marker found in text. */
export interface Citation {
  /** The marker as written. */
  raw: string;
  /** Character offsets of the marker in the text. */
  start: number;
  end: number;
  /** Source indices named (1-based, in order, without repeats); ranges expanded. */
  indices: number[];
  form: "bracket" | "word";
  /** Why the marker could not be fully read (a backwards or huge range); its indices are then the numbers written. */
  malformed?: string;
}

/** Longest range a marker may expand to ("[1-300]" is a typo or a value, not 300 citations). */
export const MAX_RANGE = 50;

const SOURCE_WORD = String.raw`(?:sources?|passages?|references?|refs?\.?|contexts?|documents?|docs?\.?|abstracts?|excerpts?|snippets?|citations?)`;
const NUMBER_LIST = String.raw`\d{1,4}(?:\s*(?:[-–—]|to)\s*\d{1,4})?(?:\s*(?:,|;|&|\band\b|\bor\b)\s*\d{1,4}(?:\s*(?:[-–—]|to)\s*\d{1,4})?)*`;
const BRACKET_RE = new RegExp(String.raw`\[\s*(?:${SOURCE_WORD}\s*)?(${NUMBER_LIST})\s*\]`, "giu");
const WORD_RE = new RegExp(String.raw`\b${SOURCE_WORD}\s+#?(${NUMBER_LIST})(?![\d.,]*\d)`, "giu");

/** Expands "1, 3-5 and 7" into [1, 3, 4, 5, 7]; reports a malformed range. */
export function expandNumberList(list: string): { indices: number[]; malformed?: string } {
  const out: number[] = [];
  let malformed: string | undefined;
  for (const part of list.split(/\s*(?:,|;|&|\band\b|\bor\b)\s*/i)) {
    if (part.trim() === "") continue;
    const range = /^(\d+)\s*(?:[-–—]|to)\s*(\d+)$/i.exec(part.trim());
    if (range !== null) {
      const lo = Number(range[1]);
      const hi = Number(range[2]);
      if (hi < lo || hi - lo + 1 > MAX_RANGE) {
        malformed = `range ${part.trim()} is ${hi < lo ? "backwards" : `longer than ${MAX_RANGE}`}`;
        out.push(lo, hi);
      } else {
        for (let k = lo; k <= hi; k++) out.push(k);
      }
    } else {
      out.push(Number(part.trim()));
    }
  }
  const indices = [...new Set(out)];
  return malformed === undefined ? { indices } : { indices, malformed };
}

/** Every citation marker in `text`, in order of position. */
export function parseCitations(text: string): Citation[] {
  const found: Citation[] = [];
  const taken: Array<[number, number]> = [];
  for (const m of text.matchAll(BRACKET_RE)) {
    const start = m.index!;
    const end = start + m[0].length;
    found.push({ raw: m[0], start, end, form: "bracket", ...expandNumberList(m[1]) });
    taken.push([start, end]);
  }
  for (const m of text.matchAll(WORD_RE)) {
    const start = m.index!;
    const end = start + m[0].length;
    if (taken.some(([a, b]) => start < b && end > a)) continue;
    found.push({ raw: m[0], start, end, form: "word", ...expandNumberList(m[1]) });
  }
  return found.sort((a, b) => a.start - b.start);
}

/** The text with bracketed citation markers removed (word forms like "source 2" stay: they are part of the sentence). */
export function stripCitations(text: string): string {
  return text.replace(BRACKET_RE, "").replace(/\s+([.,;:!?])/g, "$1").replace(/[ \t]{2,}/g, " ").trim();
}
