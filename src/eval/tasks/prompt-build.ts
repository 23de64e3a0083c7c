// Prompts of evaluation items: the data module's template (lm-evaluation-harness layout "Question: ...\nA. ...\n
// Answer:"), with or without the item's supplied passages, after k few-shot examples joined by a blank line (the
// harness's fewshot_delimiter). Examples are drawn per item from a seed and the item id, never the item itself,
// so one item's prompt does not depend on which other items were evaluated or in what order.
import { Rng } from "../../core/index.ts";
import { renderPrompt, type PromptTemplate, type QAItem } from "../../data/index.ts";

/** Separator between few-shot examples and the question. */
export const FEWSHOT_DELIMITER = "\n\n";

/** The item as prompted: its passages removed when context is off. */
export function promptItem(item: QAItem, withContext: boolean): QAItem {
  if (withContext || item.context === undefined) return item;
  const { context: _c, ...rest } = item;
  return rest;
}

/** The id an item's examples are drawn for: a consistency variant (`id#key`) gets its original's examples. */
function baseId(item: QAItem): string {
  const o = item.metadata?.originalId;
  return typeof o === "string" ? o : item.id;
}

/** `n` examples for `item` from `pool` (excluding the item itself, by id and by question), seeded per item. */
export function sampleFewShot(item: QAItem, pool: readonly QAItem[], n: number, seed: number): QAItem[] {
  if (n <= 0 || pool.length === 0) return [];
  const id = baseId(item);
  const rng = new Rng(`${seed}/${id}`);
  const idx = Array.from({ length: pool.length }, (_, i) => i);
  const out: QAItem[] = [];
  // Partial Fisher-Yates: draw without replacement until n usable examples are found.
  for (let i = 0; i < idx.length && out.length < n; i++) {
    const j = i + rng.int(idx.length - i);
    [idx[i], idx[j]] = [idx[j], idx[i]];
    const ex = pool[idx[i]];
    if (ex.id === id || ex.id === item.id || ex.question === item.question) continue;
    out.push(ex);
  }
  return out;
}

/** The full prompt: few-shot examples (prompt + answer each), then the item's prompt. */
export function buildPrompt(item: QAItem, template: PromptTemplate, withContext: boolean, shots: readonly QAItem[], shotAnswer: (ex: QAItem) => string): string {
  const parts = shots.map((ex) => renderPrompt(promptItem(ex, withContext), template) + shotAnswer(ex));
  parts.push(renderPrompt(promptItem(item, withContext), template));
  return parts.join(FEWSHOT_DELIMITER);
}
