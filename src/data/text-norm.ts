// Text normalization and word hashing for duplicate and contamination detection. The canonical form is NFKC, lower
// case, apostrophes dropped ("patient's" -> "patients"), other non-letter/digit/mark characters folded to a space:
// the GPT-3 decontamination's "lowercase, whitespace-delimited words with no punctuation" (Brown et al. 2020, app. C).
// One pass over the characters (a WebAssembly kernel for ASCII) yields two independent 32-bit hashes per word without
// building the normalized string; `ItemWords` does it once per item for every stage.
import { fmix32 } from "../core/index.ts";
import type { QAItem } from "./schema.ts";
import { op, wasmModule, tryInstantiate, I32, type WasmMemory, type WasmModule } from "./wasm.ts";

// int32 constants: a start value above 2^31 is a double in JS, and V8 would then keep the hash chain in floats (4x slower)
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
const H2_SEED = 0x9747b28c | 0;
const H2_MUL = 0x5bd1e995 | 0;
const WORD_CHAR_RE = /^[\p{L}\p{N}\p{M}]$/u;
const NON_ASCII = /[^\x00-\x7f]/;

const SEP = 0;
const DROP = 1;
// ASCII code -> its lower-case code for letters and digits, DROP for apostrophes, SEP for the rest
const ASCII_MAP = new Int32Array(128);
for (let c = 0; c < 128; c++) {
  if ((c >= 48 && c <= 57) || (c >= 97 && c <= 122)) ASCII_MAP[c] = c;
  else if (c >= 65 && c <= 90) ASCII_MAP[c] = c + 32;
  else ASCII_MAP[c] = SEP;
}
ASCII_MAP[0x27] = DROP; // '
ASCII_MAP[0x60] = DROP; // `
let bmpWord: Uint8Array | null = null;

/** Code unit -> itself for word characters, DROP or SEP (non-ASCII text is already NFKC + lower-cased). */
function mapChar(c: number): number {
  if (c < 128) return ASCII_MAP[c];
  if (bmpWord === null) {
    // built once, on the first non-ASCII text: 0 separator, 1 word character, 2 apostrophe-like (dropped)
    bmpWord = new Uint8Array(65536);
    for (let u = 128; u < 65536; u++) {
      if (u >= 0xd800 && u <= 0xdfff) bmpWord[u] = 1; // surrogate halves: keep astral characters inside words
      else bmpWord[u] = WORD_CHAR_RE.test(String.fromCharCode(u)) ? 1 : 0;
    }
    for (const u of [0x2018, 0x2019, 0x02bc, 0x2032, 0xff07]) bmpWord[u] = 2; // curly/modifier apostrophes, prime
  }
  const k = bmpWord[c];
  return k === 1 ? c : k === 2 ? DROP : SEP;
}

const encoder = new TextEncoder();

/**
 * The words of a text as hashes, plus a 64-bit hash of its normalized form; one reusable buffer per caller
 * (`fill` overwrites, `append` adds a part).
 */
export class WordHashes {
  /** 32-bit word hashes (FNV-1a of the normalized word, finalized), `length` of them: what shingles and n-grams hash. */
  hashes = new Uint32Array(256);
  /** A second, independent 32-bit hash of each word: with `hashes`, a 64-bit key for exact matching. */
  hashes2 = new Uint32Array(256);
  /** Number of words. */
  length = 0;
  private parts: string[] = []; // each NFKC + lower-cased when it had non-ASCII characters
  private partStarts = new Int32Array(8); // first word of each part
  private joined: string | null = null;
  private exact = new Uint32Array(2); // exactLo/exactHi of the words, recomputed when stale
  private exactStale = true;
  private starts = new Int32Array(0); // word i spans source.slice(starts[i], ends[i]); found when `text` needs them
  private ends = new Int32Array(0);
  private isLocated = false;

  /** Tokenizes `text` into this buffer (replacing what it held) and returns it. */
  fill(text: string): this {
    this.length = 0;
    this.parts.length = 0;
    return this.append(text);
  }

  /** Adds the words of another part; the boundary enters the exact hash ("a b" + "c" differs from "a" + "b c"; empty parts change nothing). */
  append(text: string): this {
    const k = this.parts.length;
    if (k === this.partStarts.length) this.partStarts = grownInt32(this.partStarts, k * 2);
    this.partStarts[k] = this.length;
    let s = text;
    let n = this.asciiWords(s);
    if (n < 0) {
      if (NON_ASCII.test(s)) s = s.normalize("NFKC").toLowerCase();
      n = this.unicodeWords(s);
    }
    this.length = n;
    this.parts.push(s);
    this.joined = null;
    this.exactStale = true;
    this.isLocated = false;
    return this;
  }

