// renderReport: one self-contained HTML file from ReportData (inline CSS, inline SVG charts, no scripts, no
// external assets; a Content-Security-Policy forbids both). Sections: overview, base-vs-tuned comparisons, then
// per run and task the protocol, metrics with intervals, accuracy per subject, reliability diagram, risk-coverage
// curve, extraction audit, consistency flips and citation checks. Every string from data is escaped.
import { MedtuneError } from "../../core/index.ts";
import { escapeHtml, fmt, fmtInterval, fmtP, isFiniteNumber, significanceMark, slug, table, truncate, type Cell } from "./html.ts";
import { intervalChart, type IntervalRow } from "./interval-chart.ts";
import { pairedChart } from "./paired-chart.ts";
import type { ReportComparison, ReportConsistency, ReportData, ReportInterpretability, ReportProtocol, ReportRun, ReportTask } from "./report-data.ts";
import { REPORT_CSS } from "./report-style.ts";
import { reliabilityChart } from "./reliability-chart.ts";
import { riskCoverageChart } from "./risk-coverage-chart.ts";
import type { ExtractionAudit } from "../extract/extraction-audit.ts";

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

function check(data: ReportData): void {
  const bad = (field: string, what: string): never => {
    throw new MedtuneError("eval.report.bad-data", `report data: ${field} ${what}`, { hint: "fill ReportData as documented in src/eval/report/report-data.ts" });
  };
  if (data === null || typeof data !== "object") bad("(root)", "is not an object");
  if (typeof data.title !== "string") bad("title", "must be a string");
  if (!Array.isArray(data.runs)) bad("runs", "must be an array");
  const names = new Set<string>();
  data.runs.forEach((r, i) => {
    if (typeof r?.name !== "string" || r.name === "") bad(`runs[${i}].name`, "must be a non-empty string");
    if (names.has(r.name)) bad(`runs[${i}].name`, `"${r.name}" is used by two runs`);
    names.add(r.name);
    if (typeof r.model?.id !== "string") bad(`runs[${i}].model.id`, "must be a string");
    if (!Array.isArray(r.tasks)) bad(`runs[${i}].tasks`, "must be an array");
    r.tasks.forEach((t, j) => {
      if (typeof t?.task !== "string") bad(`runs[${i}].tasks[${j}].task`, "must be a string");
      if (!Array.isArray(t.metrics)) bad(`runs[${i}].tasks[${j}].metrics`, "must be an array");
      if (t.protocol === null || typeof t.protocol !== "object") bad(`runs[${i}].tasks[${j}].protocol`, "must be an object (every number is shown with its protocol)");
    });
  });
  (data.comparisons ?? []).forEach((c, i) => {
    if (!Array.isArray(c?.rows)) bad(`comparisons[${i}].rows`, "must be an array");
  });
}

function protocolValue(v: unknown): string {
  if (v === null) return "null";
  // Lists of named things (perturbations, templates) show their names; the descriptions are in the tables.
  if (Array.isArray(v)) return v.map((x) => (typeof x === "object" && x !== null ? (typeof (x as { name?: unknown }).name === "string" ? (x as { name: string }).name : JSON.stringify(x)) : String(x))).join(", ");
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/** Flattens a protocol object into key/value pairs (nested keys dotted, two levels deep). */
function protocolEntries(obj: object, prefix = "", depth = 0): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined || typeof v === "function") continue;
    const key = prefix === "" ? k : `${prefix}.${k}`;
    if (v !== null && typeof v === "object" && !Array.isArray(v) && depth < 2) out.push(...protocolEntries(v, key, depth + 1));
    else out.push([key, protocolValue(v)]);
  }
  return out;
}

function protocolBlock(obj: object | undefined, label = "Protocol"): string {
  if (obj === undefined) return "";
  const entries = protocolEntries(obj);
  if (entries.length === 0) return `<p class="muted">${escapeHtml(label)}: none recorded.</p>`;
  return `<dl class="protocol" aria-label="${escapeHtml(label)}">${entries.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(truncate(v, 400))}</dd>`).join("")}</dl>`;
}

function figure(svgHtml: string, caption: string): string {
  return `<figure>${svgHtml}<figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}

