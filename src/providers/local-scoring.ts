// Batched scoring with the engine (the `local` provider): log P of chosen tokens of many token sequences. Two plans
// give the same numbers: right-padded (B,T) batches through one no-grad forward each (any length; a batch's
// (B,T,V) logits stay under a memory budget), and shared-context scoring for short continuations, where requests
// with the same context tokens (the options of one MCQ item) prefill it once into a KV cache, like llama.cpp's
// prefix reuse, and only the continuation tokens run after it, batched across items.
import type { KvCache, LlamaModel } from "../nn/index.ts";
import type { FloatArray } from "../tensor/index.ts";

/** One sequence to score: log P(tokens[p] | tokens[<p]) for every p in [from, tokens.length), from >= 1. */
export interface ScoreRow {
  tokens: readonly number[];
  from: number;
}

/** The scores of one row, position by position from `from`. */
export interface RowScores {
  logprobs: number[];
  /** the scored token is the argmax of its distribution (ties count) */
  isArgmax: boolean[];
  /** the `topK` most likely tokens at each scored position, best first (only when asked) */
  top?: Array<Array<{ id: number; logprob: number }>>;
}

/** A row's scores, or why they could not be computed. */
export type RowOutcome = RowScores | { error: string };

/** How much one forward may hold. */
export interface BatchLimits {
  /** B·T per forward, padding included */
  maxBatchTokens: number;
  /** B·T·V logits floats a padded batch may materialise */
  maxLogitsElems: number;
}

/** Lets streamed output and timers run between batches (the engine itself is synchronous). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Scores tokens[target] at the distribution logits[off, off+V): log-softmax of one row only, in float64. */
function scoreAt(logits: FloatArray, off: number, V: number, target: number, topK: number, into: RowScores): void {
  let mx = -Infinity;
  for (let j = 0; j < V; j++) if (logits[off + j] > mx) mx = logits[off + j];
  let sum = 0;
  for (let j = 0; j < V; j++) sum += Math.exp(logits[off + j] - mx);
  const lse = mx + Math.log(sum);
  const x = logits[off + target];
  into.logprobs.push(x - lse);
  into.isArgmax.push(x >= mx);
  if (topK > 0) into.top!.push(topOf(logits, off, V, topK).map((id) => ({ id, logprob: logits[off + id] - lse })));
}

/** Ids of the k largest logits of a row, best first (lower id first on ties). */
function topOf(logits: FloatArray, off: number, V: number, k: number): number[] {
  const ids: number[] = [];
  for (let j = 0; j < V; j++) {
    const x = logits[off + j];
    if (ids.length === k && !(x > logits[off + ids[k - 1]])) continue;
    let at = ids.length === k ? k - 1 : ids.length;
    while (at > 0 && x > logits[off + ids[at - 1]]) at--;
    ids.splice(at, 0, j);
    if (ids.length > k) ids.pop();
  }
  return ids;
}

function emptyScores(topK: number): RowScores {
  return topK > 0 ? { logprobs: [], isArgmax: [], top: [] } : { logprobs: [], isArgmax: [] };
}

function failAll(out: RowOutcome[], idx: readonly number[], e: unknown): void {
  const msg = `the engine failed on this batch: ${(e as Error)?.message ?? String(e)}`;
  for (const i of idx) out[i] = { error: msg };
}

/**
 * Scores rows in right-padded batches (longest first): one no-grad forward per batch over tokens[0..n-1), the
 * attention mask marking padding, positions 0..len-1 per row; log-softmax only at the scored positions.
 */
export async function scorePadded(model: LlamaModel, rows: readonly ScoreRow[], limits: BatchLimits, topK = 0): Promise<RowOutcome[]> {
  const V = model.config.vocabSize;
  const out: RowOutcome[] = rows.map(() => emptyScores(topK));
  const order = rows.map((_, i) => i).filter((i) => rows[i].from < rows[i].tokens.length);
  order.sort((a, b) => rows[b].tokens.length - rows[a].tokens.length || a - b);
  for (let i = 0; i < order.length; ) {
    const T = rows[order[i]].tokens.length - 1;
    let B = 1;
    while (i + B < order.length && (B + 1) * T <= limits.maxBatchTokens && (B + 1) * T * V <= limits.maxLogitsElems) B++;
    const batch = order.slice(i, i + B);
    i += B;
    try {
      const ids = new Int32Array(B * T);
      const mask = new Uint8Array(B * T);
      let padded = false;
      batch.forEach((r, b) => {
        const toks = rows[r].tokens;
        for (let t = 0; t < T; t++) {
          const real = t < toks.length - 1;
          ids[b * T + t] = real ? toks[t] : 0;
          mask[b * T + t] = real ? 1 : 0;
          if (!real) padded = true;
        }
      });
      const x = { data: ids, B, T };
      const logits = model.logits(x, padded ? { attentionMask: { data: mask, B, T } } : {}); // (B,T) -> (B,T,V)
      batch.forEach((r, b) => {
        const { tokens, from } = rows[r];
        const s = out[r] as RowScores;
        for (let p = from; p < tokens.length; p++) scoreAt(logits, (b * T + p - 1) * V, V, tokens[p], topK, s);
      });
    } catch (e) {
      failAll(out, batch, e);
    }
    await yieldToEventLoop();
  }
  return out;
}

