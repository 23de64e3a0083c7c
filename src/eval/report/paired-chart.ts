// Paired bars for a base-vs-tuned comparison: per group two bars (run A, run B) with their interval whiskers,
// and on the right the difference B - A with the exact McNemar p-value and its significance mark.
import type { ReportComparisonRow } from "./report-data.ts";
import { fmt, fmtP, isFiniteNumber, significanceMark, truncate } from "./html.ts";
import { el, group, linearScale, niceDomain, niceTicks, svg, text } from "./svg.ts";

const LABEL_W = 210;
const PLOT_W = 360;
const RIGHT_W = 210;
const ROW_H = 34;
const TOP = 44;

function bar(x: (v: number) => number, x0: number, y: number, v: number, lo: number | undefined, hi: number | undefined, cls: string): string {
  if (!isFiniteNumber(v)) return "";
  const out = [el("rect", { x: x0, y: y - 5, width: Math.max(0, x(v) - x0), height: 10, class: cls })];
  if (isFiniteNumber(lo) && isFiniteNumber(hi)) {
    out.push(el("line", { x1: x(lo), x2: x(hi), y1: y, y2: y, class: "whisker" }));
    out.push(el("line", { x1: x(lo), x2: x(lo), y1: y - 4, y2: y + 4, class: "whisker" }));
    out.push(el("line", { x1: x(hi), x2: x(hi), y1: y - 4, y2: y + 4, class: "whisker" }));
  }
  return out.join("");
}

function pText(p: number): string {
  const f = fmtP(p);
  return f.startsWith("<") ? `p${f}` : `p=${f}`;
}

/** The paired-bars chart as an inline SVG string; `isTested` false hides p-values (protocols differ). */
export function pairedChart(rows: readonly ReportComparisonRow[], names: [string, string], title: string, metric: string, alpha = 0.05, isTested = true): string {
  const values = rows.flatMap((r) => [r.a, r.b, r.aLo ?? r.a, r.aHi ?? r.a, r.bLo ?? r.b, r.bHi ?? r.b]).filter(isFiniteNumber);
  const [d0, d1] = niceDomain(values);
  const x = linearScale(d0, d1, LABEL_W, LABEL_W + PLOT_W);
  const x0 = x(Math.max(d0, 0));
  const height = TOP + rows.length * ROW_H + 26;
  const parts: string[] = [];
  parts.push(el("rect", { x: LABEL_W, y: 8, width: 12, height: 10, class: "bar-a" }));
  parts.push(text(LABEL_W + 18, 17, truncate(names[0], 24), { class: "legend" }, names[0]));
  parts.push(el("rect", { x: LABEL_W + 170, y: 8, width: 12, height: 10, class: "bar-b" }));
  parts.push(text(LABEL_W + 188, 17, truncate(names[1], 24), { class: "legend" }, names[1]));
  parts.push(text(LABEL_W + PLOT_W + 10, 17, isTested ? `${names[1]} - ${names[0]}, p` : "difference", { class: "legend" }));
  for (const t of niceTicks(d0, d1, 5)) {
    parts.push(el("line", { x1: x(t), x2: x(t), y1: TOP - 8, y2: TOP + rows.length * ROW_H, class: "grid" }));
    parts.push(text(x(t), TOP - 12, fmt(t, t === Math.round(t) ? 0 : 2), { class: "tick", "text-anchor": "middle" }));
  }
  rows.forEach((r, i) => {
    const y = TOP + i * ROW_H;
    const p = r.pAdjusted ?? r.pValue;
    const diff = isFiniteNumber(r.a) && isFiniteNumber(r.b) ? r.b - r.a : NaN;
    const mark = isTested ? significanceMark(p, alpha) : "";
    const g: string[] = [];
    g.push(text(LABEL_W - 8, y + ROW_H / 2 + 3, truncate(r.group, 30), { class: "row-label", "text-anchor": "end" }, r.group));
    g.push(bar(x, x0, y + 10, r.a, r.aLo, r.aHi, "bar-a"));
    g.push(bar(x, x0, y + 22, r.b, r.bLo, r.bHi, "bar-b"));
    const right = `${isFiniteNumber(diff) ? (diff >= 0 ? "+" : "") + fmt(diff) : "n/a"}${isTested && p !== undefined ? `  ${pText(p)} ${mark}` : ""}`;
    g.push(text(LABEL_W + PLOT_W + 10, y + ROW_H / 2 + 3, right, { class: `row-value${mark !== "" && mark !== "n.s." ? " significant" : ""}` }));
    const tip = `${r.group} (n=${r.n}): ${names[0]} ${fmt(r.a)}, ${names[1]} ${fmt(r.b)}${isTested && p !== undefined ? `, ${pText(p)}` : ""}`;
    parts.push(group(g.join(""), tip));
  });
  parts.push(text(LABEL_W + PLOT_W / 2, height - 6, metric, { class: "axis-label", "text-anchor": "middle" }));
  return svg(LABEL_W + PLOT_W + RIGHT_W, height, title, parts.join(""));
}
