// Continual learning on two tiny tasks (cats are answered A, dogs B): after a LoRA run on task A, a run on task B
// that starts from its adapter forgets task A (its answer loss on held-out A items rises); with EWC (Fisher of the
// task-A adapter on task-A data) it forgets less, and with replay of task-A examples far less. The numbers are
// printed. Also: the Fisher a run exports continues into the next run (fisherFrom), merged with decay.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readSafetensors, readSafetensorsHeader } from "../../src/formats/index.ts";
import { FinetuneConfigSchema } from "../../src/recipes/finetune-config.ts";
import { finetune } from "../../src/recipes/finetune.ts";
import { sharedPath } from "../helpers/shared.ts";
import { tmpDir } from "../helpers/tmp.ts";
import { TASK_A, TASK_B, taskItems, writePrepared } from "./synthetic.ts";

function evals(runDir: string): Record<string, number>[] {
  return readFileSync(join(runDir, "metrics.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)).filter((r) => r.type === "eval");
}

test("two tasks: EWC and replay each forget less of task A than plain fine-tuning on task B", async (t) => {
  const model = sharedPath(t, "models/stories260K/hf");
  if (!model) return;
  const dir = tmpDir();
  const a = writePrepared(join(dir, "a"), taskItems(TASK_A, 32, 1), taskItems(TASK_A, 16, 2));
  const b = writePrepared(join(dir, "b"), taskItems(TASK_B, 32, 1), taskItems(TASK_B, 16, 2));
  const common = {
    model, prompt: { appendEos: false }, lora: { rank: 4, alpha: 8, dropout: 0 }, batch: { size: 4, gradAccum: 1 }, schedule: { type: "constant" },
    checkpoint: { every: 0 }, earlyStop: { patience: null, restoreBest: false },
  };
  const r1 = await finetune(FinetuneConfigSchema.parse({ ...common, out: join(dir, "task-a"), data: { dir: a }, optim: { lr: 3e-3 }, steps: { max: 6 }, eval: { every: 0 }, export: { formats: ["peft"] } }), { quiet: true });
  assert.ok(r1.best!.metrics.accuracy === 1, "task A is learned");
  // Task B runs start from the task-A adapter; eval.general = held-out task-A items, so generalLoss is task A's answer loss.
  const runB = async (name: string, extra: Record<string, unknown>): Promise<{ before: number; after: number; taskB: number }> => {
    const out = join(dir, name);
    await finetune(FinetuneConfigSchema.parse({
      ...common, ...extra, out, data: { dir: b }, optim: { lr: 1e-2 }, steps: { max: 12 }, lora: { ...common.lora, init: r1.exports.peft },
      eval: { every: 0, general: join(a, "validation.jsonl") }, export: { formats: ["peft"] },
    }), { quiet: true });
    const ev = evals(out);
    return { before: ev[0].generalLoss, after: ev.at(-1)!.generalLoss, taskB: ev.at(-1)!.valLoss };
  };
  const plain = await runB("plain", {});
  // The empirical Fisher of a model that is already sure of task A is tiny (its gradients are), hence a large λ.
  const ewc = await runB("ewc", { ewc: { lambda: 1e7, reference: join(a, "train.jsonl"), samples: 16, saveFisher: false } });
  const replay = await runB("replay", { replay: { data: join(a, "train.jsonl"), fraction: 0.25 } });
  const line = (n: string, r: typeof plain): string => `${n}: task A loss ${r.before.toFixed(4)} -> ${r.after.toFixed(4)} (forgetting ${(r.after - r.before).toFixed(4)}), task B val loss ${r.taskB.toFixed(4)}`;
  process.stderr.write(`forgetting after training on task B:\n  ${line("plain ", plain)}\n  ${line("EWC   ", ewc)}\n  ${line("replay", replay)}\n`);
  assert.ok(plain.after - plain.before > 1, "plain fine-tuning on B forgets A");
  assert.ok(ewc.after - ewc.before < 0.75 * (plain.after - plain.before), "EWC forgets clearly less");
  assert.ok(replay.after - replay.before < 0.25 * (plain.after - plain.before), "replay forgets far less");
  assert.ok(plain.taskB < 0.05 && ewc.taskB < 0.5, "task B is still learned");
});

test("the exported Fisher continues into the next run: anchored at its final weights, merged with decay", async (t) => {
  const model = sharedPath(t, "models/stories260K/hf");
  if (!model) return;
  const dir = tmpDir();
  const a = writePrepared(join(dir, "a"), taskItems(TASK_A, 8, 1), taskItems(TASK_A, 4, 2));
  const b = writePrepared(join(dir, "b"), taskItems(TASK_B, 8, 1), taskItems(TASK_B, 4, 2));
  const common = { model, prompt: { appendEos: false }, lora: { rank: 2, alpha: 4, dropout: 0, targets: ["q", "v"] }, batch: { size: 4, gradAccum: 1 }, steps: { max: 3 }, eval: { every: 0 }, checkpoint: { every: 0 } };
  const r1 = await finetune(FinetuneConfigSchema.parse({ ...common, out: join(dir, "r1"), data: { dir: a }, ewc: { saveFisher: true, samples: 8 }, export: { formats: ["peft"] } }), { quiet: true });
  const f1 = readSafetensors(r1.exports.fisher!);
  const ad1 = readSafetensors(join(r1.exports.peft!, "adapter_model.safetensors"));
  const name = "base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight";
  assert.deepEqual(Array.from(f1.get(`anchor.${name}`)!.data), Array.from(ad1.get(name)!.data), "anchored at the exported adapter");
  assert.equal(readSafetensorsHeader(r1.exports.fisher!).metadata.runs, "1");
  const r2 = await finetune(FinetuneConfigSchema.parse({
    ...common, out: join(dir, "r2"), data: { dir: b }, lora: { ...common.lora, init: r1.exports.peft }, export: { formats: ["peft"] },
    ewc: { lambda: 100, fisherFrom: r1.exports.fisher, decay: 0.5, samples: 8 },
  }), { quiet: true });
  assert.equal(readSafetensorsHeader(r2.exports.fisher!).metadata.runs, "2");
  const anchor2 = readSafetensors(join(dir, "r2/checkpoints/ewc-anchor.safetensors"));
  const fa = anchor2.get(`fisher.${name}`)!.data, fp = f1.get(`fisher.${name}`)!.data;
  fa.forEach((x, i) => assert.ok(Math.abs(x - 0.5 * fp[i]) <= 1e-7 * Math.abs(fp[i]) + 1e-30, "the run's Fisher is decay × the previous one"));
  const penalties = readFileSync(join(dir, "r2/metrics.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)).filter((r) => r.type === "train").map((r) => r.ewcPenalty);
  assert.equal(penalties[0], 0, "no pull before the first update (θ = θ*)");
  assert.ok(penalties[2] > 0, "then a positive penalty");
});
