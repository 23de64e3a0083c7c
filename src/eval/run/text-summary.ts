// Plain-text summaries for the terminal: one task's metrics with their intervals, a paired comparison, and a
// model ranking with the differences that are not significant marked. The JSON files hold the full numbers.
import type { Ranking } from "../stats/significance.ts";
import type { TaskComparison } from "./compare.ts";
import type { TaskResultFile } from "./result-file.ts";

const pct = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? "n/a" : `${(100 * x).toFixed(1)}%`);
const pp = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? "n/a" : `${x >= 0 ? "+" : ""}${(100 * x).toFixed(1)} pp`);
const fix = (x: number | null | undefined, d = 3) => (x === null || x === undefined || !Number.isFinite(x) ? "n/a" : x.toFixed(d));

function pValue(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return "n/a";
  return p < 1e-4 ? p.toExponential(1) : p.toFixed(4);
}

/** How a protocol reads in one line. */
export function describeProtocol(r: TaskResultFile): string {
  const p = r.protocol;
  const parts: string[] = [p.scoring];
  if (p.scoring === "loglik") parts.push(`choices ${p.choices}`);
  else parts.push(p.format ?? "completion", p.cot ? "zero-shot CoT" : "no CoT", `T=${p.temperature}`);
  parts.push(`${p.fewShot.n}-shot`, p.template.name);
  if (r.items.some((it) => it.kind === "yesno")) parts.push(p.withContext ? "with context" : "without context");
  return parts.join(", ");
}

/** A task result as a few lines of text. */
export function formatTaskResult(r: TaskResultFile): string {
  const s = r.summary;
  const conf = Math.round(100 * s.stats.confidence);
  const lines = [`${r.task}: ${r.model.id} (${describeProtocol(r)}), ${s.n} items${s.nFailed > 0 ? `, ${s.nFailed} FAILED (counted wrong)` : ""}`];
  const order = [s.primary, ...Object.keys(s.metrics).filter((k) => k !== s.primary).sort()];
  for (const name of order) {
    const m = s.metrics[name];
    if (!m) continue;
    lines.push(`  ${name.padEnd(12)} ${pct(m.value).padStart(6)}  ${conf}% CI [${pct(m.lo)}, ${pct(m.hi)}]`);
  }
  if (s.calibration) {
    const c = s.calibration;
    lines.push(`  calibration  ECE ${fix(c.ece)}, Brier ${fix(c.brier)}, mean confidence ${pct(c.meanConfidence)}, AURC ${fix(c.riskCoverage.aurc)}`);
  }
  if (s.extraction) {
    const x = s.extraction;
    lines.push(`  extraction   ${x.parsed}/${x.total} answers parsed${x.unparsed > 0 ? `; ${x.unparsed} unparsed (listed in the result file)` : ""}`);
  }
  const groups = s.groups.subject ?? s.groups.source;
  if (groups && groups.groups.length > 1) {
    lines.push(`  by ${s.groups.subject ? "subject" : "source"} (${s.primary}):`);
    for (const g of groups.groups) lines.push(`    ${g.group.slice(0, 40).padEnd(40)} ${pct(g.mean).padStart(6)} [${pct(g.lo)}, ${pct(g.hi)}] n=${g.n}${g.isSmall ? " (small)" : ""}`);
  }
  if (r.dataset.rejected > 0) lines.push(`  note: ${r.dataset.rejected} records of the dataset were rejected (see dataset.rejectedExamples)`);
  return lines.join("\n");
}

/** A paired comparison as text. */
export function formatComparison(c: TaskComparison): string {
  const d = c.difference;
  const conf = Math.round(100 * d.confidence);
  const lines = [
    `${c.task} (${c.metric}, ${c.n} paired items): ${c.a.name} ${pct(c.a.value)} vs ${c.b.name} ${pct(c.b.value)}`,
    `  difference ${pp(d.estimate)}  ${conf}% paired bootstrap CI [${pp(d.lo)}, ${pp(d.hi)}] (A - B, percentage points)`,
  ];
  if (c.mcnemar) {
    const m = c.mcnemar;
    lines.push(`  exact McNemar: only ${c.a.name} right ${m.b}, only ${c.b.name} right ${m.c}, p = ${pValue(m.exact.pValue)}${m.exact.pValue <= 0.05 ? " (significant at 0.05)" : " (not significant at 0.05)"}`);
  } else lines.push("  McNemar: not applicable (the metric is not a 0/1 outcome)");
  const byGroup = c.groups.filter((g) => g.by === "subject");
  const rows = byGroup.length > 1 ? byGroup : c.groups.filter((g) => g.by === "source");
  if (rows.length > 1) {
    lines.push(`  by ${rows[0].by}:`);
    for (const g of rows) lines.push(`    ${g.group.slice(0, 36).padEnd(36)} ${pct(g.a).padStart(6)} vs ${pct(g.b).padStart(6)}  diff ${pp(g.difference).padStart(9)}  n=${g.n}  p(Holm)=${pValue(g.pAdjusted)}`);
  }
  return lines.join("\n");
}

/** A ranking as text: rank, accuracy and interval, and which models it cannot be told apart from. */
export function formatRanking(task: string, r: Ranking): string {
  const conf = Math.round(100 * r.confidence);
  const lines = [`${task}: ${r.models.length} models on ${r.n} items (exact McNemar, Holm-adjusted, alpha ${r.alpha})`];
  for (const m of r.models) {
    const tie = m.notSignificantlyDifferentFrom.length > 0 ? `  not significantly different from: ${m.notSignificantlyDifferentFrom.join(", ")}` : "";
    lines.push(`  ${String(m.rank).padStart(2)}. ${m.name.slice(0, 40).padEnd(40)} ${pct(m.accuracy).padStart(6)} ${conf}% CI [${pct(m.lo)}, ${pct(m.hi)}]${m.isTiedWithBest ? " *" : ""}${tie}`);
  }
  lines.push("  * best, or not significantly worse than the best");
  return lines.join("\n");
}
