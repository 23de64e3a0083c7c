// The evaluation runner with fake models: an oracle scores 100% and a constant answer matches the label prior
// (demo set and the MedQA slice), under log-likelihood and generative scoring; requests go through the cache, so a
// rerun asks nothing and an interrupted run resumes with only the missing requests; failed requests are items.
import { test } from "node:test";
import assert from "node:assert/strict";
import { assetPath } from "../../../src/core/index.ts";
import { DEFAULT_TEMPLATE, type QAItem } from "../../../src/data/index.ts";
import { loadItems, runTask, summarizeTask, DEFAULT_COT, DEFAULT_STOP, EXTRACTION_VERSION, type EvalProtocol, type GenerativeSettings, type TaskRun } from "../../../src/eval/index.ts";
import { sharedPath } from "../../helpers/shared.ts";
import { fakeModel, oracle, always, protocolFor } from "./fake-models.ts";

const GEN: GenerativeSettings = { format: "completion", cot: { ...DEFAULT_COT }, maxTokens: 64, answerMaxTokens: 8, temperature: 0, stop: [...DEFAULT_STOP], system: "", seed: 0 };

function genProtocol(items: readonly QAItem[]): EvalProtocol {
  return protocolFor(items, { scoring: "generative", choices: null, lengthUnit: null, format: "completion", cot: { ...DEFAULT_COT }, maxTokens: 64, answerMaxTokens: 8, temperature: 0, stop: [...DEFAULT_STOP], extraction: EXTRACTION_VERSION });
}

async function demoItems(): Promise<QAItem[]> {
  return (await loadItems({ format: "medtune", path: assetPath("demo/mcq.jsonl") })).items;
}

function mapCache(): Map<string, unknown> & { get(k: string): unknown; set(k: string, v: unknown): Map<string, unknown> } {
  return new Map<string, unknown>();
}

function share(items: readonly QAItem[], label: string): number {
  return items.filter((it) => it.answer === label).length / items.length;
}

test("oracle scores 100% and 'always A' scores the share of A golds on the demo MCQs (loglik, letters and texts)", async () => {
  const items = await demoItems();
  assert.ok(items.length > 300);
  for (const choices of ["letters", "texts"] as const) {
    const p = protocolFor(items, { choices });
    const run: TaskRun = { items, protocol: p, template: DEFAULT_TEMPLATE, fewShotPool: null };
    const good = await runTask(fakeModel(items, oracle), run, { cache: mapCache() });
    const s = summarizeTask(good, p, { nResamples: 200, confidence: 0.95, seed: 1, nBins: 10 });
    assert.equal(s.metrics.acc.value, 1, `${choices}: oracle acc`);
    assert.equal(s.metrics.acc_norm.value, 1, `${choices}: oracle acc_norm`);
    assert.equal(s.nFailed, 0);
    const constant = await runTask(fakeModel(items, always("A")), run, { cache: mapCache() });
    const c = summarizeTask(constant, p, { nResamples: 200, confidence: 0.95, seed: 1, nBins: 10 });
    assert.equal(c.metrics.acc.value, share(items, "A"), `${choices}: constant A = label prior`);
    assert.ok(c.metrics.acc.lo < share(items, "A") && share(items, "A") < c.metrics.acc.hi);
    assert.ok(constant.every((r) => r.prediction === "A"));
  }
});

test("oracle 100% and constant answers match the label prior on the MedQA slice", async (t) => {
  const path = sharedPath(t, "data/medqa/medqa_us_4options_test_shared_slice.jsonl");
  if (!path) return;
  const items = (await loadItems({ format: "medqa", path })).items;
  assert.equal(items.length, 260);
  const p = protocolFor(items);
  const run: TaskRun = { items, protocol: p, template: DEFAULT_TEMPLATE, fewShotPool: null };
  const good = await runTask(fakeModel(items, oracle), run, { cache: mapCache() });
  assert.ok(good.every((r) => r.correct));
  for (const label of ["A", "B", "C", "D"]) {
    const res = await runTask(fakeModel(items, always(label)), run, { cache: mapCache() });
    const acc = res.filter((r) => r.correct).length / res.length;
    assert.equal(acc, share(items, label), `always ${label}`);
  }
});

test("the loglik prompt is the harness layout and options are scored as ' A', ' B', ... after it", async () => {
  const items = (await demoItems()).slice(0, 2);
  const seen: Array<{ context: string; continuation: string }> = [];
  const m = fakeModel(items, oracle);
  const inner = m.logprobs.bind(m);
  m.logprobs = async (reqs) => {
    seen.push(...reqs);
    return inner(reqs);
  };
  const res = await runTask(m, { items, protocol: protocolFor(items), template: DEFAULT_TEMPLATE, fewShotPool: null }, { cache: mapCache() });
  const it = items[0];
  const want = `Question: ${it.question}\n${it.options!.map((o) => `${o.label}. ${o.text}`).join("\n")}\nAnswer:`;
  assert.equal(seen[0].context, want);
  assert.deepEqual(seen.slice(0, 4).map((r) => r.continuation), [" A", " B", " C", " D"]);
  const probs = res[0].loglik!.probs;
  assert.ok(Math.abs(probs.reduce((a, b) => a + b, 0) - 1) < 1e-12, "option probabilities are a softmax over the options");
  assert.equal(res[0].loglik!.confidence, Math.max(...probs));
});

