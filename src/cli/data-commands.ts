// `medtune data prepare`, `medtune data inspect`, `medtune data formats` and `medtune run`: flag wiring only; the
// work is in recipes/.
import { MedtuneError, setPath, readConfigFile, deepMerge, log } from "../core/index.ts";
import { prepareFromRaw, inspectPath, listFormats, runPipelineFromRaw } from "../recipes/index.ts";
import { numberFlag, parseSetFlags, type CommandSpec, type FlagSpec } from "./args.ts";

const PREPARE_FLAGS: Record<string, FlagSpec> = {
  config: { type: "string", short: "c", value: "FILE", description: "YAML or JSON config (flags override it)" },
  source: { type: "string", short: "s", multiple: true, value: "FORMAT:PATH", description: "a dataset to prepare, e.g. medqa:data/medqa.jsonl (default: the built-in demo set)" },
  eval: { type: "string", short: "e", multiple: true, value: "FORMAT:PATH", description: "an evaluation set to decontaminate against" },
  out: { type: "string", short: "o", value: "DIR", description: "output folder (default runs/<stamp>-prepare-<name>)" },
  name: { type: "string", value: "NAME", description: "run name (default demo)" },
  seed: { type: "string", value: "N", description: "seed of the split (default 1234)" },
  strict: { type: "boolean", description: "fail on the first rejected record instead of quarantining it" },
  "no-dedup": { type: "boolean", description: "skip deduplication" },
  "dedup-threshold": { type: "string", value: "J", description: "near-duplicate Jaccard threshold (default 0.8)" },
  "no-phi": { type: "boolean", description: "skip the PHI scrub" },
  contamination: { type: "string", value: "drop|flag", description: "what to do with items that overlap an eval set (default drop)" },
  split: { type: "string", value: "TR,VA,TE", description: "split fractions, e.g. 0.8,0.1,0.1" },
  template: { type: "string", value: "NAME|FILE", description: "prompt template for the training exports" },
  set: { type: "string", multiple: true, value: "KEY=VALUE", description: "any config key, e.g. --set dedup.near=false" },
};

function parseSourceFlag(s: string, flag: string): { format: string; path: string } {
  const i = s.indexOf(":");
  if (i <= 0 || i === s.length - 1) throw new MedtuneError("cli.usage", `--${flag} expects FORMAT:PATH, got "${s}"`, { hint: `e.g. --${flag} medqa:data/medqa.jsonl (formats: medtune data formats)` });
  return { format: s.slice(0, i), path: s.slice(i + 1) };
}

/** Builds the raw prepare config: the file, then flags on top. */
export function prepareConfigFromFlags(flags: Record<string, unknown>): { raw: unknown; where: string } {
  const file = flags.config as string | undefined;
  const base = file ? readConfigFile(file) : {};
  const over: Record<string, unknown> = {};
  if (flags.source) over.sources = (flags.source as string[]).map((s) => parseSourceFlag(s, "source"));
  if (flags.eval) over.eval = (flags.eval as string[]).map((s) => parseSourceFlag(s, "eval"));
  if (flags.out !== undefined) over.out = flags.out;
  if (flags.name !== undefined) over.name = flags.name;
  const seed = numberFlag(flags, "seed");
  if (seed !== undefined) over.seed = seed;
  if (flags.strict) over.strict = true;
  if (flags["no-dedup"]) setPath(over, "dedup.enabled", false);
  const thr = numberFlag(flags, "dedup-threshold");
  if (thr !== undefined) setPath(over, "dedup.threshold", thr);
  if (flags["no-phi"]) setPath(over, "phi.enabled", false);
  if (flags.contamination !== undefined) setPath(over, "contamination.action", flags.contamination);
  if (flags.split !== undefined) {
    const parts = String(flags.split).split(",").map(Number);
    if (parts.length !== 3 || parts.some((x) => !Number.isFinite(x))) throw new MedtuneError("cli.usage", `--split expects three numbers, got "${String(flags.split)}"`, { hint: "e.g. --split 0.8,0.1,0.1" });
    over.split = { ...((base as { split?: object }).split ?? {}), train: parts[0], validation: parts[1], test: parts[2] };
  }
  if (flags.template !== undefined) setPath(over, "export.template", flags.template);
  for (const [k, v] of parseSetFlags(flags.set)) setPath(over, k, v);
  return { raw: deepMerge(base, over), where: file ? `${file} + flags` : "flags" };
}

