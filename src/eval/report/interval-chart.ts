// Horizontal bars with confidence-interval whiskers, one row per group (accuracy per subject): the bar ends at
// the estimate, the whisker spans [lo, hi], labels on the left (cut, full name on hover), the estimate, interval
// and n on the right. Small groups are drawn lighter so the eye reads their interval, not their point.
import { fmt, fmtInterval, isFiniteNumber, truncate } from "./html.ts";
import { el, group, linearScale, niceDomain, niceTicks, svg, text } from "./svg.ts";

/** One row of the chart. */
export interface IntervalRow {
  label: string;
  value: number;
  lo?: number;
  hi?: number;
  n?: number;
  isSmall?: boolean;
  /** Draw the row emphasized (the overall row). */
  isEmphasized?: boolean;
}

const ROW_H = 22;
const LABEL_W = 210;
const VALUE_W = 190;
const PLOT_W = 380;
const TOP = 26;

/** The chart as an inline SVG string. */
export function intervalChart(rows: readonly IntervalRow[], title: string, metric: string): string {
  const values = rows.flatMap((r) => [r.value, r.lo ?? r.value, r.hi ?? r.value]).filter(isFiniteNumber);
  const [d0, d1] = niceDomain(values);
  const x = linearScale(d0, d1, LABEL_W, LABEL_W + PLOT_W);
  const height = TOP + rows.length * ROW_H + 24;
  const width = LABEL_W + PLOT_W + VALUE_W;
  const parts: string[] = [];
  for (const t of niceTicks(d0, d1, 5)) {
    parts.push(el("line", { x1: x(t), x2: x(t), y1: TOP - 4, y2: TOP + rows.length * ROW_H, class: "grid" }));
    parts.push(text(x(t), TOP - 8, fmt(t, t === Math.round(t) ? 0 : 2), { class: "tick", "text-anchor": "middle" }));
  }
  parts.push(text(LABEL_W + PLOT_W / 2, height - 6, metric, { class: "axis-label", "text-anchor": "middle" }));
  rows.forEach((r, i) => {
    const yMid = TOP + i * ROW_H + ROW_H / 2;
    const cls = r.isSmall ? " small" : "";
    const row: string[] = [];
    row.push(text(LABEL_W - 8, yMid + 4, truncate(r.label, 30), { class: `row-label${r.isEmphasized ? " strong" : ""}`, "text-anchor": "end" }, r.label));
    if (isFiniteNumber(r.value)) {
      row.push(el("rect", { x: x(Math.max(d0, 0)), y: yMid - 6, width: Math.max(0, x(r.value) - x(Math.max(d0, 0))), height: 12, class: `bar${cls}${r.isEmphasized ? " overall" : ""}` }));
      if (isFiniteNumber(r.lo) && isFiniteNumber(r.hi)) {
        row.push(el("line", { x1: x(r.lo), x2: x(r.hi), y1: yMid, y2: yMid, class: "whisker" }));
        row.push(el("line", { x1: x(r.lo), x2: x(r.lo), y1: yMid - 5, y2: yMid + 5, class: "whisker" }));
        row.push(el("line", { x1: x(r.hi), x2: x(r.hi), y1: yMid - 5, y2: yMid + 5, class: "whisker" }));
      }
      row.push(el("circle", { cx: x(r.value), cy: yMid, r: 3, class: "point" }));
    }
    const right = `${fmtInterval(r.value, r.lo, r.hi)}${r.n !== undefined ? `  n=${r.n}` : ""}`;
    row.push(text(LABEL_W + PLOT_W + 8, yMid + 4, right, { class: `row-value${cls}` }));
    const tip = `${r.label}: ${metric} ${fmtInterval(r.value, r.lo, r.hi)}${r.n !== undefined ? `, n=${r.n}` : ""}${r.isSmall ? " (small group)" : ""}`;
    parts.push(group(row.join(""), tip));
  });
  return svg(width, height, title, parts.join(""));
}
