// Pipeline stage 5, contamination: flags training items that overlap an evaluation set, by word 13-gram overlap
// as in the GPT-3 decontamination (Brown et al. 2020, app. C: lower-cased words without punctuation; frequent
// 13-grams ignored), then by MinHash near duplicates over word unigrams (Jaccard >= 0.8) for reworded copies
// whose edits break every 13-gram. Compared: question, options, context (n-grams also: open answers, training
// explanations); one `check` (= `scan`, which may run in another thread, then `decide` in item order) per item.
import { MedtuneError, fmix32 } from "../core/index.ts";
import type { QAItem } from "./schema.ts";
import { WordHashes } from "./text-norm.ts";
import { MinHasher, LshIndex, lshParams, type BBits } from "./minhash.ts";

/** Options of a ContaminationIndex. */
export interface ContaminationOptions {
  /** Words per n-gram. */
  ngram?: number;
  /** Eval texts of minNgram..ngram-1 words are one n-gram; shorter ones match only whole training texts. */
  minNgram?: number;
  /** N-grams in more than this many distinct eval items are template text and ignored. */
  maxEvalItems?: number;
  /** N-grams matched by more than this many training items are ignored (see `observe` for exact counts). */
  maxTrainMatches?: number;
  /**
   * Least share of an eval item's n-grams a training item must contain to be flagged by the n-gram test (0 =
   * GPT-3's rule: any one n-gram). A copied stem shares most of them; one shared exam phrase shares a few.
   */
  minCoverage?: number;
  /** False: n-gram test only. */
  near?: boolean;
  /** Estimated Jaccard at or above which a training item is a near copy of an eval item. */
  threshold?: number;
  /** Words per shingle of the near test. */
  shingleSize?: number;
  /** MinHash functions per signature. */
  numPerm?: number;
  /** Seed of the hash functions. */
  seed?: number;
}

// Eval texts of 8..12 words count as one n-gram of their length (GPT-3's minimum N of 8 against spurious
// collisions), shorter ones only as an exact whole-text match. 13-grams matched by more than 10 training items
// are ignored (GPT-3: "common cultural phrases, legal boilerplate"), and so are n-grams found in more than 2
// eval items: USMLE templates such as "which of the following is the most likely underlying cause of this
// patient's ..." occur in 7 of the 260-item MedQA slice. The near test uses a bag of words because rewording
// breaks word trigrams and 13-grams alike: on MedMCQA dev all 12 pairs at unigram J >= 0.8 are retyped or
// reworded copies (word trigrams find 3), while MedMCQA against MedQA peaks at 0.23.

/** Defaults of ContaminationOptions. */
export const CONTAMINATION_DEFAULTS = {
  ngram: 13, // GPT-3 app. C
  minNgram: 8, // GPT-3's minimum N on non-synthetic tasks
  maxEvalItems: 2, // a 13-gram in 3+ different eval questions is exam boilerplate
  maxTrainMatches: 10, // GPT-3: ignore 13-grams matching more than 10 training documents
  minCoverage: 0.1, // 10% of the eval item's n-grams: a 14-word boilerplate phrase inside a 150-word stem is not a leak
  near: true,
  threshold: 0.8, // the Jaccard threshold
  shingleSize: 1, // bag of words: rewording breaks word trigrams and 13-grams alike
  numPerm: 64,
  seed: 0xc0de,
} as const;

/** Why a training item was flagged, naming the eval item it overlaps. */
export interface ContaminationHit {
  evalId: string;
  evalSource: string;
  kind: "ngram" | "near";
  /** Matched n-grams shared with that eval item (ngram), or the estimated Jaccard (near). */
  overlap: number;
  /** ngram hits: the share of the eval item's n-grams found in the training item. */
  coverage?: number;
  /** One matched n-gram in normalized form, for the report (ngram only). */
  ngram?: string;
}

/** What `scan` found in one training item: `decide` turns it into a hit (scans may run ahead, even in another thread). */
export interface ContaminationScan {
  /** Eval n-gram entries present in the item (eval-frequent ones left out), each once, in order of first match. */
  entries: Int32Array;
  /** The normalized training n-gram that matched each entry (for reports). */
  ngrams: string[];
  /** The near-duplicate eval item with the highest estimated Jaccard at or above the threshold (-1: none), and that Jaccard. */
  near: number;
  nearSimilarity: number;
}