/** `medtune data prepare`. */
export const dataPrepare: CommandSpec = {
  words: ["data", "prepare"],
  summary: "clean, validate, deduplicate, scrub PHI, decontaminate, split and export medical QA data",
  usage: "medtune data prepare [--config FILE] [--source FORMAT:PATH ...] [--eval FORMAT:PATH ...] [options]",
  details: "Without --source it prepares the built-in demo set. Writes splits, training-ready exports, quarantine.jsonl and\na data card into a run folder. Formats: see `medtune data formats`.",
  flags: PREPARE_FLAGS,
  async run(flags) {
    const { raw, where } = prepareConfigFromFlags(flags);
    await prepareFromRaw(raw, where, { quiet: Boolean(flags.quiet) });
    return 0;
  },
};

/** `medtune run`: the whole pipeline on the built-in default (data preparation; with --model, the rest). */
export const runCommand: CommandSpec = {
  words: ["run"],
  summary: "run the whole pipeline: prepare data; with --model also fine-tune, evaluate base vs tuned, red-team and gate",
  usage: "medtune run [--config FILE] [--model PATH] [--source FORMAT:PATH ...] [options]",
  details: "With no options it prepares the built-in demo set into runs/. The config has one section per step (prepare,\ntrain, eval, safety), each with that step's keys; --set reaches any of them (e.g. --set train.steps.max=100).\nsummary.md in the pipeline folder says whether the tuned model is releasable.",
  flags: {
    config: PREPARE_FLAGS.config,
    model: { type: "string", short: "m", value: "PATH", description: "base model (HF folder or .gguf): adds fine-tuning, evaluation, red-teaming and the gate" },
    "model-options": { type: "string", value: ",KEY=V", description: "appended to the eval model specs, e.g. ,ctx=2048" },
    source: PREPARE_FLAGS.source,
    eval: PREPARE_FLAGS.eval,
    out: { type: "string", short: "o", value: "DIR", description: "pipeline folder (default runs/<stamp>-run-<name>)" },
    name: PREPARE_FLAGS.name,
    seed: PREPARE_FLAGS.seed,
    set: { type: "string", multiple: true, value: "KEY=VALUE", description: "any pipeline key, e.g. --set prepare.dedup.threshold=0.9" },
  },
  async run(flags) {
    const file = flags.config as string | undefined;
    const base = file ? readConfigFile(file) : {};
    const over: Record<string, unknown> = {};
    if (flags.model !== undefined) over.model = flags.model;
    if (flags["model-options"] !== undefined) over.modelOptions = flags["model-options"];
    if (flags.out !== undefined) over.out = flags.out;
    if (flags.name !== undefined) over.name = flags.name;
    const seed = numberFlag(flags, "seed");
    if (seed !== undefined) over.seed = seed;
    if (flags.source) setPath(over, "prepare.sources", (flags.source as string[]).map((s) => parseSourceFlag(s, "source")));
    if (flags.eval) setPath(over, "prepare.eval", (flags.eval as string[]).map((s) => parseSourceFlag(s, "eval")));
    for (const [k, v] of parseSetFlags(flags.set)) setPath(over, k, v);
    const r = await runPipelineFromRaw(deepMerge(base, over), file ? `${file} + flags` : "flags", { quiet: Boolean(flags.quiet) });
    log.info(`summary: ${r.outDir}/summary.md`);
    return r.summary.releasable === false ? 1 : 0;
  },
};

/** `medtune data inspect`. */
export const dataInspect: CommandSpec = {
  words: ["data", "inspect"],
  summary: "summarize a dataset file/folder or a prepared run folder",
  usage: "medtune data inspect PATH [--format FORMAT] [--limit N] [--json]",
  details: "PATH is a dataset (format detected from its content unless --format is given) or a `data prepare` output folder.",
  flags: {
    format: { type: "string", short: "f", value: "FORMAT", description: "the dataset format (default: detected)" },
    limit: { type: "string", short: "n", value: "N", description: "examples to show (default 3)" },
    json: { type: "boolean", description: "print the summary as JSON" },
  },
  async run(flags, positionals) {
    if (positionals.length !== 1) throw new MedtuneError("cli.usage", "data inspect needs exactly one PATH", { hint: "e.g. medtune data inspect data/medqa.jsonl" });
    const text = await inspectPath(positionals[0], { format: flags.format as string | undefined, limit: numberFlag(flags, "limit") ?? 3, json: Boolean(flags.json) });
    process.stdout.write(text.endsWith("\n") ? text : text + "\n");
    return 0;
  },
};

/** `medtune data formats`. */
export const dataFormats: CommandSpec = {
  words: ["data", "formats"],
  summary: "list the dataset formats medtune reads",
  usage: "medtune data formats",
  flags: {},
  async run() {
    process.stdout.write(listFormats() + "\n");
    return 0;
  },
};
