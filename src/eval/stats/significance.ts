// Ranking several models scored on the same items: accuracy with a Wilson interval per model, an exact McNemar
// test for every pair, Holm-adjusted over all m(m-1)/2 pairs, and for each model the models it cannot be told
// apart from. `medtune select` uses this to mark differences that are not significant instead of crowning noise.
import { MedtuneError } from "../../core/index.ts";
import { holmAdjust } from "./holm.ts";
import { mcnemarExact, pairedCounts } from "./mcnemar.ts";
import { wilsonInterval } from "./wilson.ts";

/** One model's per-item correctness; with `itemIds` the items are aligned by id, otherwise by position. */
export interface ModelOutcomes {
  name: string;
  correct: ArrayLike<boolean | number>;
  itemIds?: readonly string[];
}

/** Settings for ranking. */
export interface RankOptions {
  /** Family-wise significance level after Holm's correction (default 0.05). */
  alpha?: number;
  /** Confidence level of the per-model Wilson intervals (default 0.95). */
  confidence?: number;
}

/** One pair of models: A is the higher-ranked one. */
export interface PairComparison {
  a: string;
  b: string;
  accuracyA: number;
  accuracyB: number;
  /** accuracyA - accuracyB. */
  difference: number;
  /** Items only A got right (McNemar's b) and only B got right (c). */
  onlyA: number;
  onlyB: number;
  /** Exact McNemar p-value, unadjusted. */
  pValue: number;
  /** Holm-adjusted p-value over all pairs. */
  pAdjusted: number;
  isSignificant: boolean;
}

/** One model in the ranking. */
export interface RankedModel {
  /** 1-based position by accuracy (ties broken by name). */
  rank: number;
  name: string;
  accuracy: number;
  correct: number;
  n: number;
  lo: number;
  hi: number;
  /** Models whose difference from this one is not significant after correction. */
  notSignificantlyDifferentFrom: string[];
  /** True for the top model and every model not significantly different from it. */
  isTiedWithBest: boolean;
}

/** The full ranking with every pairwise comparison. */
export interface Ranking {
  models: RankedModel[];
  pairs: PairComparison[];
  n: number;
  alpha: number;
  confidence: number;
  test: "mcnemar-exact";
  correction: "holm";
}

function toBits(m: ModelOutcomes): Uint8Array {
  const out = new Uint8Array(m.correct.length);
  for (let i = 0; i < m.correct.length; i++) {
    const v = m.correct[i];
    if (v === true || v === 1) out[i] = 1;
    else if (v !== false && v !== 0) throw new MedtuneError("eval.stats.bad-outcome", `model "${m.name}" item ${i}: correctness must be 0/1 or a boolean, got ${String(v)}`);
  }
  return out;
}

/** Aligns all models on the same items (by id when given, else by position); refuses mismatched item sets. */
function align(models: readonly ModelOutcomes[]): Uint8Array[] {
  const withIds = models.filter((m) => m.itemIds !== undefined).length;
  if (withIds !== 0 && withIds !== models.length) {
    throw new MedtuneError("eval.stats.unpaired", "some models have item ids and some do not", { hint: "give itemIds for every model or for none" });
  }
  const n = models[0].correct.length;
  for (const m of models) {
    if (m.correct.length !== n) {
      throw new MedtuneError("eval.stats.unpaired", `model "${m.name}" has ${m.correct.length} items, "${models[0].name}" has ${n}`, { hint: "rank models only on the same items under the same protocol" });
    }
    if (m.itemIds !== undefined && m.itemIds.length !== n) {
      throw new MedtuneError("eval.stats.unpaired", `model "${m.name}" has ${m.itemIds.length} item ids for ${n} outcomes`);
    }
  }
  if (withIds === 0) return models.map(toBits);
  const ref = models[0].itemIds!;
  const pos = new Map<string, number>();
  ref.forEach((id, i) => {
    if (pos.has(id)) throw new MedtuneError("eval.stats.duplicate-id", `item id "${id}" appears twice in model "${models[0].name}"`);
    pos.set(id, i);
  });
  return models.map((m) => {
    const bits = toBits(m);
    const out = new Uint8Array(n);
    const seen = new Uint8Array(n);
    m.itemIds!.forEach((id, i) => {
      const j = pos.get(id);
      if (j === undefined) throw new MedtuneError("eval.stats.unpaired", `item "${id}" of model "${m.name}" is not among the items of "${models[0].name}"`, { hint: "rank models only on the same items" });
      if (seen[j]) throw new MedtuneError("eval.stats.duplicate-id", `item id "${id}" appears twice in model "${m.name}"`);
      seen[j] = 1;
      out[j] = bits[i];
    });
    return out;
  });
}

