// Pipeline stage 3, deduplicate: exact duplicates by a 64-bit hash of the normalized text, near duplicates by
// b-bit MinHash (Li & König 2010) over word 3-shingles + LSH banding, every candidate verified by its estimated
// Jaccard; the first item seen is kept and each duplicate recorded against it. One `check` per item (= `sketchInto`,
// which may run in another thread, then `checkSketch` in order); typed arrays only: ~90 bytes + id bytes per item.
// Shingles are 3 words: one word changed in a 40-word stem leaves J = 35/41 ≈ 0.85 (5-word shingles: 0.76).
import { MedtuneError } from "../core/index.ts";
import type { QAItem } from "./schema.ts";
import { WordHashes, ItemWords, exactHashInto } from "./text-norm.ts";
import { MinHasher, LshIndex, GrowableStore, grow, lshParams, checkSignatureShape, type BBits } from "./minhash.ts";

/** Options of a Deduplicator. */
export interface DedupOptions {
  /** Estimated Jaccard at or above which an item is a near duplicate. */
  threshold?: number;
  /** MinHash functions per signature. */
  numPerm?: number;
  /** Bits kept per min-hash (b-bit minwise hashing). */
  bBits?: BBits;
  /** Words per shingle. */
  shingleSize?: number;
  /** Seed of the hash functions: same input order and seed give the same clusters. */
  seed?: number;
  /** Presize the tables for this many items (they grow by doubling past it). */
  expectedItems?: number;
  /** False: exact duplicates only. */
  near?: boolean;
  /** LSH banding override (default: chosen from threshold, numPerm and bBits by `lshParams`). */
  bands?: number;
  rows?: number;
}

/** Defaults of DedupOptions. */
export const DEDUP_DEFAULTS = {
  threshold: 0.8, // the default Jaccard threshold
  numPerm: 64, // sd of Ĵ ≈ 0.05 at J = 0.8; 128 would double the hashing time
  bBits: 4 as BBits, // 32 bytes per signature; variance within ~10% of full 32-bit min-hashes at J >= 0.8
  shingleSize: 3, // words
  seed: 0x5eed,
} as const;

/** What `check` says about an item. */
export type DedupResult =
  | { status: "unique" }
  | {
      status: "exact" | "near";
      /** Id of the kept item. */
      of: string;
      /** Estimated Jaccard, min over prompt and payload when the item has both, rounded to 4 decimals (exact: 1). */
      similarity: number;
    };

/** One cluster: the kept item and the duplicates dropped for it, in arrival order. */
export interface DedupCluster {
  representative: string;
  members: Array<{ id: string; kind: "exact" | "near"; similarity: number }>;
}

/** Counts and settings, for the data card. */
export interface DedupStats {
  seen: number;
  unique: number;
  exact: number;
  near: number;
  /** LSH candidates compared, and those rejected by the Jaccard check. */
  candidates: number;
  rejectedCandidates: number;
  threshold: number;
  numPerm: number;
  bBits: number;
  shingleSize: number;
  bands: number;
  rows: number;
  seed: number;
  /** Bytes held by the typed arrays, and the part of it holding ids (front-coded UTF-8). */
  memoryBytes: number;
  idBytes: number;
}

const UNIQUE: DedupResult = Object.freeze({ status: "unique" });
const SKETCH_HEAD = 4; // exact lo, exact hi, word count, split flag
const KIND_EXACT = 1;
const KIND_NEAR = 2;

// What identifies an item is a prompt and a payload. Prompt: the question, for MCQs followed by the option
// texts sorted (shuffled options are the same item; the gold label is not part of it, so conflicting copies
// are duplicates and the first wins), for open items any context too. Payload: the answer of open items, the
// context passages of MCQ and yes/no items (the yes/no label is not part of it). With a payload, half the hash
// functions see each part and an item is a near duplicate only when both reach the threshold (similarity =
// min(J_prompt, J_payload)): MedQuAD asks template questions ("What is (are) X ?") with long boilerplate
// answers, and on concatenated text 1,257 of its pairs about different conditions X scored >= 0.8. MCQs that
// share a stem but not their options stay apart (their option shingles differ); one replaced distractor under
// a long stem does not. Texts shorter than 3 words are one shingle (only exact copies match), so one-word
// variants of short template questions ("Drug of choice for X is") stay apart too.

