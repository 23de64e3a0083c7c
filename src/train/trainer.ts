// The training loop, readable top to bottom (nanoGPT / mlx-lm style): validation before step 1, then per
// optimizer step: gradient-accumulated micro-batches (replay examples mixed in) normalized by the step's answer
// tokens, the EWC pull, a non-finite check, global-norm clipping, AdamW at the scheduled lr; metrics per step;
// validation, early stopping and atomic checkpoints every N steps. A resume restores parameters, optimizer
// moments, data position and every generator, so its losses equal an uninterrupted run's.
import { MedtuneError, Progress, fail } from "../core/index.ts";
import type { LlamaModel } from "../nn/index.ts";
import type { FloatArray } from "../tensor/index.ts";
import type { AdamW } from "./adamw.ts";
import { BatchStream, collate, type MicroBatch } from "./batches.ts";
import type { BestInfo, Checkpoints, TrainState } from "./checkpoint.ts";
import { compositeScore, EarlyStopper, type ScoreWeights, type ValMetrics } from "./early-stop.ts";
import type { TrainExample } from "./encode.ts";
import { validate, type ValidationSets } from "./evaluate.ts";
import { ewcBackward, ewcForward, type EwcTerm } from "./ewc.ts";
import { clipGradNorm, gradNorm } from "./grad-clip.ts";
import type { MetricsLog } from "./metrics-log.ts";
import type { ReplayMixer } from "./replay.ts";
import { learningRate, type ScheduleOptions } from "./schedule.ts";
import { loraDropoutRng, type Trainable } from "./trainable.ts";

/** Everything the loop needs; the recipe builds it from the config. */
export interface TrainerOptions {
  model: LlamaModel;
  trainable: Trainable;
  optimizer: AdamW;
  train: readonly TrainExample[];
  padId: number;
  /** examples per micro-batch (before replay) */
  batchSize: number;
  /** micro-batches per optimizer step */
  gradAccum: number;
  /** sort batches by length within windows */
  bucket: boolean;
  /** seeds the epoch shuffles */
  seed: number;
  totalSteps: number;
  schedule: ScheduleOptions;
  /** global L2 norm limit; 0 = no clipping */
  clipGradNorm: number;
  ewc?: EwcTerm | null;
  replay?: ReplayMixer | null;
  /** validation sets; null = no validation (the last weights are the result) */
  validation?: ValidationSets | null;
  /** validate every N steps (and at the end); 0 = only before step 1 and at the end */
  evalEvery: number;
  /** stopping rule and score weights (patience null = never stop, still keep the best) */
  earlyStop?: { stopper: EarlyStopper; weights: ScoreWeights; restoreBest: boolean } | null;
  checkpoints?: Checkpoints | null;
  /** checkpoint every N steps (and at the end); 0 = only at the end */
  checkpointEvery: number;
  metrics?: MetricsLog | null;
  /** fingerprint of config and inputs, stored in checkpoints and checked on resume */
  fingerprint: string;
  /** continue from the newest checkpoint */
  resume?: boolean;
  /** no progress output */
  quiet?: boolean;
}

/** What a training run did. */
export interface TrainResult {
  /** optimizer steps completed */
  steps: number;
  stoppedEarly: boolean;
  /** the best evaluation (its weights are in the model when restoreBest) */
  best: BestInfo | null;
  /** the step-0 evaluation */
  baseline: ValMetrics | null;
  /** training loss of the last step */
  lastLoss: number;
  /** step of the checkpoint resumed from, or null */
  resumedFrom: number | null;
  tokensSeen: number;
}

/** True when every element is finite. */
function allFinite(a: FloatArray): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}

