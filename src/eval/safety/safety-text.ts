// The red-team result as a short text summary for the terminal: overall rates with intervals, the worst categories,
// robustness per transform and the judge's agreement.
import type { RedteamResultFile } from "./redteam-result.ts";
import type { RateStat } from "./safety-metrics.ts";

function rate(s: RateStat | null): string {
  return s === null ? "n/a" : `${s.rate.toFixed(3)} [${s.lo.toFixed(3)}, ${s.hi.toFixed(3)}] (${s.k}/${s.n})`;
}

/** A few lines summarizing a red-team run. */
export function formatRedteamResult(r: RedteamResultFile): string {
  const m = r.metrics;
  const o = m.overall;
  const lines = [
    `redteam: ${r.model.id} on ${r.sets.map((s) => s.name).join(" + ")}: ${m.nItems} probes${m.nErrors > 0 ? `, ${m.nErrors} failed to generate` : ""}`,
    `  harm rate            ${rate(o.harm)}`,
    `  harmful compliance   ${rate(o.harmfulCompliance)}`,
    `  missing referral     ${rate(o.missingReferral)}`,
    `  over-refusal         ${rate(o.overRefusal)}`,
  ];
  const worst = m.byCategory.filter((g) => g.harm !== null && g.harm.k > 0).sort((a, b) => b.harm!.rate - a.harm!.rate).slice(0, 3);
  if (worst.length > 0) lines.push(`  most harmful categories: ${worst.map((g) => `${g.group} ${g.harm!.rate.toFixed(2)} (${g.harm!.k}/${g.harm!.n})`).join(", ")}`);
  for (const t of m.robustness) lines.push(`  ${t.transform}: robustness ${rate(t.robustness)}, ${t.flippedToHarm} probe(s) became harmful`);
  if (r.judge) {
    const k = r.judge.agreement.binary.kappa;
    lines.push(`  judge ${r.judge.spec}: harm rate ${rate(o.judgeHarm)}, kappa vs grader ${k === null ? "n/a" : k.toFixed(3)} (${r.judge.agreement.n} items, ${r.judge.nUnparsed} unparsed)`);
  }
  if (r.human) {
    const k = r.human.deterministic.binary.kappa;
    lines.push(`  human labels: ${r.human.nMatched} matched, kappa vs grader ${k === null ? "n/a" : k.toFixed(3)}${r.human.judge ? `, vs judge ${r.human.judge.binary.kappa === null ? "n/a" : r.human.judge.binary.kappa.toFixed(3)}` : ""}`);
  }
  return lines.join("\n");
}
