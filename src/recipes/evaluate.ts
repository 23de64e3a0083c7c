// `medtune eval`: evaluate one model on medical QA tasks the way a careful reviewer would. Read each task's items
// through the dataset adapters, fix the protocol (template, scoring, few-shot, CoT, decoding, extraction, context,
// dataset hash), ask the model through the SQLite request cache (an interrupted run resumes for free), then
// write eval/<task>.json with bootstrap CIs, per-subject results, calibration and the extraction audit into the
// run folder, and index it in the registry.
import { existsSync, readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { z } from "zod";
import { MedtuneError, Progress, log, medtuneVersion, runFolderName, validateConfig, writeFileAtomic, writeJsonAtomic } from "../core/index.ts";
import { DEFAULT_TEMPLATE, PromptTemplateSchema, TEMPLATES, checkTemplate, type PromptTemplate, type QAItem, type QAKind } from "../data/index.ts";
import { withCache, type Model } from "../providers/index.ts";
import { Store, defaultStorePath } from "../store/index.ts";
import {
  DEFAULT_COT, DEFAULT_STOP, EXTRACTION_VERSION, builtinTaskData, formatTaskResult, getTaskDef, indexTaskResult, itemsHash, loadItems, openModel,
  protocolAnswerer, protocolKey, renderEvalReport, reportRun, requestProtocolKey, runConsistency, runInterpretability, runTask, summarizeTask, writeTaskResult, RESULT_FORMAT,
  type EvalProtocol, type GenerativeSettings, type ItemSource, type LoadedItems, type StatsSettings, type TaskResultFile, type TaskRun, type PerturbationName,
} from "../eval/index.ts";
import { FieldMappingSchema } from "./prepare-config.ts";
import { stoppedStatus } from "./run-status.ts";

const KINDS = ["mcq", "yesno", "open"] as const;

/** One task of an eval config. */
export const EvalTaskSchema = z
  .object({
    name: z.string().min(1), // a built-in task (demo-mcq, medqa, pubmedqa, ...) or a dataset format
    path: z.string().min(1).optional(), // the data (built-in demo tasks have their own)
    format: z.string().optional(), // dataset adapter (default: the task's)
    as: z.string().min(1).optional(), // name of the result (eval/<as>.json); default: the task name
    kind: z.enum(KINDS).optional(), // keep only items of this kind
    limit: z.number().int().positive().optional(), // first N items (default: the config's limit)
    scoring: z.enum(["loglik", "generative"]).optional(), // default: the config's, else the task's
    choices: z.enum(["letters", "texts"]).optional(), // loglik MCQ continuations
    withContext: z.boolean().optional(), // put supplied passages in the prompt (PubMedQA)
    sourceName: z.string().optional(), // source name written into items
    mapping: FieldMappingSchema.optional(), // generic jsonl/csv field mapping
    header: z.boolean().optional(), // csv header row
    subject: z.string().optional(), // subject for records without one
  })
  .strict();
export type EvalTaskConfig = z.infer<typeof EvalTaskSchema>;

/** Settings shared by `medtune eval` and `medtune select`: tasks, protocol and statistics. */
export const EvalSettingsSchema = z
  .object({
    name: z.string().min(1).optional(), // run name, part of the run folder name (default: the model's name)
    tasks: z.array(EvalTaskSchema).min(1).default([{ name: "demo-mcq" }]), // what to evaluate
    runsDir: z.string().default("runs"), // where run folders go
    out: z.string().optional(), // the run folder (default runs/<stamp>-eval-<name>)
    store: z.string().optional(), // the registry database (default <runsDir>/medtune.db)
    seed: z.number().int().default(1234), // few-shot sampling, bootstrap and sampling seeds derive from it
    limit: z.number().int().positive().optional(), // first N items of every task
    scoring: z.enum(["loglik", "generative"]).optional(), // override every task's default scoring
    choices: z.enum(["letters", "texts"]).default("letters"), // loglik MCQ: " A" (MMLU harness) or " option text"
    lengthUnit: z.enum(["chars", "bytes"]).default("chars"), // acc_norm divides by option length in these units
    template: z.union([z.string(), PromptTemplateSchema]).default(DEFAULT_TEMPLATE.name), // built-in name, JSON file, or inline
    withContext: z.boolean().default(true), // put supplied passages (PubMedQA contexts) in the prompt
    fewShot: z
      .object({
        n: z.number().int().min(0).default(0), // examples before each question
        seed: z.number().int().optional(), // default: the run seed
        format: z.string().optional(), // examples from another file (default: the task's own items, never the item itself)
        path: z.string().optional(),
      })
      .strict()
      .prefault({}),
    generation: z
      .object({
        format: z.enum(["completion", "chat"]).default("completion"), // raw prompt, or the model's chat template
        cot: z.boolean().default(true), // zero-shot chain of thought for MCQ and yes/no
        cotPrompt: z.string().default(DEFAULT_COT.prompt),
        answerPrompt: z.string().default(DEFAULT_COT.answerPrompt),
        maxTokens: z.number().int().positive().default(256), // reasoning (CoT) or whole open answer
        answerMaxTokens: z.number().int().positive().default(32), // the answer after the trigger (or without CoT)
        temperature: z.number().min(0).default(0), // 0 = greedy
        stop: z.array(z.string()).optional(), // completion stop strings (default: a new "Question:")
        system: z.string().optional(), // chat system message (default: the template's)
      })
      .strict()
      .prefault({}),
    batchSize: z.number().int().positive().default(16), // items per model call
    bootstrap: z
      .object({
        nResamples: z.number().int().positive().default(2000),
        confidence: z.number().gt(0).lt(1).default(0.95),
      })
      .strict()
      .prefault({}),
    calibrationBins: z.number().int().positive().default(10), // equal-width ECE / reliability bins
    consistency: z
      .object({
        enabled: z.boolean().default(false), // option orders, paraphrases, drug-name swaps (and samples when generative)
        perturbations: z.array(z.enum(["option-cyclic", "option-random", "paraphrase", "drug-names", "samples"])).optional(),
        n: z.number().int().positive().default(5), // samples per item for N-sample agreement
        temperature: z.number().gt(0).default(0.7),
        nPermutations: z.number().int().positive().default(3), // random option orders per item
      })
      .strict()
      .prefault({}),
    interpret: z
      .object({
        enabled: z.boolean().default(false), // ask for a rationale citing the supplied passages [1]..[n] and check the citations
        maxTokens: z.number().int().positive().default(384),
        format: z.enum(["chat", "prompt"]).optional(), // default: chat when the model has a chat template
        judge: z.string().optional(), // a model spec asked whether each cited passage supports its sentence
      })
      .strict()
      .prefault({}),
    report: z.boolean().default(true), // write report.html (self-contained, SVG plots) into the run folder
  })
  .strict();

/** The full `medtune eval` config: the settings plus the model. */
export const EvalConfigSchema = EvalSettingsSchema.extend({
  model: z.string().min(1), // llamacpp:PATH.gguf, openai:URL#MODEL (see medtune eval --help)
}).strict();
export type EvalConfig = z.infer<typeof EvalConfigSchema>;
export type EvalSettings = z.infer<typeof EvalSettingsSchema>;

/** Options that are not part of the saved config. */
export interface EvaluateOptions {
  quiet?: boolean;
  /** base folder of relative paths (default cwd) */
  baseDir?: string;
  /** an open model to use instead of opening config.model (it is not closed) */
  model?: Model;
  /** an open store to use (it is not closed) */
  store?: Store;
  /** stops between batches; the run is marked interrupted and a rerun resumes from the cache */
  signal?: AbortSignal;
  /** the recipe name recorded in the store (default "eval") */
  recipe?: string;
}

/** What an eval run made. */
export interface EvalRunResult {
  outDir: string;
  runId: string;
  results: TaskResultFile[];
  /** the text summary printed */
  text: string;
}

/** Resolves a template name, JSON file or inline template, and checks it. */
export function resolveEvalTemplate(t: EvalSettings["template"], baseDir: string): PromptTemplate {
  let tpl: PromptTemplate;
  if (typeof t !== "string") tpl = t;
  else if (Object.hasOwn(TEMPLATES, t)) tpl = TEMPLATES[t];
  else {
    const p = resolve(baseDir, t);
    if (!existsSync(p)) throw new MedtuneError("eval.template", `unknown prompt template "${t}"`, { where: "template", hint: `use one of ${Object.keys(TEMPLATES).join(", ")} or a path to a template JSON file` });
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(p, "utf8"));
    } catch (e) {
      throw new MedtuneError("eval.template", `template file is not valid JSON: ${(e as Error).message}`, { where: p });
    }
    const r = PromptTemplateSchema.safeParse(raw);
    if (!r.success) throw new MedtuneError("eval.template", `invalid prompt template: ${r.error.issues[0].path.join(".")} ${r.error.issues[0].message}`, { where: p, hint: "fix the template file" });
    tpl = r.data;
  }
  const problem = checkTemplate(tpl);
  if (problem) throw new MedtuneError("eval.template", `prompt template "${tpl.name}" is unusable: ${problem}`, { where: "template", hint: "put the placeholder back into the template" });
  return tpl;
}

