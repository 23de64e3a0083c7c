// Grouped-query causal self-attention (HF LlamaAttention / repeat_kv): query head h reads key/value head
// h / (H/Hkv); softmax(Q·Kᵀ/sqrt(D) + mask)·V per (batch, head) as GEMMs. The forward keeps only the row
// log-sum-exp; the backward recomputes the probabilities from it (as FlashAttention does) instead of storing
// (B,H,T,T). The same op serves training (keys = the sequence) and decoding (keys = a KV cache).
import type { FloatArray, Kernels } from "../tensor/index.ts";
import { at } from "./views.ts";

/** Sizes and masking of one attention call. */
export interface AttentionDims {
  B: number;
  /** queries per sequence */
  Tq: number;
  /** keys per sequence (cached + new) */
  Tk: number;
  H: number;
  Hkv: number;
  D: number;
  /** key index of query 0: query i sees keys j ≤ qStart + i (causal) */
  qStart: number;
  /** key rows reserved per sequence in k, v and keyMask (T in training, maxSeqLen in a KV cache) */
  kStride: number;
  /** sliding window: query i sees only keys j > qStart + i − window; 0 = unlimited */
  window: number;
}

/** Writes the masked softmax of row i in place and returns its log-sum-exp (−Infinity when no key is visible). */
function softmaxRow(
  s: FloatArray, row: number, Tk: number, jlo: number, jhi: number,
  mask: ArrayLike<number> | null, mb: number,
): number {
  let mx = -Infinity;
  for (let j = jlo; j <= jhi; j++) {
    if (mask !== null && mask[mb + j] === 0) continue;
    const v = s[row + j];
    if (v > mx) mx = v;
  }
  if (mx === -Infinity) {
    s.fill(0, row, row + Tk);
    return -Infinity;
  }
  s.fill(0, row, row + jlo);
  s.fill(0, row + jhi + 1, row + Tk);
  let sum = 0;
  for (let j = jlo; j <= jhi; j++) {
    if (mask !== null && mask[mb + j] === 0) {
      s[row + j] = 0;
      continue;
    }
    const e = Math.exp(s[row + j] - mx);
    s[row + j] = e;
    sum += e;
  }
  const inv = 1 / sum;
  for (let j = jlo; j <= jhi; j++) s[row + j] *= inv;
  return mx + Math.log(sum);
}

/** Query rows per block: a block only multiplies against the keys its rows can see (causal/window), skipping the rest. */
const Q_BLOCK = 64;

/** The first key that query position i attends to: i − window + 1 with a sliding window, else 0. */
function firstKey(i: number, window: number): number {
  return window > 0 ? Math.max(0, i - window + 1) : 0;
}

/** Elements each of the s/dp scratch buffers needs for Tq queries over Tk keys. */
export function attentionScratchSize(Tq: number, Tk: number): number {
  return Math.min(Tq, Q_BLOCK) * Tk;
}

/**
 * out = softmax(Q·Kᵀ/sqrt(D) + causal/padding/window mask)·V; lse keeps each row's log-sum-exp for the backward.
 * keyMask (B,kStride): 0 marks a padding key. A query that sees no key gets a zero output. Queries go in blocks
 * of 64 rows, each multiplied only against the keys it can see.
 */
export function attentionForward(
  out: FloatArray, // (B,Tq,H·D)
  lse: FloatArray, // (B,H,Tq)
  q: FloatArray, // (B,Tq,H·D)
  k: FloatArray, // (B,kStride,Hkv·D)
  v: FloatArray, // (B,kStride,Hkv·D)
  keyMask: ArrayLike<number> | null, // (B,kStride)
  dims: AttentionDims,
  s: FloatArray, // scratch (min(Tq,64),Tk)
  kern: Kernels,
): void {
  const { B, Tq, Tk, H, Hkv, D, qStart, kStride, window } = dims;
  const HD = H * D;
  const KD = Hkv * D;
  const rep = H / Hkv;
  const scale = 1 / Math.sqrt(D);
  for (let b = 0; b < B; b++) {
    const mb = b * kStride;
    for (let h = 0; h < H; h++) {
      const kvh = Math.floor(h / rep);
      const qOff = b * Tq * HD + h * D;
      const kOff = b * kStride * KD + kvh * D;
      const lo = (b * H + h) * Tq;
      for (let i0 = 0; i0 < Tq; i0 += Q_BLOCK) {
        const m = Math.min(Q_BLOCK, Tq - i0);
        // keys visible to some row of the block: [kBeg, kBeg + nk)
        const kBeg = firstKey(qStart + i0, window);
        const nk = Math.max(0, Math.min(Tk, qStart + i0 + m) - kBeg);
        const ov = at(out, qOff + i0 * HD);
        if (nk === 0) {
          for (let r = 0; r < m; r++) {
            lse[lo + i0 + r] = -Infinity;
            ov.fill(0, r * HD, r * HD + D);
          }
          continue;
        }
        const kv = at(k, kOff + kBeg * KD);
        kern.gemm(false, true, m, nk, D, scale, at(q, qOff + i0 * HD), HD, kv, KD, 0, s, nk); // (m,D)·(nk,D)ᵀ -> (m,nk)
        for (let r = 0; r < m; r++) {
          const i = qStart + i0 + r;
          const last = Math.min(Tk - 1, i) - kBeg;
          const first = firstKey(i, window) - kBeg;
          lse[lo + i0 + r] = softmaxRow(s, r * nk, nk, Math.max(0, first), last, keyMask, mb + kBeg);
        }
        kern.gemm(false, false, m, D, nk, 1, s, nk, at(v, kOff + kBeg * KD), KD, 0, ov, HD); // (m,nk)·(nk,D) -> (m,D)
      }
    }
  }
}

