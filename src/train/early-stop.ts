// Early stopping on a composite validation score (lower is better):
//   score = w_loss·val_loss + w_acc·(1 − mcq_accuracy) + w_ret·(general_loss − general_loss at step 0),
// each term present only when measured. A score improves when it beats the best by more than minDelta; after
// `patience` evaluations without improvement the run stops, and the best evaluation's weights are the result.
import { fail } from "../core/index.ts";

/** Validation measurements at one evaluation. */
export interface ValMetrics {
  /** mean NLL per answer token on the validation split */
  loss: number;
  /** MCQ accuracy by log-likelihood scoring (absent without MCQ items) */
  accuracy?: number;
  /** mean NLL per token on the general set (absent without one) */
  generalLoss?: number;
}

/** Weights of the composite score's terms. */
export interface ScoreWeights {
  loss: number;
  accuracy: number;
  retention: number;
}

/** The composite score of `m`; retention is measured against `baseline` (the step-0 evaluation). */
export function compositeScore(m: ValMetrics, baseline: ValMetrics, w: ScoreWeights): number {
  let s = w.loss * m.loss;
  if (m.accuracy !== undefined && w.accuracy !== 0) s += w.accuracy * (1 - m.accuracy);
  if (m.generalLoss !== undefined && baseline.generalLoss !== undefined && w.retention !== 0) s += w.retention * (m.generalLoss - baseline.generalLoss);
  return s;
}

/** Early-stopping knobs: evaluations without improvement before stopping (null = never stop), and the margin. */
export interface EarlyStopOptions {
  patience: number | null;
  minDelta: number;
}

/** The stopper's whole state (checkpointed). */
export interface EarlyStopState {
  /** best score so far (null before the first evaluation) */
  best: number | null;
  /** step of the best evaluation (−1 before the first) */
  bestStep: number;
  /** evaluations since the last improvement */
  bad: number;
  stopped: boolean;
}

/** What one observation decided. */
export interface EarlyStopDecision {
  improved: boolean;
  stop: boolean;
}

/** The early-stopping state machine: observe(step, score) after each evaluation. */
export class EarlyStopper {
  readonly opts: EarlyStopOptions;
  private s: EarlyStopState = { best: null, bestStep: -1, bad: 0, stopped: false };

  constructor(opts: EarlyStopOptions) {
    if (opts.patience !== null && !(Number.isInteger(opts.patience) && opts.patience >= 1)) {
      fail("early-stop.bad-patience", `patience must be a positive integer (or null to never stop), got ${opts.patience}`, "earlyStop.patience");
    }
    if (!(opts.minDelta >= 0)) fail("early-stop.bad-min-delta", `minDelta must be ≥ 0, got ${opts.minDelta}`, "earlyStop.minDelta");
    this.opts = opts;
  }

  /** Records an evaluation; a NaN score never improves. */
  observe(step: number, score: number): EarlyStopDecision {
    if (this.s.stopped) return { improved: false, stop: true };
    const improved = !Number.isNaN(score) && (this.s.best === null || score < this.s.best - this.opts.minDelta);
    if (improved) {
      this.s.best = score;
      this.s.bestStep = step;
      this.s.bad = 0;
    } else this.s.bad++;
    const stop = this.opts.patience !== null && this.s.bad >= this.opts.patience;
    this.s.stopped = stop;
    return { improved, stop };
  }

  /** The state to checkpoint. */
  state(): EarlyStopState {
    return { ...this.s };
  }

  /** Restores a checkpointed state. */
  setState(s: EarlyStopState): void {
    this.s = { ...s };
  }
}
