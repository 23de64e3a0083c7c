// The table of per-item metrics (DESIGN.md: handlers registered in a table that checks itself at load time):
// unique snake_case names, known kinds, and every handler run once on a smoke input for each kind it claims,
// so a broken handler fails when the module loads, not halfway through an evaluation.
import { MedtuneError } from "../../core/index.ts";
import type { MetricHandler, MetricKind, MetricResult } from "./types.ts";
import { METRIC_KINDS } from "./types.ts";
import { exactMatchMetric, f1Metric } from "./squad.ts";
import { rougeLMetric } from "./rouge-l.ts";
import { mcqCorrectMetric } from "./mcq.ts";
import { yesnoCorrectMetric } from "./yesno.ts";

const SMOKE: Record<MetricKind, { pred: string; gold: string; options?: Array<{ label: string; text: string }> }> = {
  open: { pred: "the Denver Broncos", gold: "Denver Broncos" },
  mcq: { pred: "The answer is (B).", gold: "B", options: [{ label: "A", text: "Metformin" }, { label: "B", text: "Insulin" }] },
  yesno: { pred: "Yes, it does.", gold: "yes" },
};

function checkResult(name: string, kind: MetricKind, r: MetricResult): void {
  const where = `metric "${name}" on a ${kind} smoke input`;
  if (typeof r !== "object" || r === null) throw new MedtuneError("eval.metric-registry", "handler returned no result", { where });
  if (typeof r.score !== "number" || !(r.score >= 0 && r.score <= 1)) throw new MedtuneError("eval.metric-registry", `score ${String(r.score)} is not a number in [0, 1]`, { where });
  if (typeof r.reason !== "string" || r.reason.trim() === "") throw new MedtuneError("eval.metric-registry", "reason is empty", { where });
  if (r.pass !== undefined && typeof r.pass !== "boolean") throw new MedtuneError("eval.metric-registry", `pass is ${String(r.pass)}, not a boolean`, { where });
}

/** Checks a list of handlers (names, kinds, a smoke run per kind) and returns them as a table by name. */
export function buildMetricRegistry(handlers: readonly MetricHandler[]): Readonly<Record<string, MetricHandler>> {
  const table: Record<string, MetricHandler> = {};
  for (const h of handlers) {
    if (!/^[a-z][a-z0-9_]*$/.test(h.name)) throw new MedtuneError("eval.metric-registry", `metric name "${h.name}" is not snake_case`);
    if (Object.hasOwn(table, h.name)) throw new MedtuneError("eval.metric-registry", `metric name "${h.name}" is registered twice`);
    if (h.description.trim() === "") throw new MedtuneError("eval.metric-registry", `metric "${h.name}" has no description`);
    if (h.kinds.length === 0) throw new MedtuneError("eval.metric-registry", `metric "${h.name}" applies to no item kind`);
    for (const k of h.kinds) {
      if (!METRIC_KINDS.includes(k)) throw new MedtuneError("eval.metric-registry", `metric "${h.name}" names unknown kind "${k}"`, { hint: `kinds are ${METRIC_KINDS.join(", ")}` });
      const s = SMOKE[k];
      let r: MetricResult;
      try {
        r = h.score(s.pred, s.gold, { options: s.options });
      } catch (e) {
        throw new MedtuneError("eval.metric-registry", `handler threw: ${e instanceof Error ? e.message : String(e)}`, { where: `metric "${h.name}" on a ${k} smoke input`, cause: e });
      }
      checkResult(h.name, k, r);
    }
    table[h.name] = h;
  }
  return Object.freeze(table);
}

/** Every per-item metric by name, checked at load time. */
export const METRICS = buildMetricRegistry([exactMatchMetric, f1Metric, rougeLMetric, mcqCorrectMetric, yesnoCorrectMetric]);

/** The metric registered under `name`; throws a MedtuneError listing the known names otherwise. */
export function getMetric(name: string): MetricHandler {
  const m = Object.hasOwn(METRICS, name) ? METRICS[name] : undefined;
  if (m === undefined) throw new MedtuneError("eval.unknown-metric", `unknown metric "${name}"`, { hint: `use one of: ${Object.keys(METRICS).join(", ")}` });
  return m;
}

/** The metrics that apply to an item kind, in registration order. */
export function metricsForKind(kind: MetricKind): MetricHandler[] {
  return Object.values(METRICS).filter((m) => m.kinds.includes(kind));
}
