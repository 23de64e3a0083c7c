// Text normalization and word hashing for duplicate and contamination detection. The canonical form is NFKC,
// lower case, apostrophes dropped ("patient's" -> "patients"), every other non-letter/digit/mark folded to a
// space, whitespace collapsed: the GPT-3 decontamination's "lowercase, whitespace-delimited words with no
// punctuation" (Brown et al. 2020, app. C). One pass over the characters yields per-word FNV-1a hashes and a
// 64-bit hash of the whole normalized text, without building the normalized string (hot path: 1M items).
import { fmix32 } from "../core/index.ts";
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const NON_ASCII = /[^\x00-\x7f]/;
const WORD_CHAR_RE = /^[\p{L}\p{N}\p{M}]$/u;

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

/**
 * The words of a text as hashes, plus a 64-bit hash of its normalized form; one reusable buffer per caller
 * (`fill` overwrites, `append` adds a part). Word i spans `source.slice(starts[i], ends[i])`.
 */
export class WordHashes {
  /** 32-bit word hashes, `length` of them. */
  hashes = new Uint32Array(256);
  /** Start/end offsets of each word in `source`. */
  starts = new Int32Array(256);
  ends = new Int32Array(256);
  /** Number of words. */
  length = 0;
  /** The parts joined by newlines (each NFKC + lower-cased when it had non-ASCII characters). */
  source = "";
  /** Low and high 32 bits of the hash of the normalized parts (equal normalized parts give equal hashes). */
  exactLo = 0;
  exactHi = 0;
  private parts = 0;
  private lo = FNV_OFFSET; // chain over word hashes
  private hi = 0x9747b28c; // chain over characters (words separated by one space), independent of word hashes

  /** Tokenizes `text` into this buffer (replacing what it held) and returns it. */
  fill(text: string): this {
    this.length = 0;
    this.source = "";
    this.parts = 0;
    this.lo = FNV_OFFSET;
    this.hi = 0x9747b28c;
    return this.append(text);
  }

  /** Adds the words of another part; the boundary enters the exact hash ("a b" + "c" differs from "a" + "b c"; empty parts change nothing). */
  append(text: string): this {
    let s = text;
    if (NON_ASCII.test(s)) s = s.normalize("NFKC").toLowerCase();
    const base = this.parts === 0 ? 0 : this.source.length + 1;
    this.source = this.parts === 0 ? s : this.source + "\n" + s;
    let n = this.length;
    let lo = this.lo;
    let hi = this.hi;
    let boundary = this.parts > 0; // mixed in before the part's first word: a part without words changes nothing
    this.parts++;
    let hashes = this.hashes;
    let starts = this.starts;
    let ends = this.ends;
    const len = s.length;
    let i = 0;
    while (i < len) {
      let m = mapChar(s.charCodeAt(i));
      if (m <= DROP) {
        i++;
        continue;
      }
      if (n === hashes.length) {
        this.grow(n);
        hashes = this.hashes;
        starts = this.starts;
        ends = this.ends;
      }
      if (boundary) {
        lo = Math.imul(lo ^ (0x7f4a7c15 + n), FNV_PRIME);
        hi = Math.imul(hi ^ 0x1e, 0x5bd1e995) ^ (hi >>> 13);
        boundary = false;
      }
      starts[n] = base + i;
      let wh = FNV_OFFSET;
      hi = Math.imul(hi ^ 0x20, 0x5bd1e995);
      for (;;) {
        if (m !== DROP) {
          wh = Math.imul(wh ^ m, FNV_PRIME);
          hi = Math.imul(hi ^ m, 0x5bd1e995) ^ (hi >>> 13);
        }
        if (++i === len) break;
        m = mapChar(s.charCodeAt(i));
        if (m === SEP) break;
      }
      const h = fmix32(wh);
      hashes[n] = h;
      ends[n] = base + i;
      lo = Math.imul(lo ^ h, FNV_PRIME);
      n++;
    }
    this.length = n;
    this.lo = lo;
    this.hi = hi;
    this.exactLo = fmix32(lo ^ n);
    this.exactHi = fmix32(hi ^ Math.imul(n, 0x9e3779b1));
    return this;
  }

  /** The normalized text of words [from, to) (what the hashes stand for), for reports. */
  text(from = 0, to = this.length): string {
    const parts: string[] = [];
    for (let i = from; i < to; i++) parts.push(normalizeWord(this.source.slice(this.starts[i], this.ends[i])));
    return parts.join(" ");
  }

  private grow(n: number): void {
    const hashes = new Uint32Array(n * 2);
    hashes.set(this.hashes);
    const starts = new Int32Array(n * 2);
    starts.set(this.starts);
    const ends = new Int32Array(n * 2);
    ends.set(this.ends);
    this.hashes = hashes;
    this.starts = starts;
    this.ends = ends;
  }
}

/** Lower-cases a word taken from `WordHashes.source` and removes its apostrophes. */
function normalizeWord(w: string): string {
  let out = "";
  for (let i = 0; i < w.length; i++) {
    if (mapChar(w.charCodeAt(i)) > DROP) out += w[i];
  }
  return out.toLowerCase();
}

/** The canonical normalized form of a text: lower-cased NFKC words without punctuation, single-spaced. */
export function normalizeText(text: string): string {
  return new WordHashes().fill(text).text();
}

