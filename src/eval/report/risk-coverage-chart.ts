// Risk-coverage curve of selective prediction (El-Yaniv & Wiener 2010; Geifman & El-Yaniv 2017): the model
// answers only items whose confidence reaches a threshold; x is the share answered (coverage), y the error rate
// among them (risk). A good confidence signal makes risk fall as coverage shrinks.
import type { ReportRiskCoveragePoint } from "./report-data.ts";
import { fmt, isFiniteNumber } from "./html.ts";
import { el, group, linearScale, niceTicks, polyline, svg, text } from "./svg.ts";

const W = 420;
const H = 240;
const LEFT = 52;
const TOP = 20;
const BOTTOM = 44;
const RIGHT = 16;

/** The risk-coverage curve as an inline SVG string. */
export function riskCoverageChart(points: readonly ReportRiskCoveragePoint[], title: string): string {
  const pts = points.filter((p) => isFiniteNumber(p.coverage) && isFiniteNumber(p.risk)).slice().sort((a, b) => a.coverage - b.coverage);
  const maxRisk = Math.min(1, Math.max(0.05, ...pts.map((p) => p.risk)));
  // The y axis ends on a tick at or above the highest risk.
  let ticksY = niceTicks(0, maxRisk, 5);
  const step = ticksY.length > 1 ? ticksY[1] - ticksY[0] : maxRisk;
  if (ticksY[ticksY.length - 1] < maxRisk - 1e-12) ticksY = [...ticksY, Number((ticksY[ticksY.length - 1] + step).toFixed(10))];
  const yTop = ticksY[ticksY.length - 1];
  const x = linearScale(0, 1, LEFT, LEFT + W);
  const y = linearScale(0, yTop, TOP + H, TOP);
  const parts: string[] = [];
  for (const t of niceTicks(0, 1, 5)) {
    parts.push(el("line", { x1: x(t), x2: x(t), y1: TOP, y2: TOP + H, class: "grid" }));
    parts.push(text(x(t), TOP + H + 16, fmt(t, 1), { class: "tick", "text-anchor": "middle" }));
  }
  for (const t of ticksY) {
    parts.push(el("line", { x1: LEFT, x2: LEFT + W, y1: y(t), y2: y(t), class: "grid" }));
    parts.push(text(LEFT - 6, y(t) + 4, fmt(t, 2), { class: "tick", "text-anchor": "end" }));
  }
  parts.push(el("rect", { x: LEFT, y: TOP, width: W, height: H, class: "frame" }));
  if (pts.length > 1) parts.push(polyline(pts.map((p) => [x(p.coverage), y(p.risk)]), { class: "curve" }));
  // Mark at most ~40 points so dense curves stay light.
  const every = Math.max(1, Math.ceil(pts.length / 40));
  pts.forEach((p, i) => {
    if (i % every !== 0 && i !== pts.length - 1) return;
    const tip = `coverage ${fmt(p.coverage)}, risk ${fmt(p.risk)}${p.threshold !== undefined ? `, confidence >= ${fmt(p.threshold)}` : ""}`;
    parts.push(group(el("circle", { cx: x(p.coverage), cy: y(p.risk), r: 2.5, class: "point" }), tip));
  });
  parts.push(text(LEFT + W / 2, TOP + H + 34, "coverage (share of items answered)", { class: "axis-label", "text-anchor": "middle" }));
  parts.push(text(14, TOP + H / 2, "risk (error rate)", { class: "axis-label", "text-anchor": "middle", transform: `rotate(-90 14 ${TOP + H / 2})` }));
  return svg(LEFT + W + RIGHT, TOP + H + BOTTOM, title, parts.join(""));
}