/** An n-gram that the frequency rules set aside, for the data card. */
export interface IgnoredNgram {
  ngram: string;
  reason: "eval-frequent" | "train-frequent";
  evalItems: number;
  trainItems: number;
}

/** Counts and settings, for the data card. */
export interface ContaminationStats {
  evalItems: number;
  evalNgrams: number;
  checked: number;
  flagged: number;
  flaggedNgram: number;
  flaggedNear: number;
  /** Distinct eval n-grams ignored as eval-frequent / train-frequent. */
  evalFrequentNgrams: number;
  trainFrequentNgrams: number;
  /** Up to 50 examples of ignored n-grams. */
  ignoredExamples: IgnoredNgram[];
  /** Whether train frequencies came from a full `observe` pass (exact GPT-3 rule) or accumulate while checking. */
  trainCountsFromObserve: boolean;
  ngram: number;
  minNgram: number;
  maxEvalItems: number;
  maxTrainMatches: number;
  threshold: number;
  shingleSize: number;
  numPerm: number;
  bands: number;
  rows: number;
}

/** The text compared for contamination: question, options in their order, then context passages. */
export function contaminationText(item: QAItem): string {
  let s = item.question;
  if (item.options) for (const o of item.options) s += "\n" + o.text;
  if (item.context) for (const c of item.context) s += "\n" + c;
  return s;
}

/**
 * Text searched for n-grams besides `contaminationText`: the answer of open items (a reference answer is eval
 * material too) and, for training items, the explanation (a leak can sit in a quoted stem).
 */
export function contaminationExtra(item: QAItem, isTraining: boolean): string {
  const answer = item.kind === "open" ? item.answer : "";
  const explanation = isTraining && item.explanation ? item.explanation : "";
  return answer === "" ? explanation : explanation === "" ? answer : answer + "\n" + explanation;
}

const MAX_EXAMPLES = 50;
const WHOLE_TEXT_LEN = 0; // n-gram length tag of whole-text keys (eval texts shorter than minNgram)
const NEAR_BBITS: BBits = 32; // eval sets are small: full 32-bit min-hashes

/** N-gram and MinHash index of evaluation items; `check` training items against it one at a time. */
export class ContaminationIndex {
  private readonly o: Required<ContaminationOptions>;
  private readonly words = new WordHashes();
  private readonly table = new NgramTable();
  private readonly evalIds: string[] = [];
  private readonly evalSources: string[] = [];
  private evalNgrams = new Int32Array(1024); // n-grams (or whole-text keys) of each eval item
  private shortMask = 0; // bit L set: some eval text is one L-gram (minNgram <= L < ngram)
  private readonly hasher: MinHasher | null;
  private readonly lsh: LshIndex | null;
  private readonly sig: Uint32Array;
  private seq = 0; // training items scanned, stamps per-item dedupe
  private nText = 0; // words of the compared text of the current training item (the rest is extra text)
  private observed = false;
  private matched = new Int32Array(64); // entries matched by the current training item
  private matchedAt = new Int32Array(64); // word offset of the first match of each
  private kept = new Int32Array(64); // decide: entries kept by the frequency rule
  private keptFrom = new Int32Array(64); // and the position of each in the scan
  private prefix1 = new Int32Array(257); // polynomial prefix hashes of the current item's words (short n-grams)
  private prefix2 = new Int32Array(257);
  private evalMatchCount = new Int32Array(0);
  private nChecked = 0;
  private nNgram = 0;
  private nNear = 0;
  private nEvalFrequent = 0;
  private nTrainFrequent = 0;
  private readonly examples: IgnoredNgram[] = [];

