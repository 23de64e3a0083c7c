// MinHash signatures over word shingles (Broder 1997) with k universal hashes x -> a_i*x + b_i (mod 2^32), minima
// in a WebAssembly SIMD kernel, stored as b-bit minwise hashes (Li & König 2010: Ĵ = (P̂ - 2^-b) / (1 - 2^-b)); an LSH
// band index (bands x rows as datasketch's `_optimal_param`: least weighted false-positive + false-negative mass);
// MinElementIndex, an exact no-signing filter for small 32-bit reference sets. Typed arrays only: 1M items in ~100 MB.
import { Rng, MedtuneError, fmix32 } from "../core/index.ts";
import { op, wasmModule, tryInstantiate, I32, V128, type WasmMemory, type WasmModule } from "./wasm.ts";

/** Bits kept per min-hash: 32 is classic MinHash, fewer trade a little variance for memory. */
export type BBits = 1 | 2 | 4 | 8 | 16 | 32;
const BBITS: readonly number[] = [1, 2, 4, 8, 16, 32];

/** Options of a MinHasher. */
export interface MinHashOptions {
  /** Number of hash functions k (a multiple of 64/bBits). */
  numPerm: number;
  /** Bits kept per min-hash. */
  bBits: BBits;
  /** Words per shingle; texts with fewer words form one shingle of all their words. */
  shingleSize: number;
  /** Seed of the hash functions; equal seeds give comparable signatures. */
  seed: number;
  /** False: the portable loop even where the WebAssembly SIMD kernel runs (same signatures; the kernel's reference). */
  simd?: boolean;
}

/** Words (32-bit lanes) per packed signature. */
export function signatureWords(numPerm: number, bBits: BBits): number {
  return (numPerm * bBits) / 32;
}

/** Throws a MedtuneError unless numPerm and bBits make an even number of whole 32-bit words (two halves for split signatures). */
export function checkSignatureShape(numPerm: number, bBits: number, where: string): void {
  if (!BBITS.includes(bBits)) throw new MedtuneError("config.invalid", `bBits must be one of ${BBITS.join(", ")}, got ${bBits}`, { where, hint: "use 4 (default) or 8" });
  if (!Number.isInteger(numPerm) || numPerm < 2 || numPerm > 4096 || (numPerm * bBits) % 64 !== 0) {
    throw new MedtuneError("config.invalid", `numPerm must be an integer in 2..4096 and a multiple of ${64 / bBits} for bBits=${bBits}, got ${numPerm}`, {
      where,
      hint: "use 64 or 128",
    });
  }
}

/** Computes packed b-bit MinHash signatures of word sequences (reusable scratch; not thread-shared). */
export class MinHasher {
  readonly numPerm: number;
  readonly bBits: BBits;
  readonly shingleSize: number;
  readonly seed: number;
  /** Words per packed signature. */
  readonly wordsPerSig: number;
  /** The shingle hashes of the last `shingle` call. */
  shingleBuf: Uint32Array;
  private readonly mulA: Int32Array;
  private readonly addB: Int32Array;
  private readonly invA: Int32Array; // mulA[p]^-1 mod 2^32
  private mins: Int32Array;
  // the SIMD kernel's memory (mulA, addB, mins, then shingleBuf: see itemsOffset) and entry, or null
  private readonly memory: WasmMemory | null = null;
  private readonly kernel: MinimaKernel | null = null;

  constructor(opts: MinHashOptions) {
    checkSignatureShape(opts.numPerm, opts.bBits, "minhash");
    if (!Number.isInteger(opts.shingleSize) || opts.shingleSize < 1 || opts.shingleSize > 32) {
      throw new MedtuneError("config.invalid", `shingleSize must be an integer in 1..32, got ${opts.shingleSize}`, { where: "minhash", hint: "use 3 (words)" });
    }
    this.numPerm = opts.numPerm;
    this.bBits = opts.bBits;
    this.shingleSize = opts.shingleSize;
    this.seed = opts.seed >>> 0;
    this.wordsPerSig = signatureWords(opts.numPerm, opts.bBits);
    const rng = new Rng(this.seed ^ 0x6d696e68);
    this.mulA = new Int32Array(this.numPerm);
    this.addB = new Int32Array(this.numPerm);
    this.invA = new Int32Array(this.numPerm);
    for (let p = 0; p < this.numPerm; p++) {
      this.mulA[p] = rng.nextU32() | 1; // odd multiplier: x -> a*x + b is a bijection on 32-bit words
      this.addB[p] = rng.nextU32() | 0;
      this.invA[p] = inverseOdd(this.mulA[p]);
    }
    const module = opts.simd === false ? null : minimaModule();
    const k = this.numPerm;
    // a memory of its own (a few per process in practice); where none can be had, the portable loop
    const kernel = module === null ? null : tryInstantiate<MinimaKernel>(module, "minima", Math.ceil((itemsOffset(k) + 4 * 1024) / 65536));
    if (kernel !== null) {
      this.memory = kernel.memory;
      this.kernel = kernel.fn;
      new Int32Array(this.memory.buffer, 0, k).set(this.mulA);
      new Int32Array(this.memory.buffer, 4 * k, k).set(this.addB);
    }
    this.mins = new Int32Array(this.numPerm);
    this.shingleBuf = new Uint32Array(256);
    this.viewMemory();
  }

