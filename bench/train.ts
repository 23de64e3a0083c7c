// The trainer's per-step vector work on a flat buffer the size of SmolLM2-135M (134.5M parameters, full
// fine-tuning): AdamW update, global gradient norm + clipping, EWC penalty + gradient. Prints one JSON line per
// figure (ms per call, GB/s of memory traffic, bytes allocated per call). TRAIN_PARAMS overrides the size.
// Usage: node --import tsx bench/train.ts
import { AdamW, clipGradNorm, ewcBackward, ewcForward, gradNorm } from "../src/train/index.ts";

const n = Number(process.env.TRAIN_PARAMS ?? 134_515_008);
if (!Number.isInteger(n) || n < 1) throw new Error(`TRAIN_PARAMS must be a positive integer, got ${process.env.TRAIN_PARAMS}`);
const params = new Float32Array(n).map((_, i) => Math.sin(i) * 0.02);
const grads = new Float32Array(n).map((_, i) => Math.cos(i) * 1e-3);
const anchor = params.slice();
const fisher = new Float32Array(n).fill(1e-4);
const opt = new AdamW(n, { weightDecay: 0.01 });

function time(name: string, bytesPerCall: number, reps: number, f: () => void): void {
  f(); // warm-up (and the first-call allocations of the JIT)
  const heap0 = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) f();
  const ms = (performance.now() - t0) / reps;
  const alloc = (process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers - heap0) / reps;
  process.stdout.write(JSON.stringify({ bench: "train", figure: name, params: n, msPerCall: Number(ms.toFixed(2)), gbPerSec: Number((bytesPerCall / ms / 1e6).toFixed(2)), bytesAllocatedPerCall: Math.max(0, Math.round(alloc)) }) + "\n");
}

time("adamw-update", n * 4 * 5, 5, () => opt.update(params, grads, 1e-5)); // reads p, g, m, v; writes p, m, v
time("grad-norm+clip", n * 4 * 3, 5, () => clipGradNorm(grads, gradNorm(grads), 1e9));
time("ewc-forward+backward", n * 4 * 6, 5, () => {
  ewcForward(params, anchor, fisher, 1);
  ewcBackward(grads, params, anchor, fisher, 0);
});
