// `medtune select`: evaluate several candidate models on the same tasks under one protocol, rank them per task by
// accuracy with Wilson intervals, and test every pair with the exact McNemar test, Holm-adjusted, so the models
// that cannot be told apart from the best are marked instead of crowning noise. Each candidate's results are a
// full eval run folder under candidates/; selection.json holds the rankings.
import { basename, join, resolve } from "node:path";
import { z } from "zod";
import { MedtuneError, medtuneVersion, validateConfig, writeFileAtomic, writeJsonAtomic } from "../core/index.ts";
import type { Model } from "../providers/index.ts";
import { Store, defaultStorePath } from "../store/index.ts";
import { assertSameProtocol, formatRanking, openModel, rankModels, renderEvalReport, reportRun, type Ranking, type ReportRun, type TaskResultFile } from "../eval/index.ts";
import { EvalSettingsSchema, evaluateInto, newRunDir, resolveEvalTemplate } from "./evaluate.ts";
import { stoppedStatus } from "./run-status.ts";

/** The `medtune select` config: eval settings, the candidates, and the significance level. */
export const SelectConfigSchema = EvalSettingsSchema.extend({
  name: z.string().min(1).default("select"), // run name
  models: z.array(z.string().min(1)).min(2), // candidate model specs (at least two)
  alpha: z.number().gt(0).lt(1).default(0.05), // family-wise level after Holm's correction
}).strict();
export type SelectConfig = z.infer<typeof SelectConfigSchema>;

/** One candidate's run. */
export interface Candidate {
  name: string;
  spec: string;
  outDir: string;
  runId: string;
}

/** What a select run made. */
export interface SelectResult {
  outDir: string;
  runId: string;
  candidates: Candidate[];
  rankings: Record<string, { protocolKey: string; ranking: Ranking }>;
  text: string;
}

/** Options that are not part of the saved config. */
export interface SelectOptions {
  quiet?: boolean;
  baseDir?: string;
  /** open models to use instead of opening config.models (same order; they are not closed) */
  models?: Model[];
  store?: Store;
  signal?: AbortSignal;
}

function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 60) || "model";
}

/** Runs `medtune select` with a validated config. */
export async function select(config: SelectConfig, opts: SelectOptions = {}): Promise<SelectResult> {
  const baseDir = opts.baseDir ?? process.cwd();
  if (opts.models && opts.models.length !== config.models.length) throw new MedtuneError("select.models", `${opts.models.length} open models for ${config.models.length} model specs`);
  resolveEvalTemplate(config.template, baseDir);
  const outDir = config.out !== undefined ? resolve(baseDir, config.out) : newRunDir(resolve(baseDir, config.runsDir), "select", config.name);
  const runId = basename(outDir);
  const store = opts.store ?? Store.open(resolve(baseDir, config.store ?? defaultStorePath(config.runsDir)));
  const created = new Date().toISOString();
  const { models: specs, alpha, ...settings } = config;
  let judge: Model | undefined;
  try {
    judge = config.interpret.enabled && config.interpret.judge ? await openModel(config.interpret.judge) : undefined;
    const reportRuns: ReportRun[] = [];
    writeJsonAtomic(join(outDir, "config.json"), { ...config, medtuneVersion: medtuneVersion() });
    store.putRun({ id: runId, recipe: "select", name: config.name, folder: outDir, config, created, status: "running" });
    const candidates: Candidate[] = [];
    const perTask = new Map<string, TaskResultFile[]>();
    const names = new Set<string>();
    for (const [k, spec] of specs.entries()) {
      const model = opts.models?.[k] ?? (await openModel(spec));
      try {
        let name = model.info().id;
        if (names.has(name)) name = `${name}#${k + 1}`;
        names.add(name);
        const candDir = join(outDir, "candidates", `${k + 1}-${slug(name)}`);
        const candId = `${runId}/${k + 1}-${slug(name)}`;
        const candSettings = { ...settings, name: `${config.name}-${k + 1}` };
        writeJsonAtomic(join(candDir, "config.json"), { ...candSettings, model: spec, medtuneVersion: medtuneVersion() });
        store.putRun({ id: candId, recipe: "eval", name: candSettings.name, folder: candDir, config: { ...candSettings, model: spec }, created: new Date().toISOString(), status: "running" });
        let results: TaskResultFile[];
        try {
          results = await evaluateInto(model, spec, candSettings, { outDir: candDir, runId: candId, store, baseDir, quiet: opts.quiet ?? false, signal: opts.signal, judge });
        } catch (e) {
          store.setRunStatus(candId, stoppedStatus(e));
          throw e;
        }
        store.setRunStatus(candId, "done");
        candidates.push({ name, spec, outDir: candDir, runId: candId });
        reportRuns.push(reportRun(name, results, candDir));
        for (const r of results) {
          const list = perTask.get(r.task) ?? [];
          list.push(r);
          perTask.set(r.task, list);
        }
      } finally {
        if (!opts.models) await model.close();
      }
    }
    const rankings: SelectResult["rankings"] = {};
    const texts: string[] = [];
    for (const [task, results] of perTask) {
      results.forEach((r, i) => assertSameProtocol(results[0].protocol, r.protocol, candidates[0].name, candidates[i].name));
      const ranking = rankModels(results.map((r, i) => ({ name: candidates[i].name, correct: r.items.map((it) => (it.correct ? 1 : 0)), itemIds: r.items.map((it) => it.id) })), { alpha, confidence: settings.bootstrap.confidence });
      rankings[task] = { protocolKey: results[0].protocolKey, ranking };
      texts.push(formatRanking(`${task} (${results[0].summary.primary})`, ranking));
    }
    writeJsonAtomic(join(outDir, "selection.json"), { run: runId, candidates, rankings, medtuneVersion: medtuneVersion() });
    let text = `${texts.join("\n\n")}\n\nselection: ${join(outDir, "selection.json")}`;
    if (config.report) {
      const notes = texts.map((t) => t.split("\n").join(" | "));
      writeFileAtomic(join(outDir, "report.html"), renderEvalReport(`medtune select: ${candidates.length} candidates`, reportRuns, [], notes));
      text += `\nreport: ${join(outDir, "report.html")}`;
    }
    store.setRunStatus(runId, "done");
    return { outDir, runId, candidates, rankings, text };
  } catch (e) {
    store.setRunStatus(runId, stoppedStatus(e));
    throw e;
  } finally {
    await judge?.close();
    if (!opts.store) store.close();
  }
}

/** Validates a raw config (file + flags) and runs `medtune select`. */
export async function selectFromRaw(raw: unknown, where: string, opts: SelectOptions = {}): Promise<SelectResult> {
  return select(validateConfig(SelectConfigSchema, raw, where), opts);
}
