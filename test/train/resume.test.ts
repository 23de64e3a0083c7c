// Resume: a run killed with SIGKILL right after a checkpoint (a child process running the trainer) and resumed with
// resumeFinetune gives exactly the losses, evaluations and final adapter of an uninterrupted run, with LoRA dropout,
// replay, gradient accumulation and validation all active (so every generator and the data position must be
// restored). A run whose loss turns non-finite stops with a clear message and leaves its last good checkpoint.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { isMedtuneError } from "../../src/core/index.ts";
import { readSafetensors } from "../../src/formats/index.ts";
import { FinetuneConfigSchema } from "../../src/recipes/finetune-config.ts";
import { finetune, resumeFinetune } from "../../src/recipes/finetune.ts";
import { sharedPath } from "../helpers/shared.ts";
import { tmpDir } from "../helpers/tmp.ts";
import { TASK_A, TASK_B, taskItems, writeJsonl, writePrepared } from "./synthetic.ts";

const ROOT = resolve(import.meta.dirname, "../..");

function records(runDir: string, type: string): Record<string, number>[] {
  const out: Record<string, number>[] = [];
  for (const l of readFileSync(join(runDir, "metrics.jsonl"), "utf8").split("\n")) {
    try {
      const r = JSON.parse(l);
      if (r.type === type) out.push(r);
    } catch {
      /* empty or torn line (the child may be writing it) */
    }
  }
  return out;
}

test("a run killed with SIGKILL after a checkpoint and resumed gives the same losses as an uninterrupted run", async (t) => {
  const model = sharedPath(t, "models/stories260K/hf");
  if (!model) return;
  const dir = tmpDir();
  const data = writePrepared(join(dir, "data"), taskItems(TASK_A, 24, 1), taskItems(TASK_A, 6, 2));
  const replay = writeJsonl(join(dir, "replay.jsonl"), taskItems(TASK_B, 10, 3));
  const base = {
    model, data: { dir: data }, prompt: { appendEos: false }, seed: 77, lora: { rank: 4, alpha: 8, dropout: 0.1 },
    optim: { lr: 3e-3, weightDecay: 0.01 }, schedule: { type: "cosine", warmupSteps: 3 }, batch: { size: 3, gradAccum: 2 }, steps: { max: 24 },
    replay: { data: replay, fraction: 0.25 }, eval: { every: 4 }, earlyStop: { patience: null }, checkpoint: { every: 4, keep: 2 }, export: { formats: ["peft"] },
  };
  const killedDir = join(dir, "killed");
  const cfgPath = join(dir, "killed.json");
  writeFileSync(cfgPath, JSON.stringify({ ...base, out: killedDir }));
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "test/train/finetune-child.ts"), cfgPath], { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (b: Buffer) => { stderr += b.toString(); });
  const exited = new Promise<number | null>((res) => child.on("exit", (code) => res(code)));
  const latest = join(killedDir, "checkpoints", "latest.json");
  let killedAt = -1;
  while (killedAt < 0) {
    if (child.exitCode !== null) assert.fail(`the child finished before it could be killed (exit ${child.exitCode}): ${stderr}`);
    // kill once a step after the first checkpoint is logged, so the resume must also cut metrics.jsonl back
    const cp = existsSync(latest) ? (JSON.parse(readFileSync(latest, "utf8")) as { step: number }).step : -1;
    if (cp > 0 && records(killedDir, "train").some((r) => r.step > cp)) {
      child.kill("SIGKILL");
      killedAt = cp;
    } else await new Promise((r) => setTimeout(r, 5));
  }
  await exited;
  assert.equal(child.signalCode ?? "SIGKILL", "SIGKILL");
  const checkpointStep = (JSON.parse(readFileSync(latest, "utf8")) as { step: number }).step;
  const trainedBeforeKill = records(killedDir, "train").length;
  assert.ok(trainedBeforeKill > checkpointStep, "steps after the checkpoint were logged before the kill");
  assert.ok(!existsSync(join(killedDir, "summary.json")), "the run did not finish");
  assert.ok(checkpointStep < 24, `killed mid-run (checkpoint at step ${checkpointStep})`);

  const resumed = await resumeFinetune(killedDir, { quiet: true });
  assert.equal(resumed.resumedFrom, checkpointStep);
  const straightDir = join(dir, "straight");
  const straight = await finetune(FinetuneConfigSchema.parse({ ...base, out: straightDir }), { quiet: true });
  assert.equal(resumed.steps, 24);
  assert.equal(straight.steps, 24);

  const a = records(killedDir, "train"), b = records(straightDir, "train");
  assert.deepEqual(a.map((r) => r.step), b.map((r) => r.step), "one record per step, the killed run's extra steps cut back");
  let worst = 0;
  for (let i = 0; i < b.length; i++) {
    worst = Math.max(worst, Math.abs(a[i].loss - b[i].loss));
    assert.equal(a[i].tokens, b[i].tokens, `step ${b[i].step}: the same batch (and replay draws)`);
  }
  const evA = records(killedDir, "eval"), evB = records(straightDir, "eval");
  assert.deepEqual(evA.map((r) => [r.step, r.valLoss]), evB.map((r) => [r.step, r.valLoss]), "the same validations");
  const after = b.filter((r) => r.step > checkpointStep);
  process.stderr.write(`SIGKILL after the step-${checkpointStep} checkpoint (${trainedBeforeKill} steps logged before the kill); resumed losses ` +
    `${a.filter((r) => r.step > checkpointStep).slice(0, 4).map((r) => r.loss.toFixed(6)).join(", ")} vs uninterrupted ${after.slice(0, 4).map((r) => r.loss.toFixed(6)).join(", ")}; max |Δloss| over all 24 steps ${worst.toExponential(2)}\n`);
  assert.ok(worst <= 1e-6, `max |Δloss| ${worst}`);
  const wA = readSafetensors(join(killedDir, "export/adapter/adapter_model.safetensors"));
  const wB = readSafetensors(join(straightDir, "export/adapter/adapter_model.safetensors"));
  let dw = 0;
  for (const [k, v] of wB) v.data.forEach((x, i) => { dw = Math.max(dw, Math.abs(x - wA.get(k)!.data[i])); });
  assert.ok(dw <= 1e-6, `final adapters differ by ${dw}`);
});

