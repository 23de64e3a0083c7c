// `medtune eval`, `medtune compare` and `medtune select`: flag wiring only; the work is in recipes/. Ctrl-C stops
// an evaluation between batches (the run is marked interrupted; rerunning the command resumes from the cache).
import { MedtuneError, deepMerge, readConfigFile, setPath } from "../core/index.ts";
import { compareRuns, evaluateFromRaw, selectFromRaw } from "../recipes/index.ts";
import { numberFlag, parseSetFlags, type CommandSpec, type FlagSpec } from "./args.ts";
import { interruptSignal } from "./interrupt.ts";

const SETTINGS_FLAGS: Record<string, FlagSpec> = {
  config: { type: "string", short: "c", value: "FILE", description: "YAML or JSON config (flags override it)" },
  task: { type: "string", short: "t", multiple: true, value: "NAME[:PATH]", description: "a task: demo-mcq, demo-open (built in), medqa:PATH, medmcqa:PATH, mmlu-medical:PATH, pubmedqa:PATH, medquad:PATH, or FORMAT:PATH (default demo-mcq)" },
  limit: { type: "string", short: "n", value: "N", description: "evaluate the first N items of each task" },
  scoring: { type: "string", value: "loglik|generative", description: "option log-likelihoods (default for MCQ and yes/no) or generation with answer extraction" },
  choices: { type: "string", value: "letters|texts", description: "loglik MCQ continuations: \" A\" (default, as the MMLU harness) or \" option text\" (acc_norm)" },
  shots: { type: "string", value: "N", description: "few-shot examples before each question (default 0)" },
  "no-context": { type: "boolean", description: "leave supplied passages (PubMedQA contexts) out of the prompt" },
  "no-cot": { type: "boolean", description: "generative: answer directly instead of zero-shot chain of thought" },
  chat: { type: "boolean", description: "generative: use the model's chat template instead of a raw prompt" },
  "max-tokens": { type: "string", value: "N", description: "generative: new tokens for the reasoning or the open answer (default 256)" },
  temperature: { type: "string", value: "T", description: "generative: sampling temperature (default 0, greedy)" },
  template: { type: "string", value: "NAME|FILE", description: "prompt template (default medtune-default-v1)" },
  consistency: { type: "boolean", description: "also test consistency under option reordering, paraphrases and drug-name swaps" },
  interpret: { type: "boolean", description: "also ask for rationales citing the supplied passages and check the citations" },
  judge: { type: "string", value: "SPEC", description: "with --interpret: a model asked whether each cited passage supports its sentence" },
  "no-report": { type: "boolean", description: "do not write report.html" },
  seed: { type: "string", value: "N", description: "seed of few-shot sampling, bootstrap and sampling (default 1234)" },
  "batch-size": { type: "string", value: "N", description: "items per model call (default 16)" },
  name: { type: "string", value: "NAME", description: "run name" },
  out: { type: "string", short: "o", value: "DIR", description: "run folder (default runs/<stamp>-eval-<name>)" },
  store: { type: "string", value: "PATH", description: "registry database (default runs/medtune.db)" },
  set: { type: "string", multiple: true, value: "KEY=VALUE", description: "any config key, e.g. --set bootstrap.nResamples=5000" },
};

const MODEL_HELP = [
  "Models:",
  "  llamacpp:PATH.gguf[,lora=ADAPTER.gguf[,lora-scale=S]][,ctx=N][,kv=F32|F16][,gpu=auto|false][,threads=N]",
  "  openai:http://HOST:PORT/v1#MODEL[,key-env=VAR][,concurrency=N][,timeout-s=N][,logprobs=false][,cache-tag=NAME]   (API key from $OPENAI_API_KEY)",
].join("\n");

/** Splits NAME[:PATH]. */
function parseTaskFlag(s: string): { name: string; path?: string } {
  const i = s.indexOf(":");
  if (i === 0 || i === s.length - 1) throw new MedtuneError("cli.usage", `--task expects NAME or NAME:PATH, got "${s}"`, { hint: "e.g. --task medqa:data/medqa_test.jsonl or --task demo-mcq" });
  return i < 0 ? { name: s } : { name: s.slice(0, i), path: s.slice(i + 1) };
}

function oneOf(flags: Record<string, unknown>, name: string, allowed: readonly string[]): string | undefined {
  const v = flags[name];
  if (v === undefined) return undefined;
  if (!allowed.includes(String(v))) throw new MedtuneError("cli.usage", `--${name} expects ${allowed.join(" or ")}, got "${String(v)}"`);
  return String(v);
}