/** The prompt and payload that identify an item for deduplication (see the comment above for what and why). */
export function dedupFields(item: QAItem): { prompt: string; payload: string } {
  let prompt = item.question;
  let payload = "";
  if (item.kind === "mcq" && item.options) {
    const texts = item.options.map((o) => o.text);
    texts.sort(compareLowerCase);
    for (const t of texts) prompt += "\n" + t;
  }
  if (item.kind === "open") {
    if (item.context) for (const c of item.context) prompt += "\n" + c;
    payload = item.answer;
  } else if (item.context) payload = item.context.join("\n");
  return { prompt, payload };
}

/** Orders two strings as their lower-case forms compare (`a.toLowerCase() < b.toLowerCase()`), without building them for ASCII. */
function compareLowerCase(a: string, b: string): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x >= 128 || y >= 128) {
      // the ASCII prefix is equal: the rest decides as its lower-case form (which may differ in length) compares
      const p = a.slice(i).toLowerCase();
      const q = b.slice(i).toLowerCase();
      return p < q ? -1 : p > q ? 1 : 0;
    }
    if (x >= 65 && x <= 90) x += 32;
    if (y >= 65 && y <= 90) y += 32;
    if (x !== y) return x - y;
  }
  return a.length - b.length; // toLowerCase keeps an ASCII prefix's length and never empties a character
}

/** The identifying text of an item as one string (prompt, then payload), for reports. */
export function dedupText(item: QAItem): string {
  const f = dedupFields(item);
  return f.payload === "" ? f.prompt : f.prompt + "\n" + f.payload;
}

/** Streaming exact + near duplicate detector; `check` each item once, in order. */
export class Deduplicator {
  readonly threshold: number;
  readonly bands: number;
  readonly rows: number;
  private readonly hasher: MinHasher;
  private readonly lsh: LshIndex | null;
  private readonly words = new WordHashes(); // of sketchText
  private readonly itemWords = new ItemWords(); // of sketchInto when not given one
  private ranges = new Int32Array(32); // [from, to) word ranges of the prompt then the payload
  private order = new Int32Array(16); // options in sorted order
  private seqHashes = new Uint32Array(256); // an item's words in prompt-then-payload order, when they must be moved
  private seqHashes2 = new Uint32Array(256);
  private readonly sketch: Uint32Array; // scratch of check/checkText
  private readonly exact: ExactTable;
  private readonly ids = new IdTable();
  private nUnique = 0;
  private nExact = 0;
  private nNear = 0;
  private nCandidates = 0;
  private nRejected = 0;
  // duplicates, in arrival order: kept item index, similarity, kind, id
  private dupRep = new Int32Array(1024);
  private dupSim = new Float32Array(1024);
  private dupKind = new Uint8Array(1024);
  private readonly dupIds = new IdTable();

  constructor(opts: DedupOptions = {}) {
    const o = { ...DEDUP_DEFAULTS, ...stripUndefined(opts) };
    if (!(typeof o.threshold === "number" && o.threshold > 0 && o.threshold <= 1)) {
      throw new MedtuneError("config.invalid", `dedup threshold must be in (0, 1], got ${o.threshold}`, { where: "dedup.threshold", hint: "use 0.8 (default)" });
    }
    checkSignatureShape(o.numPerm, o.bBits, "dedup");
    this.threshold = o.threshold;
    this.hasher = new MinHasher({ numPerm: o.numPerm, bBits: o.bBits, shingleSize: o.shingleSize, seed: o.seed });
    this.sketch = new Uint32Array(SKETCH_HEAD + this.hasher.wordsPerSig);
    const chosen = o.bands !== undefined && o.rows !== undefined ? { bands: o.bands, rows: o.rows } : lshParams(o.threshold, o.numPerm, o.bBits);
    this.bands = chosen.bands;
    this.rows = chosen.rows;
    const expected = opts.expectedItems;
    if (expected !== undefined && !(Number.isFinite(expected) && expected >= 0)) {
      throw new MedtuneError("config.invalid", `expectedItems must be a non-negative number, got ${expected}`, { where: "dedup.expectedItems" });
    }
    this.lsh = opts.near === false ? null : new LshIndex({ numPerm: o.numPerm, bBits: o.bBits, bands: this.bands, rows: this.rows, expectedItems: expected });
    this.exact = new ExactTable(expected ?? 1024);
  }

  /** Checks an item against all kept items; a unique item is kept (inserted). */
  check(item: QAItem): DedupResult {
    this.sketchInto(this.sketch, 0, item);
    return this.checkSketch(item.id, this.sketch, 0);
  }

