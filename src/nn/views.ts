// Memoized sub-views of flat buffers: the Kernels GEMM takes whole arrays (no offsets), so per-head attention
// and per-row-block calls need `buf.subarray(off)`; caching them keeps the hot path allocation-free.
import type { FloatArray } from "../tensor/index.ts";

const cache = new WeakMap<FloatArray, Map<number, FloatArray>>();
/** Views kept per buffer; beyond this (many distinct sequence lengths) the buffer's memo starts over. */
const MAX_VIEWS = 65536;

/** `buf.subarray(offset)`, created once per (buffer, offset) and reused on every later call. */
export function at(buf: FloatArray, offset: number): FloatArray {
  if (offset === 0) return buf;
  let m = cache.get(buf);
  if (m === undefined) {
    m = new Map();
    cache.set(buf, m);
  }
  let v = m.get(offset);
  if (v === undefined) {
    if (m.size >= MAX_VIEWS) m.clear();
    v = buf.subarray(offset);
    m.set(offset, v);
  }
  return v;
}
