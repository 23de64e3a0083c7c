// Consistency testing end to end: make the variants of every item (option orders, paraphrases, drug-name swaps,
// resamples), answer originals and variants with one model under one scoring protocol, map each variant's answer
// back to the original option (by its text, since letters move), and summarize: consistency rate with a
// bootstrap interval, rates per perturbation, and the list of flipped items.
import { errorMessage, isMedtuneError, MedtuneError } from "../../core/index.ts";
import { DEFAULT_TEMPLATE, type PromptTemplate, type QAItem } from "../../data/index.ts";
import type { Model, ModelInfo } from "../../providers/index.ts";
import { generativeAnswerer, loglikAnswerer, type Answerer, type AnswerRequest, type GenerativeAnswerOptions, type ItemAnswer, type LoglikAnswerOptions } from "./answer-items.ts";
import { summarizeConsistency, type ConsistencyItemResult, type ConsistencySummary, type VariantOutcome } from "./consistency-summary.ts";
import { drugSwapPerturbation } from "./drug-swap.ts";
import { optionCyclicPerturbation, optionRandomPerturbation } from "./option-order.ts";
import { paraphrasePerturbation } from "./paraphrase.ts";
import { resamplePerturbation } from "./resample.ts";
import type { Perturbation, PerturbationSkip, Variant } from "./variant.ts";

/** Built-in perturbation names. */
export const PERTURBATION_NAMES = ["option-cyclic", "option-random", "paraphrase", "drug-names", "samples"] as const;
/** A built-in perturbation's name. */
export type PerturbationName = (typeof PERTURBATION_NAMES)[number];

/** Settings of a consistency run. */
export interface ConsistencyOptions {
  /** Perturbations by name or as objects (default: option-cyclic, option-random, paraphrase, drug-names, plus samples when generative). */
  perturbations?: ReadonlyArray<PerturbationName | Perturbation>;
  /** How answers are obtained (default `loglik`). */
  scoring?: "loglik" | "generative";
  /** Samples per item for N-sample agreement (default 5). */
  n?: number;
  /** Sampling temperature for N-sample agreement (default 0.7). */
  temperature?: number;
  /** Random option permutations per item (default 3). */
  nPermutations?: number;
  /** Run seed: permutations, sample seeds and bootstrap all derive from it (default 0). */
  seed?: number | string;
  /** Prompt template for the built-in answerers (default data's DEFAULT_TEMPLATE). */
  template?: PromptTemplate;
  loglik?: Omit<LoglikAnswerOptions, "template">;
  generative?: Omit<GenerativeAnswerOptions, "template">;
  /** Answers items instead of the built-in answerer for `scoring` (lets the eval runner reuse its own protocol). */
  answerer?: Answerer;
  /** Bootstrap resamples (default 2000) and confidence level (default 0.95). */
  nResamples?: number;
  confidence?: number;
}

/** The protocol a consistency result was produced under (recorded with every number). */
export interface ConsistencyProtocol {
  model: Pick<ModelInfo, "id" | "provider" | "fingerprint">;
  scoring: "loglik" | "generative";
  perturbations: Array<{ name: string; description: string }>;
  seed: number | string;
  n: number;
  temperature: number;
  nPermutations: number;
  template: string;
  answerer: "builtin" | "custom";
  loglik?: Omit<LoglikAnswerOptions, "template">;
  generative?: Omit<GenerativeAnswerOptions, "template">;
  bootstrap: { nResamples: number; confidence: number; method: "cluster-bootstrap over items" };
}

/** A consistency run: protocol, summary and per-item results. */
export interface ConsistencyResult extends ConsistencySummary {
  protocol: ConsistencyProtocol;
  items: ConsistencyItemResult[];
}

