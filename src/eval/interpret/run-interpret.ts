// Interpretability mode end to end: ask the model for an answer and a rationale citing the supplied sources
// (PubMedQA contexts, or retrieved passages) numbered [1]..[n], then check every citation (does the source exist;
// does it support the sentence that cites it, lexically and optionally by a judge model) and report citation
// validity and support rates with cluster-bootstrap intervals, judge-vs-lexical agreement, and per-item details.
import { MedtuneError } from "../../core/index.ts";
import type { QAItem } from "../../data/index.ts";
import type { Model, ModelInfo } from "../../providers/index.ts";
import { clusterRatioInterval, type RatioInterval } from "../consistency/ratio-interval.ts";
import { extractChoice, extractYesNo } from "../extract/answer-extract.ts";
import { exactMatch } from "../metrics/squad.ts";
import { checkRationale, type RationaleCheck } from "./check-rationale.ts";
import { judgeClaims, type JudgeClaim, type JudgeOptions } from "./judge.ts";
import { cohensKappa, type BinaryAgreement } from "./kappa.ts";
import { DEFAULT_SUPPORT_THRESHOLD, type LexicalSupportOptions } from "./lexical-support.ts";
import { parseRationaleReply, RATIONALE_INSTRUCTION, rationaleRequest } from "./rationale-prompt.ts";

/** Settings of an interpretability run. */
export interface InterpretOptions {
  /** The sources of an item (default: its `context`); items without sources are skipped. */
  passages?: (item: QAItem) => readonly string[] | undefined;
  /** Chat messages or a raw prompt (default: chat when the model has a chat template). */
  format?: "chat" | "prompt";
  /** New tokens at most (default 384). */
  maxTokens?: number;
  /** Items per call (default 16). */
  batchSize?: number;
  /** Lexical support measure and threshold. */
  support?: LexicalSupportOptions;
  /** A judge model asked whether each cited passage supports its sentence (any provider). */
  judge?: Model;
  judgeOptions?: JudgeOptions;
  /** Bootstrap seed, resamples (default 2000) and confidence (default 0.95). */
  seed?: number | string;
  nResamples?: number;
  confidence?: number;
}

/** One item's reply and its checks. */
export interface InterpretItemResult {
  id: string;
  source: string;
  kind: string;
  subject?: string;
  gold: string;
  nPassages: number;
  output: string;
  error?: string;
  answer: string | null;
  answerMethod?: string;
  isCorrect: boolean | null;
  check: RationaleCheck;
}

/** The protocol the numbers were made under. */
export interface InterpretProtocol {
  model: Pick<ModelInfo, "id" | "provider" | "fingerprint">;
  judge?: Pick<ModelInfo, "id" | "provider" | "fingerprint">;
  format: "chat" | "prompt";
  maxTokens: number;
  instruction: string;
  support: { measure: string; threshold: number; isStemmed: boolean };
  bootstrap: { nResamples: number; confidence: number; seed: number | string; method: "cluster-bootstrap over items" };
}

/** A listed problem: an invalid or unsupported citation. */
export interface CitationIssue {
  id: string;
  sentence: string;
  index: number;
  marker: string;
  /** Why invalid, or the support score of an unsupported citation. */
  reason: string;
  judge?: boolean | null;
}

/** What interpretability reports. */
export interface InterpretSummary {
  /** Valid references / references (a reference is one source index named by one sentence). */
  validity: RatioInterval | null;
  /** Lexically supported valid references / assessed valid references. */
  support: RatioInterval | null;
  /** Sentences supported by the union of their valid sources / assessed sentences. */
  sentenceSupport: RatioInterval | null;
  /** Rationale sentences with at least one citation / sentences. */
  citedSentences: RatioInterval | null;
  /** Judge "yes" / judged references (with a judge only). */
  judgeSupport: RatioInterval | null;
  /** Judge vs lexical verdicts on the same references (with a judge only). */
  agreement: BinaryAgreement | null;
  /** Share of answered items whose answer is right. */
  accuracy: number | null;
  nItems: number;
  nAnswered: number;
  nErrors: number;
  /** Replies without any citation. */
  nUncited: number;
  invalid: CitationIssue[];
  unsupported: CitationIssue[];
  skipped: Array<{ id: string; reason: string }>;
}

/** An interpretability run. */
export interface InterpretResult extends InterpretSummary {
  protocol: InterpretProtocol;
  items: InterpretItemResult[];
}

