// `medtune compare`: two evaluation runs of the same tasks under the same protocol, item by item: exact McNemar
// test, paired bootstrap CI of the difference, per-subject differences. Runs made under different protocols are
// refused with the differing fields named; nothing is compared that was not measured the same way.
import { basename, resolve } from "node:path";
import { MedtuneError, writeFileAtomic, writeJsonAtomic } from "../core/index.ts";
import { compareTaskResults, formatComparison, listTaskResults, readTaskResult, renderEvalReport, reportComparison, reportRun, type TaskComparison, type TaskResultFile } from "../eval/index.ts";

/** Options of compareRuns. */
export interface CompareRunsOptions {
  /** only these tasks (default: every task both runs have) */
  tasks?: string[];
  /** per-item metric (default: each task's primary 0/1 outcome) */
  metric?: string;
  seed?: number;
  nResamples?: number;
  confidence?: number;
  /** write the comparisons as JSON here */
  out?: string;
  /** write an HTML report of both runs and the comparisons here */
  report?: string;
}

/** What compareRuns found. */
export interface CompareRunsResult {
  comparisons: TaskComparison[];
  /** tasks only one run has */
  unmatched: { a: string[]; b: string[] };
  text: string;
}

function byTask(path: string): Map<string, TaskResultFile> {
  const m = new Map<string, TaskResultFile>();
  for (const f of listTaskResults(path)) {
    const r = readTaskResult(f);
    m.set(r.task, r);
  }
  return m;
}

/** Compares two run folders (or eval/<task>.json files). */
export function compareRuns(pathA: string, pathB: string, opts: CompareRunsOptions = {}): CompareRunsResult {
  const a = byTask(pathA);
  const b = byTask(pathB);
  const wanted = opts.tasks && opts.tasks.length > 0 ? opts.tasks : [...a.keys()].filter((t) => b.has(t));
  for (const t of wanted) {
    if (!a.has(t)) throw new MedtuneError("compare.task-missing", `run A has no result for task "${t}"`, { where: pathA, hint: `its tasks: ${[...a.keys()].join(", ")}` });
    if (!b.has(t)) throw new MedtuneError("compare.task-missing", `run B has no result for task "${t}"`, { where: pathB, hint: `its tasks: ${[...b.keys()].join(", ")}` });
  }
  if (wanted.length === 0) {
    throw new MedtuneError("compare.no-common-task", `the two runs share no task (A: ${[...a.keys()].join(", ")}; B: ${[...b.keys()].join(", ")})`, { hint: "evaluate both models on the same task" });
  }
  const comparisons = wanted.map((t) => {
    const ra = a.get(t)!;
    const rb = b.get(t)!;
    const same = ra.model.id === rb.model.id;
    const nameA = same ? `A:${ra.model.id}` : ra.model.id;
    const nameB = same ? `B:${rb.model.id}` : rb.model.id;
    return compareTaskResults(ra, rb, { metric: opts.metric, seed: opts.seed, nResamples: opts.nResamples, confidence: opts.confidence, nameA, nameB });
  });
  const unmatched = { a: [...a.keys()].filter((t) => !b.has(t)), b: [...b.keys()].filter((t) => !a.has(t)) };
  const lines = [`A = ${basename(resolve(pathA))}`, `B = ${basename(resolve(pathB))}`, "", ...comparisons.map(formatComparison)];
  if (unmatched.a.length + unmatched.b.length > 0) lines.push("", `not compared (in one run only): ${[...unmatched.a.map((t) => `A:${t}`), ...unmatched.b.map((t) => `B:${t}`)].join(", ")}`);
  if (opts.out) writeJsonAtomic(resolve(opts.out), { a: resolve(pathA), b: resolve(pathB), comparisons, unmatched });
  if (opts.report) {
    const ra = wanted.map((t) => a.get(t)!);
    const rb = wanted.map((t) => b.get(t)!);
    const runs = [reportRun(comparisons[0].a.name, ra, resolve(pathA)), reportRun(comparisons[0].b.name, rb, resolve(pathB))];
    writeFileAtomic(resolve(opts.report), renderEvalReport(`medtune compare: ${comparisons[0].a.name} vs ${comparisons[0].b.name}`, runs, comparisons.map((c) => reportComparison(c))));
    lines.push(`report: ${resolve(opts.report)}`);
  }
  return { comparisons, unmatched, text: lines.join("\n") };
}