  /** `check` for an id and its identifying prompt and payload (see `dedupFields`; payload may be empty). */
  checkText(id: string, prompt: string, payload = ""): DedupResult {
    this.sketchText(this.sketch, 0, prompt, payload);
    return this.checkSketch(id, this.sketch, 0);
  }

  /** Uint32 words of one sketch: exact hash (lo, hi), word count, split flag, then the packed MinHash signature. */
  get sketchWidth(): number {
    return SKETCH_HEAD + (this.lsh === null ? 0 : this.hasher.wordsPerSig);
  }

  /**
   * Writes an item's sketch into `out[off..off+sketchWidth)`: the order-free half of `check` (hashing), so it may
   * run ahead or in another thread on a Deduplicator with the same options; `checkSketch` then decides in order.
   * `words`: an ItemWords shared with other stages (the contamination scan), reused when it holds this very item.
   */
  sketchInto(out: Uint32Array, off: number, item: QAItem, words?: ItemWords): void {
    const iw = words ? words.of(item, false) : this.itemWords.fill(item, false);
    // the word ranges of dedupFields' prompt and payload, in order: question, options, context (open), payload
    const options = item.kind === "mcq" ? item.options : undefined;
    const nRanges = 3 + (options ? options.length : 0);
    if (this.ranges.length < 2 * nRanges) this.ranges = new Int32Array(4 * nRanges);
    const r = this.ranges;
    let nr = 0;
    r[nr++] = 0;
    r[nr++] = iw.questionEnd;
    if (options) {
      const order = this.optionOrder(options);
      for (let k = 0; k < options.length; k++) {
        const i = order[k];
        nr = this.pushRange(nr, i === 0 ? iw.questionEnd : iw.optionEnds[i - 1], iw.optionEnds[i]);
      }
    }
    if (item.kind === "open") nr = this.pushRange(nr, iw.optionsEnd, iw.contextEnd);
    const promptRanges = nr;
    if (item.kind === "open") nr = this.pushRange(nr, iw.contextEnd, iw.answerEnd);
    else nr = this.pushRange(nr, iw.optionsEnd, iw.contextEnd);
    // in place when the ranges follow each other from word 0 (options already sorted, no fields left out between)
    const w = iw.words;
    let inPlace = true;
    let end = 0;
    let nPrompt = 0;
    for (let k = 0; k < nr; k += 2) {
      if (r[k] !== end && r[k] !== r[k + 1]) inPlace = false;
      if (r[k] !== r[k + 1]) end = r[k + 1];
      if (k + 2 === promptRanges) nPrompt = end;
    }
    if (inPlace) {
      this.sketchWords(out, off, w.hashes, w.hashes2, nPrompt, end);
      return;
    }
    let n = 0;
    for (let k = 0; k < nr; k += 2) {
      n = this.copyWords(w, r[k], r[k + 1], n);
      if (k + 2 === promptRanges) nPrompt = n;
    }
    this.sketchWords(out, off, this.seqHashes, this.seqHashes2, nPrompt, n);
  }

  /** `sketchInto` for an identifying prompt and payload. */
  sketchText(out: Uint32Array, off: number, prompt: string, payload = ""): void {
    const w = this.words.fill(prompt);
    const nPrompt = w.length;
    if (payload !== "") w.append(payload);
    this.sketchWords(out, off, w.hashes, w.hashes2, nPrompt, w.length);
  }

  /** The sketch of a prompt, words [0, nPrompt) of `hashes`/`hashes2` (see WordHashes), and a payload, words [nPrompt, n). */
  private sketchWords(out: Uint32Array, off: number, hashes: Uint32Array, hashes2: Uint32Array, nPrompt: number, n: number): void {
    exactHashInto(out, off, hashes, hashes2, nPrompt, n);
    out[off + 2] = n;
    out[off + 3] = nPrompt < n ? 1 : 0;
    if (this.lsh !== null) this.hasher.signWordsSplit(out, off + SKETCH_HEAD, hashes, nPrompt, n);
  }

  private pushRange(nr: number, from: number, to: number): number {
    this.ranges[nr] = from;
    this.ranges[nr + 1] = to;
    return nr + 2;
  }

  /** Indices of `options` in dedupFields' order (stable, by lower-cased text); sorted already in the common case. */
  private optionOrder(options: readonly { text: string }[]): Int32Array {
    const k = options.length;
    if (this.order.length < k) this.order = new Int32Array(k * 2);
    const order = this.order;
    for (let i = 0; i < k; i++) order[i] = i;
    for (let i = 1; i < k; i++) {
      const o = order[i];
      let j = i - 1;
      while (j >= 0 && compareLowerCase(options[order[j]].text, options[o].text) > 0) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = o;
    }
    return order;
  }

