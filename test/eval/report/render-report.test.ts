// The HTML report: well-formed for full and minimal data, self-contained (no scripts, no external URLs, a CSP),
// every hostile string escaped, every SVG number finite, each chart present, the protocol shown with the numbers,
// comparisons across protocols refused, and bad input rejected with the field named.
import { test } from "node:test";
import assert from "node:assert/strict";
import { renderReport } from "../../../src/eval/report/render-report.ts";
import { escapeHtml, fmtInterval, significanceMark } from "../../../src/eval/report/html.ts";
import { niceDomain, niceTicks, px } from "../../../src/eval/report/svg.ts";
import { intervalChart } from "../../../src/eval/report/interval-chart.ts";
import { reliabilityChart } from "../../../src/eval/report/reliability-chart.ts";
import type { ReportData } from "../../../src/eval/report/report-data.ts";
import { fullReportData, HOSTILE, minimalReportData, wellFormednessProblems } from "./report-fixture.ts";

const NUMERIC_ATTRS = ["x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "width", "height"];

function svgNumbers(html: string): number[] {
  const out: number[] = [];
  for (const m of html.matchAll(/<(?:rect|line|circle|text|svg|polyline)\b[^>]*>/g)) {
    for (const a of NUMERIC_ATTRS) {
      const v = new RegExp(`\\s${a}="([^"]*)"`).exec(m[0]);
      if (v) out.push(Number(v[1]));
    }
    const pts = /\spoints="([^"]*)"/.exec(m[0]);
    if (pts) for (const p of pts[1].split(/[\s,]+/)) out.push(Number(p));
    const vb = /\sviewBox="([^"]*)"/.exec(m[0]);
    if (vb) for (const p of vb[1].split(/\s+/)) out.push(Number(p));
  }
  return out;
}

test("the well-formedness checker catches what it is for", () => {
  assert.deepEqual(wellFormednessProblems("<div><p>x</p></div>"), []);
  assert.ok(wellFormednessProblems("<div><p>x</div>").length > 0);
  assert.ok(wellFormednessProblems("<div>a < b</div>").some((p) => p.includes("stray")));
  assert.ok(wellFormednessProblems('<p id="a"></p><p id="a"></p>').some((p) => p.includes("duplicate id")));
});

