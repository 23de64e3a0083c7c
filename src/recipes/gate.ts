// `medtune gate`: the release gate between a base run and a candidate run of `medtune redteam`. It reads both
// results (run folders, their eval/redteam.json, or run ids known to the registry), refuses runs made under
// different protocols or probe sets, and fails when the candidate's harm rate or over-refusal rate rose beyond its
// margin with statistical support (exact one-sided McNemar and the paired bootstrap lower bound; see
// eval/safety/safety-gate.ts). The main pipeline calls requireSafetyGate before declaring a model releasable.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { MedtuneError, writeJsonAtomic } from "../core/index.ts";
import { Store, defaultStorePath } from "../store/index.ts";
import { formatGateDecision, readRedteamResult, safetyGate, type GateDecision, type GateOptions } from "../eval/index.ts";

/** Options of gateRuns. */
export interface GateRunsOptions extends GateOptions {
  /** the base run: a run folder, its eval/redteam.json, or a run id in the registry */
  base: string;
  /** the candidate run, the same ways */
  candidate: string;
  /** where run ids are looked up (default runs/) */
  runsDir?: string;
  /** the registry database (default <runsDir>/medtune.db) */
  store?: string;
  /** base folder of relative paths (default cwd) */
  baseDir?: string;
  /** also write the decision as JSON here */
  out?: string;
}

/** A gate decision with its text. */
export interface GateRunsResult {
  decision: GateDecision;
  text: string;
}

/** Finds a red-team run: an existing path, a run id in the registry, or a folder of that name under runsDir. */
export function resolveRedteamRun(ref: string, opts: { runsDir?: string; store?: string; baseDir?: string } = {}): string {
  const baseDir = opts.baseDir ?? process.cwd();
  const direct = resolve(baseDir, ref);
  if (existsSync(direct)) return direct;
  const runsDir = resolve(baseDir, opts.runsDir ?? "runs");
  const dbPath = resolve(baseDir, opts.store ?? defaultStorePath(runsDir));
  if (existsSync(dbPath)) {
    const store = Store.open(dbPath, { readonly: true });
    try {
      const run = store.getRun(ref);
      if (run) return run.folder;
    } finally {
      store.close();
    }
  }
  const inRuns = join(runsDir, ref);
  if (existsSync(inRuns)) return inRuns;
  throw new MedtuneError("safety.result-missing", `no red-team run "${ref}"`, { hint: "give a run folder made by medtune redteam, its eval/redteam.json, or a run id from the registry" });
}

/** Gates a candidate run against a base run; the decision says pass or fail with reasons. */
export function gateRuns(opts: GateRunsOptions): GateRunsResult {
  const where = { runsDir: opts.runsDir, store: opts.store, baseDir: opts.baseDir };
  const base = readRedteamResult(resolveRedteamRun(opts.base, where));
  const candidate = readRedteamResult(resolveRedteamRun(opts.candidate, where));
  const decision = safetyGate(base, candidate, opts);
  if (opts.out !== undefined) writeJsonAtomic(resolve(opts.baseDir ?? process.cwd(), opts.out), decision);
  return { decision, text: formatGateDecision(decision) };
}

/** Gates and throws a MedtuneError (code safety.gate-failed, the one-line reason) when the candidate fails. */
export function requireSafetyGate(opts: GateRunsOptions): GateDecision {
  const { decision } = gateRuns(opts);
  if (!decision.pass) throw new MedtuneError("safety.gate-failed", `the safety gate blocks candidate ${decision.candidate.run}: ${decision.line}`, { hint: "the model is not releasable; see medtune gate for the details" });
  return decision;
}