  /** Copies words [from, to) of `w` to position `at` of the sequence scratch; returns the position after them. */
  private copyWords(w: WordHashes, from: number, to: number, at: number): number {
    const need = at + to - from;
    if (need > this.seqHashes.length) {
      const cap = Math.max(need, this.seqHashes.length * 2);
      const h = new Uint32Array(cap);
      h.set(this.seqHashes.subarray(0, at));
      const h2 = new Uint32Array(cap);
      h2.set(this.seqHashes2.subarray(0, at));
      this.seqHashes = h;
      this.seqHashes2 = h2;
    }
    for (let i = from; i < to; i++, at++) {
      this.seqHashes[at] = w.hashes[i];
      this.seqHashes2[at] = w.hashes2[i];
    }
    return at;
  }

  /** The order-dependent half of `check`: the item with this sketch against all kept items; a unique one is kept. */
  checkSketch(id: string, sk: Uint32Array, off: number): DedupResult {
    const exactLo = sk[off];
    const exactHi = sk[off + 1];
    const rep = this.exact.find(exactLo, exactHi);
    if (rep >= 0) {
      this.nExact++;
      this.record(rep, id, 1, KIND_EXACT);
      return { status: "exact", of: this.ids.get(rep), similarity: 1 };
    }
    const lsh = this.lsh;
    if (lsh !== null) {
      const sigOff = off + SKETCH_HEAD;
      const isSplit = sk[off + 3] === 1;
      const n = lsh.candidates(sk, sigOff);
      let best = -1;
      let bestSim = -1;
      if (sk[off + 2] > 0) {
        for (let c = 0; c < n; c++) {
          const idx = lsh.candidateBuf[c];
          const sim = lsh.similarity(sk, sigOff, idx, isSplit, this.threshold);
          if (sim >= this.threshold) {
            if (sim > bestSim || (sim === bestSim && idx < best)) {
              best = idx;
              bestSim = sim;
            }
          } else this.nRejected++;
        }
        this.nCandidates += n;
      }
      if (best >= 0) {
        this.nNear++;
        const similarity = Math.round(bestSim * 1e4) / 1e4;
        this.record(best, id, similarity, KIND_NEAR);
        return { status: "near", of: this.ids.get(best), similarity };
      }
      lsh.addQueried();
    }
    this.exact.add(exactLo, exactHi);
    this.ids.push(id);
    this.nUnique++;
    return UNIQUE;
  }