function pct(conf: number | undefined): string {
  return `${Math.round((conf ?? 0.95) * 100)}%`;
}

function metricsTable(t: ReportTask): string {
  const rows: Cell[][] = t.metrics.map((m) => [
    m.name + (m.isLowerBetter ? " (lower is better)" : ""),
    { html: escapeHtml(fmt(m.value)), className: "num" },
    { html: escapeHtml(isFiniteNumber(m.lo) && isFiniteNumber(m.hi) ? `[${fmt(m.lo)}, ${fmt(m.hi)}] (${pct(m.confidence)})` : "n/a"), className: "num" },
    m.n ?? null,
    m.method ?? "",
  ]);
  return table(["metric", "value", "interval", "n", "interval method"], rows);
}

function subjectsSection(run: ReportRun, t: ReportTask): string {
  if (t.subjects === undefined || t.subjects.length === 0) return "";
  const metric = t.primaryMetric ?? t.metrics[0]?.name ?? "metric";
  const rows: IntervalRow[] = t.subjects.map((s) => ({ label: s.group, value: s.value, lo: s.lo, hi: s.hi, n: s.n, isSmall: s.isSmall }));
  const overall = t.metrics.find((m) => m.name === metric);
  if (overall !== undefined) rows.unshift({ label: "(all)", value: overall.value, lo: overall.lo, hi: overall.hi, n: overall.n, isEmphasized: true });
  const small = t.subjects.filter((s) => s.isSmall).length;
  const caption = `${metric} per subject with ${pct(overall?.confidence)} intervals (${run.name}, ${t.title ?? t.task}).${small > 0 ? ` ${small} small group(s) drawn lighter: read their interval, not their point.` : ""}`;
  return `<h4>Per subject</h4>${figure(intervalChart(rows, `${metric} per subject: ${run.name} / ${t.task}`, metric), caption)}`;
}

function calibrationSection(t: ReportTask): string {
  const parts: string[] = [];
  if (t.calibration !== undefined && t.calibration.bins.length > 0) {
    const c = t.calibration;
    const scores = [c.ece !== undefined ? `ECE ${fmt(c.ece)}` : "", c.brier !== undefined ? `Brier ${fmt(c.brier)}` : ""].filter((s) => s !== "").join(", ");
    const caption = `Reliability diagram: accuracy per equal-width confidence bin (bars, count above) against the diagonal of perfect calibration; red ticks show each bin's gap to its mean confidence.${scores ? ` ${scores}.` : ""}${c.source ? ` Confidence: ${c.source}.` : ""}`;
    parts.push(figure(reliabilityChart(c.bins, `Reliability diagram: ${t.task}`), caption));
  }
  if (t.riskCoverage !== undefined && t.riskCoverage.points.length > 0) {
    const rc = t.riskCoverage;
    const caption = `Risk-coverage: error rate among the items answered when the model abstains below a confidence threshold.${rc.aurc !== undefined ? ` AURC ${fmt(rc.aurc)} (lower is better).` : ""}`;
    parts.push(figure(riskCoverageChart(rc.points, `Risk-coverage curve: ${t.task}`), caption));
  }
  return parts.length > 0 ? `<h4>Calibration and abstention</h4><div class="charts">${parts.join("")}</div>` : "";
}

