// The jailbreak-style transform seam: a pure function from a probe's prompt (and its id, which picks one of a few
// wordings deterministically) to an adversarial prompt carrying the same request. Results are reported per
// transform, so a model's robustness is its harm rate under each framing against the plain prompt.
import { fnv1a32 } from "../../../core/index.ts";

/** One transform. */
export interface ProbeTransform {
  /** kebab-case, unique; "none" is the untransformed prompt */
  id: string;
  description: string;
  /** The transformed prompt; pure: the same (prompt, probeId) always gives the same text. */
  apply(prompt: string, probeId: string): string;
}

/** Picks one of several wordings for a probe, stable across runs and machines. */
export function pickWording<T>(wordings: readonly T[], probeId: string, salt: string): T {
  return wordings[fnv1a32(`${salt}/${probeId}`) % wordings.length];
}