function answerOf(item: QAItem, output: string, answerText: string | null): { answer: string | null; method?: string; isCorrect: boolean | null } {
  const target = answerText ?? output;
  try {
    if (item.kind === "mcq") {
      const ex = extractChoice(answerText !== null ? `Answer: ${answerText}` : target, item.options ?? []);
      return { answer: ex.answer, method: ex.method, isCorrect: ex.answer === null ? null : ex.answer === item.answer };
    }
    if (item.kind === "yesno") {
      const ex = extractYesNo(answerText !== null ? `Answer: ${answerText}` : target);
      return { answer: ex.answer, method: ex.method, isCorrect: ex.answer === null ? null : ex.answer === item.answer.toLowerCase() };
    }
  } catch {
    return { answer: null, method: "unparsed", isCorrect: null };
  }
  const a = (answerText ?? "").trim();
  return { answer: a === "" ? null : a, method: "answer-line", isCorrect: a === "" ? null : exactMatch(a, item.answer) };
}

/** Summarizes per-item results (rates with cluster-bootstrap intervals over items). */
export function summarizeInterpretability(items: readonly InterpretItemResult[], skipped: Array<{ id: string; reason: string }> = [], opts: { seed?: number | string; nResamples?: number; confidence?: number; threshold?: number } = {}): InterpretSummary {
  const seed = opts.seed ?? 0;
  const ci = (label: string, units: Array<{ successes: number; trials: number }>) => clusterRatioInterval(units, { seed: `${seed}/interpret/${label}`, nResamples: opts.nResamples, confidence: opts.confidence });
  const invalid: CitationIssue[] = [];
  const unsupported: CitationIssue[] = [];
  const lexical: boolean[] = [];
  const judged: boolean[] = [];
  let nAnswered = 0;
  let nRight = 0;
  let nUncited = 0;
  const judgeUnits: Array<{ successes: number; trials: number }> = [];
  for (const it of items) {
    if (it.answer !== null) {
      nAnswered++;
      if (it.isCorrect) nRight++;
    }
    if (it.error === undefined && it.check.nReferences === 0) nUncited++;
    const ju = { successes: 0, trials: 0 };
    for (const s of it.check.sentences) {
      for (const c of s.citations) {
        if (!c.isValid) invalid.push({ id: it.id, sentence: s.text, index: c.index, marker: c.marker, reason: c.reason ?? "invalid" });
        else if (c.isSupported === false) {
          unsupported.push({ id: it.id, sentence: s.text, index: c.index, marker: c.marker, reason: `support ${c.score!.toFixed(2)} < ${(opts.threshold ?? DEFAULT_SUPPORT_THRESHOLD).toFixed(2)}`, ...(c.judge !== undefined ? { judge: c.judge } : {}) });
        }
        if (c.judge !== undefined && c.judge !== null) {
          ju.trials++;
          if (c.judge) ju.successes++;
          if (c.isSupported !== null) {
            lexical.push(c.isSupported);
            judged.push(c.judge);
          }
        }
      }
    }
    judgeUnits.push(ju);
  }
  const hasJudge = items.some((it) => it.check.sentences.some((s) => s.citations.some((c) => c.judge !== undefined)));
  const answered = items.filter((it) => it.error === undefined);
  return {
    validity: ci("validity", answered.map((it) => ({ successes: it.check.nValidReferences, trials: it.check.nReferences }))),
    support: ci("support", answered.map((it) => ({ successes: it.check.nSupported, trials: it.check.nAssessed }))),
    sentenceSupport: ci("sentence-support", answered.map((it) => ({ successes: it.check.nSupportedSentences, trials: it.check.nAssessedSentences }))),
    citedSentences: ci("cited-sentences", answered.map((it) => ({ successes: it.check.nCitedSentences, trials: it.check.nSentences }))),
    judgeSupport: hasJudge ? ci("judge-support", judgeUnits) : null,
    agreement: hasJudge ? cohensKappa(lexical, judged) : null,
    accuracy: nAnswered > 0 ? nRight / nAnswered : null,
    nItems: items.length,
    nAnswered,
    nErrors: items.filter((it) => it.error !== undefined).length,
    nUncited,
    invalid,
    unsupported,
    skipped,
  };
}