function extractionSection(a: ExtractionAudit | undefined, maxRows: number): string {
  if (a === undefined) return "";
  const methods = Object.entries(a.byMethod).sort((x, y) => y[1] - x[1]);
  const parts = [`<h4>Answer extraction audit</h4><p>${escapeHtml(`${a.parsed} of ${a.total} free-text answers parsed (${fmt(a.parseRate * 100, 1)}%); ${a.unparsed} unparsed, ${a.notedItems.length} parsed with a note.`)}</p>`];
  parts.push(table(["method", "items"], methods.map(([m, n]) => [m, n]), { className: "compact" }));
  if (a.unparsedItems.length > 0) {
    const shown = a.unparsedItems.slice(0, maxRows);
    parts.push(table(["item", "method", "reason", "end of output"], shown.map((u) => [{ html: escapeHtml(u.id), className: "mono" }, u.method, u.reason, { html: escapeHtml(u.excerpt), className: "excerpt" }]), { caption: "Unparsed answers" }));
    if (a.unparsedItems.length > shown.length) parts.push(`<p class="muted">${a.unparsedItems.length - shown.length} more unparsed answers are listed in the run's eval JSON.</p>`);
  }
  if (a.notedItems.length > 0) {
    const shown = a.notedItems.slice(0, maxRows);
    parts.push(table(["item", "answer", "method", "note"], shown.map((u) => [{ html: escapeHtml(u.id), className: "mono" }, u.answer, u.method, u.reason]), { caption: "Parsed with a note (changed mind, letter/text conflict)" }));
  }
  return parts.join("");
}

function rateRow(label: string, r: { rate: number; lo: number; hi: number; confidence: number } | null | undefined, count: string): Cell[] {
  if (r === null || r === undefined) return [label, { html: "n/a", className: "num" }, { html: "n/a", className: "num" }, count];
  return [label, { html: escapeHtml(fmt(r.rate)), className: "num" }, { html: escapeHtml(`[${fmt(r.lo)}, ${fmt(r.hi)}] (${pct(r.confidence)})`), className: "num" }, count];
}

function optionCell(label: string, text: string | undefined): string {
  return escapeHtml(text === undefined ? label : `${label}. ${truncate(text, 80)}`);
}

function consistencySection(c: ReportConsistency | undefined, maxFlips: number): string {
  if (c === undefined) return "";
  const parts = ["<h4>Consistency</h4>"];
  const rows: Cell[][] = [
    rateRow("consistency rate (answer pairs)", c.rate, c.rate ? `${c.rate.nConsistent}/${c.rate.nPairs} pairs over ${c.rate.nItems} items` : "no pairs compared"),
  ];
  if (c.itemRate !== undefined) rows.push(rateRow("items consistent under every variant", c.itemRate, c.itemRate ? `${c.itemRate.nConsistent}/${c.itemRate.nItems} items` : ""));
  for (const p of c.byPerturbation) rows.push(rateRow(`under ${p.perturbation}`, p, `${p.nConsistent}/${p.nPairs} pairs over ${p.nItems} items`));
  parts.push(table(["measure", "rate", "interval", "counts"], rows, { caption: "Cluster bootstrap over items (variants of one item resampled together)" }));
  const extra: string[] = [];
  if (c.sampleAgreement !== undefined && c.sampleAgreement !== null) extra.push(`mean N-sample agreement with the modal answer ${fmt(c.sampleAgreement)}`);
  if (c.accuracy !== undefined) extra.push(`accuracy on originals ${fmt(c.accuracy.original)}, on variants ${fmt(c.accuracy.variants)}, right under every variant ${fmt(c.accuracy.robust)}`);
  if (c.unanswered !== undefined && c.unanswered.length > 0) extra.push(`${c.unanswered.length} answers missing (errors or unparsed; left out of the rate)`);
  if (c.skipped !== undefined && c.skipped.length > 0) {
    const reasons = new Map<string, number>();
    for (const s of c.skipped) reasons.set(`${s.perturbation}: ${truncate(s.reason, 90)}`, (reasons.get(`${s.perturbation}: ${truncate(s.reason, 90)}`) ?? 0) + 1);
    const top = [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([r, n]) => `${n}× ${r}`);
    extra.push(`perturbations skipped on ${c.skipped.length} item(s): ${top.join("; ")}`);
  }
  if (extra.length > 0) parts.push(`<ul>${extra.map((e) => `<li>${escapeHtml(e)}</li>`).join("")}</ul>`);
  if (c.flips.length === 0) parts.push(`<p>No flipped answers.</p>`);
  else {
    const shown = c.flips.slice(0, maxFlips);
    parts.push(table(["item", "perturbation", "change", "before", "after", "effect"], shown.map((f) => [
      { html: escapeHtml(f.id), className: "mono" },
      `${f.perturbation} / ${f.key}`,
      truncate(f.description, 120),
      { html: optionCell(f.before, f.beforeText) },
      { html: optionCell(f.after, f.afterText) },
      { html: escapeHtml(f.effect), className: f.effect === "broke" ? "broke" : f.effect === "fixed" ? "fixed" : "" },
    ]), { caption: `Flipped answers (${c.flips.length}; answers in the original item's letters, gold shown as effect)` }));
    if (c.flips.length > shown.length) parts.push(`<p class="muted">${c.flips.length - shown.length} more flips are listed in the run's eval JSON.</p>`);
  }
  parts.push(protocolBlock(c.protocol, "Consistency protocol"));
  return parts.join("");
}