test("a non-finite loss stops the run with a one-line reason and leaves the last good checkpoint", async (t) => {
  const model = sharedPath(t, "models/stories260K/hf");
  if (!model) return;
  const dir = tmpDir();
  const data = writePrepared(join(dir, "data"), taskItems(TASK_A, 16, 1), taskItems(TASK_A, 4, 2));
  const out = join(dir, "run");
  // full fine-tuning with lr 1e30: the weights overflow float32 after the first update
  const cfg = FinetuneConfigSchema.parse({
    model, out, data: { dir: data }, method: "full", optim: { lr: 1e30 }, clipGradNorm: 0, schedule: { type: "constant" }, batch: { size: 4, gradAccum: 1 },
    steps: { max: 30 }, eval: { every: 0 }, checkpoint: { every: 1, keep: 1 }, export: { formats: ["hf"] },
  });
  let err: unknown;
  try {
    await finetune(cfg, { quiet: true });
  } catch (e) {
    err = e;
  }
  assert.ok(isMedtuneError(err), `a MedtuneError, got ${String(err)}`);
  assert.equal(err.code, "train.non-finite");
  assert.ok(!err.oneLine().includes("\n"), "one line");
  process.stderr.write(`non-finite stop: ${err.oneLine()}\n`);
  const m = /at step (\d+)/.exec(err.message);
  assert.ok(m, err.message);
  const latest = JSON.parse(readFileSync(join(out, "checkpoints/latest.json"), "utf8")) as { step: number; dir: string };
  assert.ok(latest.step < Number(m[1]), "the checkpoint is from before the failure");
  const w = readSafetensors(join(out, "checkpoints", latest.dir, "trainable.safetensors"));
  for (const [k, v] of w) assert.ok(v.data.every(Number.isFinite), `${k} is finite in the last good checkpoint`);
  assert.ok(!existsSync(join(out, "export")), "nothing exported");
  assert.equal(records(out, "error").length, 1, "the error is in metrics.jsonl");
});