test("few-shot prompts put k solved examples before the question, never the item itself, the same on every run", async () => {
  const items = (await demoItems()).slice(0, 12);
  const contexts: string[] = [];
  const m = fakeModel(items, oracle);
  const inner = m.logprobs.bind(m);
  m.logprobs = async (reqs) => {
    contexts.push(...reqs.map((r) => r.context));
    return inner(reqs);
  };
  const p = protocolFor(items, { fewShot: { n: 3, seed: 7, pool: "self" } });
  await runTask(m, { items, protocol: p, template: DEFAULT_TEMPLATE, fewShotPool: null }, { cache: mapCache() });
  const first = contexts[0];
  const blocks = first.split("\n\n");
  assert.equal(blocks.length, 4, "three examples and the question");
  for (const b of blocks.slice(0, 3)) assert.match(b, /\nAnswer: [A-D]$/);
  assert.ok(!blocks.slice(0, 3).some((b) => b.includes(items[0].question)), "the item is never its own example");
  assert.ok(blocks[3].startsWith(`Question: ${items[0].question}`));
  const again: string[] = [];
  const m2 = fakeModel(items, oracle);
  const inner2 = m2.logprobs.bind(m2);
  m2.logprobs = async (reqs) => {
    again.push(...reqs.map((r) => r.context));
    return inner2(reqs);
  };
  await runTask(m2, { items: [...items].reverse(), protocol: p, template: DEFAULT_TEMPLATE, fewShotPool: items }, { cache: mapCache() });
  assert.equal(again[again.length - 4], first, "examples depend on the item and seed, not on evaluation order");
});

test("a rerun is served from the cache, and an interrupted run resumes asking only what is missing", async () => {
  const items = (await demoItems()).slice(0, 40);
  const p = protocolFor(items);
  const run: TaskRun = { items, protocol: p, template: DEFAULT_TEMPLATE, fewShotPool: null };
  const cache = mapCache();
  const total = items.reduce((s, it) => s + it.options!.length, 0);

  const crashing = fakeModel(items, oracle);
  crashing.crashAfter = 70;
  await assert.rejects(runTask(crashing, run, { cache, batchSize: 4 }), /simulated crash/);
  const done = cache.size;
  assert.ok(done > 0 && done <= 70, `cached before the crash: ${done}`);

  const resumed = fakeModel(items, oracle);
  const res = await runTask(resumed, run, { cache, batchSize: 4 });
  assert.equal(resumed.calls.logprobs, total - done, "only the requests not cached before the crash are asked");
  assert.ok(res.every((r) => r.correct));

  const rerun = fakeModel(items, oracle);
  const again = await runTask(rerun, run, { cache, batchSize: 4 });
  assert.equal(rerun.calls.logprobs, 0, "a rerun asks the model nothing");
  assert.deepEqual(again, res);

  const ctl = new AbortController();
  ctl.abort();
  await assert.rejects(runTask(fakeModel(items, oracle), run, { cache: mapCache(), signal: ctl.signal }), (e: Error & { code?: string }) => e.code === "eval.interrupted");
});

test("generative CoT: two stages per item, oracle 100%, constant letter = label prior, unparsed answers audited", async () => {
  const items = (await demoItems()).slice(0, 30);
  const p = genProtocol(items);
  const run: TaskRun = { items, protocol: p, template: DEFAULT_TEMPLATE, fewShotPool: null, generative: GEN };
  const m = fakeModel(items, oracle);
  const res = await runTask(m, run, { cache: mapCache() });
  assert.equal(m.calls.generate, 2 * items.length, "reasoning, then the answer trigger");
  assert.ok(res.every((r) => r.correct && r.generation?.reasoning !== undefined));
  const constant = await runTask(fakeModel(items, always("C")), run, { cache: mapCache() });
  assert.equal(constant.filter((r) => r.correct).length / items.length, share(items, "C"));
  const refuses = fakeModel(items, (it) => (it.id.endsWith("3") ? null : it.answer));
  const mixed = await runTask(refuses, run, { cache: mapCache() });
  const s = summarizeTask(mixed, p, { nResamples: 100, confidence: 0.95, seed: 1, nBins: 10 });
  const missing = items.filter((it) => it.id.endsWith("3")).map((it) => it.id);
  assert.ok(missing.length > 0);
  assert.deepEqual(s.extraction!.unparsedItems.map((u) => u.id), missing, "every unparsed answer is listed");
  assert.equal(s.metrics.parsed.value, 1 - missing.length / items.length);
});

test("a request error fails its item (counted wrong and listed) without stopping the run", async () => {
  const items = (await demoItems()).slice(0, 6);
  const m = fakeModel(items, oracle);
  const inner = m.logprobs.bind(m);
  m.logprobs = async (reqs) => {
    const out = await inner(reqs);
    return out.map((r, i) => (reqs[i].context.includes(items[2].question) ? { logprob: Number.NaN, tokens: 0, isGreedy: false, error: "server said no" } : r));
  };
  const p = protocolFor(items);
  const res = await runTask(m, { items, protocol: p, template: DEFAULT_TEMPLATE, fewShotPool: null }, { cache: mapCache() });
  assert.equal(res[2].correct, false);
  assert.match(res[2].error!, /server said no/);
  const s = summarizeTask(res, p, { nResamples: 100, confidence: 0.95, seed: 1, nBins: 10 });
  assert.equal(s.nFailed, 1);
  assert.deepEqual(s.failures.map((f) => f.id), [items[2].id]);
  assert.equal(s.metrics.acc.value, 5 / 6);
  assert.equal(s.calibration!.n, 5, "calibration over the items that were scored");
});