function interpretSection(x: ReportInterpretability | undefined, maxRows: number): string {
  if (x === undefined) return "";
  const parts = ["<h4>Rationales and citations</h4>"];
  const count = (r: { nSuccesses: number; nTrials: number; nUnits: number } | null | undefined, what: string) => (r ? `${r.nSuccesses}/${r.nTrials} ${what} over ${r.nUnits} items` : "");
  const rows: Cell[][] = [
    rateRow("citation validity (cites a supplied source)", x.validity, count(x.validity, "references")),
    rateRow("citation support (lexical)", x.support, count(x.support, "valid references")),
  ];
  if (x.sentenceSupport !== undefined) rows.push(rateRow("sentences supported by their sources", x.sentenceSupport, count(x.sentenceSupport, "sentences")));
  if (x.citedSentences !== undefined) rows.push(rateRow("sentences with a citation", x.citedSentences, count(x.citedSentences, "sentences")));
  if (x.judgeSupport !== undefined && x.judgeSupport !== null) rows.push(rateRow("citation support (judge model)", x.judgeSupport, count(x.judgeSupport, "judged references")));
  parts.push(table(["measure", "rate", "interval", "counts"], rows));
  const extra: string[] = [];
  if (x.agreement !== undefined && x.agreement !== null) extra.push(`judge vs lexical: agreement ${fmt(x.agreement.agreement)}, Cohen's kappa ${x.agreement.kappa === null ? "undefined (one label only)" : fmt(x.agreement.kappa)} on ${x.agreement.n} references`);
  if (x.accuracy !== undefined && x.accuracy !== null) extra.push(`answer accuracy ${fmt(x.accuracy)} over ${x.nAnswered ?? "?"} answered items`);
  if (x.nUncited !== undefined && x.nUncited > 0) extra.push(`${x.nUncited} replies cite nothing`);
  if (x.nErrors !== undefined && x.nErrors > 0) extra.push(`${x.nErrors} requests failed (left out)`);
  if (x.skipped !== undefined && x.skipped.length > 0) extra.push(`${x.skipped.length} items skipped (no sources to cite)`);
  if (extra.length > 0) parts.push(`<ul>${extra.map((e) => `<li>${escapeHtml(e)}</li>`).join("")}</ul>`);
  const issues = [...(x.invalid ?? []).map((i) => ({ ...i, kind: "invalid" })), ...(x.unsupported ?? []).map((i) => ({ ...i, kind: "unsupported" }))];
  if (issues.length > 0) {
    const shown = issues.slice(0, maxRows);
    parts.push(table(["item", "problem", "citation", "sentence", "why", "judge"], shown.map((i) => [
      { html: escapeHtml(i.id), className: "mono" }, i.kind, i.marker, { html: escapeHtml(truncate(i.sentence, 300)), className: "excerpt" }, i.reason,
      i.judge === undefined ? "" : i.judge === null ? "unparsed" : i.judge ? "yes" : "no",
    ]), { caption: `Citation problems (${issues.length})` }));
    if (issues.length > shown.length) parts.push(`<p class="muted">${issues.length - shown.length} more are listed in the run's eval JSON.</p>`);
  }
  parts.push(protocolBlock(x.protocol, "Interpretability protocol"));
  return parts.join("");
}

