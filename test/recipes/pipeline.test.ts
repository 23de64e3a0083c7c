// `medtune run` end to end on a tiny real model: prepare the demo set, LoRA fine-tune stories260K, evaluate base
// and tuned on the held-out test split, compare them, red-team both and gate; summary.json says whether the tuned
// model is releasable. Settings are cut down so the run takes seconds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runPipeline, PipelineConfigSchema, type PipelineSummary } from "../../src/recipes/index.ts";
import { tmpDir } from "../helpers/tmp.ts";
import { sharedPath } from "../helpers/shared.ts";

test("without a model the pipeline prepares the data and says there is nothing to release", async () => {
  const out = join(tmpDir(), "run");
  const { summary } = await runPipeline(PipelineConfigSchema.parse({ out }), { quiet: true });
  assert.equal(summary.releasable, null);
  assert.ok(summary.data.kept >= 380);
  assert.ok(existsSync(join(out, "prepare", "train.jsonl")));
  assert.ok(existsSync(join(out, "summary.md")));
});

test("with a model: fine-tune, evaluate base vs tuned, red-team, gate, and a releasability verdict", async (t) => {
  const model = sharedPath(t, "models/stories260K/hf");
  if (!model) return;
  const out = join(tmpDir(), "run");
  const config = PipelineConfigSchema.parse({
    out, model, modelOptions: ",ctx=4096",
    prepare: { split: { train: 0.8, validation: 0.1, test: 0.1 } },
    train: { steps: { max: 3 }, batch: { size: 2, gradAccum: 1, truncate: true }, eval: { every: 0, maxItems: 4 }, checkpoint: { every: 0 }, export: { formats: ["peft"] } },
    eval: { limit: 6, generation: { maxTokens: 8 } },
    safety: { redteam: { sample: 8, generation: { maxTokens: 12 }, sets: ["builtin"] } },
  });
  const { summary } = await runPipeline(config, { quiet: true });
  const s = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as PipelineSummary;
  assert.deepEqual(s, JSON.parse(JSON.stringify(summary)));
  assert.equal(s.training?.steps, 3);
  assert.ok(s.training?.exports.peft && existsSync(s.training.exports.peft));
  assert.ok((s.accuracy ?? []).length >= 1, "base vs tuned compared on the test split");
  for (const a of s.accuracy ?? []) assert.ok(a.n > 0 && a.base >= 0 && a.tuned >= 0);
  assert.ok(s.safety, "the safety gate ran");
  assert.equal(typeof s.safety?.passed, "boolean");
  assert.equal(typeof s.releasable, "boolean");
  assert.equal(s.releasable, s.safety!.passed && (s.accuracy ?? []).every((a) => a.verdict !== "worse"));
  console.log(`pipeline: ${JSON.stringify({ accuracy: s.accuracy, safety: s.safety?.reason, releasable: s.releasable })}`);
  for (const step of ["prepare", "train", "eval-base", "eval-tuned", "redteam-base", "redteam-tuned"]) assert.ok(s.steps[step], step);
  assert.ok(existsSync(join(out, "gate.json")) && existsSync(join(out, "compare.json")));
  assert.match(readFileSync(join(out, "summary.md"), "utf8"), /Releasable: (yes|no)/);
});
