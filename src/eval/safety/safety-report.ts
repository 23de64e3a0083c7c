// The red-team HTML report: one self-contained page (the eval report's stylesheet and SVG interval chart, no
// scripts, no external assets) with the protocol, the overall rates with intervals, per-category, per-severity,
// per-source and per-transform tables, robustness per transform, the judge's and human labels' agreement with
// confusion matrices, and the harmful replies, over-refusals and failures listed for review. Every string is escaped.
import { escapeHtml, fmt, slug, table, truncate, type Cell } from "../report/html.ts";
import { intervalChart, type IntervalRow } from "../report/interval-chart.ts";
import { REPORT_CSS } from "../report/report-style.ts";
import { VERDICTS } from "./grade.ts";
import type { RedteamResultFile } from "./redteam-result.ts";
import type { ConfusionMatrix, RaterAgreement } from "./safety-agreement.ts";
import type { RateStat, SafetyGroupRow } from "./safety-metrics.ts";

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/** Report settings. */
export interface SafetyReportOptions {
  /** replies listed per list at most (default 200) */
  maxItems?: number;
  /** a subtitle (default: the run folder) */
  subtitle?: string;
}

function rateCell(s: RateStat | null): Cell {
  if (s === null) return { html: '<span class="muted">-</span>', className: "num" };
  return { html: escapeHtml(`${fmt(s.rate)} [${fmt(s.lo)}, ${fmt(s.hi)}]`), className: "num" };
}

function countCell(s: RateStat | null): Cell {
  return s === null ? { html: "", className: "num" } : { html: escapeHtml(`${s.k}/${s.n}`), className: "num" };
}

function groupTable(rows: readonly SafetyGroupRow[], label: string, caption: string, withOverRefusal: boolean): string {
  const header = [label, "red-team n", "harm rate [CI]", "harmful", "harmful compliance [CI]", "missing referral [CI]", "refusal [CI]", ...(withOverRefusal ? ["over-refusal n", "over-refusal [CI]"] : []), "judge harm [CI]"];
  const body: Cell[][] = rows.map((g) => [
    { html: escapeHtml(g.group), className: g.group === "(all)" ? "mono" : undefined },
    g.nRedteam,
    rateCell(g.harm),
    countCell(g.harm),
    rateCell(g.harmfulCompliance),
    rateCell(g.missingReferral),
    rateCell(g.refusal),
    ...(withOverRefusal ? [g.nOverRefusal, rateCell(g.overRefusal)] : []),
    rateCell(g.judgeHarm),
  ]);
  return table(header, body, { caption });
}

function verdictTable(rows: readonly SafetyGroupRow[], label: string): string {
  return table([label, ...VERDICTS], rows.map((g) => [g.group, ...VERDICTS.map((v) => g.verdicts[v])]), { caption: "Verdict counts", className: "compact" });
}

function chart(rows: readonly SafetyGroupRow[], pick: (g: SafetyGroupRow) => RateStat | null, title: string, metric: string): string {
  const pts: IntervalRow[] = rows.flatMap((g) => {
    const s = pick(g);
    return s === null ? [] : [{ label: g.group, value: s.rate, lo: s.lo, hi: s.hi, n: s.n, isSmall: s.n < 10, isEmphasized: g.group === "(all)" }];
  });
  if (pts.length === 0) return "";
  return `<figure>${intervalChart(pts, title, metric)}<figcaption>${escapeHtml(`${title}, with bootstrap intervals; groups under 10 probes are drawn lighter.`)}</figcaption></figure>`;
}

function matrix(m: ConfusionMatrix, rowName: string, colName: string): string {
  const nonEmpty = m.labels.map((_, i) => i).filter((i) => m.counts[i].some((x) => x > 0) || m.counts.some((r) => r[i] > 0));
  const keep = nonEmpty.length > 0 ? nonEmpty : m.labels.map((_, i) => i);
  return table([`${rowName} \\ ${colName}`, ...keep.map((i) => m.labels[i])], keep.map((i) => [m.labels[i], ...keep.map((j) => m.counts[i][j])]), { className: "compact" });
}

function agreementBlock(a: RaterAgreement): string {
  const k = (x: number | null | undefined) => (x === null || x === undefined ? "n/a" : fmt(x));
  const parts = [
    `<p>${escapeHtml(`${a.a} vs ${a.b}: ${a.n} items rated by both; harmful-vs-safe agreement ${fmt(a.binary.agreement)}, Cohen's kappa ${k(a.binary.kappa)}; quadratic-weighted kappa on 1-5 harm ${k(a.weightedKappa)}${a.verdictKappa !== undefined ? `; kappa over verdicts ${k(a.verdictKappa)}` : ""}.`)}</p>`,
    matrix(a.confusion, a.a, a.b),
  ];
  if (a.verdictConfusion) parts.push(matrix(a.verdictConfusion, `${a.a} verdict`, `${a.b} verdict`));
  return parts.join("");
}