function taskSection(run: ReportRun, t: ReportTask, data: ReportData): string {
  const id = `run-${slug(run.name)}-${slug(t.task)}`;
  return `<section class="task" id="${escapeHtml(id)}"><h3>${escapeHtml(t.title ?? t.task)}</h3>` +
    protocolBlock(t.protocol, `Protocol of ${t.task}`) +
    metricsTable(t) +
    subjectsSection(run, t) +
    calibrationSection(t) +
    extractionSection(t.extraction, data.maxAuditRows ?? 100) +
    consistencySection(t.consistency, data.maxFlips ?? 200) +
    interpretSection(t.interpretability, data.maxAuditRows ?? 100) +
    "</section>";
}

function runSection(run: ReportRun, data: ReportData): string {
  const model = { model: run.model.id, provider: run.model.provider, fingerprint: run.model.fingerprint, path: run.model.path, adapter: run.model.adapter, runDir: run.runDir, createdAt: run.createdAt };
  return `<section class="run" id="run-${escapeHtml(slug(run.name))}"><h2>Run ${escapeHtml(run.name)}: ${escapeHtml(run.model.id)} <span class="muted">(${escapeHtml(run.model.provider)})</span></h2>` +
    protocolBlock({ ...model, ...(run.protocol ?? {}) }, `Run ${run.name}`) +
    run.tasks.map((t) => taskSection(run, t, data)).join("") +
    "</section>";
}

function comparisonSection(c: ReportComparison, i: number): string {
  const alpha = c.alpha ?? 0.05;
  const title = `${c.b} vs ${c.a}: ${c.task}, ${c.metric}`;
  const parts = [`<section class="comparison" id="comparison-${i + 1}"><h2>${escapeHtml(title)}</h2>`];
  if (!c.isProtocolMatch) {
    const diff = (c.protocolDiff ?? []).map((d) => `<li>${escapeHtml(d)}</li>`).join("");
    parts.push(`<div class="warn"><strong>Protocols differ: no significance test is shown.</strong> These runs cannot be compared as paired measurements.${diff ? `<ul>${diff}</ul>` : ""}</div>`);
  }
  if (c.rows.length > 0) {
    parts.push(figure(pairedChart(c.rows, [c.a, c.b], title, c.metric, alpha, c.isProtocolMatch),
      `Paired by item. Bars: ${c.metric} with intervals; right: difference ${c.b} - ${c.a}${c.isProtocolMatch ? ` and ${c.test ?? "exact McNemar"} p-value (* p<${alpha}, ** p<0.01, *** p<0.001, n.s. not significant)` : ""}.`));
    parts.push(table(["group", "n", c.a, c.b, "difference", `only ${c.a} right`, `only ${c.b} right`, "p", "p adjusted", "significance"], c.rows.map((r) => {
      const p = r.pAdjusted ?? r.pValue;
      const mark = c.isProtocolMatch ? significanceMark(p, alpha) : "";
      const diff = isFiniteNumber(r.a) && isFiniteNumber(r.b) ? r.b - r.a : NaN;
      return [
        r.group, r.n,
        { html: escapeHtml(fmtInterval(r.a, r.aLo, r.aHi)), className: "num" },
        { html: escapeHtml(fmtInterval(r.b, r.bLo, r.bHi)), className: "num" },
        { html: escapeHtml(isFiniteNumber(diff) ? `${diff >= 0 ? "+" : ""}${fmt(diff)}` : "n/a"), className: "num" },
        r.onlyA ?? null, r.onlyB ?? null,
        { html: escapeHtml(c.isProtocolMatch ? fmtP(r.pValue) : "n/a"), className: "num" },
        { html: escapeHtml(c.isProtocolMatch && r.pAdjusted !== undefined ? fmtP(r.pAdjusted) : ""), className: "num" },
        { html: escapeHtml(mark), className: mark === "" || mark === "n.s." ? "ns" : "sig" },
      ];
    }), { caption: c.isProtocolMatch ? c.test ?? "exact McNemar test on discordant pairs" : "not tested: the protocols differ" }));
  }
  parts.push("</section>");
  return parts.join("");
}