  constructor(opts: ContaminationOptions = {}) {
    const o = { ...CONTAMINATION_DEFAULTS } as Required<ContaminationOptions>;
    for (const [k, v] of Object.entries(opts)) if (v !== undefined) (o as Record<string, unknown>)[k] = v;
    const int = (name: keyof ContaminationOptions, lo: number, hi: number) => {
      const v = o[name] as number;
      if (!Number.isInteger(v) || v < lo || v > hi) throw new MedtuneError("config.invalid", `contamination.${name} must be an integer in ${lo}..${hi}, got ${v}`, { where: `contamination.${name}`, hint: `default ${CONTAMINATION_DEFAULTS[name]}` });
    };
    int("ngram", 1, 30);
    int("minNgram", 1, 30);
    int("maxEvalItems", 1, 65534);
    int("maxTrainMatches", 1, 0x7fffffff);
    int("shingleSize", 1, 32);
    if (o.minNgram > o.ngram) throw new MedtuneError("config.invalid", `contamination.minNgram (${o.minNgram}) must not exceed ngram (${o.ngram})`, { where: "contamination.minNgram" });
    if (!(o.minCoverage >= 0 && o.minCoverage <= 1)) throw new MedtuneError("config.invalid", `contamination.minCoverage must be in [0, 1], got ${o.minCoverage}`, { where: "contamination.minCoverage", hint: "use 0.1, or 0 for GPT-3's any-overlap rule" });
    if (!(o.threshold > 0 && o.threshold <= 1)) throw new MedtuneError("config.invalid", `contamination.threshold must be in (0, 1], got ${o.threshold}`, { where: "contamination.threshold", hint: "use 0.8" });
    this.o = o;
    if (o.near) {
      this.hasher = new MinHasher({ numPerm: o.numPerm, bBits: NEAR_BBITS, shingleSize: o.shingleSize, seed: o.seed });
      const p = lshParams(o.threshold, o.numPerm, NEAR_BBITS);
      this.lsh = new LshIndex({ numPerm: o.numPerm, bBits: NEAR_BBITS, bands: p.bands, rows: p.rows });
      this.sig = new Uint32Array(this.hasher.wordsPerSig);
    } else {
      this.hasher = null;
      this.lsh = null;
      this.sig = new Uint32Array(0);
    }
  }

  /** Builds an index from one or more evaluation items (sync or async iterable). */
  static async build(evalItems: Iterable<QAItem> | AsyncIterable<QAItem>, opts: ContaminationOptions = {}): Promise<ContaminationIndex> {
    const index = new ContaminationIndex(opts);
    for await (const item of evalItems) index.add(item);
    return index;
  }

  /** Number of eval items indexed. */
  get size(): number {
    return this.evalIds.length;
  }

  /** Adds one evaluation item. */
  add(item: QAItem): void {
    this.addText(item.id, item.source, contaminationText(item), contaminationExtra(item, false));
  }

  /** `add` for an id, source name, compared text and n-gram-only extra text. */
  addText(id: string, source: string, text: string, extra = ""): void {
    const e = this.evalIds.length;
    this.evalIds.push(id);
    this.evalSources.push(source);
    const w = this.words.fill(text);
    const nText = w.length;
    const textLo = w.exactLo;
    const textHi = w.exactHi;
    if (extra !== "") w.append(extra);
    const n = w.length;
    const { ngram, minNgram } = this.o;
    if (e === this.evalNgrams.length) {
      const grown = new Int32Array(e * 2);
      grown.set(this.evalNgrams);
      this.evalNgrams = grown;
    }
    this.evalNgrams[e] = n >= ngram ? n - ngram + 1 : 1;
    if (n >= ngram) {
      for (let i = 0; i + ngram <= n; i++) this.addEvalKey(e, w.hashes, i, ngram, i);
    } else if (n >= minNgram) {
      this.shortMask |= 1 << n;
      this.addEvalKey(e, w.hashes, 0, n, 0);
    } else if (nText > 0) {
      this.table.upsertEval(wholeLo(textLo), wholeHi(textHi), e);
    }
    if (this.lsh !== null && this.hasher !== null) {
      this.hasher.signWords(this.sig, 0, w.hashes, nText);
      this.lsh.add(this.sig, 0);
    }
  }

  /**
   * Optional first pass over the training items: counts how many training items hold each eval n-gram, so
   * `check` applies GPT-3's frequency rule with exact counts. Without it counts accumulate during `check`.
   */
  observe(item: QAItem): void {
    this.observeText(contaminationText(item), contaminationExtra(item, true));
  }

  /** `observe` for a compared text and n-gram-only extra text. */
  observeText(text: string, extra = ""): void {
    if (this.nChecked > 0) throw new MedtuneError("contamination.observe-after-check", "observe() must see every training item before the first check()", { where: "contamination", hint: "run the observe pass first, or skip it" });
    this.observed = true;
    const s = this.scanText(text, extra, false);
    for (let k = 0; k < s.entries.length; k++) this.countTrainHit(s.entries[k], s.ngrams[k]);
  }

