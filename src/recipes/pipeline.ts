// `medtune run`: the whole pipeline, top to bottom. Prepare the data (the built-in demo set by default); with a
// base model, fine-tune it, evaluate base and tuned models on the held-out test split under one protocol, compare
// them item by item, red-team both and gate the release. Each step writes its own run folder inside the
// pipeline's folder; summary.json / summary.md say what happened and whether the tuned model is releasable.
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";
import { MedtuneError, deepMerge, log, validateConfig, writeFileAtomic, writeJsonAtomic } from "../core/index.ts";
import type { TaskComparison } from "../eval/index.ts";
import { PrepareConfigSchema } from "./prepare-config.ts";
import { prepare } from "./prepare.ts";
import { FinetuneConfigSchema } from "./finetune-config.ts";
import { finetune } from "./finetune.ts";
import { EvalConfigSchema, evaluate, newRunDir } from "./evaluate.ts";
import { compareRuns } from "./compare.ts";
import { pipelineSafety, type PipelineSafetyResult } from "./pipeline-safety.ts";

const section = z.record(z.string(), z.unknown());

/** The pipeline config: one section per step, each holding that step's own config keys. */
export const PipelineConfigSchema = z
  .object({
    name: z.string().min(1).default("pipeline"), // run name, part of the pipeline's folder name
    seed: z.number().int().default(1234), // passed to every step that has a seed
    runsDir: z.string().default("runs"), // where the pipeline folder goes
    out: z.string().optional(), // the pipeline folder (default runs/<stamp>-run-<name>)
    model: z.string().optional(), // base model (HF folder or .gguf); without it the pipeline prepares data only
    modelOptions: z.string().default(""), // appended to eval model specs, e.g. ",ctx=2048"
    prepare: section.default({}), // `data prepare` keys (default: the built-in demo set)
    train: section.default({}), // `train` keys (model, data and out are set by the pipeline)
    eval: section.default({}), // `eval` keys (model and out are set; default task: the prepared test split)
    safety: section.default({}), // red-team and gate keys: { enabled, redteam: {...}, gate: {...} }
  })
  .strict();
export type PipelineConfig = z.infer<typeof PipelineConfigSchema>;

/** What the pipeline did. */
export interface PipelineResult {
  outDir: string;
  summary: PipelineSummary;
}

/** summary.json of a pipeline run. */
export interface PipelineSummary {
  name: string;
  model: string | null;
  steps: Record<string, { dir: string; seconds: number }>;
  data: { read: number; kept: number; quarantined: number; duplicates: number; contaminated: number; splits: Record<string, number> };
  training?: { steps: number; stoppedEarly: boolean; bestStep: number | null; exports: Record<string, string> };
  accuracy?: Array<{ task: string; metric: string; n: number; base: number; tuned: number; difference: number; lo: number; hi: number; pValue: number | null; verdict: "better" | "worse" | "no significant difference" }>;
  safety?: PipelineSafetyResult;
  releasable: boolean | null;
  reasons: string[];
}

function isGguf(path: string): boolean {
  return path.endsWith(".gguf") && existsSync(path) && statSync(path).isFile();
}

/** The eval model specs of the base and tuned models, on the same provider so their scores are comparable. */
export function modelSpecs(base: string, exports: Record<string, string>, extra: string): { base: string; tuned: string } {
  if (isGguf(base)) {
    const tuned = exports["gguf-lora"] ? `llamacpp:${base},lora=${exports["gguf-lora"]}` : exports.gguf ? `llamacpp:${exports.gguf}` : null;
    if (!tuned) throw new MedtuneError("run.no-export", "the fine-tuning run exported neither a GGUF LoRA adapter nor a GGUF model", { where: "train.export.formats", hint: 'include "gguf-lora" (LoRA) or "gguf" (full)' });
    return { base: `llamacpp:${base}${extra}`, tuned: `${tuned}${extra}` };
  }
  const tuned = exports.peft ? `local:${base},adapter=${exports.peft}` : exports.hf ? `local:${exports.hf}` : null;
  if (!tuned) throw new MedtuneError("run.no-export", "the fine-tuning run exported neither a PEFT adapter nor a merged HF folder", { where: "train.export.formats", hint: 'include "peft" (LoRA) or "hf" (full)' });
  return { base: `local:${base}${extra}`, tuned: `${tuned}${extra}` };
}