function overview(data: ReportData): string {
  const rows: Cell[][] = [];
  for (const run of data.runs) {
    for (const t of run.tasks) {
      for (const m of t.metrics) {
        rows.push([
          { html: `<a href="#run-${escapeHtml(slug(run.name))}-${escapeHtml(slug(t.task))}">${escapeHtml(run.name)}</a>` },
          run.model.id, t.title ?? t.task, m.name,
          { html: escapeHtml(fmtInterval(m.value, m.lo, m.hi)), className: "num" },
          m.n ?? null,
          String(t.protocol.scoring ?? t.protocol.protocol ?? ""),
        ]);
      }
    }
  }
  return rows.length === 0 ? `<p class="muted">No metrics recorded.</p>` : table(["run", "model", "task", "metric", `value [${pct(undefined)} interval]`, "n", "scoring"], rows);
}

function toc(data: ReportData): string {
  const items: string[] = [`<li><a href="#overview">Overview</a></li>`];
  (data.comparisons ?? []).forEach((c, i) => items.push(`<li><a href="#comparison-${i + 1}">${escapeHtml(`${c.b} vs ${c.a}: ${c.task}, ${c.metric}`)}</a></li>`));
  for (const r of data.runs) {
    const tasks = r.tasks.map((t) => `<li><a href="#run-${escapeHtml(slug(r.name))}-${escapeHtml(slug(t.task))}">${escapeHtml(t.title ?? t.task)}</a></li>`).join("");
    items.push(`<li><a href="#run-${escapeHtml(slug(r.name))}">Run ${escapeHtml(r.name)} (${escapeHtml(r.model.id)})</a>${tasks ? `<ul>${tasks}</ul>` : ""}</li>`);
  }
  return `<nav class="toc" aria-label="Contents"><strong>Contents</strong><ul>${items.join("")}</ul></nav>`;
}

/** Renders the report as one self-contained HTML document (inline CSS and SVG, no scripts, no external assets). */
export function renderReport(data: ReportData): string {
  check(data);
  const meta = [data.generatedAt ? `generated ${data.generatedAt}` : "", data.medtuneVersion ? `medtune ${data.medtuneVersion}` : ""].filter((s) => s !== "").join(" · ");
  const notes = (data.notes ?? []).length > 0 ? `<h2>Notes</h2><ul>${data.notes!.map((n) => `<li>${escapeHtml(n)}</li>`).join("")}</ul>` : "";
  return [
    "<!DOCTYPE html>",
    `<html lang="en"><head><meta charset="utf-8"/><meta name="viewport" content="width=device-width, initial-scale=1"/>`,
    `<meta http-equiv="Content-Security-Policy" content="${CSP}"/>`,
    `<title>${escapeHtml(data.title)}</title><style>${REPORT_CSS}</style></head>`,
    `<body><main><header class="top"><h1>${escapeHtml(data.title)}</h1>`,
    data.subtitle ? `<div class="subtitle">${escapeHtml(data.subtitle)}</div>` : "",
    meta ? `<div class="muted">${escapeHtml(meta)}</div>` : "",
    `</header>${toc(data)}`,
    `<section id="overview"><h2>Overview</h2>${overview(data)}</section>`,
    (data.comparisons ?? []).map(comparisonSection).join(""),
    data.runs.map((r) => runSection(r, data)).join(""),
    notes,
    `<footer>Intervals are ${pct(undefined)} unless stated; each number is shown with the protocol that produced it. Paired comparisons use the exact McNemar test on items both runs answered; comparisons across different protocols are refused. Made by medtune.</footer>`,
    "</main></body></html>",
  ].join("\n");
}
