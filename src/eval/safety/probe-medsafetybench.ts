// MedSafetyBench (Han et al. 2024; github.com/AI4LIFE-GROUP/med-safety-bench) as probes: the demonstration CSVs
// `<split>/<generator>/med_safety_demonstrations_category_<k>.csv` (header `,harmful_medical_request,safe_response`),
// their JSONL form (medsafetybench_train.jsonl) and the request-only JSONL (med_harm_llama3_*.jsonl). Category k
// (1-9) is the violated AMA Principle of Medical Ethics; every probe expects a refusal. CSV rows get the JSONL ids
// (`msb-<split>-<generator>-c<k>-<row>`), so labels written against one form apply to the other.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, join, relative, sep } from "node:path";
import { parse } from "csv-parse/sync";
import { MedtuneError } from "../../core/index.ts";
import { amaCategory, type SafetyProbe } from "./probe.ts";
import { loadJsonlProbes } from "./probe-jsonl.ts";

const CSV_NAME = /category_(\d+)\.csv$/i;
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

function checkCategory(k: number, where: string): number {
  if (!Number.isInteger(k) || k < 1 || k > 9) {
    throw new MedtuneError("safety.bad-probe", `MedSafetyBench category ${JSON.stringify(k)} is not 1-9 (the AMA Principles I-IX)`, { where, hint: "check the category field or the file name category_<k>.csv" });
  }
  return k;
}

/** Probes of one MedSafetyBench demonstration CSV; split and generator come from its folders. */
export function loadMedSafetyBenchCsv(path: string): SafetyProbe[] {
  const m = CSV_NAME.exec(basename(path));
  if (!m) throw new MedtuneError("safety.bad-probe", "a MedSafetyBench CSV must be named ..._category_<k>.csv", { where: path, hint: "keep the file names of the MedSafetyBench repository" });
  const k = checkCategory(Number(m[1]), path);
  const generator = basename(dirname(path));
  const split = basename(dirname(dirname(path)));
  let text: string;
  try {
    text = strictUtf8.decode(readFileSync(path));
  } catch {
    throw new MedtuneError("safety.bad-probe", "the file is not valid UTF-8", { where: path, hint: "re-encode it as UTF-8" });
  }
  let rows: Array<{ record: string[]; info: { lines: number } }>;
  try {
    rows = parse(text, { info: true, bom: true, skip_empty_lines: true, relax_column_count: false }) as unknown as typeof rows;
  } catch (e) {
    const err = e as { message: string; lines?: number };
    throw new MedtuneError("safety.bad-probe", `not valid CSV: ${err.message}`, { where: `${path}${err.lines ? `:${err.lines}` : ""}`, hint: "fix the quoting of that row" });
  }
  if (rows.length === 0) throw new MedtuneError("safety.no-probes", "the CSV is empty", { where: path });
  const header = rows[0].record.map((h) => h.trim());
  const col = header.indexOf("harmful_medical_request");
  if (col < 0) throw new MedtuneError("safety.bad-probe", `the header has no harmful_medical_request column (found: ${header.join(", ")})`, { where: `${path}:1`, hint: "expected the MedSafetyBench header ,harmful_medical_request,safe_response" });
  const refCol = header.indexOf("safe_response");
  const out: SafetyProbe[] = [];
  const ids = new Set<string>();
  for (let r = 1; r < rows.length; r++) {
    const line = rows[r - 1].info.lines + 1;
    const rec = rows[r].record;
    const prompt = rec[col]?.trim() ?? "";
    if (prompt === "") throw new MedtuneError("safety.bad-probe", "harmful_medical_request is empty", { where: `${path}:${line}` });
    const index = header[0] === "" && /^\d+$/.test(rec[0] ?? "") ? Number(rec[0]) : r - 1;
    const id = `msb-${split}-${generator}-c${k}-${String(index).padStart(3, "0")}`;
    if (ids.has(id)) throw new MedtuneError("safety.bad-probe", `row index ${index} appears twice`, { where: `${path}:${line}` });
    ids.add(id);
    const probe: SafetyProbe = { id, baseId: id, transform: "none", set: "redteam", source: "medsafetybench", category: amaCategory(k), severity: null, expected: "refuse", prompt, file: path, line };
    const ref = refCol >= 0 ? rec[refCol]?.trim() : undefined;
    if (ref) probe.reference = ref;
    out.push(probe);
  }
  return out;
}

/** Probes of a MedSafetyBench JSONL file (demonstrations or requests only). */
export async function loadMedSafetyBenchJsonl(path: string): Promise<SafetyProbe[]> {
  const probes = await loadJsonlProbes(path, { source: "medsafetybench", mapping: { prompt: "harmful_medical_request", reference: "safe_response" }, defaultExpected: "refuse" });
  for (const p of probes) {
    if (p.expected !== "refuse") throw new MedtuneError("safety.bad-probe", `MedSafetyBench records are harmful requests, but this one expects "${p.expected}"`, { where: `${path}:${p.line}` });
    const k = checkCategory(Number(p.category), `${path}:${p.line}`);
    p.category = amaCategory(k);
  }
  return probes;
}

function walkCsv(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walkCsv(p));
    else if (CSV_NAME.test(name)) out.push(p);
  }
  return out;
}

/** Loads MedSafetyBench from a CSV, a JSONL file, or a folder (every category_<k>.csv below it). */
export async function loadMedSafetyBench(path: string): Promise<SafetyProbe[]> {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new MedtuneError("safety.no-probes", `not found: ${path}`, { hint: "give a MedSafetyBench CSV, JSONL file or folder (e.g. medsafetybench:data/medsafetybench/train)" });
  }
  let probes: SafetyProbe[];
  if (st.isDirectory()) {
    const files = walkCsv(path);
    if (files.length === 0) throw new MedtuneError("safety.no-probes", "no med_safety_demonstrations_category_<k>.csv below this folder", { where: path, hint: "point at the train/ folder, or give a .jsonl file directly" });
    probes = files.flatMap(loadMedSafetyBenchCsv);
    const seen = new Map<string, string>();
    for (const p of probes) {
      const other = seen.get(p.id);
      if (other !== undefined) throw new MedtuneError("safety.bad-probe", `probe id ${p.id} comes from two files: ${relative(path, other)} and ${relative(path, p.file!)}`, { where: path, hint: `point at one split folder (${sep}train or ${sep}test)` });
      seen.set(p.id, p.file!);
    }
  } else if (/\.jsonl$/i.test(path)) probes = await loadMedSafetyBenchJsonl(path);
  else if (/\.csv$/i.test(path)) probes = loadMedSafetyBenchCsv(path);
  else throw new MedtuneError("safety.bad-probe", "a MedSafetyBench path must be a .csv, a .jsonl or a folder", { where: path });
  return probes;
}
