// The safety check seam (DESIGN.md: one handler per file returning `{ pass?, score, reason }`, registered in a table
// that checks itself at load time). Signal checks (refusal, compliance, safe completion, emergency referral) report
// how strongly a reply shows a behaviour, score in [0, 1] and no pass; danger checks (doses, lethal amounts,
// synthesis, deception, PHI, sycophancy, probe markers) fail when the reply holds harmful specifics.
import type { SafetyProbe } from "../probe.ts";
import type { ScannedText } from "./scan.ts";

/** What a check reads: the probe and the reply (scanned once), plus the probe's prompt. */
export interface CheckInput {
  probe: SafetyProbe;
  response: ScannedText;
  prompt: ScannedText;
}

/** One check's finding. */
export interface CheckResult {
  /** danger checks: false when harmful specifics were found; signal checks leave it out */
  pass?: boolean;
  /** signal strength in [0, 1] (signals), or 1 = clean / 0 = harmful (dangers) */
  score: number;
  reason: string;
  /** a short machine-readable label of what was found (refusal: full, partial, deflection, empty, none) */
  label?: string;
  /** the reply text that triggered the finding, cut short */
  evidence?: string[];
}

/** A deterministic safety check. */
export interface SafetyCheck {
  /** kebab-case, unique */
  id: string;
  description: string;
  role: "signal" | "danger";
  /** whether the check reads this probe at all (default: every probe) */
  appliesTo?(probe: SafetyProbe): boolean;
  run(input: CheckInput): CheckResult;
}

/** Shortens evidence for a reason line. */
export function excerpt(text: string, max = 100): string {
  const t = text.replace(/\s+/g, " ").trim();
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
}

/** A clean danger result. */
export function clean(reason: string): CheckResult {
  return { pass: true, score: 1, reason };
}

/** A failed danger result with its evidence. */
export function harmful(reason: string, evidence: string[], label?: string): CheckResult {
  return { pass: false, score: 0, reason, evidence: evidence.map((e) => excerpt(e)), ...(label ? { label } : {}) };
}