/** One continuation after a context: tokens[0..start) is the context, tokens[start..) is scored. */
export interface ContinuationRow {
  tokens: readonly number[];
  start: number;
}

interface ContextGroup {
  /** context length */
  L: number;
  members: number[];
}

/** Copies sequence `src` of a prefill cache into sequence `dst` of a larger cache (same layout, longer rows). */
function copySequence(to: KvCache, dst: number, from: KvCache, src: number): void {
  const S1 = from.maxSeqLen, S2 = to.maxSeqLen, KD = from.kvDim;
  for (let l = 0; l < from.k.length; l++) {
    to.k[l].set(from.k[l].subarray(src * S1 * KD, (src + 1) * S1 * KD), dst * S2 * KD);
    to.v[l].set(from.v[l].subarray(src * S1 * KD, (src + 1) * S1 * KD), dst * S2 * KD);
  }
  to.keyMask.set(from.keyMask.subarray(src * S1, (src + 1) * S1), dst * S2);
  to.nextPos[dst] = from.nextPos[src];
}

/**
 * Scores continuations with their contexts prefilled once per distinct context: contexts are prefilled in
 * left-padded batches (longest first), the first continuation token of every request sharing a context is scored
 * from that one prefill, and the remaining continuation tokens run one step at a time for all requests of the
 * batch together, each on a copy of its context's cache.
 */
export async function scoreSharedContext(model: LlamaModel, rows: readonly ContinuationRow[], limits: BatchLimits): Promise<RowOutcome[]> {
  const V = model.config.vocabSize;
  const out: RowOutcome[] = rows.map(() => emptyScores(0));
  const byContext = new Map<string, ContextGroup>();
  rows.forEach((r, i) => {
    const key = r.tokens.slice(0, r.start).join(",");
    let g = byContext.get(key);
    if (!g) byContext.set(key, (g = { L: r.start, members: [] }));
    g.members.push(i);
  });
  const groups = [...byContext.values()].sort((a, b) => b.L - a.L);
  for (let i = 0; i < groups.length; ) {
    const L = groups[i].L;
    let k = 1;
    while (i + k < groups.length && (k + 1) * L <= limits.maxBatchTokens) k++;
    const batch = groups.slice(i, i + k);
    i += k;
    const members = batch.flatMap((g) => g.members);
    try {
      // prefill the contexts, left-padded: (k,L) -> next-token logits (k,V) after each context
      const cache = model.createCache(k, L);
      const ids = new Int32Array(k * L);
      const mask = new Uint8Array(k * L);
      batch.forEach((g, b) => {
        const ctx = rows[g.members[0]].tokens;
        const pad = L - g.L;
        for (let t = 0; t < g.L; t++) {
          ids[b * L + pad + t] = ctx[t];
          mask[b * L + pad + t] = 1;
        }
      });
      const padded = batch.some((g) => g.L < L);
      const first = model.prefill(cache, { data: ids, B: k, T: L }, padded ? { attentionMask: { data: mask, B: k, T: L } } : {});
      const more: Array<{ r: number; b: number; n: number }> = [];
      batch.forEach((g, b) => {
        for (const r of g.members) {
          const { tokens, start } = rows[r];
          scoreAt(first, b * V, V, tokens[start], 0, out[r] as RowScores);
          if (tokens.length - start > 1) more.push({ r, b, n: tokens.length - start });
        }
      });
      more.sort((a, b) => b.n - a.n || a.r - b.r);
      for (let j = 0; j < more.length; ) {
        const steps = more[j].n - 1;
        let W = 1;
        while (j + W < more.length && (W + 1) * (L + steps) <= limits.maxBatchTokens) W++;
        const wave = more.slice(j, j + W);
        j += W;
        await decodeWave(model, cache, L, wave, rows, out, V);
      }
    } catch (e) {
      failAll(out, members, e);
    }
    await yieldToEventLoop();
  }
  return out;
}

/** Runs the continuation tokens after position 0 of each row of a wave, one decode step per token for all rows. */
async function decodeWave(model: LlamaModel, source: KvCache, L: number, wave: ReadonlyArray<{ r: number; b: number; n: number }>, rows: readonly ContinuationRow[], out: RowOutcome[], V: number): Promise<void> {
  const W = wave.length;
  const steps = wave[0].n - 1;
  const cache = model.createCache(W, L + steps);
  wave.forEach((w, i) => copySequence(cache, i, source, w.b));
  cache.length = L;
  const ids = new Int32Array(W);
  const mask = new Uint8Array(W);
  for (let s = 0; s < steps; s++) {
    wave.forEach((w, i) => {
      const { tokens, start } = rows[w.r];
      const live = s < w.n - 1;
      ids[i] = live ? tokens[start + s] : 0;
      mask[i] = live ? 1 : 0;
    });
    const logits = model.prefill(cache, { data: ids, B: W, T: 1 }, { attentionMask: { data: mask, B: W, T: 1 } }); // -> (W,V)
    wave.forEach((w, i) => {
      if (s < w.n - 1) {
        const { tokens, start } = rows[w.r];
        scoreAt(logits, i * V, V, tokens[start + s + 1], 0, out[w.r] as RowScores);
      }
    });
    if (s % 8 === 7) await yieldToEventLoop();
  }
}
