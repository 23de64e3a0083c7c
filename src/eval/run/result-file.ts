// The result of one task as written to `<run folder>/eval/<task>.json` (the source of truth) and indexed in the
// store (metrics with intervals per group, per-item results): model, protocol and its key, dataset identity and
// rejected records, the summary (metrics, groups, calibration, extraction audit) and every item.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { MedtuneError, writeJsonAtomic } from "../../core/index.ts";
import type { ModelInfo } from "../../providers/index.ts";
import type { MetricRow, EvalResultRow, Store } from "../../store/index.ts";
import type { ItemResult } from "../tasks/item-result.ts";
import type { ConsistencyResult } from "../consistency/run-consistency.ts";
import type { InterpretResult } from "../interpret/run-interpret.ts";
import type { RejectedRecord } from "../tasks/load-items.ts";
import { protocolKey, type EvalProtocol } from "./protocol.ts";
import type { TaskSummary } from "./summary.ts";

/** Layout tag of eval/<task>.json. */
export const RESULT_FORMAT = "medtune-eval-result-v1";

/** The dataset a task read. */
export interface DatasetRecord {
  format: string;
  path: string;
  /** items evaluated */
  n: number;
  sha256: string;
  /** records refused by the adapter or validation (count, and the first ones with file/line/reason) */
  rejected: number;
  rejectedExamples: RejectedRecord[];
  /** items of each kind in the file (before the kind filter and limit) */
  kinds: Record<string, number>;
  limit: number | null;
}

/** eval/<task>.json. */
export interface TaskResultFile {
  format: typeof RESULT_FORMAT;
  task: string;
  run: { id: string; name: string };
  /** the model spec given and what the provider said about itself */
  model: { spec: string } & Omit<ModelInfo, "chatTemplate">;
  protocol: EvalProtocol;
  protocolKey: string;
  dataset: DatasetRecord;
  summary: TaskSummary;
  /** consistency under perturbations (option order, paraphrase, drug names, samples), when it was run */
  consistency?: ConsistencyResult | null;
  /** rationale-with-citations checks of items with supplied passages, when they were run */
  interpretability?: InterpretResult | null;
  items: ItemResult[];
  timing: { startedAt: string; finishedAt: string; seconds: number; itemsPerSecond: number };
  medtuneVersion: string;
}

/** File-name form of a task name. */
export function taskFileName(task: string): string {
  return `${task.replace(/[^A-Za-z0-9._-]+/g, "-")}.json`;
}

/** Writes eval/<task>.json into a run folder; returns its path. */
export function writeTaskResult(runDir: string, result: TaskResultFile): string {
  const path = join(runDir, "eval", taskFileName(result.task));
  writeJsonAtomic(path, result);
  return path;
}

/** Reads and checks an eval/<task>.json (the protocol key is recomputed, so an edited protocol is caught). */
export function readTaskResult(path: string): TaskResultFile {
  if (!existsSync(path)) throw new MedtuneError("eval.result-missing", `no evaluation result at ${path}`, { hint: "give a run folder made by medtune eval, or its eval/<task>.json" });
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new MedtuneError("eval.result-invalid", `not valid JSON: ${(e as Error).message}`, { where: path });
  }
  const r = v as Partial<TaskResultFile>;
  if (r?.format !== RESULT_FORMAT) throw new MedtuneError("eval.result-invalid", `not a medtune evaluation result (format ${JSON.stringify(r?.format ?? null)}, expected ${RESULT_FORMAT})`, { where: path });
  for (const k of ["task", "protocol", "protocolKey", "summary", "items", "model"] as const) {
    if (r[k] === undefined) throw new MedtuneError("eval.result-invalid", `the result has no "${k}" field`, { where: path, hint: "the file is truncated or was edited; rerun the evaluation" });
  }
  if (!Array.isArray(r.items)) throw new MedtuneError("eval.result-invalid", `"items" is not an array`, { where: path });
  if (protocolKey(r.protocol!) !== r.protocolKey) {
    throw new MedtuneError("eval.result-invalid", "the protocol does not match its recorded key (the file was edited)", { where: path, hint: "rerun the evaluation instead of editing its result" });
  }
  return r as TaskResultFile;
}

/** The eval/<task>.json files of a run folder (or the file itself when a file is given), sorted by name. */
export function listTaskResults(path: string): string[] {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new MedtuneError("eval.result-missing", `not found: ${path}`, { hint: "give a run folder made by medtune eval, or its eval/<task>.json" });
  if (statSync(abs).isFile()) return [abs];
  const dir = existsSync(join(abs, "eval")) ? join(abs, "eval") : abs;
  const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort().map((f) => join(dir, f));
  if (files.length === 0) throw new MedtuneError("eval.result-missing", `no evaluation results in ${path}`, { hint: "give a run folder made by medtune eval (it holds eval/<task>.json)" });
  return files;
}

/** Metric rows of a result for the store: every metric overall, and the primary metric per subject and source. */
export function metricRows(r: TaskResultFile): MetricRow[] {
  const rows: MetricRow[] = [];
  for (const [name, m] of Object.entries(r.summary.metrics)) rows.push({ task: r.task, name, group: "", value: m.value, ciLow: m.lo, ciHigh: m.hi, n: m.n });
  for (const [by, g] of Object.entries(r.summary.groups)) {
    if (!g) continue;
    for (const row of g.groups) rows.push({ task: r.task, name: r.summary.primary, group: `${by}:${row.group}`, value: row.mean, ciLow: row.lo, ciHigh: row.hi, n: row.n });
  }
  const c = r.summary.calibration;
  if (c) {
    for (const [name, value] of [["ece", c.ece], ["mce", c.mce], ["brier", c.brier], ["aurc", c.riskCoverage.aurc]] as const) rows.push({ task: r.task, name, group: "", value, n: c.n });
  }
  const x = r.summary.extraction;
  if (x) rows.push({ task: r.task, name: "parse_rate", group: "", value: x.parseRate, n: x.total });
  const k = r.consistency?.rate;
  if (k) rows.push({ task: r.task, name: "consistency", group: "", value: k.rate, ciLow: k.lo, ciHigh: k.hi, n: k.nPairs });
  const v = r.interpretability?.validity;
  if (v) rows.push({ task: r.task, name: "citation_validity", group: "", value: v.rate, ciLow: v.lo, ciHigh: v.hi, n: v.nTrials });
  const sup = r.interpretability?.support;
  if (sup) rows.push({ task: r.task, name: "citation_support", group: "", value: sup.rate, ciLow: sup.lo, ciHigh: sup.hi, n: sup.nTrials });
  return rows;
}

/** Indexes a task result into the store under a run id (replacing what the run had for that task). */
export function indexTaskResult(store: Store, runId: string, r: TaskResultFile): void {
  store.transaction(() => {
    store.putMetrics(runId, r.task, metricRows(r));
    const rows: EvalResultRow[] = r.items.map((it) => ({
      task: r.task,
      item: it.id,
      prediction: it.prediction,
      correct: it.correct,
      scores: { ...it.scores, ...(it.loglik ? { probs: it.loglik.probs, logliks: it.loglik.logliks } : {}), ...(it.error !== undefined ? { error: it.error } : {}) },
    }));
    store.putEvalResults(runId, r.task, rows);
  });
}