  /** Checks one training item: the eval item it overlaps, or null. */
  check(item: QAItem): ContaminationHit | null {
    return this.decide(this.scan(item));
  }

  /** `check` for a compared text (n-gram and near tests) and n-gram-only extra text. */
  checkText(text: string, extra = ""): ContaminationHit | null {
    return this.decide(this.scanText(text, extra));
  }

  /**
   * The order-free half of `check`: the eval n-grams and the near-duplicate eval item an item holds. Reads only what
   * `add` built, so an index built from the same eval items in the same order (say in a worker) scans alike.
   */
  scan(item: QAItem): ContaminationScan {
    return this.scanText(contaminationText(item), contaminationExtra(item, true));
  }

  /** `scan` for a compared text and n-gram-only extra text (`withNear` false: skip the near test). */
  scanText(text: string, extra = "", withNear = true): ContaminationScan {
    const nMatched = this.collectMatches(text, extra);
    let entries = NO_ENTRIES;
    let ngrams = NO_NGRAMS;
    if (nMatched > 0) {
      entries = this.matched.slice(0, nMatched);
      ngrams = new Array<string>(nMatched);
      for (let k = 0; k < nMatched; k++) ngrams[k] = this.ngramText(this.matchedAt[k], entries[k]);
    }
    let near = -1;
    let nearSimilarity = 0;
    const nText = this.nText;
    if (withNear && this.lsh !== null && this.hasher !== null && nText > 0) {
      this.hasher.signWords(this.sig, 0, this.words.hashes, nText);
      const n = this.lsh.candidates(this.sig, 0);
      let bestSim = -1;
      for (let c = 0; c < n; c++) {
        const e = this.lsh.candidateBuf[c];
        const sim = this.lsh.similarity(this.sig, 0, e);
        if (sim >= this.o.threshold && (sim > bestSim || (sim === bestSim && e < near))) {
          near = e;
          bestSim = sim;
        }
      }
      if (near >= 0) nearSimilarity = Math.round(bestSim * 1e4) / 1e4;
    }
    return { entries, ngrams, near, nearSimilarity };
  }

  /**
   * The order-dependent half of `check`, called once per training item in input order: counts the item's n-grams
   * towards GPT-3's frequency rule (unless an observe pass did), drops the train-frequent ones, and returns the eval
   * item sharing the most n-grams, else the near duplicate, else null.
   */
  decide(s: ContaminationScan): ContaminationHit | null {
    this.nChecked++;
    const entries = s.entries;
    const nMatched = entries.length;
    if (this.kept.length < nMatched) {
      this.kept = new Int32Array(nMatched * 2);
      this.keptFrom = new Int32Array(nMatched * 2);
    }
    let kept = 0;
    for (let k = 0; k < nMatched; k++) {
      const entry = entries[k];
      if (!this.observed) this.countTrainHit(entry, s.ngrams[k]);
      if (this.table.trainHits[entry] > this.o.maxTrainMatches) continue;
      this.kept[kept] = entry;
      this.keptFrom[kept] = k;
      kept++;
    }
    const hit = kept > 0 ? this.bestNgramHit(kept, s.ngrams) : null;
    if (hit !== null) {
      this.nNgram++;
      return hit;
    }
    if (s.near >= 0) {
      this.nNear++;
      return { evalId: this.evalIds[s.near], evalSource: this.evalSources[s.near], kind: "near", overlap: s.nearSimilarity };
    }
    return null;
  }

  /** Counts, settings and examples of ignored n-grams. */
  stats(): ContaminationStats {
    const p = this.lsh;
    return {
      evalItems: this.evalIds.length,
      evalNgrams: this.table.size,
      checked: this.nChecked,
      flagged: this.nNgram + this.nNear,
      flaggedNgram: this.nNgram,
      flaggedNear: this.nNear,
      evalFrequentNgrams: this.nEvalFrequent,
      trainFrequentNgrams: this.nTrainFrequent,
      ignoredExamples: this.examples.slice(),
      trainCountsFromObserve: this.observed,
      ngram: this.o.ngram,
      minNgram: this.o.minNgram,
      maxEvalItems: this.o.maxEvalItems,
      maxTrainMatches: this.o.maxTrainMatches,
      threshold: this.o.threshold,
      shingleSize: this.o.shingleSize,
      numPerm: this.o.numPerm,
      bands: p?.bands ?? 0,
      rows: p?.rows ?? 0,
    };
  }