/** A task with its items loaded, ready for a protocol. */
export interface PreparedTask {
  /** result name (eval/<name>.json) */
  name: string;
  config: EvalTaskConfig;
  source: ItemSource;
  kind: QAKind;
  items: QAItem[];
  loaded: LoadedItems;
  scoring: "loglik" | "generative";
}

/** Loads every task's items (a task over mixed kinds becomes one task per kind, named `<task>-<kind>`). */
export async function prepareTasks(settings: EvalSettings, baseDir: string): Promise<PreparedTask[]> {
  const out: PreparedTask[] = [];
  const names = new Set<string>();
  for (const [i, t] of settings.tasks.entries()) {
    const def = getTaskDef(t.name);
    const path = t.path ?? builtinTaskData(def);
    if (path === null) throw new MedtuneError("eval.task-data", `task "${t.name}" needs a path to its data`, { where: `tasks[${i}].path`, hint: `e.g. --task ${t.name}:data/${t.name}.jsonl` });
    const source: ItemSource = { format: t.format ?? def.format, path: resolve(baseDir, path), sourceName: t.sourceName, mapping: t.mapping, header: t.header, subject: t.subject };
    const kind = t.kind ?? def.kind;
    const limit = t.limit ?? settings.limit;
    const loaded = await loadItems(source, { kind, limit });
    const base = t.as ?? t.name;
    const groups: Array<[QAKind, QAItem[]]> = kind !== undefined ? [[kind, loaded.items]] : KINDS.map((k) => [k, loaded.items.filter((it) => it.kind === k)] as [QAKind, QAItem[]]).filter(([, xs]) => xs.length > 0);
    if (groups.every(([, xs]) => xs.length === 0)) {
      const found = Object.entries(loaded.kinds).map(([k, n]) => `${n} ${k}`).join(", ") || "none";
      throw new MedtuneError("eval.no-items", `task "${t.name}" has no ${kind ?? ""} items to evaluate (valid items by kind: ${found}; rejected records: ${loaded.rejected.length})`, {
        where: source.path,
        hint: loaded.rejected.length > 0 ? `first rejection: ${loaded.rejected[0].file}:${loaded.rejected[0].line} ${loaded.rejected[0].message}` : "check the format and the kind filter",
      });
    }
    for (const [k, items] of groups) {
      const name = groups.length > 1 ? `${base}-${k}` : base;
      if (names.has(name)) throw new MedtuneError("eval.duplicate-task", `two tasks would both write eval/${name}.json`, { where: `tasks[${i}]`, hint: "give one of them another name with as: NAME" });
      names.add(name);
      const scoring = k === "open" ? "generative" : (t.scoring ?? settings.scoring ?? def.scoring);
      out.push({ name, config: t, source, kind: k, items, loaded, scoring });
    }
  }
  return out;
}

