// Paired comparison and the protocol: two fake models whose discordant counts are planted give the exact McNemar
// p-value computed by hand; the paired bootstrap brackets the difference; a different protocol is refused with a
// one-line error naming the fields; the protocol key ignores key order and the cache scope ignores the dataset.
import { test } from "node:test";
import assert from "node:assert/strict";
import { assetPath, isMedtuneError } from "../../../src/core/index.ts";
import { DEFAULT_TEMPLATE, type QAItem } from "../../../src/data/index.ts";
import {
  assertSameProtocol, compareTaskResults, loadItems, protocolDiff, protocolKey, requestProtocolKey, runTask, summarizeTask, RESULT_FORMAT,
  type EvalProtocol, type ItemResult, type TaskResultFile,
} from "../../../src/eval/index.ts";
import { fakeModel, protocolFor, type Rule } from "./fake-models.ts";

const STATS = { nResamples: 500, confidence: 0.95, seed: 3, nBins: 10 };

function wrongOn(ids: ReadonlySet<string>): Rule {
  return (it) => (ids.has(it.id) ? it.options!.find((o) => o.label !== it.answer)!.label : it.answer);
}

function resultFile(items: readonly ItemResult[], protocol: EvalProtocol, id: string): TaskResultFile {
  return {
    format: RESULT_FORMAT, task: protocol.task, run: { id: "r", name: "n" }, model: { spec: `fake:${id}`, id, provider: "fake", capabilities: { logprobs: true, chat: false } },
    protocol, protocolKey: protocolKey(protocol),
    dataset: { format: "medtune", path: "x", n: items.length, sha256: protocol.dataset.sha256, rejected: 0, rejectedExamples: [], kinds: {}, limit: null },
    summary: summarizeTask(items, protocol, STATS), items: [...items],
    timing: { startedAt: "", finishedAt: "", seconds: 0, itemsPerSecond: 0 }, medtuneVersion: "0",
  };
}

async function twoRuns(): Promise<{ items: QAItem[]; a: TaskResultFile; b: TaskResultFile; p: EvalProtocol }> {
  const items = (await loadItems({ format: "medtune", path: assetPath("demo/mcq.jsonl") }, { limit: 20 })).items;
  const ids = items.map((it) => it.id);
  const p = protocolFor(items, { task: "demo-mcq" });
  const run = { items, protocol: p, template: DEFAULT_TEMPLATE, fewShotPool: null };
  // A is wrong on items 0-1, B on items 2-9: b = 8 (only A right), c = 2 (only B right).
  const ra = await runTask(fakeModel(items, wrongOn(new Set(ids.slice(0, 2)))), run, { cache: new Map() });
  const rb = await runTask(fakeModel(items, wrongOn(new Set(ids.slice(2, 10)))), run, { cache: new Map() });
  return { items, a: resultFile(ra, p, "model-a"), b: resultFile(rb, p, "model-b"), p };
}

test("compare: exact McNemar p equals the hand computation 2·P(X <= 2 | 10, 1/2) = 112/1024", async () => {
  const { a, b } = await twoRuns();
  const c = compareTaskResults(a, b, { nResamples: 1000, seed: 5 });
  assert.equal(c.n, 20);
  assert.equal(c.a.value, 18 / 20);
  assert.equal(c.b.value, 12 / 20);
  assert.equal(c.mcnemar!.b, 8);
  assert.equal(c.mcnemar!.c, 2);
  // 2 · (C(10,0) + C(10,1) + C(10,2)) / 2^10
  assert.ok(Math.abs(c.mcnemar!.exact.pValue - 112 / 1024) < 1e-12, `p = ${c.mcnemar!.exact.pValue}`);
  assert.ok(Math.abs(c.difference.estimate - 0.3) < 1e-12);
  assert.ok(c.difference.lo < 0.3 && 0.3 < c.difference.hi);
  const reverse = compareTaskResults(b, a);
  assert.equal(reverse.mcnemar!.exact.pValue, c.mcnemar!.exact.pValue, "the test is symmetric");
  assert.ok(c.groups.length > 0 && c.groups.every((g) => g.pAdjusted !== null && g.pAdjusted >= g.pValue!), "per-group p-values are Holm-adjusted upwards");
  const bySubject = c.groups.filter((g) => g.by === "subject");
  assert.equal(bySubject.reduce((s, g) => s + g.n, 0), 20);
});

test("compare refuses different protocols with one line naming the differing fields", async () => {
  const { a, b, p } = await twoRuns();
  const other: EvalProtocol = { ...p, choices: "texts", template: { ...p.template, text: { ...p.template.text, mcq: "Q: {question}\n{options}\nA:" } } };
  const b2 = { ...b, protocol: other, protocolKey: protocolKey(other) };
  assert.throws(() => compareTaskResults(a, b2), (e: unknown) => {
    assert.ok(isMedtuneError(e));
    assert.equal(e.code, "eval.protocol-mismatch");
    assert.match(e.message, /choices \("letters" vs "texts"\)/);
    assert.match(e.message, /template\.text\.mcq/);
    assert.ok(!e.oneLine().includes("\n"), "one line");
    return true;
  });
  const fewer = { ...b, items: b.items.slice(1) };
  assert.throws(() => compareTaskResults(a, fewer), /did not evaluate the same items/);
});

test("protocol key: independent of key order; diff lists leaf paths; the cache scope ignores the dataset", async () => {
  const items = (await loadItems({ format: "medtune", path: assetPath("demo/mcq.jsonl") }, { limit: 5 })).items;
  const p = protocolFor(items);
  const shuffled = Object.fromEntries(Object.entries(p).reverse()) as unknown as EvalProtocol;
  assert.equal(protocolKey(shuffled), protocolKey(p));
  assert.deepEqual(protocolDiff(p, p), []);
  const q: EvalProtocol = { ...p, fewShot: { ...p.fewShot, n: 5 }, dataset: { sha256: "x", n: 9 } };
  assert.deepEqual(protocolDiff(p, q), ["dataset.n", "dataset.sha256", "fewShot.n"]);
  assert.notEqual(protocolKey(q), protocolKey(p));
  assert.equal(requestProtocolKey({ ...p, dataset: { sha256: "other", n: 1 } }), requestProtocolKey(p), "more items reuse the cached requests");
  assert.notEqual(requestProtocolKey({ ...p, choices: "texts" }), requestProtocolKey(p));
  assert.doesNotThrow(() => assertSameProtocol(p, shuffled, "a", "b"));
});
