// The extraction audit: how many free-text answers were parsed, by which method, and every unparsed one with
// its reason and an excerpt, so a reader can judge whether the extractor or the model is at fault.
import type { ExtractionResult } from "./answer-extract.ts";

/** One item's output and what extraction made of it. */
export interface ExtractionRecord {
  id: string;
  output: string;
  result: ExtractionResult;
}

/** An item whose answer could not be extracted. */
export interface UnparsedItem {
  id: string;
  method: string;
  reason: string;
  /** The end of the output (where answers usually are), at most `excerptChars` characters. */
  excerpt: string;
}

/** Counts and the full list of misses. */
export interface ExtractionAudit {
  total: number;
  parsed: number;
  unparsed: number;
  parseRate: number;
  byMethod: Record<string, number>;
  unparsedItems: UnparsedItem[];
  /** Parsed items whose extraction carried a note (changed mind, letter/text conflict). */
  notedItems: Array<{ id: string; answer: string; method: string; reason: string }>;
}

/** Summarizes extraction results into an audit (`excerptChars` default 300). */
export function summarizeExtractions(records: readonly ExtractionRecord[], excerptChars = 300): ExtractionAudit {
  const byMethod: Record<string, number> = {};
  const unparsedItems: UnparsedItem[] = [];
  const notedItems: ExtractionAudit["notedItems"] = [];
  let parsed = 0;
  for (const r of records) {
    byMethod[r.result.method] = (byMethod[r.result.method] ?? 0) + 1;
    if (r.result.answer === null) {
      const out = r.output.trim();
      unparsedItems.push({
        id: r.id,
        method: r.result.method,
        reason: r.result.reason ?? "no reason given",
        excerpt: out.length <= excerptChars ? out : `…${out.slice(out.length - excerptChars + 1)}`,
      });
    } else {
      parsed++;
      if (r.result.reason) notedItems.push({ id: r.id, answer: r.result.answer, method: r.result.method, reason: r.result.reason });
    }
  }
  const total = records.length;
  return { total, parsed, unparsed: total - parsed, parseRate: total > 0 ? parsed / total : NaN, byMethod, unparsedItems, notedItems };
}