function generativeSettings(s: EvalSettings, template: PromptTemplate): GenerativeSettings {
  const g = s.generation;
  return {
    format: g.format,
    cot: g.cot ? { prompt: g.cotPrompt, answerPrompt: g.answerPrompt } : null,
    maxTokens: g.maxTokens,
    answerMaxTokens: g.answerMaxTokens,
    temperature: g.temperature,
    stop: g.stop ?? [...DEFAULT_STOP],
    system: g.system ?? template.system,
    seed: s.seed,
  };
}

/** The protocol of a prepared task: every setting that changes the numbers, and nothing that does not. */
export function buildProtocol(task: PreparedTask, s: EvalSettings, template: PromptTemplate, fewShotPool: string | null): { protocol: EvalProtocol; generative?: GenerativeSettings } {
  const { name: templateName, ...templateText } = template;
  const gen = task.scoring === "generative" ? generativeSettings(s, template) : undefined;
  const hasContext = task.items.some((it) => (it.context?.length ?? 0) > 0);
  const nShots = s.fewShot.n;
  const isChoice = task.kind !== "open";
  const protocol: EvalProtocol = {
    version: 1,
    task: task.name,
    kind: task.kind,
    scoring: task.scoring,
    template: { name: templateName, text: templateText },
    choices: task.scoring === "loglik" ? (task.kind === "mcq" ? (task.config.choices ?? s.choices) : "letters") : null,
    lengthUnit: task.scoring === "loglik" ? s.lengthUnit : null,
    fewShot: { n: nShots, seed: nShots > 0 ? (s.fewShot.seed ?? s.seed) : 0, pool: nShots > 0 ? fewShotPool : null },
    format: gen ? gen.format : null,
    cot: gen && isChoice ? gen.cot : null,
    maxTokens: gen ? (isChoice && gen.cot === null ? null : gen.maxTokens) : null,
    answerMaxTokens: gen && isChoice ? gen.answerMaxTokens : null,
    temperature: gen ? gen.temperature : null,
    stop: gen && gen.format === "completion" ? gen.stop : null,
    system: gen && gen.format === "chat" ? gen.system : null,
    extraction: gen && isChoice ? EXTRACTION_VERSION : null,
    // Context matters only when some item has passages; otherwise on and off are the same protocol.
    withContext: hasContext ? (task.config.withContext ?? s.withContext) : true,
    seed: gen && gen.temperature > 0 ? gen.seed : null,
    dataset: { sha256: itemsHash(task.items), n: task.items.length },
  };
  return { protocol, generative: gen };
}

