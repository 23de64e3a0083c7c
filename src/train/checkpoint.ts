// Checkpoints under <run>/checkpoints/: step-NNNNNN/ folders holding the trained tensors (trainable.safetensors),
// the AdamW moments (optimizer.safetensors, torch's exp_avg/exp_avg_sq names) and everything else a resume needs
// (state.json: step, data position, RNG states, early-stopping state). A folder is written under a temporary name
// and renamed into place, then latest.json is replaced atomically, so a crash at any point leaves the last good one.
// best/ holds the weights of the best evaluation; ewc-anchor.safetensors the run's Fisher and anchor.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fail, writeJsonAtomic } from "../core/index.ts";
import { readSafetensors, writeSafetensors } from "../formats/index.ts";
import type { FloatArray } from "../tensor/index.ts";
import type { AdamW } from "./adamw.ts";
import type { DataPosition } from "./batches.ts";
import type { EarlyStopState, ValMetrics } from "./early-stop.ts";
import type { ReplayState } from "./replay.ts";
import { loadTrainableTensors, trainableTensors, type Trainable } from "./trainable.ts";

/** The best evaluation so far. */
export interface BestInfo {
  step: number;
  score: number;
  metrics: ValMetrics;
}

/** Everything besides tensors that a resume restores. */
export interface TrainState {
  /** optimizer steps completed */
  step: number;
  /** the next batch to train on */
  position: DataPosition;
  /** seed of the per-epoch shuffles */
  shuffleSeed: number;
  /** replay mixer generator and carry */
  replay: ReplayState | null;
  /** LoRA dropout generator */
  dropoutRng: number[] | null;
  earlyStop: EarlyStopState | null;
  /** the step-0 evaluation (retention is measured against it) */
  baseline: ValMetrics | null;
  best: BestInfo | null;
  /** real tokens trained on so far */
  tokensSeen: number;
  /** fingerprint of the resolved config and inputs; a resume with other inputs is refused */
  fingerprint: string;
}

const STEP_DIR = /^step-(\d+)$/;

/** The name of step s's checkpoint folder. */
export function stepDirName(s: number): string {
  return `step-${String(s).padStart(6, "0")}`;
}

/** Writes a folder's files under a temporary name, then renames it to `final` (replacing an older copy). */
function writeDirAtomic(final: string, write: (dir: string) => void): void {
  const tmp = `${final}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  write(tmp);
  rmSync(final, { recursive: true, force: true });
  renameSync(tmp, final);
}

/** The checkpoints folder of one run. */
export class Checkpoints {
  readonly root: string;
  readonly keep: number;

  constructor(root: string, keep = 2) {
    if (!(Number.isInteger(keep) && keep >= 1)) fail("checkpoint.bad-keep", `checkpoint.keep must be a positive integer, got ${keep}`, "checkpoint.keep");
    this.root = root;
    this.keep = keep;
    mkdirSync(root, { recursive: true });
    // folders a killed run left half-written
    for (const n of readdirSync(root)) if (/\.tmp-\d+$/.test(n)) rmSync(join(root, n), { recursive: true, force: true });
  }

  /** Writes step `state.step`'s checkpoint and points latest.json at it; prunes all but the newest `keep`. */
  save(t: Trainable, opt: AdamW, state: TrainState): string {
    const name = stepDirName(state.step);
    const dir = join(this.root, name);
    writeDirAtomic(dir, (tmp) => {
      writeSafetensors(join(tmp, "trainable.safetensors"), trainableTensors(t), { metadata: { format: "medtune-checkpoint", kind: t.kind } });
      writeSafetensors(join(tmp, "optimizer.safetensors"), [...trainableTensors(t, opt.m, "exp_avg."), ...trainableTensors(t, opt.v, "exp_avg_sq.")], {
        metadata: { format: "medtune-optimizer", optimizer: "AdamW", step: String(opt.step) },
      });
      writeJsonAtomic(join(tmp, "state.json"), { ...state, optimizerStep: opt.step });
    });
    writeJsonAtomic(join(this.root, "latest.json"), { step: state.step, dir: name });
    const steps = readdirSync(this.root).filter((n) => STEP_DIR.test(n)).sort();
    for (const old of steps.slice(0, Math.max(0, steps.length - this.keep))) if (old !== name) rmSync(join(this.root, old), { recursive: true, force: true });
    return dir;
  }

  /** The newest complete checkpoint, or null when none was written. */
  latest(): { step: number; dir: string } | null {
    const p = join(this.root, "latest.json");
    if (!existsSync(p)) return null;
    const j = JSON.parse(readFileSync(p, "utf8")) as { step: number; dir: string };
    const dir = join(this.root, j.dir);
    if (!existsSync(join(dir, "state.json"))) fail("checkpoint.missing", `latest.json names ${j.dir}, which is missing`, this.root, "the checkpoints folder was edited by hand; point latest.json at an existing step folder");
    return { step: j.step, dir };
  }

  /** Loads a checkpoint folder into the trained parameters and the optimizer; returns its state. */
  load(dir: string, t: Trainable, opt: AdamW): TrainState {
    const bad = loadTrainableTensors(t, readSafetensors(join(dir, "trainable.safetensors")));
    const o = readSafetensors(join(dir, "optimizer.safetensors"));
    const m = t.params.like().data, v = t.params.like().data;
    bad.push(...loadTrainableTensors(t, o, m, "exp_avg."), ...loadTrainableTensors(t, o, v, "exp_avg_sq."));
    if (bad.length > 0) fail("checkpoint.mismatch", `the checkpoint lacks or misshapes ${bad.length} tensor(s) of this run, e.g. ${bad[0]}`, dir, "resume with the same model and method");
    const state = JSON.parse(readFileSync(join(dir, "state.json"), "utf8")) as TrainState & { optimizerStep: number };
    opt.load(m, v, state.optimizerStep);
    return state;
  }

  /** Saves the weights of the best evaluation (best/trainable.safetensors + best.json). */
  saveBest(t: Trainable, params: FloatArray, info: BestInfo): void {
    writeDirAtomic(join(this.root, "best"), (tmp) => {
      writeSafetensors(join(tmp, "trainable.safetensors"), trainableTensors(t, params), { metadata: { format: "medtune-checkpoint", kind: t.kind } });
      writeJsonAtomic(join(tmp, "best.json"), info);
    });
  }

  /** The best weights saved so far, or null. */
  loadBest(t: Trainable): { params: FloatArray; info: BestInfo } | null {
    const dir = join(this.root, "best");
    if (!existsSync(join(dir, "best.json"))) return null;
    const params = t.params.like().data;
    const bad = loadTrainableTensors(t, readSafetensors(join(dir, "trainable.safetensors")), params);
    if (bad.length > 0) fail("checkpoint.mismatch", `best/ lacks or misshapes ${bad.length} tensor(s) of this run, e.g. ${bad[0]}`, dir);
    return { params, info: JSON.parse(readFileSync(join(dir, "best.json"), "utf8")) as BestInfo };
  }
}