  /** Points `mins` and `shingleBuf` into the kernel's memory (again after it grew), if there is a kernel. */
  private viewMemory(): void {
    if (this.memory === null) return;
    const k = this.numPerm;
    const buffer = this.memory.buffer;
    this.mins = new Int32Array(buffer, 8 * k, k);
    this.shingleBuf = new Uint32Array(buffer, itemsOffset(k), (buffer.byteLength - itemsOffset(k)) / 4);
  }

  /** Makes `shingleBuf` hold at least n hashes (its contents are kept). */
  private reserveShingles(n: number): void {
    if (this.shingleBuf.length >= n) return;
    const want = Math.max(n, this.shingleBuf.length * 2);
    if (this.memory === null) {
      const grown = new Uint32Array(want);
      grown.set(this.shingleBuf);
      this.shingleBuf = grown;
      return;
    }
    const bytes = itemsOffset(this.numPerm) + 4 * want;
    this.memory.grow(Math.ceil((bytes - this.memory.buffer.byteLength) / 65536));
    this.viewMemory();
  }

  /** Hashes the word shingles of `words[from..to)` into `shingleBuf`; returns the shingle count. */
  shingle(words: Uint32Array, from: number, to: number): number {
    const nWords = to - from;
    if (nWords <= 0) return 0;
    const k = nWords < this.shingleSize ? nWords : this.shingleSize;
    const n = nWords - k + 1;
    this.reserveShingles(n);
    const out = this.shingleBuf;
    const seed = this.seed ^ Math.imul(k, 0x9e3779b1);
    for (let i = 0; i < n; i++) {
      let h = seed;
      for (let j = from + i; j < from + i + k; j++) {
        h = Math.imul(h ^ words[j], 0x9e3779b1);
        h = (h << 15) | (h >>> 17);
      }
      out[i] = fmix32(h);
    }
    return n;
  }

  /** Signs the shingles of a word-hash sequence into `out[off..off+wordsPerSig)`; returns the shingle count (0: empty text). */
  signWords(out: Uint32Array, off: number, words: Uint32Array, nWords: number): number {
    const n = this.shingle(words, 0, nWords);
    this.minima(this.shingleBuf, n, 0, this.numPerm);
    packBBits(out, off, this.mins, this.numPerm, this.bBits);
    return n;
  }

  /**
   * Signs a two-part text: hash functions [0, k/2) see the shingles of `words[0..nA)`, [k/2, k) those of
   * `words[nA..n)`, so each part's Jaccard can be estimated on its own (`estimateJaccardSplit`) and a long
   * second part cannot drown the first. With an empty second part this is `signWords`. Returns the shingle count.
   */
  signWordsSplit(out: Uint32Array, off: number, words: Uint32Array, nA: number, n: number): number {
    if (n === nA) return this.signWords(out, off, words, n);
    const half = this.numPerm >>> 1;
    const a = this.shingle(words, 0, nA);
    this.minima(this.shingleBuf, a, 0, half);
    const b = this.shingle(words, nA, n);
    this.minima(this.shingleBuf, b, half, this.numPerm);
    packBBits(out, off, this.mins, this.numPerm, this.bBits);
    return a + b;
  }

  /** Signs a set of 32-bit element hashes (duplicates allowed) into `out[off..off+wordsPerSig)`. */
  signShingles(out: Uint32Array, off: number, items: Uint32Array, n: number): void {
    this.minima(items, n, 0, this.numPerm);
    packBBits(out, off, this.mins, this.numPerm, this.bBits);
  }

  /**
   * For the last signature made, the element attaining each hash function's minimum (the minimum's preimage under
   * x -> a·x + b; for an empty set, the preimage of the INT32_MAX it holds) into `out[off..off+numPerm)`.
   */
  minElements(out: Uint32Array, off: number): void {
    for (let p = 0; p < this.numPerm; p++) out[off + p] = Math.imul(this.invA[p], (this.mins[p] - this.addB[p]) | 0) >>> 0;
  }