  /** The parts joined by newlines (each NFKC + lower-cased when it had non-ASCII characters). */
  get source(): string {
    return (this.joined ??= this.parts.join("\n"));
  }

  /** Low and high 32 bits of the hash of the normalized parts (equal normalized parts give equal hashes). */
  get exactLo(): number {
    return this.exactHash()[0];
  }

  get exactHi(): number {
    return this.exactHash()[1];
  }

  /** The normalized text of words [from, to) (what the hashes stand for), for reports. */
  text(from = 0, to = this.length): string {
    if (!this.isLocated) this.locate();
    const source = this.source;
    const parts: string[] = [];
    for (let i = from; i < to; i++) parts.push(normalizeWord(source.slice(this.starts[i], this.ends[i])));
    return parts.join(" ");
  }

  private exactHash(): Uint32Array {
    if (this.exactStale) {
      foldExact(this.exact, 0, this.hashes, this.hashes2, this.partStarts, this.parts.length, this.length);
      this.exactStale = false;
    }
    return this.exact;
  }

  /** Finds where each word starts and ends in `source` (the tokenizer's word boundaries, found again). */
  private locate(): void {
    if (this.starts.length < this.length) {
      this.starts = new Int32Array(this.length);
      this.ends = new Int32Array(this.length);
    }
    let n = 0;
    let base = 0;
    for (const s of this.parts) {
      const len = s.length;
      let i = 0;
      while (i < len) {
        if (mapChar(s.charCodeAt(i)) <= DROP) {
          i++;
          continue;
        }
        this.starts[n] = base + i;
        while (++i < len && mapChar(s.charCodeAt(i)) !== SEP);
        this.ends[n++] = base + i;
      }
      base += len + 1;
    }
    this.isLocated = true;
  }

  /** Room for `more` words past the current ones. */
  private reserve(more: number): void {
    const need = this.length + more;
    if (need <= this.hashes.length) return;
    const cap = Math.max(need, this.hashes.length * 2);
    this.hashes = grownUint32(this.hashes.subarray(0, this.length), cap);
    this.hashes2 = grownUint32(this.hashes2.subarray(0, this.length), cap);
  }

  /** Appends the words of an ASCII text (in the kernel) and returns the new word count; -1 (nothing written) if `s` is not ASCII or there is no kernel. */
  private asciiWords(s: string): number {
    const k = wordsKernel();
    if (k === null) return -1;
    const len = s.length;
    k.reserve(len);
    const { read, written } = encoder.encodeInto(s, k.input);
    if (read !== len || written !== len) return -1; // a non-ASCII character takes 2+ bytes
    const at = wordsLayout(k.cap);
    const count = k.fn(at.input, len, at.hashes, at.hashes2);
    this.reserve(count);
    this.hashes.set(k.hashes.subarray(0, count), this.length);
    this.hashes2.set(k.hashes2.subarray(0, count), this.length);
    return this.length + count;
  }

  /** `asciiWords` in JS, for any text (NFKC + lower-cased already) and where there is no kernel, one code unit at a time. */
  private unicodeWords(s: string): number {
    const len = s.length;
    this.reserve((len + 1) >> 1); // a word is a character and a separator, or the last character
    const hashes = this.hashes;
    const hashes2 = this.hashes2;
    let n = this.length;
    let i = 0;
    while (i < len) {
      let m = mapChar(s.charCodeAt(i));
      if (m <= DROP) {
        i++;
        continue;
      }
      let h1 = FNV_OFFSET;
      let h2 = H2_SEED;
      for (;;) {
        if (m !== DROP) {
          h1 = Math.imul(h1 ^ m, FNV_PRIME);
          h2 = Math.imul(h2 + m, H2_MUL);
        }
        if (++i === len) break;
        m = mapChar(s.charCodeAt(i));
        if (m === SEP) break;
      }
      hashes[n] = fmix32(h1);
      hashes2[n] = h2; // unmixed: the exact hash mixes it, and a bijection would not change its collisions
      n++;
    }
    return n;
  }
}

function grownInt32(a: Int32Array, n: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}

function grownUint32(a: Uint32Array, n: number): Uint32Array<ArrayBuffer> {
  const b = new Uint32Array(n);
  b.set(a);
  return b;
}

/**
 * Writes the 64-bit hash of a word sequence cut into parts (part k starts at word cuts[k]) to out[off], out[off+1]:
 * two chains, over the first and the second word hashes, with each part boundary mixed in before the part's first
 * word (a part without words changes nothing).
 */
