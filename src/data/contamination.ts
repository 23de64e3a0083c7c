// Pipeline stage 5, contamination: flags training items that overlap an evaluation set, by word 13-gram overlap
// as in the GPT-3 decontamination (Brown et al. 2020, app. C: lower-cased words without punctuation; frequent
// 13-grams ignored), then by MinHash near duplicates over word unigrams (Jaccard >= 0.8) for reworded copies
// whose edits break every 13-gram. Compared: question, options, context (n-grams also: open answers, training
// explanations); one `check` (= `scan`, which may run in another thread, then `decide` in item order) per item.
import { MedtuneError, fmix32 } from "../core/index.ts";
import type { QAItem } from "./schema.ts";
import { WordHashes, ItemWords, exactHashInto } from "./text-norm.ts";
import { MinHasher, LshIndex, MinElementIndex, lshParams, bBitJaccard, type BBits } from "./minhash.ts";

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
const NEAR_BBITS: BBits = 32; // eval sets are small: full 32-bit min-hashes (which MinElementIndex needs)
// Element lookups per shingle the near test's pre-filter may spend before signing instead (signing costs numPerm
// hash evaluations per shingle, a lookup about as much as eight).
const FILTER_BUDGET = 8;

/** N-gram and MinHash index of evaluation items; `check` training items against it one at a time. */
export class ContaminationIndex {
  private readonly o: Required<ContaminationOptions>;
  private readonly words = new WordHashes(); // of the *Text entry points
  private readonly itemWords = new ItemWords(); // of the item entry points not given one
  private readonly table = new NgramTable();
  private readonly evalIds: string[] = [];
  private readonly evalSources: string[] = [];
  private evalNgrams = new Int32Array(1024); // n-grams (or whole-text keys) of each eval item
  private shortLens = new Int32Array(0); // ascending lengths L (minNgram <= L < ngram) of eval texts that are one L-gram
  private readonly hasher: MinHasher | null;
  private readonly lsh: LshIndex | null;
  private readonly minElements: MinElementIndex | null; // the near test's exact pre-filter
  private readonly sig: Uint32Array;
  private readonly exact = new Uint32Array(2); // scratch: exact hash of a compared text
  private seq = 0; // training items scanned, stamps per-item dedupe
  private nearBest = 0; // the estimate of the last `nearest`
  private observed = false;
  private matched = new Int32Array(64); // entries matched by the current training item
  private matchedAt = new Int32Array(64); // word offset of the first match of each
  private kept = new Int32Array(64); // decide: entries kept by the frequency rule
  private keptFrom = new Int32Array(64); // and the position of each in the scan
  private prefix = new Int32Array(257); // prefix hashes (second base) of the current item's words
  private shortMatched = new Int32Array(64); // (entry, word offset) of the current item's short n-gram matches
  private nMatched = 0; // entries in `matched`, and short n-gram matches waiting in `shortMatched`, of the current item
  private nShort = 0;
  private readonly evalWords = new Set<number>(); // hashes of the words of eval n-gram keys
  private vocab = new Uint32Array(0); // and their bit set (rebuilt when stale)
  private vocabShift = 32;
  private vocabStale = true;
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
    let lanes = 0;
    while (lanes < o.numPerm && bBitJaccard(lanes, o.numPerm, NEAR_BBITS) < o.threshold) lanes++;
    if (o.near) {
      this.hasher = new MinHasher({ numPerm: o.numPerm, bBits: NEAR_BBITS, shingleSize: o.shingleSize, seed: o.seed });
      const p = lshParams(o.threshold, o.numPerm, NEAR_BBITS);
      this.lsh = new LshIndex({ numPerm: o.numPerm, bBits: NEAR_BBITS, bands: p.bands, rows: p.rows });
      this.minElements = new MinElementIndex(o.numPerm, lanes);
      this.sig = new Uint32Array(Math.max(this.hasher.wordsPerSig, o.numPerm)); // also holds min elements
    } else {
      this.hasher = null;
      this.lsh = null;
      this.minElements = null;
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
    const iw = this.itemWords.fill(item, false);
    this.addWords(item.id, item.source, iw.words, iw.contextEnd, iw.answerEnd);
  }