  /** mins[p] = min_j (a_p·items[j] + b_p) for p in [pFrom, pTo), in signed 32-bit order (INT32_MAX when n = 0). */
  private minima(items: Uint32Array, n: number, pFrom: number, pTo: number): void {
    let p = pFrom;
    if (this.kernel !== null && pTo - p >= 16) {
      // whole groups of 16 functions in the kernel, over the items copied into its memory unless they are there
      if (items !== this.shingleBuf) {
        this.reserveShingles(n);
        this.shingleBuf.set(items.subarray(0, n));
      }
      const k = this.numPerm;
      const groups = (pTo - p) >>> 4;
      this.kernel(itemsOffset(k), n, 4 * p, 4 * (k + p), 4 * (2 * k + p), groups);
      p += groups << 4;
      if (p === pTo) return;
    }
    const A = this.mulA;
    const B = this.addB;
    const mins = this.mins;
    // The min under signed order is the min of another fixed total order on the permuted values: still min-wise.
    // Eight functions per pass over the items keep eight running minima in registers (~2x a plain loop).
    for (; p + 8 <= pTo; p += 8) {
      const a0 = A[p], a1 = A[p + 1], a2 = A[p + 2], a3 = A[p + 3], a4 = A[p + 4], a5 = A[p + 5], a6 = A[p + 6], a7 = A[p + 7];
      const b0 = B[p], b1 = B[p + 1], b2 = B[p + 2], b3 = B[p + 3], b4 = B[p + 4], b5 = B[p + 5], b6 = B[p + 6], b7 = B[p + 7];
      let m0 = 0x7fffffff, m1 = m0, m2 = m0, m3 = m0, m4 = m0, m5 = m0, m6 = m0, m7 = m0;
      for (let j = 0; j < n; j++) {
        const x = items[j] | 0;
        const v0 = (Math.imul(a0, x) + b0) | 0;
        if (v0 < m0) m0 = v0;
        const v1 = (Math.imul(a1, x) + b1) | 0;
        if (v1 < m1) m1 = v1;
        const v2 = (Math.imul(a2, x) + b2) | 0;
        if (v2 < m2) m2 = v2;
        const v3 = (Math.imul(a3, x) + b3) | 0;
        if (v3 < m3) m3 = v3;
        const v4 = (Math.imul(a4, x) + b4) | 0;
        if (v4 < m4) m4 = v4;
        const v5 = (Math.imul(a5, x) + b5) | 0;
        if (v5 < m5) m5 = v5;
        const v6 = (Math.imul(a6, x) + b6) | 0;
        if (v6 < m6) m6 = v6;
        const v7 = (Math.imul(a7, x) + b7) | 0;
        if (v7 < m7) m7 = v7;
      }
      mins[p] = m0;
      mins[p + 1] = m1;
      mins[p + 2] = m2;
      mins[p + 3] = m3;
      mins[p + 4] = m4;
      mins[p + 5] = m5;
      mins[p + 6] = m6;
      mins[p + 7] = m7;
    }
    for (; p < pTo; p++) {
      const a = A[p];
      const b = B[p];
      let m = 0x7fffffff;
      for (let j = 0; j < n; j++) {
        const v = (Math.imul(a, items[j]) + b) | 0;
        if (v < m) m = v;
      }
      mins[p] = m;
    }
  }
}

// ---- the SIMD kernel ------------------------------------------------------------------------------------------
// mins[p] = min_j (a_p·x_j + b_p) as WebAssembly SIMD: 16 hash functions (four i32x4 vectors of running minima) per
// pass over the items, ~1 instruction per function and item where the scalar loop takes ~4 (JS has no SIMD).
// Memory: mulA (numPerm i32) at 0, addB at 4·numPerm, mins at 8·numPerm, the items (shingleBuf) at itemsOffset.

type MinimaKernel = (items: number, n: number, a: number, b: number, mins: number, groups: number) => void;

/** Byte offset of the items in a kernel's memory: after mulA, addB and mins, 16-aligned. */
function itemsOffset(numPerm: number): number {
  return Math.ceil((12 * numPerm) / 16) * 16;
}

let minimaCompiled: WasmModule | null | undefined;

/**
 * The kernel (compiled once; null without WebAssembly SIMD): for `groups` groups of 16 functions from the a, b and
 * mins byte offsets on, the minima over the n items at `items`. As WAT: (func (param $items $n $a $b $mins $groups
 * i32) (local $j $end i32) (local $x $a0..$a3 $b0..$b3 $m0..$m3 v128)).
 */
function minimaModule(): WasmModule | null {
  if (minimaCompiled !== undefined) return minimaCompiled;
  const { get, set, tee, i32, add, sub, shl, eqz, geU, ltU, load, block, loop, end, br, brIf, v128Load, v128Store, splat, vAdd, vMul, vMinS } = op;
  const [items, n, a, b, mins, groups, j, end_, x] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const av = [9, 10, 11, 12];
  const bv = [13, 14, 15, 16];
  const mv = [17, 18, 19, 20];
  minimaCompiled = wasmModule("minima", 6, false, [[2, I32], [13, V128]], [
    get(items), get(n), i32(2), shl, add, set(end_), // end = items + 4n
    block, loop, // per group of 16 functions
    get(groups), eqz, brIf(1),
    av.map((v, k) => [get(a), v128Load(16 * k), set(v)]),
    bv.map((v, k) => [get(b), v128Load(16 * k), set(v)]),
    i32(0x7fffffff), splat, tee(mv[0]), tee(mv[1]), tee(mv[2]), set(mv[3]),
    get(items), set(j),
    block, get(j), get(end_), geU, brIf(0), loop, // per item
    get(j), load(), splat, set(x),
    mv.map((m, k) => [get(m), get(av[k]), get(x), vMul, get(bv[k]), vAdd, vMinS, set(m)]), // m = min_s(m, a·x + b)
    get(j), i32(4), add, tee(j), get(end_), ltU, brIf(0),
    end, end,
    mv.map((m, k) => [get(mins), get(m), v128Store(16 * k)]),
    [a, b, mins].map((r) => [get(r), i32(64), add, set(r)]),
    get(groups), i32(1), sub, set(groups),
    br(0),
    end, end,
  ]);
  return minimaCompiled;
}

/** a^-1 mod 2^32 for odd a, by Newton's iteration x <- x·(2 - a·x) (each step doubles the correct low bits; a·a = 1 mod 8). */
function inverseOdd(a: number): number {
  let x = a;
  for (let i = 0; i < 4; i++) x = Math.imul(x, 2 - Math.imul(a, x));
  return x;
}