/** Builds the raw eval/select settings: the config file, then flags on top. */
export function evalSettingsFromFlags(flags: Record<string, unknown>): { base: Record<string, unknown>; over: Record<string, unknown>; where: string } {
  const file = flags.config as string | undefined;
  const base = (file ? readConfigFile(file) : {}) as Record<string, unknown>;
  const over: Record<string, unknown> = {};
  if (flags.task) over.tasks = (flags.task as string[]).map(parseTaskFlag);
  const limit = numberFlag(flags, "limit");
  if (limit !== undefined) over.limit = limit;
  const scoring = oneOf(flags, "scoring", ["loglik", "generative"]);
  if (scoring) over.scoring = scoring;
  const choices = oneOf(flags, "choices", ["letters", "texts"]);
  if (choices) over.choices = choices;
  const shots = numberFlag(flags, "shots");
  if (shots !== undefined) setPath(over, "fewShot.n", shots);
  if (flags["no-context"]) over.withContext = false;
  if (flags["no-cot"]) setPath(over, "generation.cot", false);
  if (flags.chat) setPath(over, "generation.format", "chat");
  const maxTokens = numberFlag(flags, "max-tokens");
  if (maxTokens !== undefined) setPath(over, "generation.maxTokens", maxTokens);
  const temperature = numberFlag(flags, "temperature");
  if (temperature !== undefined) setPath(over, "generation.temperature", temperature);
  if (flags.template !== undefined) over.template = flags.template;
  if (flags.consistency) setPath(over, "consistency.enabled", true);
  if (flags.interpret) setPath(over, "interpret.enabled", true);
  if (flags.judge !== undefined) setPath(over, "interpret.judge", flags.judge);
  if (flags["no-report"]) over.report = false;
  const seed = numberFlag(flags, "seed");
  if (seed !== undefined) over.seed = seed;
  const batch = numberFlag(flags, "batch-size");
  if (batch !== undefined) over.batchSize = batch;
  for (const k of ["name", "out", "store"] as const) if (flags[k] !== undefined) over[k] = flags[k];
  for (const [k, v] of parseSetFlags(flags.set)) setPath(over, k, v);
  return { base, over, where: file ? `${file} + flags` : "flags" };
}

/** `medtune eval`. */
export const evalCommand: CommandSpec = {
  words: ["eval"],
  summary: "evaluate a model on medical QA with CIs, calibration and a recorded protocol",
  usage: "medtune eval --model SPEC [--task NAME[:PATH] ...] [options]",
  details: `${MODEL_HELP}\nWrites eval/<task>.json into a run folder and indexes it in the registry. Every model call is cached, so an\ninterrupted or repeated evaluation resumes without asking the model again.`,
  flags: { model: { type: "string", short: "m", value: "SPEC", description: "the model (see Models above)" }, ...SETTINGS_FLAGS },
  async run(flags) {
    const { base, over, where } = evalSettingsFromFlags(flags);
    if (flags.model !== undefined) over.model = flags.model;
    if (over.model === undefined && base.model === undefined) throw new MedtuneError("cli.usage", "medtune eval needs --model SPEC", { hint: "e.g. --model llamacpp:models/model.gguf" });
    const stop = interruptSignal();
    try {
      const r = await evaluateFromRaw(deepMerge(base, over), where, { quiet: Boolean(flags.quiet), signal: stop.signal });
      process.stdout.write(r.text + "\n");
    } finally {
      stop.dispose();
    }
    return 0;
  },
};

/** `medtune select`. */
export const selectCommand: CommandSpec = {
  words: ["select"],
  summary: "rank candidate models on the same protocol, marking differences that are not significant",
  usage: "medtune select --model SPEC --model SPEC [...] [--task NAME[:PATH] ...] [options]",
  details: `${MODEL_HELP}\nEach candidate is evaluated under one protocol; models are ranked per task with exact McNemar tests, Holm-adjusted.`,
  flags: {
    model: { type: "string", short: "m", multiple: true, value: "SPEC", description: "a candidate model (two or more)" },
    alpha: { type: "string", value: "A", description: "family-wise significance level (default 0.05)" },
    ...SETTINGS_FLAGS,
  },
  async run(flags) {
    const { base, over, where } = evalSettingsFromFlags(flags);
    if (flags.model !== undefined) over.models = flags.model;
    const alpha = numberFlag(flags, "alpha");
    if (alpha !== undefined) over.alpha = alpha;
    const stop = interruptSignal();
    try {
      const r = await selectFromRaw(deepMerge(base, over), where, { quiet: Boolean(flags.quiet), signal: stop.signal });
      process.stdout.write(r.text + "\n");
    } finally {
      stop.dispose();
    }
    return 0;
  },
};

/** `medtune compare`. */
export const compareCommand: CommandSpec = {
  words: ["compare"],
  summary: "compare two eval runs item by item (exact McNemar, paired bootstrap CI, per subject)",
  usage: "medtune compare RUN_A RUN_B [--task NAME ...] [--metric NAME] [--out FILE] [--json]",
  details: "RUN_A and RUN_B are run folders made by medtune eval (or their eval/<task>.json files). Runs evaluated under\ndifferent protocols (prompt, scoring, few-shot, data ...) are refused.",
  flags: {
    task: { type: "string", short: "t", multiple: true, value: "NAME", description: "compare only this task (default: every shared task)" },
    metric: { type: "string", value: "NAME", description: "per-item metric (default: the task's primary outcome, e.g. acc)" },
    seed: { type: "string", value: "N", description: "bootstrap seed (default 1234)" },
    resamples: { type: "string", value: "N", description: "bootstrap resamples (default 2000)" },
    out: { type: "string", short: "o", value: "FILE", description: "also write the comparison as JSON" },
    report: { type: "string", value: "FILE", description: "also write an HTML report of both runs and the comparison" },
    json: { type: "boolean", description: "print the comparison as JSON instead of text" },
  },
  async run(flags, positionals) {
    if (positionals.length !== 2) throw new MedtuneError("cli.usage", "compare needs exactly two runs", { hint: "e.g. medtune compare runs/20240101-120000-eval-base runs/20240102-090000-eval-tuned" });
    const r = compareRuns(positionals[0], positionals[1], {
      tasks: flags.task as string[] | undefined,
      metric: flags.metric as string | undefined,
      seed: numberFlag(flags, "seed"),
      nResamples: numberFlag(flags, "resamples"),
      out: flags.out as string | undefined,
      report: flags.report as string | undefined,
    });
    process.stdout.write((flags.json ? JSON.stringify({ comparisons: r.comparisons, unmatched: r.unmatched }, null, 2) : r.text) + "\n");
    return 0;
  },
};
