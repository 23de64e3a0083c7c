// `medtune redteam` and `medtune gate`: flag wiring only; the work is in recipes/. Ctrl-C stops a red-team run
// between batches (rerunning resumes from the cache). The gate exits 1 with its one-line reason when it fails.
import { MedtuneError, deepMerge, readConfigFile, setPath } from "../core/index.ts";
import { gateRuns, redteamFromRaw } from "../recipes/index.ts";
import { numberFlag, parseSetFlags, type CommandSpec } from "./args.ts";
import { interruptSignal } from "./interrupt.ts";

/** Splits comma lists and repeats: --transforms role-play,hypothetical --transforms document-injection. */
function listFlag(v: unknown): string[] {
  const xs = Array.isArray(v) ? (v as string[]) : v === undefined ? [] : [String(v)];
  return xs.flatMap((x) => x.split(",")).map((x) => x.trim()).filter((x) => x !== "");
}

/** Builds the raw red-team config: the config file, then flags on top. */
export function redteamConfigFromFlags(flags: Record<string, unknown>): { raw: unknown; where: string } {
  const file = flags.config as string | undefined;
  const base = (file ? readConfigFile(file) : {}) as Record<string, unknown>;
  const over: Record<string, unknown> = {};
  if (flags.model !== undefined) over.model = flags.model;
  if (flags.set !== undefined) over.sets = flags.set;
  if (flags.transforms !== undefined) {
    const t = listFlag(flags.transforms);
    over.transforms = t.includes("all") ? ["role-play", "hypothetical", "document-injection"] : t;
  }
  if (flags.judge !== undefined) setPath(over, "judge.model", flags.judge);
  if (flags.labels !== undefined) over.labels = flags.labels;
  for (const k of ["limit", "sample", "seed"] as const) {
    const n = numberFlag(flags, k);
    if (n !== undefined) over[k] = n;
  }
  const batch = numberFlag(flags, "batch-size");
  if (batch !== undefined) over.batchSize = batch;
  const maxTokens = numberFlag(flags, "max-tokens");
  if (maxTokens !== undefined) setPath(over, "generation.maxTokens", maxTokens);
  const temperature = numberFlag(flags, "temperature");
  if (temperature !== undefined) setPath(over, "generation.temperature", temperature);
  if (flags.format !== undefined) {
    if (!["auto", "chat", "completion"].includes(String(flags.format))) throw new MedtuneError("cli.usage", `--format expects auto, chat or completion, got "${String(flags.format)}"`);
    setPath(over, "generation.format", flags.format);
  }
  if (flags.system !== undefined) setPath(over, "generation.system", flags.system);
  if (flags["no-report"]) over.report = false;
  for (const k of ["name", "out", "store"] as const) if (flags[k] !== undefined) over[k] = flags[k];
  for (const [k, v] of parseSetFlags(flags.override)) setPath(over, k, v);
  if (over.model === undefined && base.model === undefined) throw new MedtuneError("cli.usage", "medtune redteam needs --model SPEC", { hint: "e.g. --model llamacpp:models/model.gguf" });
  return { raw: deepMerge(base, over), where: file ? `${file} + flags` : "flags" };
}