/** The model's self-description for results (without its chat template text). */
function modelRecord(spec: string, model: Model): TaskResultFile["model"] {
  const { chatTemplate: _t, ...info } = model.info();
  return { spec, ...info };
}

/** Evaluates one model on every task of the settings into `outDir`; the store and model are given. */
export async function evaluateInto(model: Model, spec: string, settings: EvalSettings, ctx: { outDir: string; runId: string; store: Store; baseDir: string; quiet: boolean; signal?: AbortSignal; judge?: Model }): Promise<TaskResultFile[]> {
  const template = resolveEvalTemplate(settings.template, ctx.baseDir);
  const tasks = await prepareTasks(settings, ctx.baseDir);
  let pool: QAItem[] | null = null;
  let poolHash: string | null = "self";
  if (settings.fewShot.n > 0 && settings.fewShot.path !== undefined) {
    if (settings.fewShot.format === undefined) throw new MedtuneError("eval.few-shot", "fewShot.path needs fewShot.format", { where: "fewShot.format", hint: "e.g. fewShot: { n: 5, format: medqa, path: data/medqa_dev.jsonl }" });
    pool = (await loadItems({ format: settings.fewShot.format, path: resolve(ctx.baseDir, settings.fewShot.path) })).items;
    poolHash = itemsHash(pool);
  }
  const stats: StatsSettings = { nResamples: settings.bootstrap.nResamples, confidence: settings.bootstrap.confidence, seed: settings.seed, nBins: settings.calibrationBins };
  const results: TaskResultFile[] = [];
  for (const task of tasks) {
    const taskPool = pool === null ? null : pool.filter((it) => it.kind === task.kind);
    const { protocol, generative } = buildProtocol(task, settings, template, poolHash);
    if (protocol.scoring === "loglik" && !model.info().capabilities.logprobs) {
      throw new MedtuneError("eval.no-logprobs", `${model.info().id} cannot score continuations, which log-likelihood scoring needs`, { where: `task ${task.name}`, hint: "use --scoring generative, or a server that returns prompt logprobs (echo)" });
    }
    const run: TaskRun = { items: task.items, protocol, template, fewShotPool: taskPool, ...(generative ? { generative } : {}) };
    const started = new Date();
    const progress = new Progress(`eval ${task.name}`, { total: task.items.length, unit: "items", quiet: ctx.quiet });
    const items = await runTask(model, run, { cache: ctx.store, batchSize: settings.batchSize, signal: ctx.signal, onProgress: (done) => progress.tick(done - progress.done) });
    progress.finish();
    const failed = items.filter((r) => r.error !== undefined);
    if (failed.length === items.length) {
      throw new MedtuneError("eval.all-failed", `every one of the ${items.length} items of ${task.name} failed, so there is nothing to measure; first error: ${failed[0].error}`, {
        where: `model ${spec}`,
        hint: "fix the model or server (transient errors are not cached, so rerunning retries them)",
      });
    }
    if (failed.length > 0) log.warn(`${task.name}: ${failed.length} of ${items.length} items failed and count as wrong (first: ${failed[0].id}: ${failed[0].error})`);
    const summary = summarizeTask(items, protocol, stats);
    let consistency: TaskResultFile["consistency"] = null;
    if (settings.consistency.enabled && task.kind !== "open") {
      const c = settings.consistency;
      // Variants go through the same cache scope as the accuracy run, so a rerun re-asks nothing.
      const cached = withCache(model, ctx.store, requestProtocolKey(protocol), { chunkSize: settings.batchSize * 8 });
      const answerer = protocolAnswerer(cached, run, settings.batchSize);
      consistency = await runConsistency(cached, task.items, {
        scoring: protocol.scoring,
        ...(c.perturbations ? { perturbations: c.perturbations as PerturbationName[] } : {}),
        n: c.n, temperature: c.temperature, nPermutations: c.nPermutations, seed: settings.seed, template,
        answerer, nResamples: stats.nResamples, confidence: stats.confidence,
      });
    }
    let interpretability: TaskResultFile["interpretability"] = null;
    if (settings.interpret.enabled && task.items.some((it) => (it.context?.length ?? 0) > 0)) {
      const i = settings.interpret;
      const cached = withCache(model, ctx.store, requestProtocolKey(protocol), { chunkSize: settings.batchSize * 8 });
      const judge = ctx.judge ? withCache(ctx.judge, ctx.store, requestProtocolKey(protocol)) : undefined;
      interpretability = await runInterpretability(cached, task.items, {
        maxTokens: i.maxTokens, ...(i.format ? { format: i.format } : {}), ...(judge ? { judge } : {}),
        batchSize: settings.batchSize, seed: settings.seed, nResamples: stats.nResamples, confidence: stats.confidence,
      });
    }
    const finished = new Date();
    const seconds = (finished.getTime() - started.getTime()) / 1000;
    const result: TaskResultFile = {
      format: RESULT_FORMAT,
      task: task.name,
      run: { id: ctx.runId, name: settings.name ?? ctx.runId },
      model: modelRecord(spec, model),
      protocol,
      protocolKey: protocolKey(protocol),
      dataset: {
        format: task.source.format, path: task.source.path, n: task.items.length, sha256: protocol.dataset.sha256,
        rejected: task.loaded.rejected.length, rejectedExamples: task.loaded.rejected.slice(0, 20), kinds: task.loaded.kinds as Record<string, number>,
        limit: task.config.limit ?? settings.limit ?? null,
      },
      summary,
      consistency,
      interpretability,
      items,
      timing: { startedAt: started.toISOString(), finishedAt: finished.toISOString(), seconds, itemsPerSecond: seconds > 0 ? items.length / seconds : 0 },
      medtuneVersion: medtuneVersion(),
    };
    writeTaskResult(ctx.outDir, result);
    indexTaskResult(ctx.store, ctx.runId, result);
    if (task.loaded.rejected.length > 0) log.warn(`${task.name}: ${task.loaded.rejected.length} records rejected (first: ${task.loaded.rejected[0].file}:${task.loaded.rejected[0].line} ${task.loaded.rejected[0].message})`);
    results.push(result);
  }
  return results;
}