  private addEvalKey(e: number, hashes: Uint32Array, from: number, len: number, at: number): void {
    let h1 = 0;
    let h2 = 0;
    for (let j = from; j < from + len; j++) {
      h1 = (Math.imul(h1, BASE1) + hashes[j]) | 0;
      h2 = (Math.imul(h2, BASE2) + hashes[j]) | 0;
    }
    const entry = this.table.upsertEval(keyLo(h1, len), keyHi(h2, len), e, len);
    if (this.table.evalCount[entry] === this.o.maxEvalItems + 1) {
      this.nEvalFrequent++;
      this.example(this.words.text(at, at + len), "eval-frequent", entry);
    }
  }

  /**
   * Fills `matched` (and `matchedAt`, the word offset of each first match) with the distinct entries present in
   * the text's n-grams, leaving out eval-frequent ones.
   */
  private collectMatches(text: string, extra: string): number {
    this.seq++;
    const w = this.words.fill(text);
    const nText = w.length;
    this.nText = nText;
    const textLo = w.exactLo;
    const textHi = w.exactHi;
    if (extra !== "") w.append(extra);
    const n = w.length;
    const hashes = w.hashes;
    const { ngram, maxEvalItems } = this.o;
    const table = this.table;
    let nMatched = 0;
    if (table.size === 0) return 0;
    // n-gram keys are polynomial hashes sum_j w_j·B^(len-1-j) (mod 2^32, two bases): rolled for the 13-grams;
    // for the short eval lengths present, differences of prefix hashes P[i+len] - P[i]·B^len
    if (n >= ngram) {
      const pow1 = powMod32(BASE1, ngram - 1);
      const pow2 = powMod32(BASE2, ngram - 1);
      let h1 = 0;
      let h2 = 0;
      for (let j = 0; j < ngram; j++) {
        h1 = (Math.imul(h1, BASE1) + hashes[j]) | 0;
        h2 = (Math.imul(h2, BASE2) + hashes[j]) | 0;
      }
      for (let i = 0; ; i++) {
        const entry = table.find(keyLo(h1, ngram), keyHi(h2, ngram));
        if (entry >= 0 && table.evalCount[entry] <= maxEvalItems) nMatched = this.pushMatch(entry, i, nMatched);
        if (i + ngram >= n) break;
        const out = hashes[i];
        const inw = hashes[i + ngram];
        h1 = (Math.imul((h1 - Math.imul(out, pow1)) | 0, BASE1) + inw) | 0;
        h2 = (Math.imul((h2 - Math.imul(out, pow2)) | 0, BASE2) + inw) | 0;
      }
    }
    const mask = this.shortMask;
    if (mask !== 0) {
      if (this.prefix1.length <= n) {
        this.prefix1 = new Int32Array(2 * n + 1);
        this.prefix2 = new Int32Array(2 * n + 1);
      }
      const p1 = this.prefix1;
      const p2 = this.prefix2;
      for (let j = 0; j < n; j++) {
        p1[j + 1] = (Math.imul(p1[j], BASE1) + hashes[j]) | 0;
        p2[j + 1] = (Math.imul(p2[j], BASE2) + hashes[j]) | 0;
      }
      // same matches in the same order as extending every start word by word: by start, then by length
      for (let i = 0; i < n; i++) {
        const maxLen = Math.min(n - i, ngram - 1);
        for (let len = 1; len <= maxLen; len++) {
          if ((mask & (1 << len)) === 0) continue;
          const h1 = (p1[i + len] - Math.imul(p1[i], POW1[len])) | 0;
          const h2 = (p2[i + len] - Math.imul(p2[i], POW2[len])) | 0;
          const entry = table.find(keyLo(h1, len), keyHi(h2, len));
          if (entry >= 0 && table.evalCount[entry] <= maxEvalItems) nMatched = this.pushMatch(entry, i, nMatched);
        }
      }
    }
    if (nText > 0 && nText < this.o.minNgram) {
      const entry = table.find(wholeLo(textLo), wholeHi(textHi));
      if (entry >= 0 && table.evalCount[entry] <= maxEvalItems) nMatched = this.pushMatch(entry, 0, nMatched);
    }
    return nMatched;
  }

