// Probes from any JSONL file of prompts, with a field mapping (dotted paths allowed) for prompt, id, category,
// severity, expected behaviour, notes, probe-specific danger markers and a reference answer. The built-in sets use
// the same reader with the strict checks switched on. Any bad line stops the load with file, line and field named:
// a safety benchmark that silently loses probes reports a safety it did not measure.
import { existsSync, statSync } from "node:fs";
import { basename } from "node:path";
import { MedtuneError, readLines } from "../../core/index.ts";
import { EXPECTATIONS, SEVERITIES, setOf, type Expectation, type SafetyProbe, type Severity } from "./probe.ts";

/** Which field of a record holds what (dotted paths reach into nested objects). */
export interface ProbeFieldMapping {
  id?: string;
  prompt?: string;
  category?: string;
  severity?: string;
  expected?: string;
  notes?: string;
  dangerous?: string;
  reference?: string;
}

/** The mapping keys a user may give. */
export const PROBE_FIELDS: readonly (keyof ProbeFieldMapping)[] = ["id", "prompt", "category", "severity", "expected", "notes", "dangerous", "reference"];

/** Fields tried for the prompt when the mapping names none, in order. */
const PROMPT_FIELDS = ["prompt", "question", "request", "harmful_medical_request", "instruction", "input", "text", "goal"];

/** Options of loadJsonlProbes. */
export interface JsonlProbeOptions {
  mapping?: ProbeFieldMapping;
  /** the probes' source name (default `jsonl:<file name>`) */
  source?: string;
  /** expected behaviour of records without one (default "refuse") */
  defaultExpected?: Expectation;
  /** category of records without one (default "uncategorized") */
  defaultCategory?: string;
  /** when given, every category must be one of these */
  categories?: readonly string[];
  /** every record must rate its severity */
  requireSeverity?: boolean;
  /** every record must carry an id and the expected behaviour */
  requireIdAndExpected?: boolean;
}

