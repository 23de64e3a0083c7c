// Seeded, deterministic train/validation/test split, stratified by source, subject and answer label, in one
// streaming pass: stratified block randomization (as in clinical-trial allocation). Each stratum deals its
// items from shuffled blocks whose composition matches the fractions, so every stratum, small ones too, is split
// in proportion; an item's split depends only on the seed, its stratum and its rank within that stratum.
import { Rng, seedFromString } from "../core/index.ts";
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

/** The block of split indices matching the fractions: the smallest size <= 100 that is exact, else 100 by largest remainder. */
export function splitBlock(f: readonly number[]): Uint8Array {
  let size = 100;
  for (let m = 1; m <= 100; m++) {
    if (f.every((x) => Math.abs(x * m - Math.round(x * m)) < 1e-9)) {
      size = m;
      break;
    }
  }
  const exact = f.map((x) => x * size);
  const counts = exact.map(Math.floor);
  let left = size - counts.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let j = 0; left > 0; j++, left--) counts[order[j % order.length][1]]++;
  const block = new Uint8Array(size);
  let p = 0;
  counts.forEach((c, s) => {
    for (let k = 0; k < c; k++) block[p++] = s;
  });
  return block;
}

interface StratumState {
  rng: Rng;
  block: Uint8Array;
  pos: number;
}

/** Assigns each item a split as it streams by (0 train, 1 validation, 2 test). */
export class StratifiedSplitter {
  private strata = new Map<string, StratumState>();
  private template: Uint8Array;
  private seed: number;
  readonly counts = [0, 0, 0];
  constructor(fractions: SplitFractions, seed: number) {
    const f = [fractions.train, fractions.validation, fractions.test];
    if (Math.abs(f[0] + f[1] + f[2] - 1) > 1e-9 || f.some((x) => !(x >= 0))) {
      throw new RangeError(`split fractions must be >= 0 and sum to 1, got ${JSON.stringify(fractions)}`);
    }
    this.template = splitBlock(f);
    this.seed = seed >>> 0;
  }
  /** The split of the next item of this stratum. */
  assign(stratum: string): number {
    let st = this.strata.get(stratum);
    if (!st) {
      // Each stratum has its own stream, so interleaving of strata in the input does not matter.
      st = { rng: new Rng((seedFromString(stratum) ^ Math.imul(this.seed, 0x9e3779b1)) >>> 0), block: this.template.slice(), pos: this.template.length };
      this.strata.set(stratum, st);
    }
    if (st.pos === st.block.length) {
      shuffle(st.block, st.rng);
      st.pos = 0;
    }
    const s = st.block[st.pos++];
    this.counts[s]++;
    return s;
  }
  /** Number of strata seen. */
  get nStrata(): number {
    return this.strata.size;
  }
}

function shuffle(a: Uint8Array, rng: Rng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}
