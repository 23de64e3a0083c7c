// The eval, compare and select recipes end to end with fake models: the run folder holds config.json and
// eval/<task>.json, the store indexes run, metrics and items; a rerun asks nothing and an interrupted run resumes;
// compare gives McNemar and refuses another protocol; select ranks and marks non-significant differences;
// consistency lists the flips of a position-bound model; bad configs fail with one clear line.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { assetPath, isMedtuneError } from "../../src/core/index.ts";
import { loadItems, readTaskResult, type TaskResultFile } from "../../src/eval/index.ts";
import { Store } from "../../src/store/index.ts";
import { EvalConfigSchema, evaluate, evaluateFromRaw } from "../../src/recipes/evaluate.ts";
import { compareRuns } from "../../src/recipes/compare.ts";
import { SelectConfigSchema, select } from "../../src/recipes/select.ts";
import { fakeModel, oracle, always, type Rule } from "../eval/run/fake-models.ts";
import { tmpDir } from "../helpers/tmp.ts";
import { sharedPath } from "../helpers/shared.ts";

const mcqItems = async () => (await loadItems({ format: "medtune", path: assetPath("demo/mcq.jsonl") })).items;
const openItems = async () => (await loadItems({ format: "medtune", path: assetPath("demo/open.jsonl") })).items;

function config(dir: string, over: Record<string, unknown> = {}) {
  return EvalConfigSchema.parse({ model: "fake:x", runsDir: join(dir, "runs"), tasks: [{ name: "demo-mcq", limit: 40 }], bootstrap: { nResamples: 200 }, ...over });
}

test("eval writes config.json and eval/<task>.json, indexes the store, and a rerun asks the model nothing", async () => {
  const dir = tmpDir();
  const items = [...(await mcqItems()), ...(await openItems())];
  const cfg = config(dir, { tasks: [{ name: "demo-mcq", limit: 40 }, { name: "demo-open", limit: 10 }] });
  const m = fakeModel(items, oracle);
  const r = await evaluate(cfg, { model: m, quiet: true });
  assert.ok(existsSync(join(r.outDir, "config.json")));
  const mcq = readTaskResult(join(r.outDir, "eval", "demo-mcq.json"));
  const open = readTaskResult(join(r.outDir, "eval", "demo-open.json"));
  assert.equal(mcq.summary.metrics.acc.value, 1);
  assert.equal(mcq.items.length, 40);
  assert.equal(mcq.protocol.scoring, "loglik");
  assert.equal(mcq.protocol.dataset.n, 40);
  assert.ok(mcq.summary.calibration !== null && mcq.summary.calibration.bins.length === 10);
  assert.equal(open.protocol.scoring, "generative");
  assert.equal(open.summary.metrics.exact_match.value, 1);
  assert.equal(open.summary.metrics.f1.value, 1);
  assert.equal(open.summary.metrics.rouge_l.value, 1);
  assert.match(r.text, /demo-mcq: fake/);
  assert.equal(m.calls.logprobs, 160);
  assert.equal(m.calls.generate, 10);

  const store = Store.open(join(dir, "runs", "medtune.db"));
  const run = store.getRun(r.runId)!;
  assert.equal(run.status, "done");
  assert.equal(run.recipe, "eval");
  const acc = store.getMetrics(r.runId, "demo-mcq").find((x) => x.name === "acc" && x.group === "")!;
  assert.equal(acc.value, 1);
  assert.equal(acc.n, 40);
  assert.ok(store.getMetrics(r.runId, "demo-mcq").some((x) => x.group.startsWith("subject:")), "per-subject rows");
  assert.equal(store.getEvalResults(r.runId, "demo-mcq").length, 40);
  store.close();

  const again = fakeModel(items, oracle);
  const r2 = await evaluate({ ...cfg, name: "again" }, { model: again, quiet: true });
  assert.equal(again.calls.logprobs + again.calls.generate, 0, "every request was cached in the store");
  const mcq2 = readTaskResult(join(r2.outDir, "eval", "demo-mcq.json"));
  assert.deepEqual(mcq2.items, mcq.items);
  assert.equal(mcq2.protocolKey, mcq.protocolKey);
});