/** `medtune redteam`. */
export const redteamCommand: CommandSpec = {
  words: ["redteam"],
  summary: "red-team a model: harmful compliance, over-refusal and emergency referral, with CIs per category",
  usage: "medtune redteam --model SPEC [--set builtin|medsafetybench:PATH|jsonl:PATH ...] [--transforms LIST] [--judge SPEC] [options]",
  details: [
    "Models: llamacpp:PATH.gguf[,...] or openai:http://HOST:PORT/v1#MODEL[,...] (see medtune eval --help).",
    "Sets: builtin (red-team + over-refusal), builtin:redteam, builtin:over-refusal, medsafetybench:PATH (CSV, JSONL or",
    "folder), jsonl:PATH[,prompt=FIELD,category=FIELD,severity=FIELD,expected=FIELD,id=FIELD,expect=refuse|answer|...].",
    "Transforms: role-play, hypothetical, document-injection, or all. Writes config.json, eval/redteam.json and",
    "report.html into runs/<stamp>-redteam-<name>/ and indexes them in the registry; every model call is cached.",
  ].join("\n"),
  flags: {
    config: { type: "string", short: "c", value: "FILE", description: "YAML or JSON config (flags override it)" },
    model: { type: "string", short: "m", value: "SPEC", description: "the model to red-team" },
    set: { type: "string", short: "s", multiple: true, value: "SET", description: "a probe set (default builtin)" },
    transforms: { type: "string", short: "t", multiple: true, value: "LIST", description: "jailbreak transforms of the red-team probes, comma-separated, or all" },
    judge: { type: "string", value: "SPEC", description: "a judge model that rates each red-team reply 1-5 (agreement with the grader is reported)" },
    labels: { type: "string", value: "FILE", description: "human labels (JSONL of {\"id\", \"label\"}) to measure grader and judge against" },
    limit: { type: "string", short: "n", value: "N", description: "the first N probes" },
    sample: { type: "string", value: "N", description: "a seeded random sample of N probes" },
    format: { type: "string", value: "auto|chat|completion", description: "how probes are put to the model (default auto: chat when it has a template)" },
    system: { type: "string", value: "TEXT", description: "chat system message (default none)" },
    "max-tokens": { type: "string", value: "N", description: "new tokens per reply (default 384)" },
    temperature: { type: "string", value: "T", description: "sampling temperature (default 0, greedy)" },
    seed: { type: "string", value: "N", description: "seed of sampling and bootstrap (default 1234)" },
    "batch-size": { type: "string", value: "N", description: "probes per model call (default 16)" },
    "no-report": { type: "boolean", description: "do not write report.html" },
    name: { type: "string", value: "NAME", description: "run name" },
    out: { type: "string", short: "o", value: "DIR", description: "run folder (default runs/<stamp>-redteam-<name>)" },
    store: { type: "string", value: "PATH", description: "registry database (default runs/medtune.db)" },
    override: { type: "string", multiple: true, value: "KEY=VALUE", description: "any config key, e.g. --override bootstrap.nResamples=5000" },
  },
  async run(flags) {
    const { raw, where } = redteamConfigFromFlags(flags);
    const stop = interruptSignal();
    try {
      const r = await redteamFromRaw(raw, where, { quiet: Boolean(flags.quiet), signal: stop.signal });
      process.stdout.write(r.text + "\n");
    } finally {
      stop.dispose();
    }
    return 0;
  },
};

/** `medtune gate`. */
export const gateCommand: CommandSpec = {
  words: ["gate"],
  summary: "release gate: fail when a candidate got less safe (or refuses more) than its base, with statistical support",
  usage: "medtune gate --base RUN --candidate RUN [--margin-harm 0.02] [--margin-overrefusal 0.05] [--alpha 0.05]",
  details: [
    "RUN is a run folder made by medtune redteam, its eval/redteam.json, or a run id in the registry. Both runs must",
    "share one protocol (probe sets, transforms, prompting, decoding, grader). The gate fails (exit 1, reason on one",
    "line) when the harm rate or the over-refusal rate rose by more than its margin with an exact one-sided McNemar",
    "p < alpha and a paired-bootstrap lower bound above the margin.",
  ].join("\n"),
  flags: {
    base: { type: "string", short: "b", value: "RUN", description: "the base model's red-team run" },
    candidate: { type: "string", short: "C", value: "RUN", description: "the candidate model's red-team run" },
    "margin-harm": { type: "string", value: "M", description: "largest tolerated rise of the harm rate (default 0.02)" },
    "margin-overrefusal": { type: "string", value: "M", description: "largest tolerated rise of the over-refusal rate (default 0.05)" },
    alpha: { type: "string", value: "A", description: "one-sided significance level (default 0.05)" },
    resamples: { type: "string", value: "N", description: "bootstrap resamples (default 2000)" },
    seed: { type: "string", value: "N", description: "bootstrap seed (default 1234)" },
    "runs-dir": { type: "string", value: "DIR", description: "where run ids are looked up (default runs)" },
    store: { type: "string", value: "PATH", description: "registry database (default runs/medtune.db)" },
    out: { type: "string", short: "o", value: "FILE", description: "also write the decision as JSON" },
    json: { type: "boolean", description: "print the decision as JSON" },
  },
  async run(flags) {
    if (flags.base === undefined || flags.candidate === undefined) throw new MedtuneError("cli.usage", "medtune gate needs --base RUN and --candidate RUN", { hint: "e.g. medtune gate --base runs/20240101-120000-redteam-base --candidate runs/20240102-090000-redteam-tuned" });
    const { decision, text } = gateRuns({
      base: String(flags.base),
      candidate: String(flags.candidate),
      marginHarm: numberFlag(flags, "margin-harm"),
      marginOverRefusal: numberFlag(flags, "margin-overrefusal"),
      alpha: numberFlag(flags, "alpha"),
      nResamples: numberFlag(flags, "resamples"),
      seed: numberFlag(flags, "seed"),
      runsDir: flags["runs-dir"] as string | undefined,
      store: flags.store as string | undefined,
      out: flags.out as string | undefined,
    });
    process.stdout.write((flags.json ? JSON.stringify(decision, null, 2) : text) + "\n");
    if (!decision.pass) process.stderr.write(`medtune gate: ${decision.line}\n`);
    return decision.pass ? 0 : 1;
  },
};
