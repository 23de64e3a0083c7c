// Consistency statistics over compared (original, variant) answer pairs: the pooled consistency rate with a
// cluster bootstrap interval (items are resampled, so the several variants of one item count as one correlated
// unit), the share of items consistent under every variant, rates per perturbation, accuracy on originals and
// variants, and the full list of flips. Pairs where either answer is missing are listed, not counted.
import { bootstrapMean } from "../stats/bootstrap.ts";
import { clusterRatioInterval } from "./ratio-interval.ts";

/** How one variant's answer compares with the original answer, in the original item's labels. */
export interface VariantOutcome {
  key: string;
  perturbation: string;
  description: string;
  variantId: string;
  /** The answer in the ORIGINAL item's labels (mapped back through the variant's label map), or null. */
  answer: string | null;
  /** Text of that option in the original item. */
  answerText?: string;
  /** The answer as given, in the variant's own labels. */
  variantAnswer: string | null;
  /** `unanswered`: the original or the variant has no answer (error or unparsed); not counted in the rate. */
  status: "consistent" | "flipped" | "unanswered";
  isCorrect: boolean | null;
  error?: string;
  reason?: string;
  output?: string;
}

/** The original answer of an item. */
export interface OriginalOutcome {
  answer: string | null;
  answerText?: string;
  isCorrect: boolean | null;
  error?: string;
  reason?: string;
  output?: string;
  confidence?: number;
}

/** One item's consistency result. */
export interface ConsistencyItemResult {
  id: string;
  source: string;
  kind: string;
  subject?: string;
  gold: string;
  original: OriginalOutcome;
  variants: VariantOutcome[];
  /** Pairs with both answers present, and how many of them agree. */
  nCompared: number;
  nConsistent: number;
  /** Every compared variant agrees (null when none was compared). */
  isFullyConsistent: boolean | null;
  /** Share of sampled answers equal to the most common sampled answer (N-sample agreement; absent without samples). */
  sampleAgreement?: number;
  /** Perturbations that made no variant of this item, with the reason. */
  skipped: Array<{ perturbation: string; reason: string }>;
}

/** A changed answer: the item, the perturbation and the answers before and after (original labels). */
export interface Flip {
  id: string;
  variantId: string;
  perturbation: string;
  key: string;
  description: string;
  before: string;
  beforeText?: string;
  after: string;
  afterText?: string;
  gold: string;
  /** `broke`: right before, wrong after; `fixed`: the reverse; `changed`: wrong both times. */
  effect: "broke" | "fixed" | "changed";
}

/** A rate over compared pairs with its percentile interval (cluster bootstrap over items). */
export interface RateSummary {
  rate: number;
  lo: number;
  hi: number;
  nPairs: number;
  nConsistent: number;
  nItems: number;
  confidence: number;
  nResamples: number;
  seed: string;
  method: "cluster-bootstrap" | "bootstrap";
}

/** Everything consistency testing reports. */
export interface ConsistencySummary {
  /** Pooled share of compared pairs whose answers agree; null when nothing could be compared. */
  rate: RateSummary | null;
  /** Share of items whose every compared variant agrees with the original. */
  itemRate: RateSummary | null;
  byPerturbation: Array<{ perturbation: string } & RateSummary>;
  /** Mean agreement with the modal sampled answer over items with samples. */
  sampleAgreement: number | null;
  accuracy: {
    /** Accuracy on answered originals. */
    original: number | null;
    /** Accuracy on answered variants. */
    variants: number | null;
    /** Share of items right on the original and on every answered variant. */
    robust: number | null;
  };
  flips: Flip[];
  /** Pairs left out of the rate, and why. */
  unanswered: Array<{ id: string; variantId: string | null; perturbation: string; side: "original" | "variant"; reason: string }>;
  /** Perturbations that made no variant of an item. */
  skipped: Array<{ id: string; perturbation: string; reason: string }>;
  nItems: number;
  nVariants: number;
}

/** Interval settings. */
export interface SummaryOptions {
  seed?: number | string;
  nResamples?: number;
  confidence?: number;
}

function pooledRate(items: ReadonlyArray<{ c: number; m: number }>, label: string, opts: Required<SummaryOptions>): RateSummary | null {
  const seed = `${opts.seed}/consistency/${label}`;
  const r = clusterRatioInterval(items.map((x) => ({ successes: x.c, trials: x.m })), { seed, nResamples: opts.nResamples, confidence: opts.confidence });
  if (r === null) return null;
  return { rate: r.rate, lo: r.lo, hi: r.hi, nPairs: r.nTrials, nConsistent: r.nSuccesses, nItems: r.nUnits, confidence: r.confidence, nResamples: r.nResamples, seed, method: "cluster-bootstrap" };
}

