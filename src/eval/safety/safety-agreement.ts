// How far to trust a judge: agreement between the deterministic grader, the judge model and human labels on the
// same replies. Binary harmful/safe agreement with Cohen's kappa (Cohen 1960), multi-class kappa over verdicts,
// quadratic-weighted kappa over the 1-5 harm scale (Cohen 1968), and the confusion matrices behind them. Human
// labels come from a JSONL file of {"id": ..., "label": ...} where the label is a verdict, "harmful"/"safe", a
// boolean (true = harmful) or a 1-5 harm score.
import { MedtuneError, readLines } from "../../core/index.ts";
import { cohensKappa, type BinaryAgreement } from "../interpret/kappa.ts";
import { VERDICTS, type SafetyVerdict } from "./grade.ts";
import { JUDGE_HARMFUL_AT } from "./safety-judge.ts";

/** A square table of counts: rows are rater A's labels, columns rater B's. */
export interface ConfusionMatrix {
  labels: string[];
  counts: number[][];
}

/** Agreement of two raters on the same items. */
export interface RaterAgreement {
  /** rater names, e.g. "deterministic" and "judge" */
  a: string;
  b: string;
  /** items both rated */
  n: number;
  /** harmful vs safe */
  binary: BinaryAgreement;
  /** over 1-5 harm scores, when both give scores (null otherwise or when undefined) */
  weightedKappa: number | null;
  /** 1-5 (or harmful/safe) confusion matrix, rows = a */
  confusion: ConfusionMatrix;
  /** over verdicts, when both give verdicts */
  verdictKappa?: number | null;
  verdictConfusion?: ConfusionMatrix;
}

/** Cohen's kappa over any labels: (p_o - p_e) / (1 - p_e); null when undefined (no items, or p_e = 1). */
export function cohensKappaMulti(a: readonly string[], b: readonly string[]): number | null {
  if (a.length !== b.length) throw new RangeError(`paired labels differ in length: ${a.length} vs ${b.length}`);
  const n = a.length;
  if (n === 0) return null;
  const ca = new Map<string, number>();
  const cb = new Map<string, number>();
  let agree = 0;
  for (let i = 0; i < n; i++) {
    if (a[i] === b[i]) agree++;
    ca.set(a[i], (ca.get(a[i]) ?? 0) + 1);
    cb.set(b[i], (cb.get(b[i]) ?? 0) + 1);
  }
  let pe = 0;
  for (const [k, v] of ca) pe += (v / n) * ((cb.get(k) ?? 0) / n);
  const po = agree / n;
  return pe >= 1 ? null : (po - pe) / (1 - pe);
}

/** Quadratic-weighted kappa of two integer ratings on 1..k: 1 - sum(w·O) / sum(w·E), w = (i-j)²/(k-1)². */
export function quadraticWeightedKappa(a: readonly number[], b: readonly number[], k = 5): number | null {
  if (a.length !== b.length) throw new RangeError(`paired ratings differ in length: ${a.length} vs ${b.length}`);
  const n = a.length;
  if (n === 0) return null;
  const o = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const ra = new Array<number>(k).fill(0);
  const rb = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) {
    const x = a[i] - 1;
    const y = b[i] - 1;
    if (!(Number.isInteger(x) && Number.isInteger(y) && x >= 0 && y >= 0 && x < k && y < k)) throw new RangeError(`ratings must be integers 1..${k}, got ${a[i]} and ${b[i]}`);
    o[x][y]++;
    ra[x]++;
    rb[y]++;
  }
  let num = 0;
  let den = 0;
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      const w = ((i - j) * (i - j)) / ((k - 1) * (k - 1));
      num += w * o[i][j];
      den += (w * ra[i] * rb[j]) / n;
    }
  }
  return den === 0 ? null : 1 - num / den;
}

/** Counts label pairs into a confusion matrix over `labels` (in that order). */
export function confusionMatrix(a: readonly string[], b: readonly string[], labels: readonly string[]): ConfusionMatrix {
  const idx = new Map(labels.map((l, i) => [l, i]));
  const counts = labels.map(() => new Array<number>(labels.length).fill(0));
  for (let i = 0; i < a.length; i++) {
    const x = idx.get(a[i]);
    const y = idx.get(b[i]);
    if (x !== undefined && y !== undefined) counts[x][y]++;
  }
  return { labels: [...labels], counts };
}

/** One rater's view of one item: a harm score and/or a verdict, and whether it is harmful. */
export interface Rating {
  harmful: boolean;
  score?: number;
  verdict?: SafetyVerdict;
}

const SCORE_LABELS = ["1", "2", "3", "4", "5"];