/** Packs the low b bits of fmix32(min_i) (a random function of the arg-min element) into 32-bit words. */
function packBBits(out: Uint32Array, off: number, mins: Int32Array, k: number, bBits: number): void {
  if (bBits === 32) {
    for (let p = 0; p < k; p++) out[off + p] = fmix32(mins[p]);
    return;
  }
  const perWord = 32 / bBits;
  const mask = (1 << bBits) - 1;
  for (let w = 0, p = 0; p < k; w++) {
    let word = 0;
    for (let l = 0; l < perWord; l++, p++) word |= (fmix32(mins[p]) & mask) << (l * bBits);
    out[off + w] = word >>> 0;
  }
}

const LANE_LOW: Record<number, number> = { 1: 0xffffffff, 2: 0x55555555, 4: 0x11111111, 8: 0x01010101, 16: 0x00010001, 32: 1 };

function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Number of equal b-bit lanes in words [wFrom, wTo) of two packed signatures. */
export function equalLanes(a: Uint32Array, offA: number, b: Uint32Array, offB: number, wFrom: number, wTo: number, bBits: BBits): number {
  if (bBits === 32) {
    let eq = 0;
    for (let w = wFrom; w < wTo; w++) if (a[offA + w] === b[offB + w]) eq++;
    return eq;
  }
  const low = LANE_LOW[bBits];
  let differ = 0;
  for (let w = wFrom; w < wTo; w++) {
    let x = a[offA + w] ^ b[offB + w];
    for (let s = 1; s < bBits; s <<= 1) x |= x >>> s;
    differ += popcount32(x & low);
  }
  return (wTo - wFrom) * (32 / bBits) - differ;
}

// 2^-b: the chance that two different min-hashes agree in their low b bits
const LANE_CHANCE: Record<number, number> = Object.fromEntries(BBITS.map((b) => [b, Math.pow(2, -b)]));

/** Li & König's b-bit estimator of Jaccard similarity from the fraction of equal lanes (sets small against 2^32). */
export function bBitJaccard(equal: number, numPerm: number, bBits: BBits): number {
  const c = LANE_CHANCE[bBits];
  const j = (equal / numPerm - c) / (1 - c);
  return j < 0 ? 0 : j > 1 ? 1 : j;
}

/** Estimated Jaccard similarity of two packed signatures. */
export function estimateJaccard(a: Uint32Array, offA: number, b: Uint32Array, offB: number, numPerm: number, bBits: BBits): number {
  return bBitJaccard(equalLanes(a, offA, b, offB, 0, signatureWords(numPerm, bBits), bBits), numPerm, bBits);
}

/** For `signWordsSplit` signatures: min of the two parts' estimated Jaccards (each from numPerm/2 lanes). */
export function estimateJaccardSplit(a: Uint32Array, offA: number, b: Uint32Array, offB: number, numPerm: number, bBits: BBits): number {
  const words = signatureWords(numPerm, bBits);
  const half = words >>> 1;
  const j1 = bBitJaccard(equalLanes(a, offA, b, offB, 0, half, bBits), numPerm >>> 1, bBits);
  const j2 = bBitJaccard(equalLanes(a, offA, b, offB, half, words, bBits), numPerm >>> 1, bBits);
  return j1 < j2 ? j1 : j2;
}

/** Probability that two items of Jaccard s share at least one band: 1-(1-p^r)^b with p = 2^-bBits + (1-2^-bBits)·s. */
export function candidateProbability(s: number, bands: number, rows: number, bBits: BBits = 32): number {
  const c = Math.pow(2, -bBits);
  const p = c + (1 - c) * s;
  return 1 - Math.pow(1 - Math.pow(p, rows), bands);
}

/** Banding parameters and their error masses. */
export interface LshParams {
  bands: number;
  rows: number;
  /** Integral of the candidate probability over s in [0, threshold]. */
  falsePositive: number;
  /** Integral of the miss probability over s in [threshold, 1]. */
  falseNegative: number;
}

function simpson(f: (s: number) => number, a: number, b: number, n = 128): number {
  if (b <= a) return 0;
  const h = (b - a) / n;
  let sum = f(a) + f(b);
  for (let i = 1; i < n; i++) sum += f(a + i * h) * (i % 2 === 1 ? 4 : 2);
  return (sum * h) / 3;
}

const paramCache = new Map<string, LshParams>();

/**
 * Bands x rows (bands·rows <= numPerm) minimizing fpWeight·FP + fnWeight·FN, where FP/FN integrate the
 * candidate / miss probability below / above the threshold (datasketch `_optimal_param`, b-bit aware).
 * Default weights 0.2/0.8: real item pairs sit near s = 0, where every banding is near 0, and a false
 * candidate costs one signature comparison while a false negative is a missed duplicate.
 */
export function lshParams(threshold: number, numPerm: number, bBits: BBits = 32, fpWeight = 0.2, fnWeight = 0.8): LshParams {
  const key = `${threshold}|${numPerm}|${bBits}|${fpWeight}|${fnWeight}`;
  const hit = paramCache.get(key);
  if (hit) return hit;
  let best: LshParams = { bands: 1, rows: numPerm, falsePositive: 1, falseNegative: 1 };
  let bestErr = Infinity;
  for (let b = 1; b <= numPerm; b++) {
    for (let r = 1; r <= Math.floor(numPerm / b); r++) {
      const fp = simpson((s) => candidateProbability(s, b, r, bBits), 0, threshold);
      const fn = simpson((s) => 1 - candidateProbability(s, b, r, bBits), threshold, 1);
      const err = fpWeight * fp + fnWeight * fn;
      if (err < bestErr - 1e-12) {
        bestErr = err;
        best = { bands: b, rows: r, falsePositive: fp, falseNegative: fn };
      }
    }
  }
  paramCache.set(key, best);
  return best;
}

