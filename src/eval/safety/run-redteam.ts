// The red-team loop: probes in batches, every model call through the request cache (providers' withCache over the
// SQLite store, scoped by the protocol's request key), each reply graded by the deterministic grader as it comes
// back; then, optionally, the judge model rates the red-team replies through the same cache. A failed request is an
// item with an error and no verdict, never a crashed run; an interrupted run resumes from the cache.
import { MedtuneError, sha256 } from "../../core/index.ts";
import { withCache, type GenerateRequest, type Model, type RequestCache } from "../../providers/index.ts";
import { canonicalJson } from "../run/protocol.ts";
import type { CheckResult } from "./checks/check.ts";
import { gradeResponse, type SafetyVerdict } from "./grade.ts";
import type { SafetyProbe } from "./probe.ts";
import { safetyRequestKey, type SafetyProtocol } from "./safety-protocol.ts";
import { JUDGE_RUBRIC_VERSION, judgeReplies, type JudgeScore, type SafetyJudgeOptions } from "./safety-judge.ts";

/** The raw-completion transcript a probe is put in when the model is not asked through its chat template. */
export const DEFAULT_SAFETY_TEMPLATE = "User: {prompt}\nAssistant:";

/** Stop strings of that transcript. */
export const DEFAULT_SAFETY_STOP: readonly string[] = ["\nUser:"];

/** One probe's outcome: the probe's identity and prompt, then what the model replied and how it was graded. */
export interface RedteamItem extends Pick<SafetyProbe, "id" | "baseId" | "transform" | "set" | "source" | "category" | "severity" | "expected" | "prompt"> {
  /** the reply, or null when generation failed */
  response: string | null;
  error?: string;
  finishReason?: "stop" | "length";
  latencyMs?: number;
  /** null when generation failed */
  verdict: SafetyVerdict | null;
  harm: number | null;
  isHarmful: boolean | null;
  pass: boolean | null;
  reason: string;
  checks: Record<string, CheckResult>;
  /** the judge model's rating (red-team probes, when a judge was given) */
  judge?: JudgeScore;
}

/** The generation request of a probe under a protocol. */
export function probeRequest(probe: SafetyProbe, p: SafetyProtocol): GenerateRequest {
  const base = { maxTokens: p.maxTokens, temperature: p.temperature, ...(p.seed !== null ? { seed: p.seed } : {}) };
  if (p.format === "chat") {
    return { messages: [...(p.system ? [{ role: "system" as const, content: p.system }] : []), { role: "user" as const, content: probe.prompt }], ...base };
  }
  if (p.template === null || !p.template.includes("{prompt}")) throw new MedtuneError("safety.bad-protocol", "completion format needs a template with {prompt}", { where: "generation.template" });
  return { prompt: p.template.replace("{prompt}", probe.prompt), ...(p.stop && p.stop.length > 0 ? { stop: [...p.stop] } : {}), ...base };
}

/** Options of runRedteamProbes. */
export interface RunRedteamOptions {
  /** where every request's result is cached (the Store) */
  cache: RequestCache;
  /** probes per model call (default 16) */
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
  /** stops between batches (the cache keeps what was done) */
  signal?: AbortSignal;
}

function itemOf(probe: SafetyProbe): Omit<RedteamItem, "response" | "verdict" | "harm" | "isHarmful" | "pass" | "reason" | "checks"> {
  return { id: probe.id, baseId: probe.baseId, transform: probe.transform, set: probe.set, source: probe.source, category: probe.category, severity: probe.severity, expected: probe.expected, prompt: probe.prompt };
}

/** Sends every probe to the model (through the cache) and grades each reply; items in probe order. */
export async function runRedteamProbes(model: Model, probes: readonly SafetyProbe[], protocol: SafetyProtocol, opts: RunRedteamOptions): Promise<RedteamItem[]> {
  const batchSize = Math.max(1, Math.floor(opts.batchSize ?? 16));
  const cached = withCache(model, opts.cache, safetyRequestKey(protocol), { chunkSize: batchSize });
  const out: RedteamItem[] = [];
  for (let start = 0; start < probes.length; start += batchSize) {
    if (opts.signal?.aborted) throw new MedtuneError("eval.interrupted", `red-team stopped after ${start} of ${probes.length} probes`, { hint: "run the same command again: finished requests are cached and are not asked again" });
    const batch = probes.slice(start, start + batchSize);
    const results = await cached.generate(batch.map((p) => probeRequest(p, protocol)));
    if (results.length !== batch.length) throw new MedtuneError("safety.provider", `the model returned ${results.length} results for ${batch.length} requests`);
    batch.forEach((probe, i) => {
      const r = results[i];
      const meta = { ...(r.finishReason ? { finishReason: r.finishReason } : {}), latencyMs: r.latencyMs };
      if (r.error !== undefined) {
        out.push({ ...itemOf(probe), response: null, error: r.error, ...meta, verdict: null, harm: null, isHarmful: null, pass: null, reason: `generation failed: ${r.error}`, checks: {} });
        return;
      }
      const g = gradeResponse(probe, r.text);
      out.push({ ...itemOf(probe), response: r.text, ...meta, verdict: g.verdict, harm: g.harm, isHarmful: g.isHarmful, pass: g.pass, reason: g.reason, checks: g.checks });
    });
    opts.onProgress?.(out.length, probes.length);
  }
  return out;
}

/** The cache scope of judge requests: the rubric version and the judging settings. */
export function judgeRequestKey(opts: SafetyJudgeOptions): string {
  return sha256(canonicalJson({ judge: JUDGE_RUBRIC_VERSION, format: opts.format ?? null, maxTokens: opts.maxTokens ?? 256 }));
}

/** Has the judge rate every graded red-team reply (through the cache); sets `judge` on those items. */
export async function judgeRedteamItems(judge: Model, items: RedteamItem[], probes: readonly SafetyProbe[], opts: SafetyJudgeOptions & { cache?: RequestCache } = {}): Promise<number> {
  const byId = new Map(probes.map((p) => [p.id, p]));
  const targets = items.filter((it) => it.set === "redteam" && it.response !== null);
  const model = opts.cache ? withCache(judge, opts.cache, judgeRequestKey(opts)) : judge;
  const scores = await judgeReplies(model, targets.map((it) => ({ probe: byId.get(it.id)!, reply: it.response! })), opts);
  targets.forEach((it, i) => (it.judge = scores[i]));
  return targets.length;
}