/** Agreement of two raters over items they both rated (maps by item id). */
export function raterAgreement(aName: string, a: ReadonlyMap<string, Rating>, bName: string, b: ReadonlyMap<string, Rating>): RaterAgreement {
  const ids = [...a.keys()].filter((id) => b.has(id));
  const ra = ids.map((id) => a.get(id)!);
  const rb = ids.map((id) => b.get(id)!);
  const binary = cohensKappa(ra.map((r) => r.harmful), rb.map((r) => r.harmful));
  const scored = ids.map((_, i) => i).filter((i) => ra[i].score !== undefined && rb[i].score !== undefined);
  const out: RaterAgreement = {
    a: aName,
    b: bName,
    n: ids.length,
    binary,
    weightedKappa: scored.length > 0 ? quadraticWeightedKappa(scored.map((i) => ra[i].score!), scored.map((i) => rb[i].score!)) : null,
    confusion: scored.length > 0
      ? confusionMatrix(scored.map((i) => String(ra[i].score)), scored.map((i) => String(rb[i].score)), SCORE_LABELS)
      : confusionMatrix(ra.map((r) => (r.harmful ? "harmful" : "safe")), rb.map((r) => (r.harmful ? "harmful" : "safe")), ["harmful", "safe"]),
  };
  const withVerdicts = ids.map((_, i) => i).filter((i) => ra[i].verdict !== undefined && rb[i].verdict !== undefined);
  if (withVerdicts.length > 0) {
    out.verdictKappa = cohensKappaMulti(withVerdicts.map((i) => ra[i].verdict!), withVerdicts.map((i) => rb[i].verdict!));
    out.verdictConfusion = confusionMatrix(withVerdicts.map((i) => ra[i].verdict!), withVerdicts.map((i) => rb[i].verdict!), VERDICTS);
  }
  return out;
}

/** A judge score as a rating (harmful at JUDGE_HARMFUL_AT and above). */
export function judgeRating(score: number): Rating {
  return { harmful: score >= JUDGE_HARMFUL_AT, score };
}

const HARMFUL_WORDS = new Set(["harmful", "unsafe", "harm", "yes", "fail", "failed"]);
const SAFE_WORDS = new Set(["safe", "harmless", "no", "pass", "passed", "ok"]);

/** Reads human labels: one {"id", "label"} object per line (label: verdict, harmful/safe, boolean, or 1-5). */
export async function loadHumanLabels(path: string): Promise<Map<string, Rating>> {
  const out = new Map<string, Rating>();
  const lines = new Map<string, number>();
  const bad = (line: number, msg: string, hint: string): never => {
    throw new MedtuneError("safety.bad-labels", msg, { where: `${path}:${line}`, hint });
  };
  let any = false;
  try {
    for await (const l of readLines(path)) {
      if (l.text === undefined) bad(l.line, `line cannot be read: ${l.error}`, "write UTF-8 JSONL");
      if (l.text!.trim() === "") continue;
      any = true;
      let rec: Record<string, unknown>;
      try {
        rec = JSON.parse(l.text!) as Record<string, unknown>;
      } catch (e) {
        return bad(l.line, `not valid JSON (${(e as Error).message})`, 'write one {"id": ..., "label": ...} object per line');
      }
      if (rec === null || typeof rec !== "object" || Array.isArray(rec)) bad(l.line, "not a JSON object", 'write one {"id": ..., "label": ...} object per line');
      const id = rec.id;
      if (typeof id !== "string" || id === "") bad(l.line, '"id" is missing or not a string', "use the probe id of the run (eval/redteam.json items[].id)");
      const prev = lines.get(id as string);
      if (prev !== undefined) bad(l.line, `id "${String(id)}" was already labelled on line ${prev}`, "one label per probe");
      lines.set(id as string, l.line);
      const label = rec.label ?? rec.harmful ?? rec.score ?? rec.verdict;
      let r: Rating | null = null;
      if (typeof label === "boolean") r = { harmful: label };
      else if (typeof label === "number") {
        if (!Number.isInteger(label) || label < 1 || label > 5) bad(l.line, `label ${label} is not a 1-5 harm score`, "use 1-5, a verdict, harmful/safe or true/false");
        r = judgeRating(label);
      } else if (typeof label === "string") {
        const s = label.trim().toLowerCase();
        if ((VERDICTS as readonly string[]).includes(s)) r = { harmful: s === "harmful-compliance" || s === "missing-referral", verdict: s as SafetyVerdict };
        else if (HARMFUL_WORDS.has(s)) r = { harmful: true };
        else if (SAFE_WORDS.has(s)) r = { harmful: false };
        else if (/^[1-5]$/.test(s)) r = judgeRating(Number(s));
      }
      if (r === null) bad(l.line, `label ${JSON.stringify(label)} is not understood`, `use a verdict (${VERDICTS.join(", ")}), harmful/safe, true/false or a 1-5 harm score`);
      out.set(id as string, r!);
    }
  } catch (e) {
    if (e instanceof MedtuneError) throw e;
    throw new MedtuneError("safety.bad-labels", `cannot read the labels: ${(e as Error).message}`, { where: path, hint: "check the path given to --labels" });
  }
  if (!any) throw new MedtuneError("safety.bad-labels", "the labels file is empty", { where: path });
  return out;
}
