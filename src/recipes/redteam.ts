// `medtune redteam`: does a model refuse what it must refuse, answer what it should, and send emergencies to
// emergency care? Load the probe sets (built-in, MedSafetyBench, any JSONL), add jailbreak transforms, fix the
// protocol, ask the model through the SQLite request cache (an interrupted run resumes for free), grade every reply,
// optionally have a judge rate them (compared with the grader and human labels), then write config.json,
// eval/redteam.json and report.html into the run folder and index the run in the registry.
import { basename, join, resolve } from "node:path";
import { z } from "zod";
import { MedtuneError, Progress, log, medtuneVersion, validateConfig, writeFileAtomic, writeJsonAtomic } from "../core/index.ts";
import type { Model } from "../providers/index.ts";
import { Store, defaultStorePath } from "../store/index.ts";
import {
  DEFAULT_SAFETY_STOP, DEFAULT_SAFETY_TEMPLATE, GRADER_VERSION, JUDGE_RUBRIC_VERSION, REDTEAM_FORMAT, applyTransforms, formatRedteamResult,
  humanAgreementRecord, indexRedteamResult, judgeAgreementRecord, judgeRedteamItems, loadHumanLabels, loadProbeSets, openModel, probesHash,
  renderSafetyReport, runRedteamProbes, safetyProtocolKey, sampleProbes, summarizeSafety, writeRedteamResult,
  type RedteamResultFile, type SafetyProtocol,
} from "../eval/index.ts";
import { newRunDir } from "./evaluate.ts";
import { stoppedStatus } from "./run-status.ts";

/** Everything of a red-team run except the model. */
export const RedteamSettingsSchema = z
  .object({
    name: z.string().min(1).optional(), // run name, part of the run folder name (default: the model's name)
    sets: z.array(z.string().min(1)).min(1).default(["builtin"]), // builtin[:redteam|:over-refusal], medsafetybench:PATH, jsonl:PATH[,prompt=F,...]
    limit: z.number().int().positive().optional(), // the first N probes (before transforms)
    sample: z.number().int().positive().optional(), // a seeded random sample of N probes (before transforms)
    transforms: z.array(z.string().min(1)).default([]), // jailbreak transforms of the red-team probes: role-play, hypothetical, document-injection
    generation: z
      .object({
        format: z.enum(["auto", "chat", "completion"]).default("auto"), // auto: chat when the model has a chat template
        system: z.string().optional(), // chat system message (default: none, the model as deployed bare)
        template: z.string().default(DEFAULT_SAFETY_TEMPLATE), // completion transcript; {prompt} is replaced
        stop: z.array(z.string()).optional(), // completion stop strings (default: a new "User:" turn)
        maxTokens: z.number().int().positive().default(384), // new tokens per reply
        temperature: z.number().min(0).default(0), // 0 = greedy
      })
      .strict()
      .prefault({}),
    judge: z
      .object({
        model: z.string().min(1).optional(), // a model spec that rates each red-team reply 1-5 (MedSafetyBench rubric)
        format: z.enum(["chat", "prompt"]).optional(), // default: chat when the judge has a chat template
        maxTokens: z.number().int().positive().default(256), // room for the judge's reason and score
      })
      .strict()
      .prefault({}),
    labels: z.string().min(1).optional(), // human labels (JSONL of {"id", "label"}) to measure grader and judge against
    seed: z.number().int().default(1234), // sampling of probes, decoding and bootstrap seeds derive from it
    batchSize: z.number().int().positive().default(16), // probes per model call
    bootstrap: z
      .object({
        nResamples: z.number().int().positive().default(2000),
        confidence: z.number().gt(0).lt(1).default(0.95),
      })
      .strict()
      .prefault({}),
    runsDir: z.string().default("runs"), // where run folders go
    out: z.string().optional(), // the run folder (default runs/<stamp>-redteam-<name>)
    store: z.string().optional(), // the registry database (default <runsDir>/medtune.db)
    report: z.boolean().default(true), // write report.html into the run folder
  })
  .strict();

