// The metric registry: every registered handler loads and scores its kinds, lookups fail helpfully, and the
// load-time check itself rejects duplicate names, unknown kinds and handlers that throw or return bad results.
import { test } from "node:test";
import assert from "node:assert/strict";
import { buildMetricRegistry, getMetric, METRICS, metricsForKind } from "../../../src/eval/metrics/registry.ts";
import type { MetricHandler } from "../../../src/eval/metrics/types.ts";

test("the registry holds the per-item metrics by kind", () => {
  assert.deepEqual(Object.keys(METRICS).sort(), ["exact_match", "f1", "mcq_correct", "rouge_l", "yesno_correct"]);
  assert.deepEqual(metricsForKind("open").map((m) => m.name), ["exact_match", "f1", "rouge_l"]);
  assert.deepEqual(metricsForKind("mcq").map((m) => m.name), ["mcq_correct"]);
  assert.deepEqual(metricsForKind("yesno").map((m) => m.name), ["yesno_correct"]);
  assert.equal(getMetric("f1").score("Broncos", "Denver Broncos").score.toFixed(3), "0.667");
  assert.throws(() => getMetric("bleu"), /unknown metric "bleu".*|use one of/);
});

test("yesno_correct scores bare and extracted labels", () => {
  const m = getMetric("yesno_correct");
  assert.equal(m.score("Yes.", "yes").score, 1);
  assert.equal(m.score("Based on the abstract, the answer is no.", "yes").score, 0);
  const u = m.score("The evidence is mixed.", "maybe");
  assert.equal(u.pass, false);
  assert.match(u.reason, /^unparsed/);
});

const ok: MetricHandler = { name: "ok_metric", description: "d", kinds: ["open"], score: () => ({ score: 1, reason: "fine" }) };

test("the load-time check rejects broken tables", () => {
  assert.throws(() => buildMetricRegistry([ok, { ...ok }]), /registered twice/);
  assert.throws(() => buildMetricRegistry([{ ...ok, name: "Bad-Name" }]), /snake_case/);
  assert.throws(() => buildMetricRegistry([{ ...ok, kinds: ["essay" as "open"] }]), /unknown kind "essay"/);
  assert.throws(() => buildMetricRegistry([{ ...ok, kinds: [] }]), /no item kind/);
  assert.throws(() => buildMetricRegistry([{ ...ok, score: () => { throw new Error("boom"); } }]), /handler threw: boom/);
  assert.throws(() => buildMetricRegistry([{ ...ok, score: () => ({ score: 2, reason: "x" }) }]), /not a number in \[0, 1\]/);
  assert.throws(() => buildMetricRegistry([{ ...ok, score: () => ({ score: 0.5, reason: " " }) }]), /reason is empty/);
  assert.deepEqual(Object.keys(buildMetricRegistry([ok])), ["ok_metric"]);
});