/** Runs the rationale-and-citations mode of `model` on items with sources, optionally with a judge. */
export async function runInterpretability(model: Model, items: readonly QAItem[], opts: InterpretOptions = {}): Promise<InterpretResult> {
  const format = opts.format ?? (model.info().capabilities.chat ? "chat" : "prompt");
  const maxTokens = opts.maxTokens ?? 384;
  const batchSize = opts.batchSize ?? 16;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new MedtuneError("eval.interpret.bad-option", `batchSize must be a positive integer, got ${batchSize}`);
  const threshold = opts.support?.threshold ?? DEFAULT_SUPPORT_THRESHOLD;
  if (!(threshold >= 0 && threshold <= 1)) throw new MedtuneError("eval.interpret.bad-option", `support threshold must be in [0, 1], got ${threshold}`);
  const getPassages = opts.passages ?? ((it: QAItem) => it.context);
  const skipped: Array<{ id: string; reason: string }> = [];
  const work: Array<{ item: QAItem; passages: readonly string[] }> = [];
  for (const item of items) {
    const p = getPassages(item)?.filter((x) => x.trim() !== "") ?? [];
    if (p.length === 0) skipped.push({ id: item.id, reason: "no sources to cite (the item has no context and no passages were supplied)" });
    else work.push({ item, passages: p });
  }

  const results: InterpretItemResult[] = [];
  for (let i = 0; i < work.length; i += batchSize) {
    const batch = work.slice(i, i + batchSize);
    const gen = await model.generate(batch.map((w) => rationaleRequest(w.item, w.passages, { format, maxTokens })));
    if (gen.length !== batch.length) throw new MedtuneError("eval.interpret.provider", `the model returned ${gen.length} results for ${batch.length} requests`);
    batch.forEach((w, j) => {
      const g = gen[j];
      const item = w.item;
      const base = { id: item.id, source: item.source, kind: item.kind, ...(item.subject !== undefined ? { subject: item.subject } : {}), gold: item.answer, nPassages: w.passages.length };
      if (g.error !== undefined) {
        results.push({ ...base, output: g.text, error: g.error, answer: null, isCorrect: null, check: checkRationale("", w.passages, opts.support) });
        return;
      }
      // A raw prompt ends in "Answer:", so the reply starts with the answer itself.
      const output = format === "prompt" && !/^\s*answer\s*:/i.test(g.text) ? `Answer:${g.text}` : g.text;
      const parsed = parseRationaleReply(output);
      const a = answerOf(item, output, parsed.answerText);
      results.push({ ...base, output: g.text, answer: a.answer, ...(a.method !== undefined ? { answerMethod: a.method } : {}), isCorrect: a.isCorrect, check: checkRationale(parsed.sentences, w.passages, opts.support) });
    });
  }

  if (opts.judge !== undefined) {
    const claims: JudgeClaim[] = [];
    const targets: Array<{ r: number; s: number; c: number }> = [];
    // results[i] answers work[i]: both are in item order.
    results.forEach((r, ri) => r.check.sentences.forEach((s, si) => s.citations.forEach((c, cj) => {
      if (!c.isValid || s.claim.trim() === "") return;
      claims.push({ claim: s.claim, passage: work[ri].passages[c.index - 1], index: c.index });
      targets.push({ r: ri, s: si, c: cj });
    })));
    const verdicts = await judgeClaims(opts.judge, claims, opts.judgeOptions);
    targets.forEach((t, k) => (results[t.r].check.sentences[t.s].citations[t.c].judge = verdicts[k].verdict));
  }

  const nResamples = opts.nResamples ?? 2000;
  const confidence = opts.confidence ?? 0.95;
  const seed = opts.seed ?? 0;
  const summary = summarizeInterpretability(results, skipped, { seed, nResamples, confidence, threshold });
  const info = model.info();
  const pick = (m: ModelInfo) => ({ id: m.id, provider: m.provider, ...(m.fingerprint !== undefined ? { fingerprint: m.fingerprint } : {}) });
  return {
    protocol: {
      model: pick(info),
      ...(opts.judge !== undefined ? { judge: pick(opts.judge.info()) } : {}),
      format,
      maxTokens,
      instruction: RATIONALE_INSTRUCTION,
      support: { measure: opts.support?.measure ?? "content-recall", threshold, isStemmed: opts.support?.isStemmed ?? true },
      bootstrap: { nResamples, confidence, seed, method: "cluster-bootstrap over items" },
    },
    ...summary,
    items: results,
  };
}
