// Per-layer key/value cache for incremental decoding (HF DynamicCache, llama.cpp's KV cache): keys are stored
// after RoPE, one (B, maxSeqLen, Hkv·D) block per layer, with a key mask for left padding and each sequence's
// next position id.
import type { FloatArray } from "../tensor/index.ts";
import { allocFloat, type DType } from "./params.ts";

/** Keys and values of every layer for B sequences of up to maxSeqLen tokens. */
export class KvCache {
  readonly B: number;
  readonly maxSeqLen: number;
  readonly kvDim: number;
  /** per layer (B, maxSeqLen, Hkv·D), post-RoPE */
  readonly k: FloatArray[];
  /** per layer (B, maxSeqLen, Hkv·D) */
  readonly v: FloatArray[];
  /** (B, maxSeqLen): 0 marks a padding key */
  readonly keyMask: Uint8Array;
  /** (B): position id the next token of each sequence gets */
  readonly nextPos: Int32Array;
  /** filled key slots per sequence (the same for all B) */
  length = 0;

  constructor(nLayers: number, B: number, maxSeqLen: number, kvDim: number, dtype: DType) {
    this.B = B;
    this.maxSeqLen = maxSeqLen;
    this.kvDim = kvDim;
    this.k = [];
    this.v = [];
    for (let l = 0; l < nLayers; l++) {
      this.k.push(allocFloat(dtype, B * maxSeqLen * kvDim));
      this.v.push(allocFloat(dtype, B * maxSeqLen * kvDim));
    }
    this.keyMask = new Uint8Array(B * maxSeqLen);
    this.nextPos = new Int32Array(B);
  }

  /** Empties the cache for reuse with new sequences. */
  reset(): void {
    this.length = 0;
    this.keyMask.fill(0);
    this.nextPos.fill(0);
  }
}
