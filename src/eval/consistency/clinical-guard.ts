// The safety net under every stem rewrite: a paraphrase may add, drop or move only the words its template
// declares (its framing vocabulary); every other word and every number must survive with the same counts, so
// numbers, negations, findings and drug names cannot change. A rewrite that fails the check is discarded.

/** Lower-cased words and numbers of a text ("39.1", "80/50" -> "80", "50"). */
export function contentTokens(text: string): string[] {
  return (text.normalize("NFKC").toLowerCase().match(/\d+(?:\.\d+)?|\p{L}+/gu) ?? []);
}

/** Counts of each token outside `framing`. */
function countsOutside(text: string, framing: ReadonlySet<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of contentTokens(text)) if (!framing.has(t)) counts.set(t, (counts.get(t) ?? 0) + 1);
  return counts;
}

/** Tokens whose counts differ between two texts, ignoring `framing` words; empty when only framing changed. */
export function changedContent(before: string, after: string, framing: ReadonlySet<string> = new Set()): string[] {
  const a = countsOutside(before, framing);
  const b = countsOutside(after, framing);
  const diff: string[] = [];
  for (const [t, n] of a) if ((b.get(t) ?? 0) !== n) diff.push(t);
  for (const t of b.keys()) if (!a.has(t)) diff.push(t);
  return diff;
}