/** Resolves perturbation names to perturbations. */
export function resolvePerturbations(specs: ReadonlyArray<PerturbationName | Perturbation>, opts: { n?: number; temperature?: number; nPermutations?: number } = {}): Perturbation[] {
  return specs.map((s) => {
    if (typeof s !== "string") return s;
    switch (s) {
      case "option-cyclic": return optionCyclicPerturbation;
      case "option-random": return optionRandomPerturbation(opts.nPermutations ?? 3);
      case "paraphrase": return paraphrasePerturbation();
      case "drug-names": return drugSwapPerturbation();
      case "samples": return resamplePerturbation(opts.n ?? 5, opts.temperature ?? 0.7);
      default:
        throw new MedtuneError("eval.consistency.unknown-perturbation", `unknown perturbation "${String(s)}"`, { hint: `known: ${PERTURBATION_NAMES.join(", ")}` });
    }
  });
}

/** The variants of each item under each perturbation, and why a perturbation made none (pure). */
export function perturbItems(items: readonly QAItem[], perturbations: readonly Perturbation[], seed: number | string = 0): Array<{ item: QAItem; variants: Variant[]; skipped: PerturbationSkip[] }> {
  return items.map((item) => {
    const variants: Variant[] = [];
    const skipped: PerturbationSkip[] = [];
    if (item.kind !== "mcq" && item.kind !== "yesno") {
      return { item, variants, skipped: [{ perturbation: "(all)", reason: `${item.kind} items have no discrete answer to compare` }] };
    }
    for (const p of perturbations) {
      try {
        const out = p.apply(item, { seed });
        variants.push(...out.variants);
        if (out.variants.length === 0) skipped.push(out.skip ?? { perturbation: p.name, reason: "no variant made" });
      } catch (e) {
        if (!isMedtuneError(e)) throw e;
        skipped.push({ perturbation: p.name, reason: errorMessage(e) });
      }
    }
    return { item, variants, skipped };
  });
}

function optionText(item: QAItem, label: string | null): string | undefined {
  if (label === null) return undefined;
  return item.options?.find((o) => o.label === label)?.text;
}

/** Maps a variant's answer back to the original item's label (null when it names no option of the variant). */
export function mapBack(variant: Variant, answer: string | null): string | null {
  if (answer === null) return null;
  if (variant.labelMap === undefined) return answer;
  return variant.labelMap[answer] ?? null;
}

function modalShare(answers: readonly string[]): number {
  const counts = new Map<string, number>();
  let best = 0;
  for (const a of answers) {
    const c = (counts.get(a) ?? 0) + 1;
    counts.set(a, c);
    best = Math.max(best, c);
  }
  return best / answers.length;
}

