// Learning-rate schedules in closed form, by 1-based optimizer step s of S: linear warmup lr·s/W for s ≤ W, then
// constant, linear decay or cosine decay (SGDR, Loshchilov & Hutter 2017) towards lr·minRatio with progress
// p = (s−1−W)/(S−W), as HF get_{linear,cosine}_schedule_with_warmup (so the last update is not spent at lr 0).
// Unlike HF's LambdaLR, the first warmup update gets lr/W rather than 0.
import { fail } from "../core/index.ts";

/** Schedule shapes after the warmup. */
export const SCHEDULES = ["constant", "linear", "cosine"] as const;
/** One of SCHEDULES. */
export type ScheduleType = (typeof SCHEDULES)[number];

/** A schedule: peak lr, shape, warmup steps, total steps and the floor as a fraction of the peak. */
export interface ScheduleOptions {
  type: ScheduleType;
  lr: number;
  totalSteps: number;
  warmupSteps?: number;
  /** lr at the last step as a fraction of lr (linear/cosine); default 0 */
  minLrRatio?: number;
}

/** Learning rate of optimizer step s (1-based). */
export function learningRate(s: number, o: ScheduleOptions): number {
  const W = o.warmupSteps ?? 0;
  const S = o.totalSteps;
  const floor = o.minLrRatio ?? 0;
  if (!(o.lr >= 0) || !Number.isFinite(o.lr)) fail("schedule.bad-lr", `learning rate must be a finite number ≥ 0, got ${o.lr}`, "optim.lr");
  if (!(Number.isInteger(S) && S >= 1)) fail("schedule.bad-steps", `total steps must be a positive integer, got ${S}`, "schedule");
  if (!(Number.isInteger(W) && W >= 0)) fail("schedule.bad-warmup", `warmup steps must be an integer ≥ 0, got ${W}`, "schedule.warmupSteps");
  if (!(floor >= 0 && floor <= 1)) fail("schedule.bad-min-lr", `minLrRatio must be in [0, 1], got ${floor}`, "schedule.minLrRatio");
  if (W > 0 && s <= W) return (o.lr * s) / W;
  if (o.type === "constant" || S <= W) return o.lr;
  const p = Math.min(1, Math.max(0, (s - 1 - W) / (S - W))); // progress through the decay, in [0, 1)
  const shape = o.type === "linear" ? 1 - p : 0.5 * (1 + Math.cos(Math.PI * p));
  return o.lr * (floor + (1 - floor) * shape);
}
