// ROUGE-N (Lin 2004): clipped n-gram overlap; precision = overlap/max(#prediction n-grams, 1), recall =
// overlap/max(#reference n-grams, 1), as rouge-score's rouge1, rouge2, ... on its own tokenizer.
import { MedtuneError } from "../../core/index.ts";
import { fMeasure, type RougeScore } from "./rouge-l.ts";
import { rougeTokenize, type RougeTokenizeOptions } from "./rouge-tokenize.ts";

function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = tokens.slice(i, i + n).join(" ");
    out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}

/** ROUGE-N of a prediction against one reference (n >= 1). */
export function rougeN(prediction: string, reference: string, n: number, opts: RougeTokenizeOptions = {}): RougeScore {
  if (!Number.isInteger(n) || n < 1) throw new MedtuneError("eval.metric.bad-option", `ROUGE-N needs a positive integer n, got ${n}`);
  const p = ngramCounts(rougeTokenize(prediction, opts), n);
  const r = ngramCounts(rougeTokenize(reference, opts), n);
  let overlap = 0;
  let nr = 0;
  let np = 0;
  for (const [g, c] of r) {
    overlap += Math.min(c, p.get(g) ?? 0);
    nr += c;
  }
  for (const c of p.values()) np += c;
  const precision = overlap / Math.max(np, 1);
  const recall = overlap / Math.max(nr, 1);
  return { precision, recall, f: fMeasure(precision, recall) };
}