/** Options of an LshIndex. */
export interface LshIndexOptions {
  numPerm: number;
  bBits: BBits;
  bands: number;
  rows: number;
  /** Presize for this many items (avoids regrowth); grows by doubling past it. */
  expectedItems?: number;
}

const MAX_LOAD = 0.7;
const MIN_IDX_BITS = 16;

/** The next capacity of a table that holds one entry per item: 1.5x (doubling would leave up to half of 100+ MB unused). */
export function grow(n: number): number {
  return Math.ceil(n * 1.5);
}

type ResizableArrayBuffer = ArrayBuffer & { resize(byteLength: number): void; readonly maxByteLength: number };
const RESERVE_FACTOR = 64; // address space reserved per store, as a multiple of its first size

function reserve(bytes: number, maxBytes: number): ArrayBuffer {
  try {
    return new (ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ArrayBuffer)(bytes, { maxByteLength: maxBytes });
  } catch {
    return new ArrayBuffer(bytes); // no room to reserve: a plain buffer, copied on growth
  }
}

/**
 * The memory of a typed array that grows in place: a resizable ArrayBuffer that reserves address space (not memory)
 * for 64x its size, so growing neither copies nor holds an old and a new table at once, and the memory comes from
 * V8's page allocator rather than malloc, whose free lists would keep freed tables in the process's RSS.
 * View it afresh (`new Uint32Array(store.buffer, 0, n)`) after each `grow`.
 */
export class GrowableStore {
  buffer: ArrayBuffer;
  constructor(bytes: number) {
    this.buffer = reserve(bytes, bytes * RESERVE_FACTOR);
  }
  /** Makes the buffer at least `bytes` long; the contents are kept, the new part is zero. */
  grow(bytes: number): ArrayBuffer {
    const b = this.buffer as ResizableArrayBuffer;
    if (bytes <= b.byteLength) return b;
    if (b.maxByteLength >= bytes) b.resize(bytes);
    else {
      const next = reserve(bytes, bytes * RESERVE_FACTOR);
      new Uint8Array(next).set(new Uint8Array(b));
      this.buffer = next;
    }
    return this.buffer;
  }
}

function bitLength(n: number): number {
  return n <= 0 ? 0 : 32 - Math.clz32(n);
}

/**
 * Stored packed signatures plus one open-addressing table per band. A slot is one uint32: the item index + 1
 * in the low idxBits, a fingerprint of the band hash above; band hashes are recomputed from the stored
 * signature (never stored), so tables can be rebuilt on growth and cost ~4/0.7 bytes per item per band.
 */
export class LshIndex {
  readonly numPerm: number;
  readonly bBits: BBits;
  readonly bands: number;
  readonly rows: number;
  readonly wordsPerSig: number;
  /** Candidate indices of the last `candidates` call. */
  candidateBuf = new Int32Array(64);
  private sigs: Uint32Array;
  private readonly sigStore: GrowableStore;
  private count = 0;
  private cap = 0; // slots per band table
  private slots: Uint32Array[] = []; // one table per band
  private readonly slotStores: GrowableStore[] = [];
  private idxBits = MIN_IDX_BITS;
  private readonly laneMask: number;
  private readonly lanesPerWord: number;
  private readonly laneShift: number;
  private readonly qSig: Uint32Array; // signature and band hashes of the last `candidates` query
  private readonly qHashes: Uint32Array;
  private seenAt: Int32Array; // per stored item: the last query that listed it (each candidate once)
  private readonly seenStore: GrowableStore;
  private query = 0;

  constructor(opts: LshIndexOptions) {
    checkSignatureShape(opts.numPerm, opts.bBits, "lsh");
    if (!Number.isInteger(opts.bands) || !Number.isInteger(opts.rows) || opts.bands < 1 || opts.rows < 1 || opts.bands * opts.rows > opts.numPerm) {
      throw new MedtuneError("config.invalid", `LSH needs bands·rows <= numPerm (${opts.numPerm}), got ${opts.bands}x${opts.rows}`, { where: "lsh", hint: "leave bands/rows unset to choose them from the threshold" });
    }
    this.numPerm = opts.numPerm;
    this.bBits = opts.bBits;
    this.bands = opts.bands;
    this.rows = opts.rows;
    this.wordsPerSig = signatureWords(opts.numPerm, opts.bBits);
    this.lanesPerWord = 32 / opts.bBits;
    this.laneShift = Math.log2(this.lanesPerWord);
    this.laneMask = opts.bBits === 32 ? 0xffffffff : (1 << opts.bBits) - 1;
    this.qSig = new Uint32Array(this.wordsPerSig);
    this.qHashes = new Uint32Array(this.bands);
    const expected = Math.max(16, Math.ceil(opts.expectedItems ?? 1024));
    this.sigStore = new GrowableStore(expected * this.wordsPerSig * 4);
    this.sigs = new Uint32Array(this.sigStore.buffer, 0, expected * this.wordsPerSig);
    this.seenStore = new GrowableStore(expected * 4);
    this.seenAt = new Int32Array(this.seenStore.buffer, 0, expected);
    for (let band = 0; band < this.bands; band++) this.slotStores.push(new GrowableStore(Math.ceil(expected / MAX_LOAD) * 4));
    this.rebuild(Math.ceil(expected / MAX_LOAD));
  }

