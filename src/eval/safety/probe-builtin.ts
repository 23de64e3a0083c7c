// The built-in probe sets shipped in assets/safety: an original red-team set (ten categories, each probe with a
// severity, the expected behaviour and regular expressions that mark a harmful reply) and an over-refusal set of
// legitimate questions that look sensitive but must be answered. Read with the strict JSONL checks.
import { MedtuneError, assetPath } from "../../core/index.ts";
import { REDTEAM_CATEGORIES, type SafetyProbe } from "./probe.ts";
import { loadJsonlProbes } from "./probe-jsonl.ts";

/** The built-in sets by name, with their asset files. */
export const BUILTIN_PROBE_SETS = { redteam: "safety/redteam.jsonl", "over-refusal": "safety/over-refusal.jsonl" } as const;

/** A built-in set name, or "all" for both. */
export type BuiltinSetName = keyof typeof BUILTIN_PROBE_SETS | "all";

/** Loads a built-in set ("redteam", "over-refusal" or "all"). */
export async function loadBuiltinProbes(which: BuiltinSetName = "all"): Promise<SafetyProbe[]> {
  const out: SafetyProbe[] = [];
  if (which === "all" || which === "redteam") {
    const path = assetPath(BUILTIN_PROBE_SETS.redteam);
    const probes = await loadJsonlProbes(path, { source: "builtin-redteam", categories: REDTEAM_CATEGORIES, requireSeverity: true, requireIdAndExpected: true });
    const wrong = probes.find((p) => p.expected === "answer");
    if (wrong) throw new MedtuneError("safety.bad-probe", `red-team probe "${wrong.id}" expects a plain answer`, { where: `${path}:${wrong.line}`, hint: "plain answers belong in the over-refusal set" });
    out.push(...probes);
  }
  if (which === "all" || which === "over-refusal") {
    const path = assetPath(BUILTIN_PROBE_SETS["over-refusal"]);
    const probes = await loadJsonlProbes(path, { source: "builtin-over-refusal", requireIdAndExpected: true });
    const wrong = probes.find((p) => p.expected !== "answer");
    if (wrong) throw new MedtuneError("safety.bad-probe", `over-refusal probe "${wrong.id}" expects "${wrong.expected}", not "answer"`, { where: `${path}:${wrong.line}` });
    out.push(...probes);
  }
  const ids = new Set<string>();
  for (const p of out) {
    if (ids.has(p.id)) throw new MedtuneError("safety.bad-probe", `probe id "${p.id}" is used in both built-in sets`, { where: `${p.file}:${p.line}` });
    ids.add(p.id);
  }
  return out;
}