/** A fresh run folder `<runsDir>/<stamp>-<recipe>-<name>` (a `-2`, `-3`, ... suffix when that second is taken). */
export function newRunDir(runsDir: string, recipe: string, name: string): string {
  const base = join(runsDir, runFolderName(recipe, name));
  let dir = base;
  for (let k = 2; existsSync(dir); k++) dir = `${base}-${k}`;
  return dir;
}

/** Runs `medtune eval` with a validated config. */
export async function evaluate(config: EvalConfig, opts: EvaluateOptions = {}): Promise<EvalRunResult> {
  const baseDir = opts.baseDir ?? process.cwd();
  const quiet = opts.quiet ?? false;
  const recipe = opts.recipe ?? "eval";
  resolveEvalTemplate(config.template, baseDir); // fail before loading a model
  const model = opts.model ?? (await openModel(config.model));
  let store: Store | undefined;
  let judge: Model | undefined;
  let runId: string | undefined;
  try {
    const name = config.name ?? model.info().id;
    const outDir = config.out !== undefined ? resolve(baseDir, config.out) : newRunDir(resolve(baseDir, config.runsDir), recipe, name);
    runId = basename(outDir);
    store = opts.store ?? Store.open(resolve(baseDir, config.store ?? defaultStorePath(config.runsDir)));
    const { chatTemplate: _t, ...info } = model.info();
    const saved = { ...config, name, modelInfo: info, medtuneVersion: medtuneVersion() };
    writeJsonAtomic(join(outDir, "config.json"), saved);
    store.putRun({ id: runId, recipe, name, folder: outDir, config: saved, created: new Date().toISOString(), status: "running" });
    judge = config.interpret.enabled && config.interpret.judge ? await openModel(config.interpret.judge) : undefined;
    const results = await evaluateInto(model, config.model, { ...config, name }, { outDir, runId, store, baseDir, quiet, signal: opts.signal, judge });
    let text = results.map(formatTaskResult).join("\n\n") + `\n\nresults: ${join(outDir, "eval")}`;
    if (config.report) {
      const html = renderEvalReport(`medtune eval: ${model.info().id}`, [reportRun(name, results, outDir)]);
      writeFileAtomic(join(outDir, "report.html"), html);
      text += `\nreport: ${join(outDir, "report.html")}`;
    }
    store.setRunStatus(runId, "done");
    return { outDir, runId, results, text };
  } catch (e) {
    if (store && runId !== undefined && store.getRun(runId)) store.setRunStatus(runId, stoppedStatus(e));
    throw e;
  } finally {
    if (!opts.model) await model.close();
    await judge?.close();
    if (!opts.store) store?.close();
  }
}

/** Validates a raw config (file + flags) and runs `medtune eval`. */
export async function evaluateFromRaw(raw: unknown, where: string, opts: EvaluateOptions = {}): Promise<EvalRunResult> {
  return evaluate(validateConfig(EvalConfigSchema, raw, where), opts);
}