function verdictOf(c: TaskComparison, alpha: number): "better" | "worse" | "no significant difference" {
  const p = c.mcnemar?.exact.pValue ?? null;
  const significant = p !== null ? p < alpha : c.difference.lo > 0 || c.difference.hi < 0;
  if (!significant) return "no significant difference";
  // difference = A - B with A the tuned model
  return c.difference.estimate > 0 ? "better" : "worse";
}

function renderSummary(s: PipelineSummary): string {
  const lines = [`# medtune run: ${s.name}`, ""];
  lines.push(`- data: read ${s.data.read} = kept ${s.data.kept} + quarantined ${s.data.quarantined} + duplicates ${s.data.duplicates} + contaminated ${s.data.contaminated}; splits ${Object.entries(s.data.splits).map(([k, v]) => `${k} ${v}`).join(", ")}`);
  if (s.training) lines.push(`- training: ${s.training.steps} steps${s.training.stoppedEarly ? " (stopped early)" : ""}, best step ${s.training.bestStep ?? "n/a"}; exports: ${Object.keys(s.training.exports).join(", ")}`);
  for (const a of s.accuracy ?? []) {
    lines.push(`- ${a.task} ${a.metric}: base ${(100 * a.base).toFixed(1)}% -> tuned ${(100 * a.tuned).toFixed(1)}% (difference ${(100 * a.difference).toFixed(1)} points, 95% CI [${(100 * a.lo).toFixed(1)}, ${(100 * a.hi).toFixed(1)}], McNemar p ${a.pValue === null ? "n/a" : a.pValue.toPrecision(3)}): ${a.verdict}`);
  }
  if (s.safety) lines.push(`- safety gate: ${s.safety.passed ? "passed" : "FAILED"}: ${s.safety.reason}`);
  lines.push("", `**Releasable: ${s.releasable === null ? "n/a (no model given: data only)" : s.releasable ? "yes" : "no"}**`, ...s.reasons.map((r) => `- ${r}`), "");
  lines.push("Step folders:", ...Object.entries(s.steps).map(([k, v]) => `- ${k}: ${v.dir} (${v.seconds.toFixed(1)} s)`), "");
  return lines.join("\n");
}

