// Probe sets from one-line specs, as `--set` takes them:
//   builtin | builtin:redteam | builtin:over-refusal
//   medsafetybench:PATH                        (CSV, JSONL or a folder of category CSVs)
//   jsonl:PATH[,prompt=F,id=F,category=F,severity=F,expected=F,notes=F,dangerous=F,reference=F,expect=E]
// plus a seeded sample or a first-N limit, and the content hash every safety protocol records.
import { basename, resolve } from "node:path";
import { MedtuneError, Rng, sha256 } from "../../core/index.ts";
import { canonicalJson } from "../run/protocol.ts";
import { EXPECTATIONS, type Expectation, type SafetyProbe } from "./probe.ts";
import { loadBuiltinProbes, type BuiltinSetName } from "./probe-builtin.ts";
import { loadMedSafetyBench } from "./probe-medsafetybench.ts";
import { PROBE_FIELDS, loadJsonlProbes, type ProbeFieldMapping } from "./probe-jsonl.ts";

/** A parsed probe-set spec. */
export interface ProbeSetSpec {
  kind: "builtin" | "medsafetybench" | "jsonl";
  /** builtin: the set name; otherwise the path */
  target: string;
  mapping: ProbeFieldMapping;
  expect?: Expectation;
}

/** What one set contributed (recorded in results without machine-specific paths). */
export interface LoadedSet {
  /** the spec as recorded: kind, set name or file name, options */
  name: string;
  n: number;
}

const OPTION_RE = /^[a-z][a-z0-9-]*=/;
const USAGE = "builtin[:redteam|:over-refusal], medsafetybench:PATH, or jsonl:PATH[,prompt=FIELD,category=FIELD,severity=FIELD,expected=FIELD,id=FIELD,expect=refuse|answer|...]";

/** Parses a set spec. */
export function parseProbeSetSpec(raw: string): ProbeSetSpec {
  const bad = (msg: string): never => {
    throw new MedtuneError("safety.bad-set", `probe set "${raw}": ${msg}`, { where: "--set", hint: `use ${USAGE}` });
  };
  if (raw === "builtin") return { kind: "builtin", target: "all", mapping: {} };
  const colon = raw.indexOf(":");
  if (colon <= 0) bad("is not KIND:TARGET");
  const kind = raw.slice(0, colon);
  const parts = raw.slice(colon + 1).split(",");
  let target = parts[0];
  const opts: Array<[string, string]> = [];
  for (const part of parts.slice(1)) {
    if (OPTION_RE.test(part)) opts.push([part.slice(0, part.indexOf("=")), part.slice(part.indexOf("=") + 1)]);
    else if (opts.length === 0) target += `,${part}`;
    else bad(`"${part}" is not key=value`);
  }
  if (target === "") bad("has no target");
  if (kind === "builtin") {
    if (target !== "redteam" && target !== "over-refusal" && target !== "all") bad(`unknown built-in set "${target}"`);
    if (opts.length > 0) bad("built-in sets take no options");
    return { kind, target, mapping: {} };
  }
  if (kind === "medsafetybench") {
    if (opts.length > 0) bad("MedSafetyBench takes no options");
    return { kind, target, mapping: {} };
  }
  if (kind !== "jsonl") bad(`unknown kind "${kind}"`);
  const spec: ProbeSetSpec = { kind: "jsonl", target, mapping: {} };
  for (const [k, v] of opts) {
    if (k === "expect") {
      if (!EXPECTATIONS.includes(v as Expectation)) bad(`expect=${v} is not one of ${EXPECTATIONS.join(", ")}`);
      spec.expect = v as Expectation;
    } else if ((PROBE_FIELDS as readonly string[]).includes(k)) spec.mapping[k as keyof ProbeFieldMapping] = v;
    else bad(`unknown option "${k}" (options: ${[...PROBE_FIELDS, "expect"].join(", ")})`);
  }
  return spec;
}

/** The name a set is recorded under: no absolute paths, so the same files on two machines hash the same. */
export function probeSetName(spec: ProbeSetSpec): string {
  if (spec.kind === "builtin") return spec.target === "all" ? "builtin" : `builtin:${spec.target}`;
  const opts = [...Object.entries(spec.mapping).map(([k, v]) => `${k}=${v}`), ...(spec.expect ? [`expect=${spec.expect}`] : [])];
  return [`${spec.kind}:${basename(spec.target)}`, ...opts].join(",");
}

/** Loads one set (paths relative to baseDir). */
export async function loadProbeSet(spec: ProbeSetSpec, baseDir = process.cwd()): Promise<SafetyProbe[]> {
  if (spec.kind === "builtin") return loadBuiltinProbes(spec.target as BuiltinSetName);
  const path = resolve(baseDir, spec.target);
  if (spec.kind === "medsafetybench") return loadMedSafetyBench(path);
  return loadJsonlProbes(path, { mapping: spec.mapping, ...(spec.expect ? { defaultExpected: spec.expect } : {}) });
}

/** Loads several sets; probe ids must be unique across them. */
export async function loadProbeSets(specs: readonly string[], baseDir = process.cwd()): Promise<{ probes: SafetyProbe[]; sets: LoadedSet[] }> {
  if (specs.length === 0) throw new MedtuneError("safety.bad-set", "no probe set given", { where: "--set", hint: `use ${USAGE}` });
  const probes: SafetyProbe[] = [];
  const sets: LoadedSet[] = [];
  const where = new Map<string, string>();
  for (const raw of specs) {
    const spec = parseProbeSetSpec(raw);
    const name = probeSetName(spec);
    const got = await loadProbeSet(spec, baseDir);
    for (const p of got) {
      const other = where.get(p.id);
      if (other !== undefined) throw new MedtuneError("safety.duplicate-probe", `probe id "${p.id}" is in both ${other} and ${name}`, { where: p.file ? `${p.file}:${p.line}` : name, hint: "load each set once; ids must be unique across sets" });
      where.set(p.id, name);
    }
    probes.push(...got);
    sets.push({ name, n: got.length });
  }
  return { probes, sets };
}

/** A seeded random sample of n probes, kept in their original order (all of them when n >= their number). */
export function sampleProbes(probes: readonly SafetyProbe[], n: number, seed: number | string): SafetyProbe[] {
  if (!Number.isInteger(n) || n < 1) throw new MedtuneError("safety.bad-option", `sample size must be a positive integer, got ${n}`, { where: "sample" });
  if (n >= probes.length) return [...probes];
  const idx = new Rng(`probe-sample/${seed}`).shuffle(probes.map((_, i) => i)).slice(0, n).sort((a, b) => a - b);
  return idx.map((i) => probes[i]);
}

/** The content hash of a probe list: ids, prompts and everything grading reads, in order. */
export function probesHash(probes: readonly SafetyProbe[]): string {
  return sha256(
    probes
      .map((p) => canonicalJson({ id: p.id, baseId: p.baseId, transform: p.transform, set: p.set, category: p.category, severity: p.severity, expected: p.expected, prompt: p.prompt, dangerous: p.dangerous ?? null }))
      .join("\n"),
  );
}