function itemList(r: RedteamResultFile, pick: (it: RedteamResultFile["items"][number]) => boolean, caption: string, max: number): string {
  const items = r.items.filter(pick);
  if (items.length === 0) return `<p class="muted">${escapeHtml(`${caption}: none.`)}</p>`;
  const shown = items.slice(0, max);
  const t = table(["probe", "category", "severity", "transform", "verdict", "harm", "judge", "reason", "prompt", "reply"], shown.map((it) => [
    { html: escapeHtml(it.id), className: "mono" }, it.category, it.severity ?? "unrated", it.transform, it.verdict ?? "error", it.harm, it.judge?.score ?? null,
    truncate(it.reason, 160), { html: escapeHtml(truncate(it.prompt, 300)), className: "excerpt" }, { html: escapeHtml(truncate(it.response ?? it.error ?? "", 400)), className: "excerpt" },
  ]), { caption: `${caption} (${items.length})` });
  return t + (items.length > shown.length ? `<p class="muted">${items.length - shown.length} more are listed in eval/redteam.json.</p>` : "");
}

function protocolList(r: RedteamResultFile): string {
  const p = r.protocol;
  const entries: Array<[string, string]> = [
    ["model", r.model.spec], ["fingerprint", r.model.fingerprint?.slice(0, 16) ?? "none"], ["probe sets", r.sets.map((s) => `${s.name} (${s.n})`).join(", ")],
    ["probes", `${p.probes.n} (sha256 ${p.probes.sha256.slice(0, 16)})${p.probes.sample !== null ? `, seeded sample of ${p.probes.sample}` : ""}${p.probes.limit !== null ? `, first ${p.probes.limit}` : ""}`],
    ["transforms", ["none", ...p.transforms].join(", ")], ["format", p.format], ["system", p.system ?? "none"], ["template", p.template ?? "n/a"],
    ["max tokens", String(p.maxTokens)], ["temperature", String(p.temperature)], ["seed", String(p.seed)], ["grader", p.grader], ["protocol key", r.protocolKey.slice(0, 16)],
    ["bootstrap", `${r.metrics.stats.nResamples} resamples, seed ${r.metrics.stats.seed}, ${Math.round(r.metrics.stats.confidence * 100)}%`],
    ["judge", r.judge ? `${r.judge.spec} (${r.judge.rubric})` : "none"],
  ];
  return `<dl class="protocol" aria-label="Protocol">${entries.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(truncate(v, 400))}</dd>`).join("")}</dl>`;
}

/** Renders a red-team run as one self-contained HTML document. */
export function renderSafetyReport(r: RedteamResultFile, opts: SafetyReportOptions = {}): string {
  const max = opts.maxItems ?? 200;
  const m = r.metrics;
  const o = m.overall;
  const title = `medtune redteam: ${r.model.id}`;
  const overview = table(["metric", "value [CI]", "count", "over"], [
    ["harm rate (harmful compliance or missing emergency referral)", rateCell(o.harm), countCell(o.harm), "red-team probes"],
    ["harmful-compliance rate", rateCell(o.harmfulCompliance), countCell(o.harmfulCompliance), "red-team probes"],
    ["missing-referral rate", rateCell(o.missingReferral), countCell(o.missingReferral), "probes needing emergency referral"],
    ["refusal rate", rateCell(o.refusal), countCell(o.refusal), "red-team probes"],
    ["over-refusal rate", rateCell(o.overRefusal), countCell(o.overRefusal), "over-refusal probes"],
    ["judge harm rate (score >= 3)", rateCell(o.judgeHarm), countCell(o.judgeHarm), "judged red-team probes"],
  ], { caption: `${m.nItems} probes, ${m.nErrors} failed to generate (left out of every rate); ${Math.round(m.stats.confidence * 100)}% percentile bootstrap intervals` });
  const redCategories = m.byCategory.filter((g) => g.nRedteam > 0);
  const overCategories = m.byCategory.filter((g) => g.nOverRefusal > 0);
  const sections: string[] = [
    `<section id="overview"><h2>Overview</h2>${protocolList(r)}${overview}</section>`,
    `<section id="by-category"><h2>By category</h2>${groupTable([o, ...m.byCategory], "category", "Rates per category (red-team and over-refusal probes)", true)}${verdictTable([o, ...m.byCategory], "category")}<div class="charts">${chart(redCategories, (g) => g.harm, "Harm rate per category", "harm rate")}${chart(overCategories, (g) => g.overRefusal, "Over-refusal rate per category", "over-refusal rate")}</div></section>`,
    `<section id="by-severity"><h2>By severity</h2>${groupTable(m.bySeverity, "severity", "Red-team probes per severity", false)}</section>`,
    `<section id="by-source"><h2>By source</h2>${groupTable(m.bySource, "source", "Rates per probe source", true)}</section>`,
  ];
  if (m.byTransform.length > 0) {
    const rob = m.robustness.length === 0 ? "" : table(["transform", "pairs", "harmful plain", "harmful reframed", "became harmful", "became safe", "robustness [CI]"], m.robustness.map((t) => [
      t.transform, t.nPairs, t.harmPlain, t.harmTransformed, { html: escapeHtml(String(t.flippedToHarm)), className: t.flippedToHarm > 0 ? "num broke" : "num" }, t.flippedToSafe, rateCell(t.robustness),
    ]), { caption: "Robustness: share of probes answered safely when asked plainly that stay safe under each jailbreak transform" });
    sections.push(`<section id="by-transform"><h2>By transform</h2>${groupTable(m.byTransform, "transform", "Red-team probes per jailbreak transform (none = plain prompt)", false)}${rob}${chart(m.byTransform, (g) => g.harm, "Harm rate per transform", "harm rate")}</section>`);
  }
  if (r.judge) {
    const j = r.judge;
    sections.push(`<section id="judge"><h2>Judge agreement</h2><p>${escapeHtml(`Judge ${j.spec} rated ${j.nJudged} red-team replies on the 1-5 harmfulness rubric (${j.rubric}); ${j.nUnparsed} replies had no usable score and ${j.nErrors} judge requests failed. The deterministic grader's verdicts are the reported rates; the judge is shown beside them with its agreement.`)}</p>${agreementBlock(j.agreement)}</section>`);
  }
  if (r.human) {
    const h = r.human;
    sections.push(`<section id="human"><h2>Human labels</h2><p>${escapeHtml(`${h.nLabels} labels from ${h.file}; ${h.nMatched} match graded probes of this run${h.nUnknown > 0 ? `, ${h.nUnknown} do not (e.g. ${h.unknownIds.slice(0, 3).join(", ")})` : ""}.`)}</p>${agreementBlock(h.deterministic)}${h.judge ? agreementBlock(h.judge) : ""}</section>`);
  }
  sections.push(`<section id="harmful"><h2>Harmful replies</h2>${itemList(r, (it) => it.isHarmful === true, "Harmful compliance and missing referrals", max)}</section>`);
  sections.push(`<section id="over-refusals"><h2>Over-refusals</h2>${itemList(r, (it) => it.verdict === "over-refusal", "Legitimate questions refused", max)}</section>`);
  if (m.nErrors > 0) sections.push(`<section id="errors"><h2>Failed requests</h2>${itemList(r, (it) => it.verdict === null, "Probes whose generation failed", max)}</section>`);
  const toc = sections.map((s) => /<section id="([^"]+)"><h2>([^<]+)<\/h2>/.exec(s)).filter((x) => x !== null).map((x) => `<li><a href="#${escapeHtml(slug(x![1]))}">${x![2]}</a></li>`).join("");
  return [
    "<!DOCTYPE html>",
    `<html lang="en"><head><meta charset="utf-8"/><meta name="viewport" content="width=device-width, initial-scale=1"/>`,
    `<meta http-equiv="Content-Security-Policy" content="${CSP}"/>`,
    `<title>${escapeHtml(title)}</title><style>${REPORT_CSS}</style></head>`,
    `<body><main><header class="top"><h1>${escapeHtml(title)}</h1>`,
    `<div class="subtitle">${escapeHtml(opts.subtitle ?? `run ${r.run.id}`)}</div>`,
    `<div class="muted">${escapeHtml(`started ${r.timing.startedAt} · ${r.timing.seconds.toFixed(1)} s · medtune ${r.medtuneVersion}`)}</div></header>`,
    `<nav class="toc" aria-label="Contents"><strong>Contents</strong><ul>${toc}</ul></nav>`,
    ...sections,
    `<footer>Verdicts come from medtune's deterministic safety grader (${escapeHtml(r.protocol.grader)}); intervals are percentile bootstrap. Probe prompts and model replies may contain harmful text shown for review. Educational and research software: not for clinical decision making.</footer>`,
    "</main></body></html>",
  ].join("\n");
}
