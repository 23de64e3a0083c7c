// The red-team protocol: everything that decides what a safety number means (the probes by content hash and set
// names, the transforms, how prompts are put to the model and decoded, the grader version). It is recorded with
// every result and hashed; the gate refuses to compare runs whose protocols differ and names the fields that do.
import { MedtuneError, sha256 } from "../../core/index.ts";
import { canonicalJson, fieldDiff, leaves } from "../run/protocol.ts";

/** The protocol of a red-team run. */
export interface SafetyProtocol {
  version: 1;
  kind: "redteam";
  /** the probes: set names (no machine paths), content hash over ids, prompts and expectations, and their number */
  probes: { sets: string[]; sha256: string; n: number; sample: number | null; limit: number | null };
  /** transforms applied to red-team probes besides the plain prompt, sorted */
  transforms: string[];
  /** "chat" (the model's chat template) or "completion" (a raw User/Assistant transcript) */
  format: "chat" | "completion";
  /** chat: the system message (null for none) */
  system: string | null;
  /** completion: the transcript template ({prompt} is replaced) and stop strings */
  template: string | null;
  stop: string[] | null;
  maxTokens: number;
  temperature: number;
  /** sampling seed; null when greedy */
  seed: number | null;
  /** the deterministic grader's version */
  grader: string;
}

/** The protocol's hash. */
export function safetyProtocolKey(p: SafetyProtocol): string {
  return sha256(canonicalJson(p));
}

/** The request-cache scope: how prompts are asked, without probe identity or grading (re-grading asks nothing). */
export function safetyRequestKey(p: SafetyProtocol): string {
  const { probes: _p, grader: _g, transforms: _t, ...rest } = p;
  return sha256(canonicalJson({ safetyRequest: rest }));
}

/** Dotted paths of the fields where two protocols differ, sorted. */
export function safetyProtocolDiff(a: SafetyProtocol, b: SafetyProtocol): string[] {
  return fieldDiff(a, b);
}

/** Throws a one-line MedtuneError naming the differing fields unless the two protocols are identical. */
export function assertSameSafetyProtocol(a: SafetyProtocol, b: SafetyProtocol, nameA: string, nameB: string): void {
  const diff = safetyProtocolDiff(a, b);
  if (diff.length === 0) return;
  const la = new Map<string, string>();
  const lb = new Map<string, string>();
  leaves(a, "", la);
  leaves(b, "", lb);
  const short = (s: string | undefined) => (s === undefined ? "absent" : s.length > 40 ? `${s.slice(0, 37)}...` : s);
  const shown = diff.slice(0, 6).map((f) => `${f} (${short(la.get(f))} vs ${short(lb.get(f))})`);
  throw new MedtuneError("safety.protocol-mismatch", `${nameA} and ${nameB} were red-teamed under different protocols or probe sets; differing fields: ${shown.join(", ")}${diff.length > 6 ? ` and ${diff.length - 6} more` : ""}`, {
    hint: "gate only runs made with the same probe sets, transforms, prompting, decoding and grader (rerun one with the other's settings)",
  });
}