/** Ranks models by accuracy on shared items, with pairwise exact McNemar tests and Holm's correction. */
export function rankModels(models: readonly ModelOutcomes[], options: RankOptions = {}): Ranking {
  const alpha = options.alpha ?? 0.05;
  const confidence = options.confidence ?? 0.95;
  if (!(alpha > 0 && alpha < 1)) throw new MedtuneError("eval.stats.bad-option", `alpha must be in (0, 1), got ${alpha}`);
  if (models.length === 0) throw new MedtuneError("eval.stats.empty", "no models to rank");
  const names = new Set<string>();
  for (const m of models) {
    if (names.has(m.name)) throw new MedtuneError("eval.stats.duplicate-model", `model name "${m.name}" appears twice`, { hint: "give each candidate a unique name" });
    names.add(m.name);
  }
  const bits = align(models);
  const n = bits[0].length;
  if (n === 0) throw new MedtuneError("eval.stats.empty", "no items to rank the models on");
  const stats = models.map((m, i) => {
    let k = 0;
    for (let j = 0; j < n; j++) k += bits[i][j];
    return { name: m.name, bits: bits[i], correct: k, accuracy: k / n, w: wilsonInterval(k, n, confidence) };
  });
  stats.sort((x, y) => y.accuracy - x.accuracy || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));

  const raw: Array<Omit<PairComparison, "pAdjusted" | "isSignificant">> = [];
  for (let i = 0; i < stats.length; i++) {
    for (let j = i + 1; j < stats.length; j++) {
      const t = pairedCounts(stats[i].bits, stats[j].bits);
      raw.push({
        a: stats[i].name,
        b: stats[j].name,
        accuracyA: stats[i].accuracy,
        accuracyB: stats[j].accuracy,
        difference: stats[i].accuracy - stats[j].accuracy,
        onlyA: t.b,
        onlyB: t.c,
        pValue: mcnemarExact(t.b, t.c).pValue,
      });
    }
  }
  const adjusted = holmAdjust(raw.map((p) => p.pValue));
  const pairs: PairComparison[] = raw.map((p, i) => ({ ...p, pAdjusted: adjusted[i], isSignificant: adjusted[i] <= alpha }));

  const same = new Map<string, string[]>(stats.map((s) => [s.name, []]));
  for (const p of pairs) {
    if (p.isSignificant) continue;
    same.get(p.a)!.push(p.b);
    same.get(p.b)!.push(p.a);
  }
  const best = stats[0].name;
  const rankOf = new Map(stats.map((s, i) => [s.name, i]));
  const modelsOut: RankedModel[] = stats.map((s, i) => {
    const peers = same.get(s.name)!.sort((x, y) => rankOf.get(x)! - rankOf.get(y)!);
    return {
      rank: i + 1,
      name: s.name,
      accuracy: s.accuracy,
      correct: s.correct,
      n,
      lo: s.w.lo,
      hi: s.w.hi,
      notSignificantlyDifferentFrom: peers,
      isTiedWithBest: s.name === best || peers.includes(best),
    };
  });
  return { models: modelsOut, pairs, n, alpha, confidence, test: "mcnemar-exact", correction: "holm" };
}