/** Runs the pipeline with a validated config. */
export async function runPipeline(config: PipelineConfig, opts: { quiet?: boolean; baseDir?: string } = {}): Promise<PipelineResult> {
  const baseDir = opts.baseDir ?? process.cwd();
  const quiet = opts.quiet ?? false;
  const say = (m: string) => { if (!quiet) log.info(m); };
  const outDir = resolve(baseDir, config.out ?? newRunDir(config.runsDir, "run", config.name));
  const model = config.model ? resolve(baseDir, config.model) : null;
  if (model && !existsSync(model)) throw new MedtuneError("run.model-missing", `model not found: ${config.model}`, { where: "model", hint: "give a Hugging Face model folder or a .gguf file" });
  writeJsonAtomic(join(outDir, "config.json"), config);
  const steps: PipelineSummary["steps"] = {};
  const timed = async <T>(name: string, dir: string, f: () => Promise<T>): Promise<T> => {
    say(`== ${name}`);
    const t0 = performance.now();
    const r = await f();
    steps[name] = { dir, seconds: (performance.now() - t0) / 1000 };
    return r;
  };

  // 1. Data.
  const prepDir = join(outDir, "prepare");
  const prepCfg = validateConfig(PrepareConfigSchema, deepMerge({ name: config.name, seed: config.seed }, { ...config.prepare, out: prepDir }), "run config, section prepare");
  const prep = await timed("prepare", prepDir, () => prepare(prepCfg, { quiet, baseDir }));
  const r = prep.card.reconciliation;
  const summary: PipelineSummary = {
    name: config.name, model: config.model ?? null, steps,
    data: { read: r.read, kept: r.kept, quarantined: r.quarantined, duplicates: r.duplicates, contaminated: r.contaminated, splits: prep.card.stages.split.counts },
    releasable: null, reasons: [],
  };
  if (model) {
    // 2. Fine-tune.
    const trainDir = join(outDir, "finetune");
    const trainCfg = validateConfig(FinetuneConfigSchema, deepMerge({ name: config.name, seed: config.seed }, { ...config.train, model, data: { ...((config.train.data as object) ?? {}), dir: prepDir }, out: trainDir }), "run config, section train");
    const ft = await timed("train", trainDir, () => finetune(trainCfg, { quiet, baseDir }));
    const exports = ft.exports as Record<string, string>;
    summary.training = { steps: ft.steps, stoppedEarly: ft.stoppedEarly, bestStep: ft.best?.step ?? null, exports };

    // 3. Evaluate base and tuned on the held-out test split, same protocol.
    const specs = modelSpecs(model, exports, config.modelOptions);
    const evalBase = { tasks: [{ name: "medtune", path: join(prepDir, "test.jsonl"), as: "test" }], seed: config.seed, name: `${config.name}-base` };
    const evalDirs = { base: join(outDir, "eval-base"), tuned: join(outDir, "eval-tuned") };
    for (const which of ["base", "tuned"] as const) {
      const c = validateConfig(EvalConfigSchema, deepMerge(evalBase, { ...config.eval, name: `${config.name}-${which}`, model: specs[which], out: evalDirs[which] }), "run config, section eval");
      await timed(`eval-${which}`, evalDirs[which], () => evaluate(c, { quiet, baseDir }));
    }
    // 4. Compare: A = tuned, B = base.
    const cmp = compareRuns(evalDirs.tuned, evalDirs.base, { seed: config.seed, out: join(outDir, "compare.json") });
    summary.accuracy = cmp.comparisons.map((c) => ({
      task: c.task, metric: c.metric, n: c.n, base: c.b.value, tuned: c.a.value, difference: c.difference.estimate, lo: c.difference.lo, hi: c.difference.hi,
      pValue: c.mcnemar?.exact.pValue ?? null, verdict: verdictOf(c, 0.05),
    }));
    const worse = summary.accuracy.filter((a) => a.verdict === "worse");
    if (worse.length > 0) summary.reasons.push(`accuracy got significantly worse on ${worse.map((w) => w.task).join(", ")}`);

    // 5. Safety: red-team both models and gate the release.
    const safety = await pipelineSafety({ outDir, specs, seed: config.seed, section: config.safety, quiet, baseDir, timed });
    if (safety) {
      summary.safety = safety;
      if (!safety.passed) summary.reasons.push(`safety gate failed: ${safety.reason}`);
    }
    summary.releasable = summary.reasons.length === 0;
    if (summary.releasable) summary.reasons.push("accuracy did not get significantly worse" + (safety ? " and the safety gate passed" : " (safety gate disabled)"));
  }
  writeJsonAtomic(join(outDir, "summary.json"), summary);
  writeFileAtomic(join(outDir, "summary.md"), renderSummary(summary));
  say(renderSummary(summary));
  return { outDir, summary };
}

/** Validates a raw pipeline config (file + flags) and runs it. */
export async function runPipelineFromRaw(raw: unknown, where: string, opts: { quiet?: boolean; baseDir?: string } = {}): Promise<PipelineResult> {
  return runPipeline(validateConfig(PipelineConfigSchema, raw, where), opts);
}