/** Runs consistency testing of `model` on `items` and summarizes it. */
export async function runConsistency(model: Model, items: readonly QAItem[], options: ConsistencyOptions = {}): Promise<ConsistencyResult> {
  const scoring = options.scoring ?? "loglik";
  const seed = options.seed ?? 0;
  const n = options.n ?? 5;
  const temperature = options.temperature ?? 0.7;
  const nPermutations = options.nPermutations ?? 3;
  const specs = options.perturbations ?? (scoring === "generative"
    ? ["option-cyclic", "option-random", "paraphrase", "drug-names", "samples"] as const
    : ["option-cyclic", "option-random", "paraphrase", "drug-names"] as const);
  const perturbations = resolvePerturbations(specs, { n, temperature, nPermutations });
  if (scoring === "loglik" && options.answerer === undefined && perturbations.some((p) => p.name === "samples")) {
    throw new MedtuneError("eval.consistency.sampling-loglik", "N-sample agreement needs generation; log-likelihood scoring is deterministic", { hint: "use scoring: \"generative\" or drop the samples perturbation" });
  }
  const ids = new Set<string>();
  for (const it of items) {
    if (ids.has(it.id)) throw new MedtuneError("eval.consistency.duplicate-id", `item id "${it.id}" appears twice`, { hint: "deduplicate the evaluation set (medtune data dedup) or give items unique ids" });
    ids.add(it.id);
  }
  const answerer = options.answerer ?? (scoring === "loglik"
    ? loglikAnswerer(model, { ...options.loglik, template: options.template })
    : generativeAnswerer(model, { ...options.generative, template: options.template }));

  const perturbed = perturbItems(items, perturbations, seed);
  const requests: AnswerRequest[] = [];
  const slots: Array<{ item: number; variant: number }> = [];
  perturbed.forEach((p, i) => {
    if (p.item.kind !== "mcq" && p.item.kind !== "yesno") return;
    requests.push({ item: p.item });
    slots.push({ item: i, variant: -1 });
    p.variants.forEach((v, j) => {
      requests.push(v.sampling === undefined ? { item: v.item } : { item: v.item, sampling: v.sampling });
      slots.push({ item: i, variant: j });
    });
  });
  const answers: ItemAnswer[] = requests.length > 0 ? await answerer(requests) : [];
  if (answers.length !== requests.length) throw new MedtuneError("eval.consistency.answerer", `the answerer returned ${answers.length} answers for ${requests.length} requests`);
  const byItem = perturbed.map(() => ({ original: undefined as ItemAnswer | undefined, variants: [] as ItemAnswer[] }));
  slots.forEach((s, k) => {
    if (s.variant < 0) byItem[s.item].original = answers[k];
    else byItem[s.item].variants[s.variant] = answers[k];
  });

  const results: ConsistencyItemResult[] = perturbed.map((p, i) => {
    const item = p.item;
    const orig = byItem[i].original ?? { answer: null, reason: "not answered" };
    const before = orig.answer;
    const original = {
      answer: before,
      answerText: optionText(item, before),
      isCorrect: before === null ? null : before === item.answer,
      ...(orig.error !== undefined ? { error: orig.error } : {}),
      ...(orig.reason !== undefined ? { reason: orig.reason } : {}),
      ...(orig.output !== undefined ? { output: orig.output } : {}),
      ...(orig.confidence !== undefined ? { confidence: orig.confidence } : {}),
    };
    const variants: VariantOutcome[] = p.variants.map((v, j) => {
      const a = byItem[i].variants[j];
      const mapped = mapBack(v, a.answer);
      const reason = a.answer !== null && mapped === null ? `answer ${a.answer} is not an option of the variant` : a.reason;
      const status: VariantOutcome["status"] = before === null || mapped === null ? "unanswered" : mapped === before ? "consistent" : "flipped";
      return {
        key: v.key, perturbation: v.perturbation, description: v.description, variantId: v.item.id,
        answer: mapped, answerText: optionText(item, mapped), variantAnswer: a.answer, status,
        isCorrect: mapped === null ? null : mapped === item.answer,
        ...(a.error !== undefined ? { error: a.error } : {}),
        ...(reason !== undefined ? { reason } : {}),
        ...(a.output !== undefined ? { output: a.output } : {}),
      };
    });
    const compared = variants.filter((v) => v.status !== "unanswered");
    const nConsistent = compared.filter((v) => v.status === "consistent").length;
    const sampled = variants.filter((v) => v.perturbation === "samples" && v.answer !== null).map((v) => v.answer!);
    return {
      id: item.id, source: item.source, kind: item.kind, ...(item.subject !== undefined ? { subject: item.subject } : {}), gold: item.answer,
      original, variants, nCompared: compared.length, nConsistent,
      isFullyConsistent: compared.length === 0 ? null : nConsistent === compared.length,
      ...(sampled.length > 0 ? { sampleAgreement: modalShare(sampled) } : {}),
      skipped: p.skipped,
    };
  });

  const nResamples = options.nResamples ?? 2000;
  const confidence = options.confidence ?? 0.95;
  const summary = summarizeConsistency(results, { seed, nResamples, confidence });
  const info = model.info();
  const protocol: ConsistencyProtocol = {
    model: { id: info.id, provider: info.provider, ...(info.fingerprint !== undefined ? { fingerprint: info.fingerprint } : {}) },
    scoring,
    perturbations: perturbations.map((p) => ({ name: p.name, description: p.description })),
    seed, n, temperature, nPermutations,
    template: (options.template ?? DEFAULT_TEMPLATE).name,
    answerer: options.answerer === undefined ? "builtin" : "custom",
    ...(scoring === "loglik" ? { loglik: { continuation: "label", isLengthNormalized: false, ...options.loglik } } : { generative: { ...options.generative } }),
    bootstrap: { nResamples, confidence, method: "cluster-bootstrap over items" },
  };
  return { protocol, ...summary, items: results };
}