function foldExact(out: Uint32Array, off: number, h1: Uint32Array, h2: Uint32Array, cuts: Int32Array, nParts: number, n: number): void {
  let lo = FNV_OFFSET;
  let hi = H2_SEED;
  for (let k = 0; k < nParts; k++) {
    const from = cuts[k];
    const to = k + 1 < nParts ? cuts[k + 1] : n;
    if (k > 0 && from < to) {
      lo = Math.imul(lo ^ (0x7f4a7c15 + from), FNV_PRIME);
      hi = Math.imul(hi ^ 0x1e, H2_MUL) ^ (hi >>> 13);
    }
    for (let i = from; i < to; i++) {
      lo = Math.imul(lo ^ h1[i], FNV_PRIME);
      hi = Math.imul(hi ^ h2[i], H2_MUL) ^ (hi >>> 13);
    }
  }
  out[off] = fmix32(lo ^ n);
  out[off + 1] = fmix32(hi ^ Math.imul(n, 0x9e3779b1));
}

const twoParts = new Int32Array(2);

/**
 * The exact hash (as `WordHashes.exactLo/exactHi` gives it) of a two-part word sequence, words [0, nA) then [nA, n)
 * of `h1`/`h2`, written to out[off], out[off+1].
 */
export function exactHashInto(out: Uint32Array, off: number, h1: Uint32Array, h2: Uint32Array, nA: number, n: number): void {
  twoParts[1] = nA;
  foldExact(out, off, h1, h2, twoParts, 2, n);
}

// ---- the tokenizer kernel (assembled with wasm.ts) -------------------------------------------------------------

type WordsFn = (input: number, len: number, hashes: number, hashes2: number) => number;

/** Byte offsets in the tokenizer kernel's memory for `cap` characters: the ASCII map (256 bytes), two word arrays, the input. */
function wordsLayout(cap: number): { hashes: number; hashes2: number; input: number } {
  const words = (cap + 1) >> 1; // a word is a character and a separator, or the last character
  return { hashes: 256, hashes2: 256 + 4 * words, input: 256 + 8 * words };
}

/**
 * The tokenizer kernel of this thread, shared by every WordHashes (a WebAssembly memory reserves gigabytes of address
 * space, so one per buffer would not scale): the words of one text at a time, copied out by the caller.
 */
class WordsKernel {
  readonly fn: WordsFn;
  private readonly memory: WasmMemory;
  /** Characters the areas have room for. */
  cap = 0;
  hashes = new Uint32Array(0);
  hashes2 = new Uint32Array(0);
  input = new Uint8Array(0);

  constructor(fn: WordsFn, memory: WasmMemory) {
    this.fn = fn;
    this.memory = memory;
    new Uint8Array(this.memory.buffer, 0, 256).set(KERNEL_MAP);
    this.reserve(4096);
  }

  /** Makes room for a text of `len` characters (and its words). */
  reserve(len: number): void {
    if (len <= this.cap) return;
    const cap = Math.max(len, this.cap * 2);
    const at = wordsLayout(cap);
    const pages = Math.ceil((at.input + cap) / 65536) - this.memory.buffer.byteLength / 65536;
    if (pages > 0) this.memory.grow(pages);
    const buffer = this.memory.buffer;
    const words = (cap + 1) >> 1;
    this.cap = cap;
    this.hashes = new Uint32Array(buffer, at.hashes, words);
    this.hashes2 = new Uint32Array(buffer, at.hashes2, words);
    this.input = new Uint8Array(buffer, at.input, cap);
  }
}

const KERNEL_MAP = Uint8Array.from({ length: 256 }, (_, c) => (c < 128 ? ASCII_MAP[c] : SEP));
let wordsCompiled: WasmModule | null | undefined;
let wordsShared: WordsKernel | null | undefined;

/** This thread's tokenizer kernel, or null without WebAssembly. */
function wordsKernel(): WordsKernel | null {
  if (wordsShared === undefined) {
    const module = wordsModule();
    const k = module === null ? null : tryInstantiate<WordsFn>(module, "words", 1);
    wordsShared = k === null ? null : new WordsKernel(k.fn, k.memory);
  }
  return wordsShared;
}

/**
 * The tokenizer kernel (compiled once; null without WebAssembly): `unicodeWords` for the `len` ASCII bytes at `input`,
 * writing the words' hashes at `hashes`/`hashes2` (byte offsets) and returning their count. As WAT:
 * (func (param $input $len $hashes $hashes2 i32) (result i32) (local $i $m $h1 $h2 $n $x i32)).
 */