test("an interrupted eval is marked interrupted and the rerun asks only the missing requests", async () => {
  const dir = tmpDir();
  const items = await mcqItems();
  const cfg = config(dir, { batchSize: 5 });
  const ctl = new AbortController();
  const m = fakeModel(items, oracle);
  const inner = m.logprobs.bind(m);
  m.logprobs = async (reqs) => {
    const out = await inner(reqs);
    if (m.calls.batches === 3) ctl.abort(); // stop after the third batch of 5 items
    return out;
  };
  await assert.rejects(evaluate(cfg, { model: m, quiet: true, signal: ctl.signal }), (e: unknown) => isMedtuneError(e) && e.code === "eval.interrupted");
  assert.equal(m.calls.logprobs, 60);
  const store = Store.open(join(dir, "runs", "medtune.db"));
  assert.equal(store.listRuns()[0].status, "interrupted");
  store.close();
  const resumed = fakeModel(items, oracle);
  await evaluate({ ...cfg, name: "resumed" }, { model: resumed, quiet: true });
  assert.equal(resumed.calls.logprobs, 160 - 60);
});

test("compare: McNemar between two runs; a run under another protocol is refused", async () => {
  const dir = tmpDir();
  const items = await mcqItems();
  const a = await evaluate(config(dir, { name: "oracle" }), { model: fakeModel(items, oracle, { id: "oracle" }), quiet: true });
  const b = await evaluate(config(dir, { name: "const" }), { model: fakeModel(items, always("A"), { id: "const-a" }), quiet: true });
  const c = compareRuns(a.outDir, b.outDir, { nResamples: 200 });
  assert.equal(c.comparisons.length, 1);
  const cmp = c.comparisons[0];
  const first40 = items.slice(0, 40);
  const nA = first40.filter((it) => it.answer === "A").length;
  assert.equal(cmp.mcnemar!.b, 40 - nA, "only the oracle is right where the gold is not A");
  assert.equal(cmp.mcnemar!.c, 0);
  assert.match(c.text, /exact McNemar/);
  const out = join(dir, "cmp.json");
  compareRuns(a.outDir, b.outDir, { nResamples: 200, out });
  assert.ok(JSON.parse(readFileSync(out, "utf8")).comparisons.length === 1);

  const texts = await evaluate(config(dir, { name: "texts", choices: "texts" }), { model: fakeModel(items, oracle, { id: "oracle" }), quiet: true });
  assert.throws(() => compareRuns(a.outDir, texts.outDir), (e: unknown) => isMedtuneError(e) && e.code === "eval.protocol-mismatch" && /choices/.test(e.message));
});

test("select ranks candidates and marks the ones not significantly different from the best", async () => {
  const dir = tmpDir();
  const items = await mcqItems();
  const ids = items.slice(0, 60).map((it) => it.id);
  const nearly: Rule = (it) => (ids.slice(0, 2).includes(it.id) ? it.options!.find((o) => o.label !== it.answer)!.label : it.answer);
  const cfg = SelectConfigSchema.parse({ models: ["fake:a", "fake:b", "fake:c"], runsDir: join(dir, "runs"), tasks: [{ name: "demo-mcq", limit: 60 }], bootstrap: { nResamples: 100 } });
  const models = [fakeModel(items, always("B"), { id: "const-b" }), fakeModel(items, oracle, { id: "oracle" }), fakeModel(items, nearly, { id: "nearly" })];
  const r = await select(cfg, { models, quiet: true });
  const ranking = r.rankings["demo-mcq"].ranking;
  assert.deepEqual(ranking.models.map((m) => m.name), ["oracle", "nearly", "const-b"]);
  assert.deepEqual(ranking.models[0].notSignificantlyDifferentFrom, ["nearly"]);
  assert.equal(ranking.models[1].isTiedWithBest, true);
  assert.equal(ranking.models[2].isTiedWithBest, false);
  assert.ok(existsSync(join(r.outDir, "selection.json")));
  assert.equal(r.candidates.length, 3);
  for (const c of r.candidates) assert.ok(existsSync(join(c.outDir, "eval", "demo-mcq.json")));
  assert.match(r.text, /not significantly different from: nearly/);
});

test("consistency: a model bound to a letter flips when the options move, and every flip is listed", async () => {
  const dir = tmpDir();
  const items = await mcqItems();
  const cfg = config(dir, { tasks: [{ name: "demo-mcq", limit: 12 }], consistency: { enabled: true, perturbations: ["option-cyclic"] } });
  const r = await evaluate(cfg, { model: fakeModel(items, always("A")), quiet: true });
  const res: TaskResultFile = r.results[0];
  const c = res.consistency!;
  assert.ok(c.rate !== null && c.rate.rate < 1, `consistency ${c.rate?.rate}`);
  assert.ok(c.flips.length > 0);
  assert.ok(c.flips.every((f) => f.before === "A"));
  assert.equal(c.rate.nPairs - c.rate.nConsistent, c.flips.length);
});

