// Next-token choice from logits: greedy (argmax, first index on ties) or seeded sampling with the Hugging Face
// warper order temperature → top-k → top-p (nucleus: keep the smallest most-likely set whose mass reaches p).
import { Rng, fail } from "../core/index.ts";
import type { FloatArray } from "../tensor/index.ts";

/** Sampling knobs; temperature 0 means greedy. */
export interface SamplingOptions {
  /** 0 = greedy (default 0) */
  temperature?: number;
  /** keep the k most likely tokens; 0 = all */
  topK?: number;
  /** nucleus mass in (0, 1]; 1 = off */
  topP?: number;
  /** seeds the draws (same seed, same tokens) */
  seed?: number;
}

/** Index of the largest value in logits[offset, offset+V) (first one on ties). */
export function argmax(logits: FloatArray, V: number, offset = 0): number {
  let best = 0;
  let bv = logits[offset];
  for (let j = 1; j < V; j++) {
    const v = logits[offset + j];
    if (v > bv) {
      bv = v;
      best = j;
    }
  }
  return best;
}

/** A reusable sampler for a vocabulary of V tokens (buffers allocated once). */
export class Sampler {
  readonly V: number;
  readonly temperature: number;
  readonly topK: number;
  readonly topP: number;
  private readonly rng: Rng;
  private readonly idx: Uint32Array;
  private readonly cand: Uint32Array;
  private readonly prob: Float64Array;
  private cur: FloatArray = new Float32Array(0);
  private off = 0;
  /** candidates by logit, descending (ties: lower id first) */
  private readonly cmp = (a: number, b: number): number => this.cur[this.off + b] - this.cur[this.off + a] || a - b;

  constructor(V: number, opts: SamplingOptions = {}) {
    const temperature = opts.temperature ?? 0;
    const topK = opts.topK ?? 0;
    const topP = opts.topP ?? 1;
    if (!(temperature >= 0 && Number.isFinite(temperature))) fail("sampling.bad-option", `temperature must be a finite number ≥ 0, got ${temperature}`, "sampling options");
    if (!(Number.isInteger(topK) && topK >= 0)) fail("sampling.bad-option", `topK must be an integer ≥ 0, got ${topK}`, "sampling options");
    if (!(topP > 0 && topP <= 1)) fail("sampling.bad-option", `topP must be in (0, 1], got ${topP}`, "sampling options");
    this.V = V;
    this.temperature = temperature;
    this.topK = topK;
    this.topP = topP;
    this.rng = new Rng(opts.seed ?? 0);
    this.idx = new Uint32Array(V);
    this.cand = topK > 0 && topK < V ? this.idx.subarray(0, topK) : this.idx;
    this.prob = new Float64Array(V);
  }

  /** Picks the next token from logits[offset, offset+V). */
  sample(logits: FloatArray, offset = 0): number {
    const V = this.V;
    if (this.temperature === 0) return argmax(logits, V, offset);
    const invT = 1 / this.temperature;
    if (this.cand.length === V && this.topP === 1) return this.sampleAll(logits, offset, invT);
    const idx = this.idx;
    for (let j = 0; j < V; j++) idx[j] = j;
    const cand = this.cand;
    const k = cand.length;
    this.cur = logits;
    this.off = offset;
    if (k < V) selectTop(idx, k, this.cmp); // top-k only needs the best k, then those in order
    cand.sort(this.cmp);
    const mx = logits[offset + cand[0]];
    const prob = this.prob;
    let sum = 0;
    for (let r = 0; r < k; r++) {
      const p = Math.exp((logits[offset + cand[r]] - mx) * invT);
      prob[r] = p;
      sum += p;
    }
    // nucleus: drop the least likely tokens whose total mass is ≤ 1 − topP (HF TopPLogitsWarper), keep ≥ 1
    let n = k;
    if (this.topP < 1) {
      let tail = 0;
      const limit = (1 - this.topP) * sum;
      while (n > 1 && tail + prob[n - 1] <= limit) {
        tail += prob[n - 1];
        n--;
      }
      sum -= tail;
    }
    let u = this.rng.next() * sum;
    for (let r = 0; r < n; r++) {
      u -= prob[r];
      if (u < 0) return cand[r];
    }
    return cand[n - 1];
  }

  /** Draws from softmax(logits/T) over the whole vocabulary (no ordering needed). */
  private sampleAll(logits: FloatArray, offset: number, invT: number): number {
    const V = this.V;
    let mx = -Infinity;
    for (let j = 0; j < V; j++) if (logits[offset + j] > mx) mx = logits[offset + j];
    const prob = this.prob;
    let sum = 0;
    for (let j = 0; j < V; j++) {
      const p = Math.exp((logits[offset + j] - mx) * invT);
      prob[j] = p;
      sum += p;
    }
    let u = this.rng.next() * sum;
    let last = 0;
    for (let j = 0; j < V; j++) {
      if (prob[j] === 0) continue;
      last = j;
      u -= prob[j];
      if (u < 0) return j;
    }
    return last;
  }
}

/** Partially orders idx so its first k entries are the k best under cmp (quickselect). */
function selectTop(idx: Uint32Array, k: number, cmp: (a: number, b: number) => number): void {
  let lo = 0;
  let hi = idx.length - 1;
  while (lo < hi) {
    const pivot = idx[(lo + hi) >>> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (cmp(idx[i], pivot) < 0) i++;
      while (cmp(idx[j], pivot) > 0) j--;
      if (i <= j) {
        const t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
        i++;
        j--;
      }
    }
    if (k - 1 <= j) hi = j;
    else if (k - 1 >= i) lo = i;
    else return;
  }
}