function wordsModule(): WasmModule | null {
  if (wordsCompiled !== undefined) return wordsCompiled;
  const { get, set, tee, i32, add, mul, xor, shl, shrU, eq, ne, leU, geU, load8, store, block, loop, end, br, brIf } = op;
  const [input, len, hashes, hashes2] = [0, 1, 2, 3];
  const [i, m, h1, h2, n, x] = [4, 5, 6, 7, 8, 9];
  const mapped = [get(i), get(input), add, load8(), load8()]; // KERNEL_MAP[input[i]]
  const fmix = [tee(x), get(x), i32(16), shrU, xor, i32(0x85ebca6b), mul, tee(x), get(x), i32(13), shrU, xor, i32(0xc2b2ae35), mul, tee(x), get(x), i32(16), shrU, xor];
  const wordSlot = (array: number) => [get(array), get(n), i32(2), shl, add]; // array + 4n
  wordsCompiled = wasmModule("words", 4, true, [[6, I32]], [
    block, loop, // per word (and the separators before it)
    get(i), get(len), geU, brIf(1),
    mapped, tee(m), i32(DROP), leU, op.if, get(i), i32(1), add, set(i), br(1), end, // skip separators and apostrophes
    i32(FNV_OFFSET), set(h1), i32(H2_SEED), set(h2),
    block, loop, // per character of the word
    get(m), i32(DROP), ne, op.if,
    get(h1), get(m), xor, i32(FNV_PRIME), mul, set(h1), // FNV-1a
    get(h2), get(m), add, i32(H2_MUL), mul, set(h2),
    end,
    get(i), i32(1), add, tee(i), get(len), eq, brIf(1),
    mapped, tee(m), brIf(0), // SEP = 0 ends the word
    end, end,
    wordSlot(hashes2), get(h2), store(),
    wordSlot(hashes), get(h1), fmix, store(), // fmix32
    get(n), i32(1), add, set(n),
    br(0),
    end, end,
    get(n),
  ]);
  return wordsCompiled;
}

/** Lower-cases a word taken from `WordHashes.source` and removes its apostrophes. */
function normalizeWord(w: string): string {
  let out = "";
  for (let i = 0; i < w.length; i++) {
    if (mapChar(w.charCodeAt(i)) > DROP) out += w[i];
  }
  return out.toLowerCase();
}

let normalizer: WordHashes | null = null;

/** The canonical normalized form of a text: lower-cased NFKC words without punctuation, single-spaced. */
export function normalizeText(text: string): string {
  return (normalizer ??= new WordHashes()).fill(text).text();
}

/**
 * The words of an item's text fields, each field tokenized once for every stage that reads them (the dedup sketch,
 * the contamination scan): question, options in their order, context passages, the answer of open items, then, when
 * asked for, the explanation; one part per field. A reusable buffer per caller.
 */
export class ItemWords {
  /** The words, field after field. */
  readonly words = new WordHashes();
  /** The item held, compared by identity (so an item must not be changed in place while it is held); null at first. */
  item: QAItem | null = null;
  /** End of the question's words, then of each option's (`optionEnds[i]`, one per option), then of the whole options block. */
  questionEnd = 0;
  optionEnds = new Int32Array(16);
  optionsEnd = 0;
  /** End of the context passages, of the answer (open items; else equal to `contextEnd`) and of the explanation (-1: not tokenized). */
  contextEnd = 0;
  answerEnd = 0;
  explanationEnd = -1;

  /** Tokenizes the fields of `item` (replacing what this held), the explanation only `withExplanation`. */
  fill(item: QAItem, withExplanation: boolean): this {
    const w = this.words.fill(item.question);
    this.item = item;
    this.questionEnd = w.length;
    const options = item.options;
    if (options) {
      if (this.optionEnds.length < options.length) this.optionEnds = new Int32Array(options.length * 2);
      for (let i = 0; i < options.length; i++) this.optionEnds[i] = w.append(options[i].text).length;
    }
    this.optionsEnd = w.length;
    if (item.context) for (const c of item.context) w.append(c);
    this.contextEnd = w.length;
    if (item.kind === "open") w.append(item.answer);
    this.answerEnd = w.length;
    this.explanationEnd = -1;
    if (withExplanation) this.addExplanation();
    return this;
  }

  /** `fill`, unless this holds `item` already (the same object): then only the explanation is added if asked for. */
  of(item: QAItem, withExplanation: boolean): this {
    if (this.item !== item) return this.fill(item, withExplanation);
    if (withExplanation && this.explanationEnd < 0) this.addExplanation();
    return this;
  }

  private addExplanation(): void {
    const explanation = this.item?.explanation;
    this.explanationEnd = explanation ? this.words.append(explanation).length : this.answerEnd;
  }
}