/**
 * dq, dk, dv += gradients of attentionForward given dout, recomputing P = exp(S − lse) per (batch, head, query
 * block): dP = dO·Vᵀ, dS = P⊙(dP − rowsum(P⊙dP)), dQ += dS·K/sqrt(D), dK += dSᵀ·Q/sqrt(D), dV += Pᵀ·dO.
 */
export function attentionBackward(
  dq: FloatArray, // (B,Tq,H·D)
  dk: FloatArray, // (B,kStride,Hkv·D)
  dv: FloatArray, // (B,kStride,Hkv·D)
  dout: FloatArray, // (B,Tq,H·D)
  q: FloatArray, // (B,Tq,H·D)
  k: FloatArray, // (B,kStride,Hkv·D)
  v: FloatArray, // (B,kStride,Hkv·D)
  lse: FloatArray, // (B,H,Tq)
  keyMask: ArrayLike<number> | null, // (B,kStride)
  dims: AttentionDims,
  s: FloatArray, // scratch (min(Tq,64),Tk)
  dp: FloatArray, // scratch (min(Tq,64),Tk)
  kern: Kernels,
): void {
  const { B, Tq, Tk, H, Hkv, D, qStart, kStride, window } = dims;
  const HD = H * D;
  const KD = Hkv * D;
  const rep = H / Hkv;
  const scale = 1 / Math.sqrt(D);
  for (let b = 0; b < B; b++) {
    const mb = b * kStride;
    for (let h = 0; h < H; h++) {
      const kvh = Math.floor(h / rep);
      const qOff0 = b * Tq * HD + h * D;
      const kOff0 = b * kStride * KD + kvh * D;
      const lo = (b * H + h) * Tq;
      for (let i0 = 0; i0 < Tq; i0 += Q_BLOCK) {
        const m = Math.min(Q_BLOCK, Tq - i0);
        // keys visible to some row of the block: [kBeg, kBeg + nk)
        const kBeg = firstKey(qStart + i0, window);
        const nk = Math.max(0, Math.min(Tk, qStart + i0 + m) - kBeg);
        if (nk === 0) continue;
        const qOff = qOff0 + i0 * HD;
        const kOff = kOff0 + kBeg * KD;
        const qv = at(q, qOff);
        const kv = at(k, kOff);
        const dov = at(dout, qOff);
        kern.gemm(false, true, m, nk, D, scale, qv, HD, kv, KD, 0, s, nk); // S (m,nk)
        kern.gemm(false, true, m, nk, D, 1, dov, HD, at(v, kOff), KD, 0, dp, nk); // dP = dO·Vᵀ (m,nk)
        const mk = mb + kBeg;
        for (let r = 0; r < m; r++) {
          const row = r * nk;
          const l = lse[lo + i0 + r];
          if (l === -Infinity) {
            s.fill(0, row, row + nk);
            dp.fill(0, row, row + nk);
            continue;
          }
          const i = qStart + i0 + r;
          const last = Math.min(Tk - 1, i) - kBeg;
          const first = Math.max(0, firstKey(i, window) - kBeg);
          s.fill(0, row, row + first);
          s.fill(0, row + last + 1, row + nk);
          dp.fill(0, row, row + first);
          dp.fill(0, row + last + 1, row + nk);
          let delta = 0;
          for (let j = first; j <= last; j++) {
            if (keyMask !== null && keyMask[mk + j] === 0) {
              s[row + j] = 0;
              continue;
            }
            const p = Math.exp(s[row + j] - l);
            s[row + j] = p;
            delta += p * dp[row + j];
          }
          for (let j = first; j <= last; j++) dp[row + j] = s[row + j] * (dp[row + j] - delta);
        }
        kern.gemm(false, false, m, D, nk, scale, dp, nk, kv, KD, 1, at(dq, qOff), HD); // dQ += dS·K
        kern.gemm(true, false, nk, D, m, scale, dp, nk, qv, HD, 1, at(dk, kOff), KD); // dK += dSᵀ·Q
        kern.gemm(true, false, nk, D, m, 1, s, nk, dov, HD, 1, at(dv, kOff), KD); // dV += Pᵀ·dO
      }
    }
  }
}
