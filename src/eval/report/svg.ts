// Inline SVG primitives for the report's charts: linear scales, "nice" tick steps, and element writers whose
// numeric attributes are checked to be finite (a NaN in a coordinate is a bug, never silently drawn).
import { escapeHtml } from "./html.ts";

/** A linear map from a data domain to a pixel range. */
export interface Scale {
  (x: number): number;
  domain: [number, number];
  range: [number, number];
}

/** Linear scale from [d0, d1] to [r0, r1]; values outside the domain are clamped to it. */
export function linearScale(d0: number, d1: number, r0: number, r1: number): Scale {
  const span = d1 - d0 || 1;
  const f = ((x: number) => {
    const c = Math.min(Math.max(x, Math.min(d0, d1)), Math.max(d0, d1));
    return r0 + ((c - d0) / span) * (r1 - r0);
  }) as Scale;
  f.domain = [d0, d1];
  f.range = [r0, r1];
  return f;
}

/** Tick values covering [lo, hi] at a 1-2-5 step giving about `count` ticks. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toFixed(10)));
  return out;
}

/** A domain [lo, hi] for values: [0, 1] when they are all fractions, else padded and rounded to ticks. */
export function niceDomain(values: readonly number[]): [number, number] {
  const vs = values.filter((v) => Number.isFinite(v));
  if (vs.length === 0) return [0, 1];
  const lo = Math.min(0, ...vs);
  const hi = Math.max(...vs);
  if (lo >= 0 && hi <= 1) return [0, 1];
  const ticks = niceTicks(lo, hi === lo ? lo + 1 : hi, 5);
  const step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
  return [Math.min(lo, ticks[0]), Math.max(hi, ticks[ticks.length - 1] < hi ? ticks[ticks.length - 1] + step : ticks[ticks.length - 1])];
}

/** A coordinate for an attribute: at most 2 decimals; throws on a non-finite value. */
export function px(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`non-finite SVG coordinate ${x}`);
  return String(Math.round(x * 100) / 100);
}

type Attrs = Record<string, string | number | undefined>;

function attrs(a: Attrs): string {
  return Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${typeof v === "number" ? px(v) : escapeHtml(v)}"`)
    .join("");
}

/** A self-closing SVG element. */
export function el(name: string, a: Attrs): string {
  return `<${name}${attrs(a)}/>`;
}

/** An SVG text element with escaped content and an optional tooltip (<title>, shown on hover without JS). */
export function text(x: number, y: number, content: string, a: Attrs = {}, tooltip?: string): string {
  const t = tooltip !== undefined ? `<title>${escapeHtml(tooltip)}</title>` : "";
  return `<text${attrs({ x, y, ...a })}>${t}${escapeHtml(content)}</text>`;
}

/** A group with a tooltip. */
export function group(children: string, tooltip?: string, a: Attrs = {}): string {
  const t = tooltip !== undefined ? `<title>${escapeHtml(tooltip)}</title>` : "";
  return `<g${attrs(a)}>${t}${children}</g>`;
}

/** An SVG polyline through points. */
export function polyline(points: ReadonlyArray<[number, number]>, a: Attrs = {}): string {
  return `<polyline${attrs({ ...a, points: points.map(([x, y]) => `${px(x)},${px(y)}`).join(" ") })}/>`;
}

/** The outer SVG element with a title (accessible name) and a viewBox; scales to the page width. */
export function svg(width: number, height: number, title: string, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${px(width)} ${px(height)}" width="${px(width)}" height="${px(height)}" role="img" aria-label="${escapeHtml(title)}"><title>${escapeHtml(title)}</title>${body}</svg>`;
}
