// The result of a red-team run as written to `<run folder>/eval/redteam.json` (the source of truth) and indexed in
// the store: model, protocol and its key, the probe sets, metrics with intervals per category, severity, source and
// transform, the judge and human agreement records, and every item with its reply, verdict and check findings.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { MedtuneError, writeJsonAtomic } from "../../core/index.ts";
import type { ModelInfo } from "../../providers/index.ts";
import type { EvalResultRow, MetricRow, Store } from "../../store/index.ts";
import type { HumanAgreementRecord, JudgeAgreementRecord } from "./redteam-agreement.ts";
import type { RedteamItem } from "./run-redteam.ts";
import type { LoadedSet } from "./probe-sets.ts";
import { safetyProtocolKey, type SafetyProtocol } from "./safety-protocol.ts";
import type { RateStat, SafetyGroupRow, SafetyMetrics } from "./safety-metrics.ts";

/** Layout tag of eval/redteam.json. */
export const REDTEAM_FORMAT = "medtune-redteam-result-v1";

/** The store task name of red-team results. */
export const REDTEAM_TASK = "redteam";

/** eval/redteam.json. */
export interface RedteamResultFile {
  format: typeof REDTEAM_FORMAT;
  run: { id: string; name: string };
  model: { spec: string } & Omit<ModelInfo, "chatTemplate">;
  protocol: SafetyProtocol;
  protocolKey: string;
  sets: LoadedSet[];
  metrics: SafetyMetrics;
  /** the judge model and its agreement with the grader, when a judge was used */
  judge: ({ spec: string; model: Omit<ModelInfo, "chatTemplate">; rubric: string } & JudgeAgreementRecord) | null;
  /** agreement with human labels, when a labels file was given */
  human: ({ file: string } & HumanAgreementRecord) | null;
  items: RedteamItem[];
  timing: { startedAt: string; finishedAt: string; seconds: number };
  medtuneVersion: string;
}

/** Writes eval/redteam.json into a run folder; returns its path. */
export function writeRedteamResult(runDir: string, r: RedteamResultFile): string {
  const path = join(runDir, "eval", `${REDTEAM_TASK}.json`);
  writeJsonAtomic(path, r);
  return path;
}

/** The eval/redteam.json of a run folder (or the file itself). */
export function redteamResultPath(path: string): string {
  const abs = resolve(path);
  if (!existsSync(abs)) throw new MedtuneError("safety.result-missing", `not found: ${path}`, { hint: "give a run folder made by medtune redteam, or its eval/redteam.json" });
  if (statSync(abs).isFile()) return abs;
  const inEval = join(abs, "eval", `${REDTEAM_TASK}.json`);
  if (existsSync(inEval)) return inEval;
  const direct = join(abs, `${REDTEAM_TASK}.json`);
  if (existsSync(direct)) return direct;
  throw new MedtuneError("safety.result-missing", `no red-team result in ${path}`, { hint: "give a run folder made by medtune redteam (it holds eval/redteam.json)" });
}

/** Reads and checks eval/redteam.json (the protocol key is recomputed, so an edited protocol is caught). */
export function readRedteamResult(path: string): RedteamResultFile {
  const file = redteamResultPath(path);
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new MedtuneError("safety.result-invalid", `not valid JSON: ${(e as Error).message}`, { where: file });
  }
  const r = v as Partial<RedteamResultFile>;
  if (r?.format !== REDTEAM_FORMAT) throw new MedtuneError("safety.result-invalid", `not a medtune red-team result (format ${JSON.stringify(r?.format ?? null)}, expected ${REDTEAM_FORMAT})`, { where: file });
  for (const k of ["run", "model", "protocol", "protocolKey", "metrics", "items"] as const) {
    if (r[k] === undefined) throw new MedtuneError("safety.result-invalid", `the result has no "${k}" field`, { where: file, hint: "the file is truncated or was edited; rerun medtune redteam" });
  }
  if (!Array.isArray(r.items)) throw new MedtuneError("safety.result-invalid", '"items" is not an array', { where: file });
  if (safetyProtocolKey(r.protocol!) !== r.protocolKey) throw new MedtuneError("safety.result-invalid", "the protocol does not match its recorded key (the file was edited)", { where: file, hint: "rerun medtune redteam instead of editing its result" });
  return r as RedteamResultFile;
}

const RATES: ReadonlyArray<[keyof SafetyGroupRow, string]> = [
  ["harm", "harm"], ["harmfulCompliance", "harmful_compliance"], ["missingReferral", "missing_referral"], ["refusal", "refusal"], ["overRefusal", "over_refusal"], ["judgeHarm", "judge_harm"],
];

function rows(group: string, g: SafetyGroupRow): MetricRow[] {
  const out: MetricRow[] = [];
  for (const [key, name] of RATES) {
    const s = g[key] as RateStat | null;
    if (s) out.push({ task: REDTEAM_TASK, name, group, value: s.rate, ciLow: s.lo, ciHigh: s.hi, n: s.n });
  }
  return out;
}

/** Metric rows for the store: every rate overall and per category, severity, source and transform. */
export function redteamMetricRows(r: RedteamResultFile): MetricRow[] {
  const m = r.metrics;
  const out = rows("", m.overall);
  for (const [by, list] of [["category", m.byCategory], ["severity", m.bySeverity], ["source", m.bySource], ["transform", m.byTransform]] as const) {
    for (const g of list) out.push(...rows(`${by}:${g.group}`, g));
  }
  for (const t of m.robustness) if (t.robustness) out.push({ task: REDTEAM_TASK, name: "robustness", group: `transform:${t.transform}`, value: t.robustness.rate, ciLow: t.robustness.lo, ciHigh: t.robustness.hi, n: t.robustness.n });
  if (r.judge) out.push({ task: REDTEAM_TASK, name: "judge_kappa", group: "", value: r.judge.agreement.binary.kappa, n: r.judge.agreement.n });
  if (r.human) out.push({ task: REDTEAM_TASK, name: "human_kappa", group: "deterministic", value: r.human.deterministic.binary.kappa, n: r.human.deterministic.n });
  if (r.human?.judge) out.push({ task: REDTEAM_TASK, name: "human_kappa", group: "judge", value: r.human.judge.binary.kappa, n: r.human.judge.n });
  return out;
}

/** Indexes a red-team result into the store under a run id (replacing what the run had for it). */
export function indexRedteamResult(store: Store, runId: string, r: RedteamResultFile): void {
  store.transaction(() => {
    store.putMetrics(runId, REDTEAM_TASK, redteamMetricRows(r));
    const items: EvalResultRow[] = r.items.map((it) => ({
      task: REDTEAM_TASK,
      item: it.id,
      prediction: it.verdict,
      correct: it.pass,
      scores: {
        harm: it.harm, isHarmful: it.isHarmful, category: it.category, severity: it.severity, transform: it.transform, set: it.set, expected: it.expected, source: it.source,
        ...(it.judge ? { judgeScore: it.judge.score } : {}), ...(it.error !== undefined ? { error: it.error } : {}),
      },
    }));
    store.putEvalResults(runId, REDTEAM_TASK, items);
  });
}
