// The per-item yes/no/maybe handler (PubMedQA): the answer, a bare label or extracted from free text, equals the
// gold label; an unparsed answer scores 0 and says why.
import type { MetricHandler, MetricResult } from "./types.ts";
import { clip, goldList } from "./types.ts";
import { extractYesNo } from "../extract/answer-extract.ts";

const LABELS = new Set(["yes", "no", "maybe"]);

/** Handler: yes/no/maybe accuracy. */
export const yesnoCorrectMetric: MetricHandler = {
  name: "yesno_correct",
  description: "yes/no/maybe accuracy: the stated label (extracted from free text when needed) equals the gold label",
  kinds: ["yesno"],
  score(pred, gold): MetricResult {
    const golds = goldList(gold).map((g) => g.trim().toLowerCase());
    const bare = pred.trim().toLowerCase().replace(/[.!]$/, "");
    let chosen: string;
    let how: string;
    if (LABELS.has(bare)) {
      chosen = bare;
      how = "bare label";
    } else {
      const ex = extractYesNo(pred);
      if (ex.answer === null) return { pass: false, score: 0, reason: `unparsed (${ex.method}): ${ex.reason ?? "no answer found"} in "${clip(pred)}"` };
      chosen = ex.answer;
      how = `extracted by ${ex.method}`;
    }
    const ok = golds.includes(chosen);
    return { pass: ok, score: ok ? 1 : 0, reason: `answered ${chosen} (${how}); gold ${golds.join("/")}` };
  },
};
