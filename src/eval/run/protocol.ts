// The evaluation protocol: everything that decides what a number means (task, prompt template and its text,
// scoring mode, choices, few-shot count and seed, CoT prompts, decoding, answer-extraction version, context on or
// off, dataset content hash). It is recorded with every result and hashed (protocolKey); runs whose protocols
// differ refuse to be compared, with one line naming the fields that differ.
import { MedtuneError, sha256 } from "../../core/index.ts";
import type { PromptTemplate, QAKind } from "../../data/index.ts";

/** Version of the answer-extraction rules (src/eval/extract); bump it when extraction changes what it returns. */
export const EXTRACTION_VERSION = "medtune-extract-v1";

/** How answers are obtained: option log-likelihoods, or generated text. */
export type ScoringMode = "loglik" | "generative";

/** What an MCQ option's continuation is under log-likelihood scoring: " A" (letters) or " option text" (texts). */
export type ChoiceMode = "letters" | "texts";

/** The protocol recorded with every evaluation number. */
export interface EvalProtocol {
  /** protocol layout version */
  version: 1;
  task: string;
  kind: QAKind;
  scoring: ScoringMode;
  /** the prompt template, by name and with the text of every field */
  template: { name: string; text: Omit<PromptTemplate, "name"> };
  /** loglik: continuations after the prompt; null for generative */
  choices: ChoiceMode | null;
  /** loglik: the unit acc_norm divides by; null for generative */
  lengthUnit: "chars" | "bytes" | null;
  /** examples put before each question: how many, the sampling seed and the pool (hash of its items, or "self") */
  fewShot: { n: number; seed: number; pool: string | null };
  /** generative: "completion" (a raw prompt) or "chat" (the model's chat template); null for loglik */
  format: "completion" | "chat" | null;
  /** generative zero-shot chain of thought (Kojima et al. 2022): the reasoning trigger and the answer trigger */
  cot: { prompt: string; answerPrompt: string } | null;
  /** generative: new tokens for the answer (CoT: for the reasoning) and for the short answer after the trigger */
  maxTokens: number | null;
  answerMaxTokens: number | null;
  temperature: number | null;
  /** generative completions: stop strings */
  stop: string[] | null;
  /** generative chat: the system message ("" for none) */
  system: string | null;
  /** generative MCQ and yes/no: the extraction rules' version */
  extraction: string | null;
  /** generative sampling (temperature > 0): the seed; null when greedy */
  seed: number | null;
  /** whether supplied passages (PubMedQA contexts) are put in the prompt */
  withContext: boolean;
  /** the items evaluated: sha256 over their canonical JSON in order, and their number */
  dataset: { sha256: string; n: number };
}

/** The per-item 0/1 outcome a task reports as `correct`: acc, acc_norm (MCQ option texts) or exact_match (open). */
export function primaryMetric(p: Pick<EvalProtocol, "kind" | "scoring" | "choices">): "acc" | "acc_norm" | "exact_match" {
  if (p.kind === "open") return "exact_match";
  if (p.scoring === "loglik" && p.kind === "mcq" && p.choices === "texts") return "acc_norm";
  return "acc";
}

/** JSON with object keys sorted: equal protocols always hash equal. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x) => {
    if (x && typeof x === "object" && !Array.isArray(x)) {
      const o: Record<string, unknown> = {};
      for (const k of Object.keys(x).sort()) o[k] = (x as Record<string, unknown>)[k];
      return o;
    }
    return x;
  });
}

/** The protocol's hash: two results with the same key were produced the same way on the same items. */
export function protocolKey(p: EvalProtocol): string {
  return sha256(canonicalJson(p));
}

/**
 * The key the request cache is scoped by: the protocol without its dataset identity, since each request already
 * carries its own prompt; so growing `limit` from 20 to 50 re-asks nothing for the first 20 items.
 */
export function requestProtocolKey(p: EvalProtocol): string {
  const { dataset: _d, ...rest } = p;
  return sha256(canonicalJson({ request: rest }));
}

/** Flattens a JSON value into dotted leaf paths and their JSON text (`{}` for an empty object). */
export function leaves(v: unknown, path: string, out: Map<string, string>): void {
  if (v && typeof v === "object" && !Array.isArray(v)) {
    const keys = Object.keys(v);
    if (keys.length === 0) out.set(path, "{}");
    for (const k of keys) leaves((v as Record<string, unknown>)[k], path ? `${path}.${k}` : k, out);
  } else out.set(path, JSON.stringify(v ?? null));
}

/** Dotted paths of the fields where two protocols differ (e.g. `template.text.mcq`, `scoring`), sorted. */
export function protocolDiff(a: EvalProtocol, b: EvalProtocol): string[] {
  return fieldDiff(a, b);
}

/** Dotted paths of the leaves where two JSON values differ, sorted. */
export function fieldDiff(a: unknown, b: unknown): string[] {
  const la = new Map<string, string>();
  const lb = new Map<string, string>();
  leaves(a, "", la);
  leaves(b, "", lb);
  const out = new Set<string>();
  for (const [k, v] of la) if (lb.get(k) !== v) out.add(k);
  for (const k of lb.keys()) if (!la.has(k)) out.add(k);
  return [...out].sort();
}

/** Throws a one-line MedtuneError naming the differing fields unless the two protocols are identical. */
export function assertSameProtocol(a: EvalProtocol, b: EvalProtocol, nameA: string, nameB: string): void {
  const diff = protocolDiff(a, b);
  if (diff.length === 0) return;
  const shown = diff.slice(0, 8).map((f) => {
    const va = pick(a, f);
    const vb = pick(b, f);
    const short = (x: unknown) => {
      const s = JSON.stringify(x ?? null);
      return s.length > 40 ? `${s.slice(0, 37)}...` : s;
    };
    return `${f} (${short(va)} vs ${short(vb)})`;
  });
  const more = diff.length > 8 ? ` and ${diff.length - 8} more` : "";
  throw new MedtuneError("eval.protocol-mismatch", `${nameA} and ${nameB} were evaluated under different protocols; differing fields: ${shown.join(", ")}${more}`, {
    hint: "compare only runs made with the same task, prompt, scoring and data (rerun one of them with the other's settings)",
  });
}

function pick(v: unknown, dotted: string): unknown {
  let cur = v;
  for (const k of dotted.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}