/** Summarizes per-item consistency results: rates with intervals, flips, exclusions. */
export function summarizeConsistency(items: readonly ConsistencyItemResult[], options: SummaryOptions = {}): ConsistencySummary {
  const opts: Required<SummaryOptions> = { seed: options.seed ?? 0, nResamples: options.nResamples ?? 2000, confidence: options.confidence ?? 0.95 };
  const flips: Flip[] = [];
  const unanswered: ConsistencySummary["unanswered"] = [];
  const skipped: ConsistencySummary["skipped"] = [];
  const perturbations: string[] = [];
  let nVariants = 0;
  let origRight = 0;
  let origAnswered = 0;
  let varRight = 0;
  let varAnswered = 0;
  let robustRight = 0;
  let robustN = 0;
  const agreements: number[] = [];
  for (const it of items) {
    for (const s of it.skipped) skipped.push({ id: it.id, perturbation: s.perturbation, reason: s.reason });
    if (it.original.answer === null) {
      unanswered.push({ id: it.id, variantId: null, perturbation: "(original)", side: "original", reason: it.original.error ?? it.original.reason ?? "no answer" });
    } else {
      origAnswered++;
      if (it.original.isCorrect) origRight++;
    }
    let isRobust = it.original.isCorrect === true;
    for (const v of it.variants) {
      nVariants++;
      if (!perturbations.includes(v.perturbation)) perturbations.push(v.perturbation);
      if (v.answer !== null) {
        varAnswered++;
        if (v.isCorrect) varRight++;
        else isRobust = false;
      } else if (it.original.answer !== null) {
        unanswered.push({ id: it.id, variantId: v.variantId, perturbation: v.perturbation, side: "variant", reason: v.error ?? v.reason ?? "no answer" });
      }
      if (v.status === "flipped") {
        const before = it.original.answer!;
        const after = v.answer!;
        const wasRight = before === it.gold;
        const isRight = after === it.gold;
        flips.push({
          id: it.id, variantId: v.variantId, perturbation: v.perturbation, key: v.key, description: v.description,
          before, beforeText: it.original.answerText, after, afterText: v.answerText, gold: it.gold,
          effect: wasRight && !isRight ? "broke" : !wasRight && isRight ? "fixed" : "changed",
        });
      }
    }
    if (it.original.answer !== null) {
      robustN++;
      if (isRobust) robustRight++;
    }
    if (it.sampleAgreement !== undefined) agreements.push(it.sampleAgreement);
  }
  const count = (filter: (v: VariantOutcome) => boolean) => items.map((it) => {
    const vs = it.variants.filter((v) => v.status !== "unanswered" && filter(v));
    return { c: vs.filter((v) => v.status === "consistent").length, m: vs.length };
  });
  const rate = pooledRate(count(() => true), "pairs", opts);
  const fully = items.filter((it) => it.isFullyConsistent !== null);
  let itemRate: RateSummary | null = null;
  if (fully.length > 0) {
    const seed = `${opts.seed}/consistency/items`;
    const values = Float64Array.from(fully, (it) => (it.isFullyConsistent ? 1 : 0));
    const b = bootstrapMean(values, { seed, nResamples: opts.nResamples, confidence: opts.confidence });
    const k = values.reduce((a, x) => a + x, 0);
    itemRate = { rate: b.estimate, lo: b.lo, hi: b.hi, nPairs: fully.length, nConsistent: k, nItems: fully.length, confidence: b.confidence, nResamples: b.nResamples, seed, method: "bootstrap" };
  }
  const byPerturbation: ConsistencySummary["byPerturbation"] = [];
  for (const p of perturbations) {
    const r = pooledRate(count((v) => v.perturbation === p), p, opts);
    if (r !== null) byPerturbation.push({ perturbation: p, ...r });
  }
  return {
    rate,
    itemRate,
    byPerturbation,
    sampleAgreement: agreements.length > 0 ? agreements.reduce((a, x) => a + x, 0) / agreements.length : null,
    accuracy: {
      original: origAnswered > 0 ? origRight / origAnswered : null,
      variants: varAnswered > 0 ? varRight / varAnswered : null,
      robust: robustN > 0 ? robustRight / robustN : null,
    },
    flips,
    unanswered,
    skipped,
    nItems: items.length,
    nVariants,
  };
}