/** Runs (or resumes) training; leaves the best (or last) weights in the model. */
export function train(o: TrainerOptions): TrainResult {
  const { model, trainable: t, optimizer: opt } = o;
  if (!(Number.isInteger(o.gradAccum) && o.gradAccum >= 1)) fail("train.bad-grad-accum", `gradAccum must be a positive integer, got ${o.gradAccum}`, "batch.gradAccum");
  if (!(Number.isInteger(o.totalSteps) && o.totalSteps >= 1)) fail("train.bad-steps", `the run must have at least one step, got ${o.totalSteps}`, "steps");
  const stream = new BatchStream(o.train.map((e) => e.ids.length), { batchSize: o.batchSize, seed: o.seed, bucket: o.bucket });
  const dropRng = loraDropoutRng(model);
  const stopper = o.earlyStop?.stopper ?? new EarlyStopper({ patience: null, minDelta: 0 });
  const weights: ScoreWeights = o.earlyStop?.weights ?? { loss: 1, accuracy: 1, retention: 1 };
  let step = 0, tokensSeen = 0, lastLoss = NaN;
  let baseline: ValMetrics | null = null;
  let best: BestInfo | null = null;
  let bestParams: FloatArray | null = null;
  let resumedFrom: number | null = null;

  if (o.resume) {
    const cp = o.checkpoints;
    const latest = cp?.latest() ?? null;
    if (!cp || !latest) fail("train.no-checkpoint", "there is no checkpoint to resume from", cp?.root ?? "run folder", "start a new run instead of --resume");
    const st = cp.load(latest.dir, t, opt);
    if (st.fingerprint !== o.fingerprint) {
      fail("train.resume-mismatch", "the run's config or input data changed since its checkpoints were written", latest.dir, "resume with the same inputs, or start a new run");
    }
    step = st.step;
    stream.seek(st.position);
    if (o.replay && st.replay) o.replay.setState(st.replay);
    if (dropRng && st.dropoutRng) dropRng.setState(st.dropoutRng.map((x) => (x === null ? NaN : x)));
    if (st.earlyStop) stopper.setState(st.earlyStop);
    baseline = st.baseline;
    best = st.best;
    tokensSeen = st.tokensSeen;
    const b = cp.loadBest(t);
    if (b) bestParams = b.params;
    o.metrics?.truncateAfter(step);
    resumedFrom = step;
  }

  const state = (): TrainState => ({
    step, position: stream.position(), shuffleSeed: o.seed, replay: o.replay?.state() ?? null, dropoutRng: dropRng?.state() ?? null,
    earlyStop: stopper.state(), baseline, best, tokensSeen, fingerprint: o.fingerprint,
  });
  const lastGood = (): string => {
    const l = o.checkpoints?.latest();
    return l ? `the last good checkpoint, step ${l.step} (${l.dir}), is intact` : "no checkpoint was written yet";
  };
  const nonFinite = (what: string, s: number, where = ""): never => {
    o.metrics?.append({ type: "error", step: s, error: `${what}${where}` });
    throw new MedtuneError("train.non-finite", `${what} at step ${s}${where}: training stopped`, {
      where: o.checkpoints?.root, hint: `lower optim.lr, enable clipGradNorm or check the data, then start a new run; ${lastGood()}`,
    });
  };

  /** Validates, updates the best weights, and says whether to stop. */
  const evaluate = (s: number): boolean => {
    if (!o.validation) return false;
    const m = validate(model, o.validation);
    if (baseline === null) baseline = m;
    const score = compositeScore(m, baseline, weights);
    const d = stopper.observe(s, score);
    if (d.improved) {
      best = { step: s, score, metrics: m };
      bestParams = t.params.data.slice();
      o.checkpoints?.saveBest(t, t.params.data, best);
    }
    o.metrics?.append({
      type: "eval", step: s, valLoss: m.loss, ...(m.accuracy !== undefined ? { valAccuracy: m.accuracy } : {}),
      ...(m.generalLoss !== undefined ? { generalLoss: m.generalLoss } : {}), score, improved: d.improved, bestStep: best?.step ?? s,
    });
    return d.stop;
  };

  let stopped = stopper.state().stopped;
  if (step === 0) stopped = evaluate(0);
  const progress = new Progress(resumedFrom === null ? "finetune" : `finetune (resumed at step ${resumedFrom})`, { total: o.totalSteps - step, unit: "steps", quiet: o.quiet });
  const mbs: MicroBatch[] = [];
  while (step < o.totalSteps && !stopped) {
    const s = step + 1;
    const t0 = performance.now();
    const lr = learningRate(s, o.schedule);
    // the step's micro-batches, and its answer-token count: the loss normalizer of every micro-batch
    mbs.length = 0;
    const wheres: string[][] = [];
    let scored = 0, tokens = 0;
    for (let k = 0; k < o.gradAccum; k++) {
      const ex = stream.next().map((i) => o.train[i]);
      const all = o.replay ? [...ex, ...o.replay.draw(ex.length)] : ex;
      const mb = collate(all, o.padId);
      mbs.push(mb);
      wheres.push(all.map((e) => e.where));
      scored += mb.nScored;
      tokens += mb.nTokens;
    }
    model.zeroGrad();
    model.training = true;
    let loss = 0;
    try {
      for (const [k, mb] of mbs.entries()) {
        if (mb.nScored === 0) continue;
        const l = model.forwardBackward({ data: mb.ids, B: mb.B, T: mb.T }, { labels: { data: mb.labels, B: mb.B, T: mb.T }, lossNormalizer: Math.max(1, scored) });
        if (!Number.isFinite(l)) nonFinite(`the loss is ${l}`, s, ` (micro-batch ${k + 1}: ${wheres[k].slice(0, 3).join(", ")}${wheres[k].length > 3 ? ", …" : ""})`);
        loss += l;
      }
    } finally {
      model.training = false;
    }
    let penalty = 0;
    if (o.ewc && o.ewc.lambda > 0) {
      penalty = ewcForward(t.params.data, o.ewc.anchor, o.ewc.fisher, o.ewc.lambda);
      ewcBackward(t.grads.data, t.params.data, o.ewc.anchor, o.ewc.fisher, o.ewc.lambda);
    }
    const norm = gradNorm(t.grads.data);
    if (!Number.isFinite(norm)) nonFinite(`the gradient norm is ${norm}`, s);
    const scale = clipGradNorm(t.grads.data, norm, o.clipGradNorm);
    opt.update(t.params.data, t.grads.data, lr);
    step = s;
    tokensSeen += tokens;
    lastLoss = loss;
    const sec = (performance.now() - t0) / 1000;
    const pos = stream.position();
    o.metrics?.append({
      type: "train", step, epoch: pos.epoch + pos.batchIndex / stream.perEpoch, loss, ...(o.ewc && o.ewc.lambda > 0 ? { ewcPenalty: penalty } : {}),
      lr, gradNorm: norm, clipped: scale < 1, tokens, scoredTokens: scored, tokensPerSec: sec > 0 ? tokens / sec : 0,
    });
    progress.tick(1, `loss ${loss.toFixed(4)}, ${Math.round(sec > 0 ? tokens / sec : 0)} tok/s`);
    const evalDue = o.evalEvery > 0 ? step % o.evalEvery === 0 || step === o.totalSteps : step === o.totalSteps;
    if (evalDue) stopped = evaluate(step);
    const cpDue = o.checkpointEvery > 0 ? step % o.checkpointEvery === 0 : false;
    if (o.checkpoints && (cpDue || step === o.totalSteps || stopped)) {
      if (!allFinite(t.params.data)) nonFinite("a weight became non-finite", step);
      o.checkpoints.save(t, opt, state());
    }
  }
  progress.finish(Number.isFinite(lastLoss) ? `loss ${lastLoss.toFixed(4)}` : "");
  const restore = o.earlyStop?.restoreBest ?? true;
  if (restore && bestParams !== null) t.params.data.set(bestParams);
  return { steps: step, stoppedEarly: stopped && step < o.totalSteps, best, baseline, lastLoss, resumedFrom, tokensSeen };
}