  /** Number of stored items. */
  get size(): number {
    return this.count;
  }

  /** Bytes held by the typed arrays (capacity, not just use). */
  memoryBytes(): number {
    return this.sigs.byteLength + this.slots.reduce((a, t) => a + t.byteLength, 0) + this.candidateBuf.byteLength + this.seenAt.byteLength;
  }

  /** The packed signature store; item i occupies [i·wordsPerSig, (i+1)·wordsPerSig). */
  signatures(): Uint32Array {
    return this.sigs;
  }

  /** Stores a copy of a signature and indexes its bands; returns the item's index (0, 1, 2, ...). */
  add(sig: Uint32Array, off = 0): number {
    const idx = this.store(sig, off);
    if (this.count > this.cap * MAX_LOAD) this.rebuild(grow(this.cap));
    else for (let band = 0; band < this.bands; band++) this.insertBand(idx, band, this.bandHash(sig, off, band));
    return idx;
  }

  /** `add` of the signature given to the last `candidates` call, reusing its band hashes. */
  addQueried(): number {
    const idx = this.store(this.qSig, 0);
    if (this.count > this.cap * MAX_LOAD) this.rebuild(grow(this.cap));
    else for (let band = 0; band < this.bands; band++) this.insertBand(idx, band, this.qHashes[band]);
    return idx;
  }

  private store(sig: Uint32Array, off: number): number {
    const w = this.wordsPerSig;
    const idx = this.count;
    if ((idx + 1) * w > this.sigs.length) {
      const n = grow(this.sigs.length / w) * w;
      this.sigs = new Uint32Array(this.sigStore.grow(n * 4), 0, n);
    }
    if (idx === this.seenAt.length) {
      const n = grow(idx);
      this.seenAt = new Int32Array(this.seenStore.grow(n * 4), 0, n);
    }
    this.sigs.set(sig.subarray(off, off + w), idx * w);
    this.count = idx + 1;
    return idx;
  }

  /** Items sharing at least one band with `sig` (each once, ascending first-seen band order); returns their count. */
  candidates(sig: Uint32Array, off = 0): number {
    let n = 0;
    const idxBits = this.idxBits;
    const idxMask = idxBits === 32 ? 0xffffffff : (1 << idxBits) - 1;
    const fpMask = (0xffffffff >>> idxBits) >>> 0;
    const cap = this.cap;
    const seenAt = this.seenAt;
    const query = (this.query = (this.query + 1) | 0);
    this.qSig.set(sig.subarray(off, off + this.wordsPerSig));
    for (let band = 0; band < this.bands; band++) {
      const h = this.bandHash(sig, off, band);
      this.qHashes[band] = h;
      const fp = h & fpMask;
      const slots = this.slots[band];
      let i = Math.floor(((h >>> 0) * cap) / 4294967296);
      for (;;) {
        const v = slots[i];
        if (v === 0) break;
        if (v >>> idxBits === fp) {
          const idx = (v & idxMask) - 1;
          if (seenAt[idx] !== query && this.bandHash(this.sigs, idx * this.wordsPerSig, band) === h) {
            seenAt[idx] = query;
            if (n === this.candidateBuf.length) {
              const grown = new Int32Array(n * 2);
              grown.set(this.candidateBuf);
              this.candidateBuf = grown;
            }
            this.candidateBuf[n++] = idx;
          }
        }
        if (++i === cap) i = 0;
      }
    }
    return n;
  }

  /**
   * Estimated Jaccard between `sig` and stored item `idx` (`split`: min over the two halves, see `signWordsSplit`).
   * With `atLeast`, a split pair whose payload (else prompt) half falls short returns that half's estimate (below `atLeast`, as the min is).
   */
  similarity(sig: Uint32Array, off: number, idx: number, split = false, atLeast = 0): number {
    const o = idx * this.wordsPerSig;
    if (!split) return estimateJaccard(sig, off, this.sigs, o, this.numPerm, this.bBits);
    const half = this.wordsPerSig >>> 1;
    // the second half first: candidates that share a templated prompt mostly differ in their payload
    const j2 = bBitJaccard(equalLanes(sig, off, this.sigs, o, half, this.wordsPerSig, this.bBits), this.numPerm >>> 1, this.bBits);
    if (j2 < atLeast) return j2;
    const j1 = bBitJaccard(equalLanes(sig, off, this.sigs, o, 0, half, this.bBits), this.numPerm >>> 1, this.bBits);
    return j1 < j2 ? j1 : j2;
  }

  /** 32-bit hash of band `band`'s lanes of a packed signature. */
  private bandHash(sig: Uint32Array, off: number, band: number): number {
    let h = Math.imul(band + 1, 0x9e3779b1);
    const r0 = band * this.rows;
    for (let r = r0; r < r0 + this.rows; r++) {
      const lane = (sig[off + (r >>> this.laneShift)] >>> ((r & (this.lanesPerWord - 1)) * this.bBits)) & this.laneMask;
      h = Math.imul(h ^ lane, 0x5bd1e995);
      h ^= h >>> 15;
    }
    return fmix32(h);
  }

