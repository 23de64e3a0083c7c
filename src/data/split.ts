// Seeded, deterministic train/validation/test split, stratified by source, subject and answer label.
// Items are ordered by (stratum, keyed hash of id and seed) and dealt out by largest deficit against the target
// fractions, so every stratum is spread in proportion (small strata too) and the result depends only on the set
// of ids and the seed, not on input order.
import { fmix32, fnv1a32 } from "../core/index.ts";
import type { QAItem } from "./schema.ts";

/** Split names in output order. */
export const SPLITS = ["train", "validation", "test"] as const;
export type SplitName = (typeof SPLITS)[number];

/** Fractions of each split; they must sum to 1. */
export type SplitFractions = Record<SplitName, number>;

/** What a stratum is made of. */
export type StratifyKey = "source" | "subject" | "label";

/** The answer label used for stratification: the gold letter, the yes/no/maybe label, or `open`. */
export function labelOf(item: QAItem): string {
  return item.kind === "open" ? "open" : item.answer;
}

/** The stratum key of an item. */
export function stratumOf(item: QAItem, by: readonly StratifyKey[]): string {
  return by.map((k) => (k === "source" ? item.source : k === "subject" ? (item.subject ?? "") : labelOf(item))).join("\u0001");
}

/** Collects (stratum, id) pairs in compact typed arrays and assigns splits once all are seen. */
export class StratifiedSplitter {
  private strata = new Map<string, number>();
  private stratumIdx = new Int32Array(1024);
  private keys = new Float64Array(1024);
  private n = 0;
  private seed: number;
  private fractions: SplitFractions;
  constructor(fractions: SplitFractions, seed: number) {
    const sum = fractions.train + fractions.validation + fractions.test;
    if (Math.abs(sum - 1) > 1e-9 || Object.values(fractions).some((f) => f < 0)) {
      throw new RangeError(`split fractions must be >= 0 and sum to 1, got ${JSON.stringify(fractions)}`);
    }
    this.fractions = fractions;
    this.seed = seed >>> 0;
  }
  /** Number of items added. */
  get size(): number {
    return this.n;
  }
  /** Adds the next item (by position) with its stratum key and id. */
  add(stratum: string, id: string): void {
    let s = this.strata.get(stratum);
    if (s === undefined) {
      s = this.strata.size;
      this.strata.set(stratum, s);
    }
    if (this.n === this.keys.length) {
      const k = new Float64Array(this.n * 2);
      k.set(this.keys);
      this.keys = k;
      const si = new Int32Array(this.n * 2);
      si.set(this.stratumIdx);
      this.stratumIdx = si;
    }
    this.stratumIdx[this.n] = s;
    // 52-bit keyed hash of the id: order inside a stratum is random but reproducible.
    const a = fmix32(fnv1a32(id, this.seed ^ 0x811c9dc5));
    const b = fmix32(fnv1a32(id, (this.seed * 2654435761) >>> 0)) & 0xfffff;
    this.keys[this.n] = b * 4294967296 + a;
    this.n++;
  }
  /** Assigns every added item a split: returns split indices (0 train, 1 validation, 2 test) by position. */
  assign(): Uint8Array {
    const n = this.n;
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    // Strata are visited in sorted-name order so the result does not depend on which stratum appeared first.
    const names = [...this.strata.keys()].sort();
    const rank = new Int32Array(names.length);
    names.forEach((name, r) => (rank[this.strata.get(name)!] = r));
    const si = this.stratumIdx;
    const keys = this.keys;
    order.sort((x, y) => rank[si[x]] - rank[si[y]] || keys[x] - keys[y] || x - y);
    const f = [this.fractions.train, this.fractions.validation, this.fractions.test];
    const out = new Uint8Array(n);
    const count = [0, 0, 0];
    for (let p = 0; p < n; p++) {
      // Largest deficit: the split furthest behind its target share of the first p+1 items.
      let best = 0;
      let bestDef = -Infinity;
      for (let s = 0; s < 3; s++) {
        if (f[s] === 0) continue;
        const def = f[s] * (p + 1) - count[s];
        if (def > bestDef + 1e-12) {
          bestDef = def;
          best = s;
        }
      }
      out[order[p]] = best;
      count[best]++;
    }
    return out;
  }
}