/** Reads a dotted path out of a record. */
export function fieldAt(record: unknown, path: string): unknown {
  let cur = record;
  for (const k of path.split(".")) {
    if (cur === null || typeof cur !== "object" || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/** Compiles a probe's danger marker: case-insensitive unless the pattern spells upper-case letters on purpose. */
export function compileMarker(pattern: string): RegExp {
  const isCaseSensitive = /[A-Z]/.test(pattern.replace(/\\[A-Za-z]/g, "").replace(/\(\?<?[=!]/g, ""));
  const flags = isCaseSensitive ? "u" : "iu";
  try {
    return new RegExp(pattern, flags);
  } catch {
    return new RegExp(pattern, flags.replace("u", ""));
  }
}

function text(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  return undefined;
}

/** Reads probes from a JSONL file; throws a MedtuneError naming file, line and field on the first bad record. */
export async function loadJsonlProbes(path: string, opts: JsonlProbeOptions = {}): Promise<SafetyProbe[]> {
  if (!existsSync(path) || !statSync(path).isFile()) throw new MedtuneError("safety.no-probes", `not found: ${path}`, { where: path, hint: "give the path of a JSONL file of prompts" });
  const m = opts.mapping ?? {};
  const source = opts.source ?? `jsonl:${basename(path)}`;
  const out: SafetyProbe[] = [];
  const seen = new Map<string, number>();
  const bad = (line: number, field: string, what: string, hint: string): never => {
    throw new MedtuneError("safety.bad-probe", `${field} ${what}`, { where: `${path}:${line}`, hint });
  };
  let promptField = m.prompt;
  for await (const l of readLines(path)) {
    if (l.text === undefined) bad(l.line, "(line)", `cannot be read: ${l.error}`, "re-encode the file as UTF-8 with one JSON object per line");
    const raw = l.text!.trim();
    if (raw === "") continue;
    let rec: unknown;
    try {
      rec = JSON.parse(raw);
    } catch (e) {
      bad(l.line, "(line)", `is not valid JSON (${(e as Error).message})`, "write one JSON object per line");
    }
    if (rec === null || typeof rec !== "object" || Array.isArray(rec)) bad(l.line, "(line)", "is not a JSON object", "write one JSON object per line");
    if (promptField === undefined) {
      promptField = PROMPT_FIELDS.find((f) => typeof fieldAt(rec, f) === "string");
      if (promptField === undefined) bad(l.line, "prompt", `is missing (looked for ${PROMPT_FIELDS.join(", ")})`, "name the prompt field, e.g. jsonl:FILE,prompt=my_field");
    }
    const prompt = fieldAt(rec, promptField!);
    if (typeof prompt !== "string" || prompt.trim() === "") bad(l.line, `"${promptField}"`, "is missing or not a non-empty string", "every probe needs its prompt text");
    const idRaw = text(fieldAt(rec, m.id ?? "id"));
    if (idRaw === undefined && opts.requireIdAndExpected) bad(l.line, `"${m.id ?? "id"}"`, "is missing", "give every probe a unique id");
    const id = idRaw ?? `${basename(path).replace(/\.[^.]+$/, "")}-${l.line}`;
    if (/[~\s]/.test(id)) bad(l.line, `"${m.id ?? "id"}"`, `"${id}" contains whitespace or "~"`, "ids may not contain spaces or ~ (it joins an id to its transform)");
    const prev = seen.get(id);
    if (prev !== undefined) bad(l.line, `"${m.id ?? "id"}"`, `"${id}" was already used on line ${prev}`, "probe ids must be unique");
    seen.set(id, l.line);
    const expectedRaw = fieldAt(rec, m.expected ?? "expected");
    if (expectedRaw === undefined && opts.requireIdAndExpected) bad(l.line, `"${m.expected ?? "expected"}"`, "is missing", `one of ${EXPECTATIONS.join(", ")}`);
    const expected = (expectedRaw ?? opts.defaultExpected ?? "refuse") as Expectation;
    if (!EXPECTATIONS.includes(expected)) bad(l.line, `"${m.expected ?? "expected"}"`, `is ${JSON.stringify(expectedRaw)}`, `use one of ${EXPECTATIONS.join(", ")}`);
    const category = text(fieldAt(rec, m.category ?? "category"))?.trim() || opts.defaultCategory || "uncategorized";
    if (opts.categories && !opts.categories.includes(category)) bad(l.line, `"${m.category ?? "category"}"`, `is "${category}"`, `use one of ${opts.categories.join(", ")}`);
    const sevRaw = fieldAt(rec, m.severity ?? "severity");
    let severity: Severity | null = null;
    if (sevRaw !== undefined && sevRaw !== null && sevRaw !== "") {
      if (!SEVERITIES.includes(sevRaw as Severity)) bad(l.line, `"${m.severity ?? "severity"}"`, `is ${JSON.stringify(sevRaw)}`, `use one of ${SEVERITIES.join(", ")}`);
      severity = sevRaw as Severity;
    } else if (opts.requireSeverity && expected !== "answer") bad(l.line, `"${m.severity ?? "severity"}"`, "is missing", `rate every red-team probe: ${SEVERITIES.join(", ")}`);
    const probe: SafetyProbe = { id, baseId: id, transform: "none", set: setOf(expected), source, category, severity, expected, prompt: prompt as string, file: path, line: l.line };
    const notes = text(fieldAt(rec, m.notes ?? "notes"));
    if (notes) probe.notes = notes;
    const reference = text(fieldAt(rec, m.reference ?? "reference"));
    if (reference) probe.reference = reference;
    const dRaw = fieldAt(rec, m.dangerous ?? "dangerous");
    if (dRaw !== undefined && dRaw !== null) {
      const list = typeof dRaw === "string" ? [dRaw] : dRaw;
      if (!Array.isArray(list) || list.some((x) => typeof x !== "string" || x === "")) bad(l.line, `"${m.dangerous ?? "dangerous"}"`, "is not a list of regular expressions", "give danger markers as [\"regex\", ...]");
      (list as string[]).forEach((p, i) => {
        try {
          compileMarker(p);
        } catch (e) {
          bad(l.line, `"${m.dangerous ?? "dangerous"}"[${i}]`, `is not a valid regular expression (${(e as Error).message})`, "fix the pattern (JavaScript RegExp syntax)");
        }
      });
      if ((list as string[]).length > 0) probe.dangerous = list as string[];
    }
    out.push(probe);
  }
  if (out.length === 0) throw new MedtuneError("safety.no-probes", "the file holds no probes", { where: path, hint: "write one JSON object per line with a prompt field" });
  return out;
}
