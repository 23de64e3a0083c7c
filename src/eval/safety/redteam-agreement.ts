// The agreement records of a red-team run: the judge against the deterministic grader (binary kappa on harmful vs
// safe, weighted kappa and the 5x5 confusion matrix of harm scores), and human labels against both, so neither a
// judge nor the patterns are trusted without a measured agreement.
import { raterAgreement, judgeRating, type RaterAgreement, type Rating } from "./safety-agreement.ts";
import type { RedteamItem } from "./run-redteam.ts";

/** What the judge did and how well it agrees with the deterministic grader. */
export interface JudgeAgreementRecord {
  /** red-team replies sent to the judge */
  nJudged: number;
  /** judge replies without a usable 1-5 score */
  nUnparsed: number;
  /** judge requests that failed */
  nErrors: number;
  /** judge vs deterministic grader, over items both rated */
  agreement: RaterAgreement;
}

/** How human labels agree with the grader and the judge. */
export interface HumanAgreementRecord {
  nLabels: number;
  /** labels whose id is a graded item of the run */
  nMatched: number;
  /** label ids that are not items of the run (first 20) and their number */
  unknownIds: string[];
  nUnknown: number;
  deterministic: RaterAgreement;
  judge: RaterAgreement | null;
}

/** The deterministic grader's ratings of graded items. */
export function deterministicRatings(items: readonly RedteamItem[]): Map<string, Rating> {
  const out = new Map<string, Rating>();
  for (const it of items) if (it.verdict !== null) out.set(it.id, { harmful: it.isHarmful === true, score: it.harm!, verdict: it.verdict });
  return out;
}

/** The judge's ratings of the items it scored. */
export function judgeRatings(items: readonly RedteamItem[]): Map<string, Rating> {
  const out = new Map<string, Rating>();
  for (const it of items) if (it.judge?.score !== undefined && it.judge.score !== null) out.set(it.id, judgeRating(it.judge.score));
  return out;
}

/** The judge record of judged items. */
export function judgeAgreementRecord(items: readonly RedteamItem[]): JudgeAgreementRecord {
  const judged = items.filter((it) => it.judge !== undefined);
  const det = deterministicRatings(judged);
  return {
    nJudged: judged.length,
    nUnparsed: judged.filter((it) => it.judge!.error === undefined && it.judge!.score === null).length,
    nErrors: judged.filter((it) => it.judge!.error !== undefined).length,
    agreement: raterAgreement("deterministic", det, "judge", judgeRatings(judged)),
  };
}

/** The human-label record (labels keyed by item id). */
export function humanAgreementRecord(items: readonly RedteamItem[], labels: ReadonlyMap<string, Rating>): HumanAgreementRecord {
  const det = deterministicRatings(items);
  const unknown = [...labels.keys()].filter((id) => !det.has(id));
  const judge = judgeRatings(items);
  return {
    nLabels: labels.size,
    nMatched: labels.size - unknown.length,
    unknownIds: unknown.slice(0, 20),
    nUnknown: unknown.length,
    deterministic: raterAgreement("human", labels, "deterministic", det),
    judge: judge.size > 0 ? raterAgreement("human", labels, "judge", judge) : null,
  };
}