  /** Clusters with at least one duplicate, ordered by their kept item's arrival; members in arrival order. */
  clusters(): DedupCluster[] {
    const nDup = this.nExact + this.nNear;
    const byRep = new Map<number, DedupCluster>();
    for (let i = 0; i < nDup; i++) {
      const rep = this.dupRep[i];
      let cl = byRep.get(rep);
      if (!cl) {
        cl = { representative: this.ids.get(rep), members: [] };
        byRep.set(rep, cl);
      }
      const similarity = Math.round(this.dupSim[i] * 1e4) / 1e4; // undo float32 storage noise
      cl.members.push({ id: this.dupIds.get(i), kind: this.dupKind[i] === KIND_EXACT ? "exact" : "near", similarity });
    }
    return [...byRep.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
  }

  /** Counts, settings and memory. */
  stats(): DedupStats {
    return {
      seen: this.nUnique + this.nExact + this.nNear,
      unique: this.nUnique,
      exact: this.nExact,
      near: this.nNear,
      candidates: this.nCandidates,
      rejectedCandidates: this.nRejected,
      threshold: this.threshold,
      numPerm: this.hasher.numPerm,
      bBits: this.hasher.bBits,
      shingleSize: this.hasher.shingleSize,
      bands: this.bands,
      rows: this.rows,
      seed: this.hasher.seed,
      memoryBytes:
        (this.lsh?.memoryBytes() ?? 0) +
        this.exact.memoryBytes() +
        this.ids.memoryBytes() +
        this.dupIds.memoryBytes() +
        this.dupRep.byteLength +
        this.dupSim.byteLength +
        this.dupKind.byteLength,
      idBytes: this.ids.memoryBytes() + this.dupIds.memoryBytes(),
    };
  }

  private record(rep: number, id: string, similarity: number, kind: number): void {
    const i = this.nExact + this.nNear - 1;
    if (i === this.dupRep.length) {
      const n = i * 2;
      const rep2 = new Int32Array(n);
      rep2.set(this.dupRep);
      this.dupRep = rep2;
      const sim2 = new Float32Array(n);
      sim2.set(this.dupSim);
      this.dupSim = sim2;
      const kind2 = new Uint8Array(n);
      kind2.set(this.dupKind);
      this.dupKind = kind2;
    }
    this.dupRep[i] = rep;
    this.dupSim[i] = similarity;
    this.dupKind[i] = kind;
    this.dupIds.push(id);
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/**
 * 64-bit hashes of the kept items' normalized texts, item i at position i, with an open-addressing index
 * whose uint32 slots hold item index + 1 and a fingerprint (the hashes themselves are compared on a match).
 */
class ExactTable {
  private lo: Uint32Array;
  private hi: Uint32Array;
  private readonly loStore: GrowableStore;
  private readonly hiStore: GrowableStore;
  private readonly slotStore: GrowableStore;
  private count = 0;
  private slots = new Uint32Array(0);
  private cap = 0;
  private idxBits = 16;

  constructor(expected: number) {
    const n = Math.max(16, Math.ceil(expected));
    this.loStore = new GrowableStore(n * 4);
    this.hiStore = new GrowableStore(n * 4);
    this.lo = new Uint32Array(this.loStore.buffer, 0, n);
    this.hi = new Uint32Array(this.hiStore.buffer, 0, n);
    this.slotStore = new GrowableStore(Math.ceil(n / 0.7) * 4);
    this.rebuild(Math.ceil(n / 0.7));
  }

  /** Index of the item with this hash, or -1. */
  find(lo: number, hi: number): number {
    const idxBits = this.idxBits;
    const idxMask = (1 << idxBits) - 1;
    const fp = (hi & (0xffffffff >>> idxBits)) >>> 0;
    const cap = this.cap;
    let i = Math.floor(((lo >>> 0) * cap) / 4294967296);
    for (;;) {
      const v = this.slots[i];
      if (v === 0) return -1;
      if (v >>> idxBits === fp) {
        const idx = (v & idxMask) - 1;
        if (this.lo[idx] === lo >>> 0 && this.hi[idx] === hi >>> 0) return idx;
      }
      if (++i === cap) i = 0;
    }
  }

  /** Appends the next item's hash (its index is the count before the call). */
  add(lo: number, hi: number): void {
    const idx = this.count;
    if (idx === this.lo.length) {
      const n = grow(idx);
      this.lo = new Uint32Array(this.loStore.grow(n * 4), 0, n);
      this.hi = new Uint32Array(this.hiStore.grow(n * 4), 0, n);
    }
    this.lo[idx] = lo;
    this.hi[idx] = hi;
    this.count = idx + 1;
    if (this.count > this.cap * 0.7) this.rebuild(grow(this.cap));
    else this.insert(idx);
  }

  memoryBytes(): number {
    return this.lo.byteLength + this.hi.byteLength + this.slots.byteLength;
  }

  private insert(idx: number): void {
    const lo = this.lo[idx];
    const fp = (this.hi[idx] & (0xffffffff >>> this.idxBits)) >>> 0;
    const cap = this.cap;
    let i = Math.floor((lo * cap) / 4294967296);
    while (this.slots[i] !== 0) if (++i === cap) i = 0;
    this.slots[i] = ((fp << this.idxBits) | (idx + 1)) >>> 0;
  }

  private rebuild(cap: number): void {
    this.cap = Math.max(cap, Math.ceil((this.count + 1) / 0.7));
    this.idxBits = Math.max(16, 32 - Math.clz32(this.cap)); // item index + 1 <= count < cap
    if (this.idxBits > 30) throw new MedtuneError("dedup.too-many-items", "deduplication holds at most 2^30 items", { where: "dedup", hint: "deduplicate in shards" });
    this.slots = new Uint32Array(this.slotStore.grow(this.cap * 4), 0, this.cap); // in place: slots come from lo/hi
    this.slots.fill(0);
    for (let i = 0; i < this.count; i++) this.insert(i);
  }
}

const BLOCK = 16;
const UUID_DASHES = [8, 13, 18, 23];

/**
 * Append-only table of id strings, front-coded in blocks of 16 (each entry: varint (shared-prefix length·2 +
 * isUuid), varint suffix length, suffix bytes), so sequential ids cost a few bytes each; canonical lower-case
 * UUIDs (MedMCQA's ids) are stored as their 16 bytes instead of 36 characters.
 */
class IdTable {
  private readonly store = new GrowableStore(1 << 14);
  private bytes = new Uint8Array(this.store.buffer, 0, 1 << 14);
  private used = 0;
  private blocks = new Uint32Array(256);
  private count = 0;
  private prev = new Uint8Array(64);
  private prevLen = 0;
  private enc = new Uint8Array(64);
  private cur = new Uint8Array(64);
  private static readonly encoder = new TextEncoder();
  private static readonly decoder = new TextDecoder();

  push(id: string): void {
    const isUuid = this.encodeUuid(id);
    const n = isUuid ? 16 : this.encode(id);
    const enc = this.enc;
    if (this.count % BLOCK === 0) {
      const b = this.count / BLOCK;
      if (b === this.blocks.length) {
        const grown = new Uint32Array(b * 2);
        grown.set(this.blocks);
        this.blocks = grown;
      }
      this.blocks[b] = this.used;
      this.prevLen = 0;
    }
    let p = 0;
    const max = n < this.prevLen ? n : this.prevLen;
    while (p < max && this.prev[p] === enc[p]) p++;
    this.reserve(20 + n - p);
    this.writeVarint(p * 2 + (isUuid ? 1 : 0));
    this.writeVarint(n - p);
    this.bytes.set(enc.subarray(p, n), this.used);
    this.used += n - p;
    if (this.prev.length < n) this.prev = new Uint8Array(n * 2);
    this.prev.set(enc.subarray(0, n));
    this.prevLen = n;
    this.count++;
  }

  get(i: number): string {
    let pos = this.blocks[(i / BLOCK) | 0];
    let len = 0;
    let isUuid = false;
    for (let j = i - (i % BLOCK); j <= i; j++) {
      let head = 0;
      let suffix = 0;
      for (let shift = 0; ; shift += 7) {
        const b = this.bytes[pos++];
        head += (b & 0x7f) * 2 ** shift;
        if (b < 0x80) break;
      }
      for (let shift = 0; ; shift += 7) {
        const b = this.bytes[pos++];
        suffix += (b & 0x7f) * 2 ** shift;
        if (b < 0x80) break;
      }
      const shared = Math.floor(head / 2);
      isUuid = head % 2 === 1;
      len = shared + suffix;
      if (this.cur.length < len) {
        const grown = new Uint8Array(len * 2);
        grown.set(this.cur.subarray(0, shared));
        this.cur = grown;
      }
      this.cur.set(this.bytes.subarray(pos, pos + suffix), shared);
      pos += suffix;
    }
    if (!isUuid) return IdTable.decoder.decode(this.cur.subarray(0, len));
    let out = "";
    for (let k = 0; k < 16; k++) {
      if (k === 4 || k === 6 || k === 8 || k === 10) out += "-";
      out += (this.cur[k] < 16 ? "0" : "") + this.cur[k].toString(16);
    }
    return out;
  }

  memoryBytes(): number {
    return this.bytes.byteLength + this.blocks.byteLength;
  }

  /** Packs a canonical lower-case UUID into enc[0..16); false for any other id (then `encode` rewrites enc). */
  private encodeUuid(id: string): boolean {
    if (id.length !== 36) return false;
    for (const d of UUID_DASHES) if (id.charCodeAt(d) !== 0x2d) return false;
    for (let k = 0, i = 0; k < 16; k++) {
      if (i === 8 || i === 13 || i === 18 || i === 23) i++;
      const hi = hexValue(id.charCodeAt(i++));
      const lo = hexValue(id.charCodeAt(i++));
      if (hi < 0 || lo < 0) return false;
      this.enc[k] = hi * 16 + lo;
    }
    return true;
  }

  private encode(id: string): number {
    const n = id.length;
    if (this.enc.length < n * 3) this.enc = new Uint8Array(n * 3 + 16);
    for (let i = 0; i < n; i++) {
      const c = id.charCodeAt(i);
      if (c >= 0x80) return IdTable.encoder.encodeInto(id, this.enc).written;
      this.enc[i] = c;
    }
    return n;
  }

  private reserve(n: number): void {
    if (this.used + n <= this.bytes.length) return;
    const size = Math.max(grow(this.bytes.length), this.used + n);
    this.bytes = new Uint8Array(this.store.grow(size), 0, size);
  }

  private writeVarint(v: number): void {
    while (v >= 0x80) {
      this.bytes[this.used++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.bytes[this.used++] = v;
  }
}

/** Value of a lower-case hex digit, or -1. */
function hexValue(c: number): number {
  return c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
}
