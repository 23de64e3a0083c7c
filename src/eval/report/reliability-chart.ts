// Reliability diagram (DeGroot & Fienberg 1983; Guo et al. 2017): equal-width confidence bins on x, accuracy of
// each bin's items on y, drawn as bars over the bin's width with a point at (mean confidence, accuracy), the
// diagonal of perfect calibration dashed, and each bin's item count written above it.
import type { ReportCalibrationBin } from "./report-data.ts";
import { fmt, isFiniteNumber } from "./html.ts";
import { el, group, linearScale, niceTicks, polyline, svg, text } from "./svg.ts";

const SIZE = 300;
const LEFT = 52;
const TOP = 28;
const BOTTOM = 44;
const RIGHT = 16;

/** The reliability diagram as an inline SVG string. */
export function reliabilityChart(bins: readonly ReportCalibrationBin[], title: string): string {
  const x = linearScale(0, 1, LEFT, LEFT + SIZE);
  const y = linearScale(0, 1, TOP + SIZE, TOP);
  const parts: string[] = [];
  for (const t of niceTicks(0, 1, 5)) {
    parts.push(el("line", { x1: x(t), x2: x(t), y1: TOP, y2: TOP + SIZE, class: "grid" }));
    parts.push(el("line", { x1: LEFT, x2: LEFT + SIZE, y1: y(t), y2: y(t), class: "grid" }));
    parts.push(text(x(t), TOP + SIZE + 16, fmt(t, 1), { class: "tick", "text-anchor": "middle" }));
    parts.push(text(LEFT - 6, y(t) + 4, fmt(t, 1), { class: "tick", "text-anchor": "end" }));
  }
  parts.push(el("rect", { x: LEFT, y: TOP, width: SIZE, height: SIZE, class: "frame" }));
  parts.push(el("line", { x1: x(0), y1: y(0), x2: x(1), y2: y(1), class: "diagonal" }));
  const used = bins.filter((b) => b.count > 0 && isFiniteNumber(b.lo) && isFiniteNumber(b.hi) && isFiniteNumber(b.accuracy));
  const pts: Array<[number, number]> = [];
  for (const b of used) {
    const x0 = x(b.lo);
    const x1 = x(b.hi);
    const bar = el("rect", { x: x0 + 1, y: y(b.accuracy), width: Math.max(0, x1 - x0 - 2), height: y(0) - y(b.accuracy), class: "bin" });
    const gap = isFiniteNumber(b.confidence) ? el("line", { x1: (x0 + x1) / 2, x2: (x0 + x1) / 2, y1: y(b.accuracy), y2: y(b.confidence), class: "gap" }) : "";
    const count = text((x0 + x1) / 2, Math.min(y(b.accuracy), isFiniteNumber(b.confidence) ? y(b.confidence) : y(b.accuracy)) - 4, String(b.count), { class: "count", "text-anchor": "middle" });
    const tip = `confidence ${fmt(b.lo, 2)}-${fmt(b.hi, 2)}: ${b.count} items, mean confidence ${fmt(b.confidence)}, accuracy ${fmt(b.accuracy)}`;
    parts.push(group(bar + gap + count, tip));
    if (isFiniteNumber(b.confidence)) pts.push([x(b.confidence), y(b.accuracy)]);
  }
  if (pts.length > 1) parts.push(polyline(pts, { class: "curve" }));
  for (const [px0, py0] of pts) parts.push(el("circle", { cx: px0, cy: py0, r: 3, class: "point" }));
  parts.push(text(LEFT + SIZE / 2, TOP + SIZE + 34, "confidence", { class: "axis-label", "text-anchor": "middle" }));
  parts.push(text(14, TOP + SIZE / 2, "accuracy", { class: "axis-label", "text-anchor": "middle", transform: `rotate(-90 14 ${TOP + SIZE / 2})` }));
  return svg(LEFT + SIZE + RIGHT, TOP + SIZE + BOTTOM, title, parts.join(""));
}