/** The full `medtune redteam` config. */
export const RedteamConfigSchema = RedteamSettingsSchema.extend({
  model: z.string().min(1), // llamacpp:PATH.gguf, openai:URL#MODEL
}).strict();
export type RedteamConfig = z.infer<typeof RedteamConfigSchema>;

/** Options that are not part of the saved config. */
export interface RedteamOptions {
  quiet?: boolean;
  /** base folder of relative paths (default cwd) */
  baseDir?: string;
  /** an open model to use instead of opening config.model (it is not closed) */
  model?: Model;
  /** an open judge to use instead of opening config.judge.model (it is not closed) */
  judge?: Model;
  /** an open store (it is not closed) */
  store?: Store;
  /** stops between batches; the run is marked interrupted and a rerun resumes from the cache */
  signal?: AbortSignal;
}

/** What a red-team run made. */
export interface RedteamRunResult {
  outDir: string;
  runId: string;
  result: RedteamResultFile;
  /** the text summary */
  text: string;
}

/** Runs `medtune redteam` with a validated config. */
export async function redteam(config: RedteamConfig, opts: RedteamOptions = {}): Promise<RedteamRunResult> {
  const baseDir = opts.baseDir ?? process.cwd();
  const quiet = opts.quiet ?? false;
  if (config.limit !== undefined && config.sample !== undefined) throw new MedtuneError("safety.bad-option", "give either limit or sample, not both", { where: "limit/sample", hint: "sample draws a seeded random subset; limit takes the first N" });
  // Everything that can fail on input fails before a model is loaded.
  const loaded = await loadProbeSets(config.sets, baseDir);
  let base = loaded.probes;
  if (config.limit !== undefined) base = base.slice(0, config.limit);
  if (config.sample !== undefined) base = sampleProbes(base, config.sample, config.seed);
  const probes = applyTransforms(base, config.transforms);
  if (!config.generation.template.includes("{prompt}")) throw new MedtuneError("safety.bad-option", "generation.template has no {prompt}", { where: "generation.template", hint: `e.g. ${JSON.stringify(DEFAULT_SAFETY_TEMPLATE)}` });
  const labels = config.labels !== undefined ? await loadHumanLabels(resolve(baseDir, config.labels)) : null;
  const model = opts.model ?? (await openModel(config.model));
  let judge: Model | undefined;
  let store: Store | undefined;
  let runId: string | undefined;
  try {
    const info = model.info();
    const name = config.name ?? info.id;
    const outDir = config.out !== undefined ? resolve(baseDir, config.out) : newRunDir(resolve(baseDir, config.runsDir), "redteam", name);
    runId = basename(outDir);
    store = opts.store ?? Store.open(resolve(baseDir, config.store ?? defaultStorePath(config.runsDir)));
    const g = config.generation;
    const format = g.format === "auto" ? (info.capabilities.chat ? "chat" : "completion") : g.format;
    const protocol: SafetyProtocol = {
      version: 1,
      kind: "redteam",
      probes: { sets: loaded.sets.map((s) => s.name), sha256: probesHash(probes), n: probes.length, sample: config.sample ?? null, limit: config.limit ?? null },
      transforms: [...new Set(config.transforms.filter((t) => t !== "none"))].sort(),
      format,
      system: format === "chat" ? (g.system ?? null) : null,
      template: format === "completion" ? g.template : null,
      stop: format === "completion" ? (g.stop ?? [...DEFAULT_SAFETY_STOP]) : null,
      maxTokens: g.maxTokens,
      temperature: g.temperature,
      seed: g.temperature > 0 ? config.seed : null,
      grader: GRADER_VERSION,
    };
    const { chatTemplate: _t, ...modelInfo } = info;
    const saved = { ...config, name, modelInfo, medtuneVersion: medtuneVersion() };
    writeJsonAtomic(join(outDir, "config.json"), saved);
    store.putRun({ id: runId, recipe: "redteam", name, folder: outDir, config: saved, created: new Date().toISOString(), status: "running" });

    const started = new Date();
    const progress = new Progress("redteam", { total: probes.length, unit: "probes", quiet });
    const items = await runRedteamProbes(model, probes, protocol, { cache: store, batchSize: config.batchSize, signal: opts.signal, onProgress: (done) => progress.tick(done - progress.done) });
    progress.finish();
    const failed = items.filter((it) => it.verdict === null);
    if (failed.length === items.length) {
      throw new MedtuneError("safety.all-failed", `every one of the ${items.length} probes failed to generate, so there is nothing to grade; first error: ${failed[0].error}`, { where: `model ${config.model}`, hint: "fix the model or server (transient errors are not cached, so rerunning retries them)" });
    }
    if (failed.length > 0) log.warn(`redteam: ${failed.length} of ${items.length} probes failed to generate and are left out of the rates (first: ${failed[0].id}: ${failed[0].error})`);

    let judgeRecord: RedteamResultFile["judge"] = null;
    if (opts.judge !== undefined || config.judge.model !== undefined) {
      judge = opts.judge ?? (await openModel(config.judge.model!));
      const j = config.judge;
      const n = await judgeRedteamItems(judge, items, probes, { cache: store, batchSize: config.batchSize, maxTokens: j.maxTokens, ...(j.format ? { format: j.format } : {}) });
      const { chatTemplate: _jt, ...judgeInfo } = judge.info();
      judgeRecord = { spec: config.judge.model ?? judgeInfo.id, model: judgeInfo, rubric: JUDGE_RUBRIC_VERSION, ...judgeAgreementRecord(items) };
      if (judgeRecord.nUnparsed + judgeRecord.nErrors > 0) log.warn(`redteam: the judge gave no usable score for ${judgeRecord.nUnparsed + judgeRecord.nErrors} of ${n} replies`);
    }
    const human = labels !== null ? { file: basename(config.labels!), ...humanAgreementRecord(items, labels) } : null;
    if (human && human.nUnknown > 0) log.warn(`redteam: ${human.nUnknown} label id(s) are not probes of this run (e.g. ${human.unknownIds[0]})`);
    const metrics = summarizeSafety(items, { nResamples: config.bootstrap.nResamples, confidence: config.bootstrap.confidence, seed: config.seed });
    const finished = new Date();
    const result: RedteamResultFile = {
      format: REDTEAM_FORMAT,
      run: { id: runId, name },
      model: { spec: config.model, ...modelInfo },
      protocol,
      protocolKey: safetyProtocolKey(protocol),
      sets: loaded.sets,
      metrics,
      judge: judgeRecord,
      human,
      items,
      timing: { startedAt: started.toISOString(), finishedAt: finished.toISOString(), seconds: (finished.getTime() - started.getTime()) / 1000 },
      medtuneVersion: medtuneVersion(),
    };
    const path = writeRedteamResult(outDir, result);
    indexRedteamResult(store, runId, result);
    let text = `${formatRedteamResult(result)}\n\nresults: ${path}`;
    if (config.report) {
      writeFileAtomic(join(outDir, "report.html"), renderSafetyReport(result, { subtitle: outDir }));
      text += `\nreport: ${join(outDir, "report.html")}`;
    }
    store.setRunStatus(runId, "done");
    return { outDir, runId, result, text };
  } catch (e) {
    if (store && runId !== undefined && store.getRun(runId)) store.setRunStatus(runId, stoppedStatus(e));
    throw e;
  } finally {
    if (!opts.model) await model.close();
    if (!opts.judge) await judge?.close();
    if (!opts.store) store?.close();
  }
}

/** Validates a raw config (file + flags) and runs it. */
export async function redteamFromRaw(raw: unknown, where: string, opts: RedteamOptions = {}): Promise<RedteamRunResult> {
  return redteam(validateConfig(RedteamConfigSchema, raw, where), opts);
}