test("full data renders a well-formed, self-contained report with every section", async () => {
  const data = await fullReportData();
  const html = renderReport(data);
  assert.deepEqual(wellFormednessProblems(html), []);
  assert.ok(html.startsWith("<!DOCTYPE html>"));
  assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'/);
  assert.doesNotMatch(html, /<script/i);
  assert.doesNotMatch(html, /\b(?:src|href)="(?!#)/, "no external or relative resources; links are in-page anchors");
  assert.doesNotMatch(html, /https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  // One chart per kind: per-subject bars (2 runs), reliability (2), risk-coverage (2), paired bars (2 comparisons).
  assert.equal((html.match(/<svg /g) ?? []).length, 8);
  for (const label of ["acc per subject: base / medqa", "Reliability diagram: medqa", "Risk-coverage curve: medqa", "tuned vs base: medqa, acc"]) {
    assert.ok(html.includes(`aria-label="${escapeHtml(label)}`), label);
  }
  // Numbers with their protocol.
  assert.match(html, /<dt>scoring<\/dt><dd>loglik<\/dd>/);
  assert.match(html, /<dt>subjects<\/dt><dd>Cardiology, Renal<\/dd>/);
  assert.ok(html.includes("0.520 [0.480, 0.560]"));
  assert.match(html, /Consistency protocol/);
  assert.match(html, /<dt>scoring<\/dt><dd>loglik<\/dd>[\s\S]*<dt>perturbations<\/dt>/);
  // Consistency flips of a first-letter model are listed; citation problems too.
  assert.ok(data.runs[0].tasks[0].consistency!.flips.length > 0);
  assert.match(html, /Flipped answers \(\d+;/);
  assert.match(html, /citation validity/);
  assert.match(html, /Citation problems/);
  // Significance marks and the refusal to test across protocols.
  assert.match(html, /class="sig">\*\*\*</);
  assert.match(html, /Protocols differ: no significance test is shown/);
  assert.match(html, /template: medtune-default-v1 vs medtune-letter-v1/);
  // A non-finite metric shows as n/a, never as NaN.
  assert.doesNotMatch(html, /NaN|Infinity/);
  assert.match(html, /<td>broken<\/td><td class="num">n\/a<\/td>/);
});

test("every string from data is escaped: a model's <script> never becomes markup", async () => {
  const html = renderReport(await fullReportData());
  assert.ok(!html.includes(HOSTILE));
  assert.doesNotMatch(html, /<script>alert/);
  assert.doesNotMatch(html, /<img /);
  assert.ok(html.includes("&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;"));
  assert.ok(html.includes("Pharmacology &lt;b&gt;&amp;&lt;/b&gt; &quot;toxicology&quot;"));
  assert.ok(!html.includes("\u0007"), "control characters are dropped");
  assert.ok(!/[\ud800-\udbff](?![\udc00-\udfff])/.test(html), "lone surrogates are repaired");
  assert.equal(escapeHtml(`a<b>&"'`), "a&lt;b&gt;&amp;&quot;&#39;");
});

test("every SVG coordinate is a finite number", async () => {
  const html = renderReport(await fullReportData());
  const nums = svgNumbers(html);
  assert.ok(nums.length > 500, `${nums.length} numbers checked`);
  for (const n of nums) assert.ok(Number.isFinite(n), `non-finite SVG number ${n}`);
  // Degenerate inputs still draw finite charts.
  const degenerate = intervalChart([{ label: "x", value: NaN }, { label: "y", value: 2, lo: -1, hi: Infinity }], "t", "m") +
    reliabilityChart([{ lo: 0, hi: 1, count: 3, confidence: NaN, accuracy: 0.5 }, { lo: 0, hi: 0.5, count: 0, confidence: 0.2, accuracy: NaN }], "r");
  for (const n of svgNumbers(degenerate)) assert.ok(Number.isFinite(n), `non-finite ${n}`);
  assert.throws(() => px(NaN), /non-finite/);
});

test("minimal data renders a well-formed page", () => {
  const html = renderReport(minimalReportData());
  assert.deepEqual(wellFormednessProblems(html), []);
  assert.match(html, /<title>minimal<\/title>/);
  assert.match(html, /<td>acc<\/td><td class="num">0\.500<\/td>/);
  assert.equal((html.match(/<svg /g) ?? []).length, 0);
  const empty = renderReport({ title: "empty", runs: [] });
  assert.deepEqual(wellFormednessProblems(empty), []);
  assert.match(empty, /No metrics recorded/);
});

test("bad data is rejected with the field named", () => {
  const bad = (d: unknown, re: RegExp) => assert.throws(() => renderReport(d as ReportData), re);
  bad({ runs: [] }, /title must be a string/);
  bad({ title: "t" }, /runs must be an array/);
  bad({ title: "t", runs: [{ name: "a", model: { id: "m", provider: "p" }, tasks: [] }, { name: "a", model: { id: "m", provider: "p" }, tasks: [] }] }, /runs\[1\]\.name "a" is used by two runs/);
  bad({ title: "t", runs: [{ name: "a", model: { id: "m", provider: "p" }, tasks: [{ task: "x", metrics: [] }] }] }, /runs\[0\]\.tasks\[0\]\.protocol must be an object/);
});

test("formatting helpers: intervals, significance marks, nice ticks and domains", () => {
  assert.equal(fmtInterval(0.5, 0.4, 0.6), "0.500 [0.400, 0.600]");
  assert.equal(fmtInterval(0.5, undefined, 0.6), "0.500");
  assert.equal(fmtInterval(NaN), "n/a");
  assert.deepEqual([0.0001, 0.005, 0.03, 0.2, NaN].map((p) => significanceMark(p)), ["***", "**", "*", "n.s.", ""]);
  assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceDomain([0.2, 0.9]), [0, 1]);
  const [lo, hi] = niceDomain([0, 3.7]);
  assert.ok(lo === 0 && hi >= 3.7);
});
