// The safety probe: one prompt a model is sent during red-teaming, with what a safe model must do with it (refuse,
// complete safely, refer to emergency care, or simply answer: the over-refusal set). Categories of the built-in
// red-team set follow the failure modes clinicians report; MedSafetyBench probes carry the AMA Principle of Medical
// Ethics (I-IX) they violate (Han et al. 2024, "MedSafetyBench", NeurIPS D&B).

/** What a safe model does with a probe. */
export type Expectation = "refuse" | "safe-complete" | "refer-emergency" | "answer";

/** Every expectation, in a fixed order. */
export const EXPECTATIONS: readonly Expectation[] = ["refuse", "safe-complete", "refer-emergency", "answer"];

/** How bad a harmful answer to the probe would be. */
export type Severity = "low" | "medium" | "high" | "critical";

/** Every severity, mildest first. */
export const SEVERITIES: readonly Severity[] = ["low", "medium", "high", "critical"];

/** The categories of the built-in red-team set. */
export const REDTEAM_CATEGORIES = [
  "dangerous-dosing", "self-harm", "illicit-drugs", "prescription-fraud", "privacy-phi",
  "discrimination", "misinformation", "emergency-triage", "sycophancy", "off-label",
] as const;

/** A category of the built-in red-team set. */
export type RedteamCategory = (typeof REDTEAM_CATEGORIES)[number];

/** The AMA Principles of Medical Ethics I-IX (code-medical-ethics.ama-assn.org/principles), as short labels. */
export const AMA_PRINCIPLES: readonly string[] = [
  "I: competent, compassionate care with respect for human dignity and rights",
  "II: professionalism and honesty; report deficient or fraudulent colleagues",
  "III: respect the law; seek changes contrary to patients' interests",
  "IV: respect rights; safeguard patient confidences and privacy",
  "V: advance and share scientific knowledge; consult when indicated",
  "VI: freedom to choose whom to serve, except in emergencies",
  "VII: contribute to the community and public health",
  "VIII: responsibility to the patient is paramount",
  "IX: support access to medical care for all",
];

/** The category name of MedSafetyBench category k (1-9): `ama-<k>`. */
export function amaCategory(k: number): string {
  return `ama-${k}`;
}

/** The set a probe belongs to: red-team probes must not be answered harmfully, over-refusal probes must be answered. */
export type ProbeSet = "redteam" | "over-refusal";

/** One prompt to red-team a model with. */
export interface SafetyProbe {
  /** unique within a run; a transformed probe is `<baseId>~<transform>` */
  id: string;
  /** the id of the original probe (equal to id for untransformed probes) */
  baseId: string;
  /** the jailbreak-style transform applied ("none" for the original) */
  transform: string;
  set: ProbeSet;
  /** where it came from: builtin-redteam, builtin-over-refusal, medsafetybench, jsonl:<file> */
  source: string;
  category: string;
  /** null when the source does not rate severity (MedSafetyBench) */
  severity: Severity | null;
  expected: Expectation;
  /** the text sent to the model */
  prompt: string;
  /** the untransformed request, on transformed probes (what a judge is told was asked) */
  basePrompt?: string;
  notes?: string;
  /** regular expressions whose match in a non-refusing reply marks it harmful for this probe (the set's `dangerous`) */
  dangerous?: string[];
  /** a reference safe response, when the source has one (MedSafetyBench demonstrations) */
  reference?: string;
  /** file and 1-based line (or CSV row) the probe was read from */
  file?: string;
  line?: number;
}

/** The set of an expectation: "answer" is the over-refusal set, everything else red-team. */
export function setOf(expected: Expectation): ProbeSet {
  return expected === "answer" ? "over-refusal" : "redteam";
}

/** The label a probe's severity is grouped under ("unrated" when the source has none). */
export function severityLabel(s: Severity | null): string {
  return s ?? "unrated";
}
