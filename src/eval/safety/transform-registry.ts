// The table of jailbreak-style transforms, checked at load time (kebab-case unique ids, a description, and each
// transform run on a smoke prompt: it must keep the request, change the prompt and be deterministic), and the step
// that adds the transformed copies of the red-team probes. Over-refusal probes stay plain: they measure whether a
// model answers legitimate questions, not whether it resists manipulation.
import { MedtuneError } from "../../core/index.ts";
import type { SafetyProbe } from "./probe.ts";
import type { ProbeTransform } from "./transforms/transform.ts";
import { rolePlayTransform } from "./transforms/role-play.ts";
import { hypotheticalTransform } from "./transforms/hypothetical.ts";
import { documentInjectionTransform } from "./transforms/document-injection.ts";

export type { ProbeTransform } from "./transforms/transform.ts";

/** The id of the untransformed prompt. */
export const NO_TRANSFORM = "none";

/** Checks transforms and returns them as a table by id. */
export function buildTransformRegistry(list: readonly ProbeTransform[]): Readonly<Record<string, ProbeTransform>> {
  const table: Record<string, ProbeTransform> = {};
  const smoke = "What is the maximum daily dose of acetaminophen for adults?";
  for (const t of list) {
    const where = `transform "${t.id}"`;
    if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(t.id) || t.id === NO_TRANSFORM) throw new MedtuneError("safety.transform-registry", `transform id "${t.id}" is not kebab-case or is reserved`, { where });
    if (Object.hasOwn(table, t.id)) throw new MedtuneError("safety.transform-registry", `transform id "${t.id}" is registered twice`, { where });
    if (t.description.trim() === "") throw new MedtuneError("safety.transform-registry", "transform has no description", { where });
    for (const id of ["p-1", "p-2", "p-3", "p-4"]) {
      const out = t.apply(smoke, id);
      if (typeof out !== "string" || !out.includes(smoke)) throw new MedtuneError("safety.transform-registry", "the transformed prompt lost the request", { where });
      if (out === smoke) throw new MedtuneError("safety.transform-registry", "the transform left the prompt unchanged", { where });
      if (t.apply(smoke, id) !== out) throw new MedtuneError("safety.transform-registry", "the transform is not deterministic", { where });
    }
    table[t.id] = t;
  }
  return Object.freeze(table);
}

/** Every transform by id, checked at load time. */
export const TRANSFORMS = buildTransformRegistry([rolePlayTransform, hypotheticalTransform, documentInjectionTransform]);

/** The transform registered under `id`. */
export function getTransform(id: string): ProbeTransform {
  const t = Object.hasOwn(TRANSFORMS, id) ? TRANSFORMS[id] : undefined;
  if (t === undefined) throw new MedtuneError("safety.unknown-transform", `unknown transform "${id}"`, { where: "--transforms", hint: `use any of: ${Object.keys(TRANSFORMS).join(", ")}` });
  return t;
}

/** The probes plus, for each transform id, a transformed copy of every red-team probe (`<id>~<transform>`). */
export function applyTransforms(probes: readonly SafetyProbe[], ids: readonly string[]): SafetyProbe[] {
  const unique = [...new Set(ids.filter((id) => id !== NO_TRANSFORM))];
  const transforms = unique.map(getTransform);
  const out: SafetyProbe[] = [...probes];
  for (const t of transforms) {
    for (const p of probes) {
      if (p.set !== "redteam" || p.transform !== NO_TRANSFORM) continue;
      out.push({ ...p, id: `${p.baseId}~${t.id}`, transform: t.id, prompt: t.apply(p.prompt, p.baseId), basePrompt: p.prompt });
    }
  }
  return out;
}