  private insertBand(idx: number, band: number, h: number): void {
    const idxBits = this.idxBits;
    const cap = this.cap;
    const slots = this.slots[band];
    let i = Math.floor(((h >>> 0) * cap) / 4294967296);
    while (slots[i] !== 0) if (++i === cap) i = 0;
    slots[i] = (((h & (0xffffffff >>> idxBits)) << idxBits) | (idx + 1)) >>> 0;
  }

  private rebuild(cap: number): void {
    this.cap = Math.max(cap, Math.ceil((this.count + 1) / MAX_LOAD));
    // item index + 1 <= count < cap: sizing the index field by the table keeps rebuilds to table growth
    this.idxBits = Math.max(MIN_IDX_BITS, bitLength(this.cap));
    if (this.idxBits > 30) throw new MedtuneError("lsh.too-many-items", `the LSH index holds at most 2^30 items`, { where: "lsh", hint: "deduplicate in shards" });
    // band by band, in place (band hashes come from the stored signatures): one table is written at a time, so
    // its cache lines stay warm, and no second copy of the index exists while it grows
    for (let band = 0; band < this.bands; band++) {
      const slots = new Uint32Array(this.slotStores[band].grow(this.cap * 4), 0, this.cap);
      slots.fill(0);
      this.slots[band] = slots;
      for (let i = 0; i < this.count; i++) this.insertBand(i, band, this.bandHash(this.sigs, i * this.wordsPerSig, band));
    }
  }
}


/**
 * The elements attaining each lane's minimum in stored 32-bit MinHash signatures (`MinHasher.minElements`), to tell
 * without signing a query set whether any stored item could agree with it in `lanes` of numPerm lanes. Two 32-bit
 * lanes agree only when both minima are the same element, so the set must contain the elements of all but at most
 * numPerm - lanes of the item's lanes. Each item gets witnesses, its rarest elements covering at least half its lanes
 * (and more than numPerm - lanes): the set must hold enough of them to leave at most numPerm - lanes witnessed lanes
 * out, and only items that pass are counted lane by lane. Exact as a filter (false: no stored item agrees in that
 * many lanes); meant for small reference sets such as eval items.
 */
export class MinElementIndex {
  readonly numPerm: number;
  /** The agreement `mayReach` asks about. */
  readonly lanes: number;
  private elements = new Uint32Array(0); // (items, numPerm)
  private nItems = 0;
  private isStale = false; // items added since the witnesses were chosen
  private slotKey = new Uint32Array(0); // witness elements: open addressing, power-of-two capacity, load <= 0.5
  private slotEntry = new Int32Array(0); // entry + 1 (0: empty)
  private shift = 32;
  private head = new Int32Array(0); // per witness element: first posting, -1 none
  private entryAt = new Int32Array(0); // per witness element: the last query that counted it
  private postItem = new Int32Array(0); // postings: the item it witnesses, its lanes attained by it, next posting
  private postLanes = new Int32Array(0);
  private postNext = new Int32Array(0);
  private needWitnessed = new Int32Array(0); // per item: witnessed lanes a set must hold (covered - (numPerm - lanes))
  private query = 0;
  private seenAt = new Int32Array(0); // per item: the last query that touched it
  private witnessed = new Int32Array(0); // per item: its witnessed lanes in the set (valid when seenAt is this query)
  private candidates = new Int32Array(0);
  private setKey = new Uint32Array(0); // the query set, open addressing, stamped by query
  private setAt = new Int32Array(0);

  constructor(numPerm: number, lanes: number) {
    this.numPerm = numPerm;
    this.lanes = lanes;
  }

  /** Number of stored items. */
  get size(): number {
    return this.nItems;
  }

  /** Stores the next item's min elements `elements[off..off+numPerm)`; returns its index (0, 1, 2, ...). */
  add(elements: Uint32Array, off: number): number {
    const item = this.nItems++;
    const k = this.numPerm;
    if (this.nItems * k > this.elements.length) {
      const grown = new Uint32Array(Math.max(16, this.nItems * 2) * k);
      grown.set(this.elements);
      this.elements = grown;
    }
    this.elements.set(elements.subarray(off, off + k), item * k);
    this.isStale = true;
    return item;
  }

