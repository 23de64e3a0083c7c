// Streaming length statistics (count, mean, min, max, exact quantiles) from an integer histogram: constant memory
// whatever the number of records, exact for lengths up to the histogram size. Word counts of long texts run in a
// WebAssembly kernel (wasm.ts), with the JS loop as reference and fallback.
import { op, wasmModule, tryInstantiate, I32, V128, type WasmMemory } from "./wasm.ts";

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

/** Number of whitespace-separated words (space, tab, CR, LF separate; a WebAssembly kernel counts long texts). */
export function wordCount(s: string): number {
  if (s.length >= KERNEL_MIN_CHARS) {
    const k = countKernel();
    if (k !== null) return k.count(s);
  }
  return wordCountJs(s);
}

/** The JS reference of wordCount. */
export function wordCountJs(s: string): number {
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

// Texts this long are counted by the kernel: the UTF-8 copy into its memory plus 16 bytes per step cost a fraction
// of the JS loop, while the call itself costs about as much as counting a few dozen characters. Multi-byte UTF-8
// sequences hold no ASCII bytes, so counting over bytes gives the count over characters.
const KERNEL_MIN_CHARS = 256;
const encoder = new TextEncoder();

/** This thread's word-count kernel over its own memory (the text is copied in as UTF-8, padded with spaces to 16 bytes). */
class CountKernel {
  private bytes: Uint8Array;
  constructor(private readonly fn: (input: number, len: number) => number, private readonly memory: WasmMemory) {
    this.bytes = new Uint8Array(memory.buffer);
  }
  count(s: string): number {
    const need = s.length * 3 + 16; // UTF-8 bytes per UTF-16 code unit, at most, and the padding
    if (need > this.bytes.length) {
      this.memory.grow(Math.ceil((need - this.bytes.length) / 65536));
      this.bytes = new Uint8Array(this.memory.buffer);
    }
    const n = encoder.encodeInto(s, this.bytes).written;
    const padded = (n + 15) & ~15;
    this.bytes.fill(32, n, padded); // trailing spaces start no word
    return this.fn(0, padded);
  }
}

let kernel: CountKernel | null | undefined;

/** The kernel, compiled and instantiated on first use; null without WebAssembly (SIMD) (the JS loop counts then). */
function countKernel(): CountKernel | null {
  if (kernel !== undefined) return kernel;
  const { get, set, tee, i32, add, and, or, xor, shl, shrU, geU, v128Load, bSplat, bEq, vOr, bBitmask, popcnt, block, loop, end, br, brIf } = op;
  const [input, len, i, n, prev, m] = [0, 1, 2, 3, 4, 5];
  const [sp32, sp10, sp9, sp13, v] = [6, 7, 8, 9, 10];
  const splat = (code: number, local: number) => [i32(code), bSplat, set(local)];
  // as WAT: (func (param $input $len i32) (result i32) (local $i $n $prev $m i32) (local $sp32 $sp10 $sp9 $sp13 $v v128)):
  // per 16 bytes, m = bitmask of the separator bytes; a word starts at each non-separator after a separator
  const module = wasmModule("count", 2, true, [[4, I32], [5, V128]], [
    i32(1), set(prev),
    splat(32, sp32), splat(10, sp10), splat(9, sp9), splat(13, sp13),
    block, loop,
    get(i), get(len), geU, brIf(1),
    get(input), get(i), add, v128Load(), set(v),
    get(v), get(sp32), bEq, get(v), get(sp10), bEq, vOr, get(v), get(sp9), bEq, get(v), get(sp13), bEq, vOr, vOr, bBitmask, tee(m),
    i32(0xffff), xor, get(m), i32(1), shl, get(prev), or, and, popcnt, get(n), add, set(n), // n += popcnt(~m & (m << 1 | prev))
    get(m), i32(15), shrU, set(prev),
    get(i), i32(16), add, set(i),
    br(0),
    end, end,
    get(n),
  ]);
  const inst = module === null ? null : tryInstantiate<(input: number, len: number) => number>(module, "count", 1);
  kernel = inst === null ? null : new CountKernel(inst.fn, inst.memory);
  return kernel;
}
