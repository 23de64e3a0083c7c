// Experience replay (Rolnick et al. 2019; Scialom et al. 2022 for LMs): every micro-batch gets extra examples drawn
// uniformly (seeded) from a general or earlier-task set, so that on average a fraction f of all examples trained on
// are replayed: r = f/(1−f) replay examples per task example, spread over batches with a carried remainder.
import { Rng, fail } from "../core/index.ts";
import type { TrainExample } from "./encode.ts";

/** What a checkpoint keeps of the mixer: its generator and the carried fraction. */
export interface ReplayState {
  rng: number[];
  carry: number;
}

/** Draws replay examples to add to each micro-batch. */
export class ReplayMixer {
  readonly examples: readonly TrainExample[];
  readonly fraction: number;
  private readonly rng: Rng;
  private carry = 0;

  constructor(examples: readonly TrainExample[], fraction: number, seed: number) {
    if (!(fraction >= 0 && fraction < 1)) fail("replay.bad-fraction", `replay fraction must be in [0, 1), got ${fraction}`, "replay.fraction");
    if (fraction > 0 && examples.length === 0) fail("replay.empty", "replay.fraction is set but the replay set is empty", "replay.data", "give a non-empty replay file");
    this.examples = examples;
    this.fraction = fraction;
    this.rng = new Rng(`medtune-replay:${seed}`);
  }

  /** Replay examples to add to a micro-batch of `taskCount` task examples. */
  draw(taskCount: number): TrainExample[] {
    if (this.fraction === 0) return [];
    this.carry += (taskCount * this.fraction) / (1 - this.fraction);
    const r = Math.floor(this.carry + 1e-9);
    this.carry -= r;
    const out: TrainExample[] = [];
    for (let i = 0; i < r; i++) out.push(this.examples[this.rng.int(this.examples.length)]);
    return out;
  }

  /** The state to checkpoint. */
  state(): ReplayState {
    return { rng: this.rng.state(), carry: this.carry };
  }

  /** Restores a checkpointed state. */
  setState(s: ReplayState): void {
    this.rng.setState(s.rng);
    this.carry = s.carry;
  }
}