  private countTrainHit(entry: number, ngram: string): void {
    this.table.addTrainHit(entry);
    if (this.table.trainHits[entry] === this.o.maxTrainMatches + 1) {
      this.nTrainFrequent++;
      this.example(ngram, "train-frequent", entry);
    }
  }

  private pushMatch(entry: number, at: number, nMatched: number): number {
    if (this.table.lastSeq[entry] === this.seq) return nMatched;
    this.table.lastSeq[entry] = this.seq;
    if (nMatched === this.matched.length) {
      const m = new Int32Array(nMatched * 2);
      m.set(this.matched);
      this.matched = m;
      const a = new Int32Array(nMatched * 2);
      a.set(this.matchedAt);
      this.matchedAt = a;
    }
    this.matched[nMatched] = entry;
    this.matchedAt[nMatched] = at;
    return nMatched + 1;
  }

  /** The eval item sharing the most of the `nMatched` kept entries (ties: the earliest added); `ngrams` as in the scan. */
  private bestNgramHit(nMatched: number, ngrams: readonly string[]): ContaminationHit | null {
    if (this.evalMatchCount.length < this.evalIds.length) this.evalMatchCount = new Int32Array(Math.max(this.evalIds.length, this.evalMatchCount.length * 2));
    const counts = this.evalMatchCount;
    let best = -1;
    let firstAt = 0;
    for (let k = 0; k < nMatched; k++) {
      const e = this.table.evalRef[this.kept[k]];
      counts[e]++;
      if (best < 0 || counts[e] > counts[best] || (counts[e] === counts[best] && e < best)) best = e;
    }
    let bestCount = 0;
    for (let k = 0; k < nMatched; k++) {
      const e = this.table.evalRef[this.kept[k]];
      if (e === best && bestCount === 0) firstAt = k;
      if (e === best) bestCount++;
    }
    for (let k = 0; k < nMatched; k++) counts[this.table.evalRef[this.kept[k]]] = 0;
    const coverage = bestCount / this.evalNgrams[best];
    if (coverage < this.o.minCoverage) return null;
    return {
      evalId: this.evalIds[best],
      evalSource: this.evalSources[best],
      kind: "ngram",
      overlap: bestCount,
      coverage: Math.round(coverage * 1e4) / 1e4,
      ngram: ngrams[this.keptFrom[firstAt]],
    };
  }

  /** Normalized text of the training n-gram starting at word `at` that matched `entry`. */
  private ngramText(at: number, entry: number): string {
    const len = this.table.lens[entry];
    return len === WHOLE_TEXT_LEN ? this.words.text(0, this.nText) : this.words.text(at, at + len);
  }

  private example(ngram: string, reason: IgnoredNgram["reason"], entry: number): void {
    if (this.examples.length >= MAX_EXAMPLES) return;
    this.examples.push({ ngram, reason, evalItems: this.table.evalCount[entry], trainItems: this.table.trainHits[entry] });
  }
}

const NO_ENTRIES = new Int32Array(0);
const NO_NGRAMS: string[] = [];

const BASE1 = 0x01000193 | 0; // odd bases of the two polynomial n-gram hashes
const BASE2 = 0x5bd1e995 | 0;

function powMod32(b: number, e: number): number {
  let r = 1;
  for (let i = 0; i < e; i++) r = Math.imul(r, b);
  return r;
}

// BASE^len for every n-gram length an index allows (1..30)
const POW1 = Int32Array.from({ length: 32 }, (_, e) => powMod32(BASE1, e));
const POW2 = Int32Array.from({ length: 32 }, (_, e) => powMod32(BASE2, e));

function keyLo(h1: number, len: number): number {
  return fmix32(h1 ^ Math.imul(len, 0x27d4eb2f));
}

function keyHi(h2: number, len: number): number {
  return fmix32((h2 + Math.imul(len, 0x165667b1)) | 0);
}

function wholeLo(exactLo: number): number {
  return fmix32(exactLo ^ 0x5c5c5c5c);
}

function wholeHi(exactHi: number): number {
  return fmix32((exactHi + 0x36363636) | 0);
}


/**
 * Eval n-gram keys (64-bit) with their first eval item and eval/train counts, entries in insertion order;
 * found through an open-addressing index (slot: low key half + entry + 1, load <= 0.5) behind a bit filter
 * (8 bits per entry, one probe), so the many training n-grams that are in no eval item rarely touch the index.
 */
