// Test helper for the parity suites: element-wise comparison summaries printed beside pass/fail, and the golden
// LoRA tensors regrouped by module for the model's loadLora.
import type { LoraAdapter, LoraPair } from "../../src/formats/index.ts";

/** Summary of comparing ours against a reference. */
export interface Comparison {
  n: number;
  maxAbs: number;
  /** max |a − b| / max(|b|, floor) */
  maxRel: number;
  /** elements outside the tolerance */
  bad: number;
  /** first failing element */
  firstBad: string | null;
  /** elements that pass only through the tensor-scale allowance */
  scaleOnly: number;
}

/**
 * Compares element-wise: an element passes when |a − b| ≤ rtol·|b|, or ≤ atol, or ≤ scaleTol·max|b| over the
 * tensor (float32 accumulation noise on elements that cancel to ~0 relative to the tensor).
 */
export function compare(ours: ArrayLike<number>, ref: ArrayLike<number>, opts: { rtol: number; atol: number; scaleTol?: number; relFloor?: number }): Comparison {
  let refMax = 0;
  for (let i = 0; i < ref.length; i++) refMax = Math.max(refMax, Math.abs(ref[i]));
  const floor = opts.relFloor ?? 0;
  const scaleAbs = (opts.scaleTol ?? 0) * refMax;
  let maxAbs = 0, maxRel = 0, bad = 0, scaleOnly = 0;
  let firstBad: string | null = null;
  if (ours.length !== ref.length) return { n: ref.length, maxAbs: Infinity, maxRel: Infinity, bad: ref.length, firstBad: `length ${ours.length} vs ${ref.length}`, scaleOnly: 0 };
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(ours[i] - ref[i]);
    const r = d / Math.max(Math.abs(ref[i]), floor, 1e-30);
    maxAbs = Math.max(maxAbs, d);
    if (d > opts.atol) maxRel = Math.max(maxRel, r);
    const strict = d <= opts.rtol * Math.abs(ref[i]) || d <= opts.atol || (floor > 0 && r <= opts.rtol);
    const ok = strict || d <= scaleAbs;
    if (ok && !strict) scaleOnly++;
    if (!ok || !Number.isFinite(ours[i])) {
      bad++;
      if (firstBad === null) firstBad = `[${i}] ours ${ours[i]} ref ${ref[i]}`;
    }
  }
  return { n: ref.length, maxAbs, maxRel, bad, firstBad, scaleOnly };
}

/** First k values, short. */
export function head(a: ArrayLike<number>, k = 4): string {
  return `[${Array.from({ length: Math.min(k, a.length) }, (_, i) => Number(a[i]).toPrecision(7)).join(", ")}]`;
}

/** Regroups `lora.base_model.model.<module>.lora_{A,B}.weight` tensors into a LoraAdapter. */
export function goldenAdapter(g: Map<string, { shape: number[]; data: Float32Array }>, prefix: string, r: number, alpha: number): LoraAdapter {
  const halves = new Map<string, Partial<LoraPair>>();
  for (const [k, t] of g) {
    if (!k.startsWith(prefix)) continue;
    const m = /^base_model\.model\.(.+)\.lora_([AB])\.weight$/.exec(k.slice(prefix.length));
    if (!m) continue;
    if (!halves.has(m[1])) halves.set(m[1], {});
    halves.get(m[1])![m[2] as "A" | "B"] = { shape: t.shape, data: t.data };
  }
  const tensors = new Map<string, LoraPair>();
  for (const [module, p] of halves) tensors.set(module, { A: p.A!, B: p.B! });
  return { config: { r, alpha, dropout: 0, targetModules: [], bias: "none", useRslora: false }, tensors };
}
