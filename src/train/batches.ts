// Batches for training: each epoch a seeded shuffle, then length bucketing (HF group_by_length / torchtune-style
// mega-batches: sort each window of 64 batches by length, cut, shuffle the batch order) so padding stays small;
// right padding with labels −100. Sequence packing is not offered: the engine's attention takes a padding mask
// only, so packed sequences would attend across their boundaries. An epoch's order is a pure function of
// (seed, epoch), so a data position is just (epoch, batch index).
import { Rng, fail } from "../core/index.ts";
import { IGNORE_INDEX } from "../nn/index.ts";
import type { TrainExample } from "./encode.ts";

/** Batches per sorting window in length bucketing. */
const BUCKET_WINDOW = 64;

/** A padded (B,T) micro-batch ready for model.forward. */
export interface MicroBatch {
  /** (B·T) token ids, right-padded */
  ids: Int32Array;
  /** (B·T) HF labels, −100 on prompts and padding */
  labels: Int32Array;
  B: number;
  T: number;
  /** scored positions (the loss normalizer's share) */
  nScored: number;
  /** real (non-padding) tokens */
  nTokens: number;
}

/**
 * Stacks examples into a right-padded batch. Causal attention never lets a real token see the padding after it,
 * so no attention mask is needed; padded rows carry labels −100 and are not scored.
 */
export function collate(examples: readonly TrainExample[], padId: number): MicroBatch {
  if (examples.length === 0) throw new Error("collate needs at least one example");
  const B = examples.length;
  let T = 0;
  for (const e of examples) T = Math.max(T, e.ids.length);
  const ids = new Int32Array(B * T).fill(padId);
  const labels = new Int32Array(B * T).fill(IGNORE_INDEX);
  let nScored = 0, nTokens = 0;
  examples.forEach((e, b) => {
    ids.set(e.ids, b * T);
    labels.set(e.labels, b * T);
    nScored += e.nScored;
    nTokens += e.ids.length;
  });
  return { ids, labels, B, T, nScored, nTokens };
}

/** The batches of one epoch (lists of example indices), seeded by (seed, epoch); bucketed by length if asked. */
export function epochBatches(lengths: readonly number[], batchSize: number, seed: number, epoch: number, bucket: boolean): number[][] {
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) fail("train.bad-batch-size", `batch size must be a positive integer, got ${batchSize}`, "batch.size");
  const rng = new Rng(`medtune-epoch:${seed}:${epoch}`);
  const order = rng.shuffle(Array.from(lengths, (_, i) => i));
  const batches: number[][] = [];
  if (!bucket) {
    for (let i = 0; i < order.length; i += batchSize) batches.push(order.slice(i, i + batchSize));
    return batches;
  }
  const win = batchSize * BUCKET_WINDOW;
  for (let w = 0; w < order.length; w += win) {
    const chunk = order.slice(w, w + win).sort((a, b) => lengths[a] - lengths[b] || a - b);
    for (let i = 0; i < chunk.length; i += batchSize) batches.push(chunk.slice(i, i + batchSize));
  }
  return rng.shuffle(batches);
}

/** Where the trainer is in its data: the epoch and the next batch's index within it. */
export interface DataPosition {
  epoch: number;
  batchIndex: number;
}

/** An endless stream of batches, epoch after epoch, that can report and seek its position. */
export class BatchStream {
  private readonly lengths: number[];
  private readonly batchSize: number;
  readonly seed: number;
  private readonly bucket: boolean;
  private epoch = 0;
  private index = 0;
  private batches: number[][];

  constructor(lengths: readonly number[], opts: { batchSize: number; seed: number; bucket: boolean }) {
    if (lengths.length === 0) fail("train.empty-split", "the training split is empty", "training data", "prepare data with a non-empty train split");
    this.lengths = [...lengths];
    this.batchSize = opts.batchSize;
    this.seed = opts.seed;
    this.bucket = opts.bucket;
    this.batches = epochBatches(this.lengths, this.batchSize, this.seed, 0, this.bucket);
  }

  /** Batches per epoch. */
  get perEpoch(): number {
    return Math.ceil(this.lengths.length / this.batchSize);
  }

  /** The position of the next batch. */
  position(): DataPosition {
    return { epoch: this.epoch, batchIndex: this.index };
  }

  /** Moves to a saved position. */
  seek(p: DataPosition): void {
    if (!(Number.isInteger(p.epoch) && p.epoch >= 0 && Number.isInteger(p.batchIndex) && p.batchIndex >= 0 && p.batchIndex <= this.perEpoch)) {
      fail("train.bad-position", `data position epoch ${p.epoch}, batch ${p.batchIndex} is outside the data (${this.perEpoch} batches per epoch)`, "checkpoint",
        "the training data changed since the checkpoint was written");
    }
    this.epoch = p.epoch;
    this.index = p.batchIndex;
    this.batches = epochBatches(this.lengths, this.batchSize, this.seed, this.epoch, this.bucket);
  }

  /** The next batch's example indices (moving into the next epoch when one ends). */
  next(): number[] {
    if (this.index >= this.batches.length) {
      this.epoch++;
      this.index = 0;
      this.batches = epochBatches(this.lengths, this.batchSize, this.seed, this.epoch, this.bucket);
    }
    return this.batches[this.index++];
  }
}