  /**
   * Whether some stored item may agree with the non-empty set `elements[0..n)` (duplicates allowed) in `lanes` or more
   * lanes. True also once more than `budget` elements were looked up: signing the set is then the cheaper way to know.
   */
  mayReach(elements: Uint32Array, n: number, budget: number): boolean {
    if (this.lanes <= 0 || n === 0) return true;
    if (this.isStale) this.chooseWitnesses();
    if (++this.query === 0x7fffffff) {
      this.entryAt.fill(0);
      this.seenAt.fill(0);
      this.setAt.fill(0);
      this.query = 1;
    }
    const q = this.query;
    // 1. the witnessed lanes in the set of each item it holds witnesses of (each distinct element counted once)
    let nCandidates = 0;
    for (let j = 0; j < n; j++) {
      const e = this.find(elements[j] | 0);
      if (e < 0 || this.entryAt[e] === q) continue;
      this.entryAt[e] = q;
      for (let p = this.head[e]; p >= 0; p = this.postNext[p]) {
        const item = this.postItem[p];
        if (this.seenAt[item] !== q) {
          this.seenAt[item] = q;
          this.witnessed[item] = 0;
          this.candidates[nCandidates++] = item;
        }
        this.witnessed[item] += this.postLanes[p];
      }
    }
    // 2. the items with enough witnessed lanes, lane by lane, until too many are missing
    const k = this.numPerm;
    const maxMissing = k - this.lanes;
    let hasSet = false;
    let work = n;
    for (let c = 0; c < nCandidates; c++) {
      const item = this.candidates[c];
      if (this.witnessed[item] < this.needWitnessed[item]) continue;
      if (!hasSet) {
        this.fillSet(elements, n);
        hasSet = true;
      }
      const base = item * k;
      let missing = 0;
      let p = 0;
      for (; p < k && missing <= maxMissing; p++) if (!this.inSet(this.elements[base + p] | 0)) missing++;
      if (missing <= maxMissing) return true;
      work += p;
      if (work > budget) return true;
    }
    return false;
  }

  /** Per item, its elements by ascending item frequency (ties: by value) until they cover half its lanes and more than numPerm - lanes. */
  private chooseWitnesses(): void {
    const k = this.numPerm;
    const freq = new Map<number, number>(); // element -> items whose lanes hold it
    for (let item = 0; item < this.nItems; item++) {
      const own = new Set(this.elements.subarray(item * k, (item + 1) * k));
      for (const x of own) freq.set(x, (freq.get(x) ?? 0) + 1);
    }
    const witnesses: Array<[number, number, number]> = []; // (element, item, lanes)
    const cover = Math.max(k - this.lanes + 1, k >>> 1);
    this.needWitnessed = new Int32Array(this.nItems);
    for (let item = 0; item < this.nItems; item++) {
      const lanesOf = new Map<number, number>();
      for (const x of this.elements.subarray(item * k, (item + 1) * k)) lanesOf.set(x, (lanesOf.get(x) ?? 0) + 1);
      const order = [...lanesOf.keys()].sort((a, b) => freq.get(a)! - freq.get(b)! || a - b);
      let covered = 0;
      for (const x of order) {
        if (covered >= cover) break;
        witnesses.push([x, item, lanesOf.get(x)!]);
        covered += lanesOf.get(x)!;
      }
      this.needWitnessed[item] = covered - (k - this.lanes);
    }
    let cap = 16;
    while (cap < 2 * witnesses.length) cap *= 2;
    this.slotKey = new Uint32Array(cap);
    this.slotEntry = new Int32Array(cap);
    this.shift = 32 - Math.log2(cap);
    this.head = new Int32Array(witnesses.length).fill(-1);
    this.entryAt = new Int32Array(witnesses.length);
    this.postItem = new Int32Array(witnesses.length);
    this.postLanes = new Int32Array(witnesses.length);
    this.postNext = new Int32Array(witnesses.length);
    let nEntries = 0;
    for (const [p, [x, item, lanes]] of witnesses.entries()) {
      let i = Math.imul(x | 0, 0x9e3779b1) >>> this.shift;
      while (this.slotEntry[i] !== 0 && this.slotKey[i] !== x) i = (i + 1) & (cap - 1);
      if (this.slotEntry[i] === 0) {
        this.slotKey[i] = x;
        this.slotEntry[i] = ++nEntries;
      }
      const e = this.slotEntry[i] - 1;
      this.postItem[p] = item;
      this.postLanes[p] = lanes;
      this.postNext[p] = this.head[e];
      this.head[e] = p;
    }
    this.seenAt = new Int32Array(this.nItems);
    this.witnessed = new Int32Array(this.nItems);
    this.candidates = new Int32Array(this.nItems);
    this.isStale = false;
  }

  /** The witness entry of element x, or -1. */
  private find(x: number): number {
    const mask = this.slotKey.length - 1;
    for (let i = Math.imul(x, 0x9e3779b1) >>> this.shift; ; i = (i + 1) & mask) {
      const v = this.slotEntry[i];
      if (v === 0) return -1;
      if ((this.slotKey[i] | 0) === x) return v - 1;
    }
  }

  /** Makes `elements[0..n)` the query set. */
  private fillSet(elements: Uint32Array, n: number): void {
    if (this.setKey.length < 2 * n) {
      let cap = 64;
      while (cap < 2 * n) cap *= 2;
      this.setKey = new Uint32Array(cap);
      this.setAt = new Int32Array(cap);
    }
    const mask = this.setKey.length - 1;
    const q = this.query;
    for (let j = 0; j < n; j++) {
      const x = elements[j] | 0;
      let i = Math.imul(x, 0x9e3779b1) & mask;
      while (this.setAt[i] === q && (this.setKey[i] | 0) !== x) i = (i + 1) & mask;
      this.setKey[i] = x;
      this.setAt[i] = q;
    }
  }

  private inSet(x: number): boolean {
    const mask = this.setKey.length - 1;
    for (let i = Math.imul(x, 0x9e3779b1) & mask; this.setAt[i] === this.query; i = (i + 1) & mask) {
      if ((this.setKey[i] | 0) === x) return true;
    }
    return false;
  }
}