  /** `add` for an id, source name, compared text and n-gram-only extra text. */
  addText(id: string, source: string, text: string, extra = ""): void {
    const w = this.words.fill(text);
    const nText = w.length;
    if (extra !== "") w.append(extra);
    this.addWords(id, source, w, nText, w.length);
  }

  /** `add` for words [0, nText) of a compared text followed by words [nText, n) of extra text. */
  private addWords(id: string, source: string, w: WordHashes, nText: number, n: number): void {
    const e = this.evalIds.length;
    this.evalIds.push(id);
    this.evalSources.push(source);
    const { ngram, minNgram } = this.o;
    if (e === this.evalNgrams.length) {
      const grown = new Int32Array(e * 2);
      grown.set(this.evalNgrams);
      this.evalNgrams = grown;
    }
    this.evalNgrams[e] = n >= ngram ? n - ngram + 1 : 1;
    if (n >= minNgram) {
      for (let j = 0; j < n; j++) this.evalWords.add(w.hashes[j]);
      this.vocabStale = true;
    }
    if (n >= ngram) {
      for (let i = 0; i + ngram <= n; i++) this.addEvalKey(e, w, i, ngram);
    } else if (n >= minNgram) {
      if (!this.shortLens.includes(n)) this.shortLens = Int32Array.from([...this.shortLens, n]).sort();
      this.addEvalKey(e, w, 0, n);
    } else if (nText > 0) {
      exactHashInto(this.exact, 0, w.hashes, w.hashes2, nText, nText);
      this.table.upsertEval(wholeLo(this.exact[0]), wholeHi(this.exact[1]), e);
    }
    if (this.lsh !== null && this.hasher !== null && this.minElements !== null) {
      this.hasher.signWords(this.sig, 0, w.hashes, nText);
      this.lsh.add(this.sig, 0);
      this.hasher.minElements(this.sig, 0);
      this.minElements.add(this.sig, 0);
    }
  }

  /**
   * Optional first pass over the training items: counts how many training items hold each eval n-gram, so
   * `check` applies GPT-3's frequency rule with exact counts. Without it counts accumulate during `check`.
   */
  observe(item: QAItem): void {
    const iw = this.itemWords.fill(item, true);
    this.observeScan(this.scanWords(iw.words, iw.contextEnd, iw.explanationEnd, false));
  }

  /** `observe` for a compared text and n-gram-only extra text. */
  observeText(text: string, extra = ""): void {
    this.observeScan(this.scanText(text, extra, false));
  }