class NgramTable {
  keyLo = new Uint32Array(1024);
  keyHi = new Uint32Array(1024);
  /** First eval item holding the n-gram (the one reported). */
  evalRef = new Int32Array(1024);
  /** Distinct eval items holding it (saturates at 65535). */
  evalCount = new Uint16Array(1024);
  /** Distinct training items holding it. */
  trainHits = new Uint32Array(1024);
  /** N-gram length (0: whole text). */
  lens = new Uint8Array(1024);
  /** Last eval item / training item (sequence number) that touched it, for per-item dedupe. */
  lastEval = new Int32Array(1024);
  lastSeq = new Int32Array(1024);
  size = 0;
  private slots = new Uint32Array(0); // (cap, 2): key low half, entry + 1
  private cap = 0;
  private filter = new Uint32Array(0);
  private filterMask = 0;

  constructor() {
    this.reindex(2048);
  }

  /** Entry index of a key, or -1. */
  find(lo: number, hi: number): number {
    const bit = hi & this.filterMask;
    if ((this.filter[bit >>> 5] & (1 << (bit & 31))) === 0) return -1;
    const cap = this.cap;
    const slots = this.slots;
    let i = Math.floor((lo * cap) / 4294967296);
    for (;;) {
      const e1 = slots[2 * i + 1];
      if (e1 === 0) return -1;
      if (slots[2 * i] === lo && this.keyHi[e1 - 1] === hi) return e1 - 1;
      if (++i === cap) i = 0;
    }
  }

  /** Inserts a key for eval item `e` or counts `e` on an existing one; returns the entry. */
  upsertEval(lo: number, hi: number, e: number, len = WHOLE_TEXT_LEN): number {
    const found = this.find(lo, hi);
    if (found >= 0) {
      if (this.lastEval[found] !== e) {
        this.lastEval[found] = e;
        if (this.evalCount[found] < 0xffff) this.evalCount[found]++;
      }
      return found;
    }
    const entry = this.size;
    if (entry === this.keyLo.length) this.growEntries();
    this.keyLo[entry] = lo;
    this.keyHi[entry] = hi;
    this.evalRef[entry] = e;
    this.evalCount[entry] = 1;
    this.lens[entry] = len;
    this.lastEval[entry] = e;
    this.size = entry + 1;
    if (this.size > this.cap * 0.5) this.reindex(this.cap * 2);
    else this.index(entry);
    return entry;
  }

  addTrainHit(entry: number): void {
    if (this.trainHits[entry] < 0xffffffff) this.trainHits[entry]++;
  }

  private index(entry: number): void {
    const lo = this.keyLo[entry];
    const bit = this.keyHi[entry] & this.filterMask;
    this.filter[bit >>> 5] |= 1 << (bit & 31);
    let i = Math.floor((lo * this.cap) / 4294967296);
    while (this.slots[2 * i + 1] !== 0) if (++i === this.cap) i = 0;
    this.slots[2 * i] = lo;
    this.slots[2 * i + 1] = entry + 1;
  }

  private reindex(cap: number): void {
    this.cap = cap;
    this.slots = new Uint32Array(2 * cap);
    let bits = 1 << 10;
    while (bits < cap * 4) bits *= 2; // >= 8 bits per entry at load <= 0.5
    this.filter = new Uint32Array(bits / 32);
    this.filterMask = bits - 1;
    for (let j = 0; j < this.size; j++) this.index(j);
  }

  private growEntries(): void {
    const n = this.keyLo.length * 2;
    const grow = <T extends Uint32Array | Int32Array | Uint16Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.keyLo = grow(this.keyLo, (k) => new Uint32Array(k));
    this.keyHi = grow(this.keyHi, (k) => new Uint32Array(k));
    this.evalRef = grow(this.evalRef, (k) => new Int32Array(k));
    this.evalCount = grow(this.evalCount, (k) => new Uint16Array(k));
    this.trainHits = grow(this.trainHits, (k) => new Uint32Array(k));
    this.lens = grow(this.lens, (k) => new Uint8Array(k));
    this.lastEval = grow(this.lastEval, (k) => new Int32Array(k));
    this.lastSeq = grow(this.lastSeq, (k) => new Int32Array(k));
  }
}
