// withCache over an in-memory Map: results and errors are stored per request keyed by model, protocol and
// content; a rerun asks nothing; an interrupted run resumes after the chunks that finished; transient errors are
// retried; -Infinity survives a JSON store.
import { test } from "node:test";
import assert from "node:assert/strict";
import { withCache, requestKey, type GenerateRequest, type LogprobRequest, type Model, type ModelInfo, type RequestCache } from "../../src/providers/index.ts";

/** A fake model that records what it was asked. */
function fakeModel(opts: { failAfterCalls?: number; id?: string } = {}): Model & { asked: string[]; calls: number } {
  const asked: string[] = [];
  let calls = 0;
  const info: ModelInfo = { id: opts.id ?? "fake", provider: "test", fingerprint: "f1", capabilities: { logprobs: true, chat: false } };
  return {
    asked,
    get calls() {
      return calls;
    },
    info: () => info,
    close: async () => undefined,
    async generate(reqs: GenerateRequest[]) {
      calls++;
      if (opts.failAfterCalls !== undefined && calls > opts.failAfterCalls) throw new Error("interrupted");
      return reqs.map((r) => {
        asked.push(`g:${r.prompt}`);
        if (r.prompt === "bad") return { text: "", latencyMs: 1, error: "prompt too long" };
        if (r.prompt === "busy") return { text: "", latencyMs: 1, error: "HTTP 503", retryable: true };
        return { text: `<${r.prompt}|${r.seed ?? 0}>`, finishReason: "stop" as const, tokens: 2, latencyMs: 1 };
      });
    },
    async logprobs(reqs: LogprobRequest[]) {
      calls++;
      return reqs.map((r) => {
        asked.push(`l:${r.context}|${r.continuation}`);
        return { logprob: r.continuation === "never" ? Number.NEGATIVE_INFINITY : -r.continuation.length, tokens: 1, isGreedy: false, tokenLogprobs: [-r.continuation.length] };
      });
    },
  };
}

/** A cache that stores JSON text, as the SQLite store does. */
function jsonCache(): RequestCache & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, get: (k) => (map.has(k) ? JSON.parse(map.get(k)!) : undefined), set: (k, v) => void map.set(k, JSON.stringify(v)) };
}

const gen = (prompt: string, extra: Partial<GenerateRequest> = {}): GenerateRequest => ({ prompt, maxTokens: 8, temperature: 0, ...extra });

test("a rerun is served from the cache and asks the model nothing", async () => {
  const cache = jsonCache();
  const m1 = fakeModel();
  const first = await withCache(m1, cache, "mcq-v1").generate([gen("a"), gen("b")]);
  assert.deepEqual(m1.asked, ["g:a", "g:b"]);
  const m2 = fakeModel();
  const again = await withCache(m2, cache, "mcq-v1").generate([gen("b"), gen("a")]);
  assert.deepEqual(m2.asked, []);
  assert.deepEqual(again.map((r) => r.text), [first[1].text, first[0].text], "results in request order");
});

test("the key covers model id, fingerprint, protocol, kind and every request field (not callbacks)", () => {
  const info: ModelInfo = { id: "m", provider: "p", fingerprint: "f", capabilities: { logprobs: true, chat: true } };
  const k = requestKey(info, "proto", "generate", gen("x"));
  assert.match(k, /^[0-9a-f]{64}$/);
  assert.equal(requestKey(info, "proto", "generate", { ...gen("x"), onText: () => undefined, signal: new AbortController().signal }), k);
  assert.equal(requestKey(info, "proto", "generate", { temperature: 0, maxTokens: 8, prompt: "x" }), k, "key order does not matter");
  for (const other of [
    requestKey({ ...info, id: "m2" }, "proto", "generate", gen("x")),
    requestKey({ ...info, fingerprint: "g" }, "proto", "generate", gen("x")),
    requestKey(info, "proto2", "generate", gen("x")),
    requestKey(info, "proto", "logprobs", gen("x")),
    requestKey(info, "proto", "generate", gen("x", { seed: 1 })),
    requestKey(info, "proto", "generate", gen("x", { temperature: 0.5 })),
  ]) {
    assert.notEqual(other, k);
  }
});

test("an interrupted run resumes after the chunks that finished", async () => {
  const cache = jsonCache();
  const prompts = ["p0", "p1", "p2", "p3", "p4"];
  const broken = fakeModel({ failAfterCalls: 2 });
  await assert.rejects(withCache(broken, cache, "gen-v1", { chunkSize: 2 }).generate(prompts.map((p) => gen(p))), /interrupted/);
  assert.equal(cache.map.size, 4, "two chunks of two were stored before the failure");
  const m = fakeModel();
  const res = await withCache(m, cache, "gen-v1", { chunkSize: 2 }).generate(prompts.map((p) => gen(p)));
  assert.deepEqual(m.asked, ["g:p4"], "only the request that never finished is asked again");
  assert.deepEqual(res.map((r) => r.text), prompts.map((p) => `<${p}|0>`));
});

test("errors are cached (a rerun does not repeat them) except transient ones, which are retried", async () => {
  const cache = jsonCache();
  const m1 = fakeModel();
  const r1 = await withCache(m1, cache, "p").generate([gen("bad"), gen("busy"), gen("ok")]);
  assert.equal(r1[0].error, "prompt too long");
  assert.equal(r1[1].retryable, true);
  const m2 = fakeModel();
  const r2 = await withCache(m2, cache, "p").generate([gen("bad"), gen("busy"), gen("ok")]);
  assert.deepEqual(m2.asked, ["g:busy"]);
  assert.equal(r2[0].error, "prompt too long");
  const m3 = fakeModel();
  await withCache(m3, cache, "p", { cacheRetryable: true }).generate([gen("busy")]);
  const m4 = fakeModel();
  await withCache(m4, cache, "p").generate([gen("busy")]);
  assert.deepEqual(m4.asked, [], "with cacheRetryable the transient error was stored");
});

test("log-probabilities round-trip through a JSON store, -Infinity included; a hit streams its text once", async () => {
  const cache = jsonCache();
  const reqs = [{ context: "Q", continuation: "A" }, { context: "Q", continuation: "never" }];
  const first = await withCache(fakeModel(), cache, "ll").logprobs(reqs);
  const m = fakeModel();
  const again = await withCache(m, cache, "ll").logprobs(reqs);
  assert.deepEqual(m.asked, []);
  assert.deepEqual(again, first);
  assert.equal(again[1].logprob, Number.NEGATIVE_INFINITY);
  const seen: string[] = [];
  await withCache(fakeModel(), cache, "g").generate([gen("s")]);
  await withCache(fakeModel(), cache, "g").generate([gen("s", { onText: (d) => seen.push(d) })]);
  assert.deepEqual(seen, ["<s|0>"]);
});