  private observeScan(s: ContaminationScan): void {
    if (this.nChecked > 0) throw new MedtuneError("contamination.observe-after-check", "observe() must see every training item before the first check()", { where: "contamination", hint: "run the observe pass first, or skip it" });
    this.observed = true;
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
   * `words`: an ItemWords shared with other stages (the dedup sketch), reused when it holds this very item.
   */
  scan(item: QAItem, words?: ItemWords): ContaminationScan {
    const iw = words ? words.of(item, true) : this.itemWords.fill(item, true);
    return this.scanWords(iw.words, iw.contextEnd, iw.explanationEnd, true);
  }

  /** `scan` for a compared text and n-gram-only extra text (`withNear` false: skip the near test). */
  scanText(text: string, extra = "", withNear = true): ContaminationScan {
    const w = this.words.fill(text);
    const nText = w.length;
    if (extra !== "") w.append(extra);
    return this.scanWords(w, nText, w.length, withNear);
  }

  /** `scanText` for words [0, nText) of a compared text followed by words [nText, n) of extra text. */
  private scanWords(w: WordHashes, nText: number, n: number, withNear: boolean): ContaminationScan {
    const nMatched = this.collectMatches(w, nText, n);
    let entries = NO_ENTRIES;
    let ngrams = NO_NGRAMS;
    if (nMatched > 0) {
      entries = this.matched.slice(0, nMatched);
      ngrams = new Array<string>(nMatched);
      for (let k = 0; k < nMatched; k++) ngrams[k] = this.ngramText(w, nText, this.matchedAt[k], entries[k]);
    }
    let near = -1;
    let nearSimilarity = 0;
    if (withNear && nText > 0) {
      near = this.nearest(w.hashes, nText);
      if (near >= 0) nearSimilarity = Math.round(this.nearBest * 1e4) / 1e4;
    }
    return { entries, ngrams, near, nearSimilarity };
  }

  /**
   * The eval item whose estimated Jaccard with the shingles of words[0, nText) is highest and at least the threshold
   * (ties: the earliest added; -1: none), its estimate in `nearBest`. The pre-filter skips signing when no eval item
   * can agree in the least number of lanes whose estimate reaches the threshold (exact: see MinElementIndex).
   */
  private nearest(words: Uint32Array, nText: number): number {
    const hasher = this.hasher;
    const lsh = this.lsh;
    if (hasher === null || lsh === null || this.minElements === null) return -1;
    const nShingles = hasher.shingle(words, 0, nText);
    if (!this.minElements.mayReach(hasher.shingleBuf, nShingles, FILTER_BUDGET * nShingles)) return -1;
    hasher.signShingles(this.sig, 0, hasher.shingleBuf, nShingles);
    const n = lsh.candidates(this.sig, 0);
    let near = -1;
    let bestSim = -1;
    for (let c = 0; c < n; c++) {
      const e = lsh.candidateBuf[c];
      const sim = lsh.similarity(this.sig, 0, e);
      if (sim >= this.o.threshold && (sim > bestSim || (sim === bestSim && e < near))) {
        near = e;
        bestSim = sim;
      }
    }
    this.nearBest = bestSim;
    return near;
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

  private addEvalKey(e: number, w: WordHashes, from: number, len: number): void {
    const entry = this.table.upsertEval(keyLo(polyHash(w.hashes, from, len, BASE1), len), keyHi(polyHash(w.hashes, from, len, BASE2), len), e, len);
    if (this.table.evalCount[entry] === this.o.maxEvalItems + 1) {
      this.nEvalFrequent++;
      this.example(w.text(from, from + len), "eval-frequent", entry);
    }
  }

  /**
   * Fills `matched` (and `matchedAt`, the word offset of each first match) with the distinct entries present in the
   * n-grams of words [0, n) (and, for a compared text [0, nText) shorter than minNgram, its whole-text key), leaving
   * out eval-frequent ones.
   */
  private collectMatches(w: WordHashes, nText: number, n: number): number {
    this.seq++;
    const table = this.table;
    if (table.size === 0) return 0;
    const hashes = w.hashes;
    const maxEvalItems = this.o.maxEvalItems;
    this.nMatched = 0;
    this.nShort = 0;
    // An n-gram can match only if all its words are eval words: only runs of enough of them are scanned.
    const lens = this.shortLens;
    const minLen = lens.length > 0 && lens[0] < this.o.ngram ? lens[0] : this.o.ngram;
    if (this.vocabStale) this.indexVocabulary();
    const vocab = this.vocab;
    const shift = this.vocabShift;
    let run = 0; // eval words in a row before word j (counted without a branch on each word: half of them are)
    for (let j = 0; j < n; j++) {
      const bit = hashes[j] >>> shift;
      const isEvalWord = (vocab[bit >>> 5] >>> (bit & 31)) & 1;
      if (run >= minLen && isEvalWord === 0) this.scanRun(hashes, j - run, j);
      run = (run + 1) & -isEvalWord;
    }
    if (run >= minLen) this.scanRun(hashes, n - run, n);
    // matches of the short eval lengths follow the 13-gram ones, by start then by length (the order of extending
    // every start word by word)
    for (let k = 0; k < this.nShort; k++) this.pushMatch(this.shortMatched[2 * k], this.shortMatched[2 * k + 1]);
    if (nText > 0 && nText < this.o.minNgram) {
      exactHashInto(this.exact, 0, hashes, w.hashes2, nText, nText);
      const entry = table.find(wholeLo(this.exact[0]), wholeHi(this.exact[1]));
      if (entry >= 0 && table.evalCount[entry] <= maxEvalItems) this.pushMatch(entry, 0);
    }
    return this.nMatched;
  }

  /**
   * The n-grams inside words [from, to), by start word. Keys are polynomial hashes sum_j w_j·B^(len-1-j) (mod 2^32,
   * two bases); the high half of a key is the second one plus a length tag, a difference of prefix hashes
   * P[i+len] - P[i]·B^len (one multiplication per window and length), and the table's bit filter turns most windows
   * away on it before the first hash is computed.
   */
  private scanRun(hashes: Uint32Array, from: number, to: number): void {
    const table = this.table;
    const { ngram, maxEvalItems } = this.o;
    const lens = this.shortLens;
    if (this.prefix.length <= to - from) this.prefix = new Int32Array(2 * (to - from) + 1);
    const p2 = this.prefix; // p2[t - from] = prefix hash of words [from, t)
    for (let j = from, h = 0; j < to; j++) p2[j - from + 1] = h = (Math.imul(h, BASE2) + hashes[j]) | 0;
    const powN = POW2[ngram];
    const tagN = LEN_TAG[ngram];
    for (let i = from; i < to; i++) {
      const pi = p2[i - from];
      if (i + ngram <= to) {
        const hi = (p2[i + ngram - from] - Math.imul(pi, powN) + tagN) | 0;
        if (table.mayHave(hi)) {
          const entry = table.find(keyLo(polyHash(hashes, i, ngram, BASE1), ngram), hi);
          if (entry >= 0 && table.evalCount[entry] <= maxEvalItems) this.pushMatch(entry, i);
        }
      }
      for (let k = 0; k < lens.length && i + lens[k] <= to; k++) {
        const len = lens[k];
        const hi = (p2[i + len - from] - Math.imul(pi, POW2[len]) + LEN_TAG[len]) | 0;
        if (!table.mayHave(hi)) continue;
        const entry = table.find(keyLo(polyHash(hashes, i, len, BASE1), len), hi);
        if (entry < 0 || table.evalCount[entry] > maxEvalItems) continue;
        const k2 = 2 * this.nShort++;
        if (k2 === this.shortMatched.length) this.shortMatched = grownInt32(this.shortMatched, 2 * k2);
        this.shortMatched[k2] = entry;
        this.shortMatched[k2 + 1] = i;
      }
    }
  }

  /** The bit set of eval words (the words of n-gram keys) that `collectMatches` reads, >= 16 bits per word. */
  private indexVocabulary(): void {
    let log2Bits = 12;
    while (1 << log2Bits < 16 * this.evalWords.size) log2Bits++;
    this.vocab = new Uint32Array((1 << log2Bits) / 32);
    this.vocabShift = 32 - log2Bits;
    for (const h of this.evalWords) {
      const bit = h >>> this.vocabShift;
      this.vocab[bit >>> 5] |= 1 << (bit & 31);
    }
    this.vocabStale = false;
  }

  private countTrainHit(entry: number, ngram: string): void {
    this.table.addTrainHit(entry);
    if (this.table.trainHits[entry] === this.o.maxTrainMatches + 1) {
      this.nTrainFrequent++;
      this.example(ngram, "train-frequent", entry);
    }
  }

  private pushMatch(entry: number, at: number): void {
    if (this.table.lastSeq[entry] === this.seq) return;
    this.table.lastSeq[entry] = this.seq;
    const nMatched = this.nMatched++;
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

  /** Normalized text of the training n-gram starting at word `at` of `w` that matched `entry`. */
  private ngramText(w: WordHashes, nText: number, at: number, entry: number): string {
    const len = this.table.lens[entry];
    return len === WHOLE_TEXT_LEN ? w.text(0, nText) : w.text(at, at + len);
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

function grownInt32(a: Int32Array, n: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}

/** sum_j words[from+j]·base^(len-1-j) mod 2^32. */
function polyHash(words: Uint32Array, from: number, len: number, base: number): number {
  let h = 0;
  for (let j = from; j < from + len; j++) h = (Math.imul(h, base) + words[j]) | 0;
  return h;
}

function powMod32(b: number, e: number): number {
  let r = 1;
  for (let i = 0; i < e; i++) r = Math.imul(r, b);
  return r;
}

// BASE2^len for every n-gram length an index allows (1..30), and the tag that sets keys of different lengths apart
const POW2 = Int32Array.from({ length: 32 }, (_, e) => powMod32(BASE2, e));
const LEN_TAG = Int32Array.from({ length: 32 }, (_, len) => Math.imul(len, 0x165667b1));

// A key is (lo, hi): lo mixed (it places the key in the table), hi the raw second hash plus the length tag (its top
// bits pick the filter bit). Two n-grams share a key only if both polynomial hashes agree: ~2^-64 apart from equal.
function keyLo(h1: number, len: number): number {
  return fmix32(h1 ^ Math.imul(len, 0x27d4eb2f));
}

function keyHi(h2: number, len: number): number {
  return (h2 + LEN_TAG[len]) | 0;
}

function wholeLo(exactLo: number): number {
  return fmix32(exactLo ^ 0x5c5c5c5c);
}

function wholeHi(exactHi: number): number {
  return (exactHi + 0x36363636) | 0;
}

/**
 * Eval n-gram keys (64-bit) with their first eval item and eval/train counts, entries in insertion order;
 * found through an open-addressing index (slot: low key half + entry + 1, load <= 0.5) behind a bit filter
 * (>= 32 bits per entry, one probe on the high half: `mayHave`), so the many training n-grams that are in no eval
 * item rarely touch the index, or even get their low half computed.
 */
class NgramTable {
  keyLo = new Uint32Array(1024);
  keyHi = new Int32Array(1024);
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
  private filterShift = 32;

  constructor() {
    this.reindex(2048);
  }

  /** False when no key has this high half (true: maybe; `find` tells). */
  mayHave(hi: number): boolean {
    const bit = hi >>> this.filterShift;
    return (this.filter[bit >>> 5] & (1 << (bit & 31))) !== 0;
  }

  /** Entry index of a key, or -1. */
  find(lo: number, hi: number): number {
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
    const bit = this.keyHi[entry] >>> this.filterShift;
    this.filter[bit >>> 5] |= 1 << (bit & 31);
    let i = Math.floor((lo * this.cap) / 4294967296);
    while (this.slots[2 * i + 1] !== 0) if (++i === this.cap) i = 0;
    this.slots[2 * i] = lo;
    this.slots[2 * i + 1] = entry + 1;
  }

  private reindex(cap: number): void {
    this.cap = cap;
    this.slots = new Uint32Array(2 * cap);
    let log2Bits = 10;
    while (1 << log2Bits < cap * 16) log2Bits++; // >= 32 bits per entry at load <= 0.5: ~3% of misses pass
    this.filter = new Uint32Array((1 << log2Bits) / 32);
    this.filterShift = 32 - log2Bits;
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
    this.keyHi = grow(this.keyHi, (k) => new Int32Array(k));
    this.evalRef = grow(this.evalRef, (k) => new Int32Array(k));
    this.evalCount = grow(this.evalCount, (k) => new Uint16Array(k));
    this.trainHits = grow(this.trainHits, (k) => new Uint32Array(k));
    this.lens = grow(this.lens, (k) => new Uint8Array(k));
    this.lastEval = grow(this.lastEval, (k) => new Int32Array(k));
    this.lastSeq = grow(this.lastSeq, (k) => new Int32Array(k));
  }
}