test("config errors are one clear line: unknown task, a task without data, an unknown template, a bad field, a dead model", async () => {
  const dir = tmpDir();
  const model = fakeModel([], oracle);
  await assert.rejects(evaluate(config(dir, { tasks: [{ name: "nope" }] }), { model, quiet: true }), (e: unknown) => isMedtuneError(e) && /unknown task "nope".*built-in task.*demo-mcq/.test(e.oneLine()));
  await assert.rejects(evaluate(config(dir, { tasks: [{ name: "medqa" }] }), { model, quiet: true }), (e: unknown) => isMedtuneError(e) && e.code === "eval.task-data" && e.where === "tasks[0].path");
  await assert.rejects(evaluate(config(dir, { template: "no-such-template" }), { model, quiet: true }), /unknown prompt template/);
  await assert.rejects(evaluateFromRaw({ model: "fake:x", fewShot: { n: -1 } }, "flags", { model, quiet: true }), (e: unknown) => isMedtuneError(e) && /fewShot\.n/.test(e.oneLine()));
  const broken = fakeModel(await mcqItems(), oracle);
  broken.logprobs = async (reqs) => reqs.map(() => ({ logprob: Number.NaN, tokens: 0, isGreedy: false, error: "HTTP 404: no such model" }));
  await assert.rejects(evaluate(config(dir), { model: broken, quiet: true }), (e: unknown) => isMedtuneError(e) && e.code === "eval.all-failed" && /HTTP 404/.test(e.message));
  const noLogprobs = fakeModel(await mcqItems(), oracle, { logprobs: false });
  await assert.rejects(evaluate(config(dir), { model: noLogprobs, quiet: true }), (e: unknown) => isMedtuneError(e) && e.code === "eval.no-logprobs");
});

test("PubMedQA with and without its context are different protocols; citations of the supplied passages are checked", async (t) => {
  const path = sharedPath(t, "data/pubmedqa/ori_pqal.json");
  if (!path) return;
  const dir = tmpDir();
  const items = (await loadItems({ format: "pubmedqa", path }, { limit: 8 })).items;
  const base = { tasks: [{ name: "pubmedqa", path, limit: 8 }], interpret: { enabled: true } };
  const withCtx = await evaluate(config(dir, { ...base, name: "ctx" }), { model: fakeModel(items, oracle), quiet: true });
  const noCtx = await evaluate(config(dir, { ...base, name: "noctx", withContext: false }), { model: fakeModel(items, oracle), quiet: true });
  const r = withCtx.results[0];
  assert.equal(r.protocol.kind, "yesno");
  assert.equal(r.protocol.withContext, true);
  assert.equal(r.summary.metrics.acc.value, 1);
  assert.ok(r.summary.metrics.macro_f1 !== undefined);
  assert.equal(r.interpretability!.validity!.rate, 1, "every citation names a supplied passage");
  assert.ok(r.interpretability!.support!.rate > 0);
  assert.throws(() => compareRuns(withCtx.outDir, noCtx.outDir), (e: unknown) => isMedtuneError(e) && /withContext/.test(e.message));
  const html = readFileSync(join(withCtx.outDir, "report.html"), "utf8");
  assert.match(html, /<!DOCTYPE html>/);
  assert.match(html, /pubmedqa/);
  assert.ok(!/<script/i.test(html), "self-contained, no scripts");
});

test("a prepared split mixing kinds becomes one task per kind; compare writes an HTML report", async () => {
  const dir = tmpDir();
  const mcq = (await mcqItems()).slice(0, 10);
  const open = (await openItems()).slice(0, 5);
  const path = join(dir, "test.jsonl");
  writeFileSync(path, [...mcq, ...open].map((x) => JSON.stringify(x)).join("\n") + "\n");
  const cfg = config(dir, { tasks: [{ name: "medtune", path, as: "heldout" }] });
  const a = await evaluate({ ...cfg, name: "a" }, { model: fakeModel([...mcq, ...open], oracle, { id: "m1" }), quiet: true });
  assert.deepEqual(a.results.map((r) => [r.task, r.items.length, r.protocol.scoring]), [["heldout-mcq", 10, "loglik"], ["heldout-open", 5, "generative"]]);
  const b = await evaluate({ ...cfg, name: "b" }, { model: fakeModel([...mcq, ...open], always("A"), { id: "m2", openAnswer: () => " no idea" }), quiet: true });
  const report = join(dir, "cmp.html");
  const c = compareRuns(a.outDir, b.outDir, { nResamples: 100, report });
  assert.deepEqual(c.comparisons.map((x) => [x.task, x.metric]), [["heldout-mcq", "acc"], ["heldout-open", "exact_match"]]);
  assert.equal(c.comparisons[1].b.value, 0);
  assert.match(readFileSync(report, "utf8"), /heldout-open/);
});
