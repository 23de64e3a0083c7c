// The openai provider against real servers on 127.0.0.1: `medtune serve` over the llamacpp provider on stories260K
// (logprobs through HTTP equal the direct ones, chat/completions/streaming agree, the API key), and tiny scripted
// node:http servers for retries with backoff, Retry-After, no retry on 400, timeouts, servers that cannot score,
// and the client's concurrency bound. All traffic stays on loopback; every loop is bounded.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { isMedtuneError } from "../../src/core/index.ts";
import { openLlamaCpp, openOpenAI, requestKey, withCache, type GenerateRequest, type LogprobRequest, type Model, type RetryEvent } from "../../src/providers/index.ts";
import { startServer } from "../../src/server/index.ts";
import { sharedPath } from "../helpers/shared.ts";

async function openStories(t: TestContext): Promise<Model | null> {
  const path = sharedPath(t, "models/stories260K/stories260K.gguf");
  if (!path) return null;
  try {
    return await openLlamaCpp({ modelPath: path, contextSize: 256, gpu: false });
  } catch (e) {
    if (isMedtuneError(e) && e.code === "llamacpp.no-binary" && !process.env.CI) {
      t.skip(`SKIPPED: ${e.message}`);
      return null;
    }
    throw e;
  }
}

type Reply = { status: number; body?: unknown; headers?: Record<string, string> };

/**
 * A scripted HTTP server: `reply` decides each POST's answer from the parsed body and the hit number (1-based);
 * GET .../models is answered by `models` (default 404, like a server without the endpoint) and not counted as a hit.
 */
async function scripted(reply: (body: any, hit: number, req: IncomingMessage, res: ServerResponse) => Reply | "hang" | Promise<Reply>, models: (hit: number) => Reply | "hang" = () => ({ status: 404, body: { error: "not found" } })) {
  let hits = 0;
  let modelHits = 0;
  let inflight = 0;
  let maxInflight = 0;
  const server = createServer(async (req, res) => {
    if (req.method === "GET" && req.url?.endsWith("/models")) {
      const r = models(++modelHits);
      if (r === "hang") return;
      res.writeHead(r.status, { "content-type": "application/json", ...r.headers });
      res.end(JSON.stringify(r.body ?? {}));
      return;
    }
    hits++;
    inflight++;
    maxInflight = Math.max(maxInflight, inflight);
    let raw = "";
    for await (const c of req) raw += c;
    const r = await reply(raw ? JSON.parse(raw) : undefined, hits, req, res);
    inflight--;
    if (r === "hang") return;
    res.writeHead(r.status, { "content-type": "application/json", ...("headers" in r ? r.headers : {}) });
    res.end(JSON.stringify(r.body ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    get hits() {
      return hits;
    },
    get modelHits() {
      return modelHits;
    },
    get maxInflight() {
      return maxInflight;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const completion = (text: string) => ({ id: "x", object: "text_completion", choices: [{ index: 0, text, finish_reason: "stop", logprobs: null }], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } });

/** Swallows the open-time warnings of tests that are about something else. */
const quiet = (): void => undefined;

/** Collects warnings. */
function warnings(): { lines: string[]; warn: (m: string) => void } {
  const w = { lines: [] as string[], warn: (m: string) => void w.lines.push(m) };
  return w;
}

/** Options that record waits instead of sleeping. */
function recorder(): { sleeps: number[]; retries: RetryEvent[]; sleep: (ms: number) => Promise<void>; onRetry: (e: RetryEvent) => void } {
  const r = { sleeps: [] as number[], retries: [] as RetryEvent[], sleep: async (ms: number) => void r.sleeps.push(ms), onRetry: (e: RetryEvent) => void r.retries.push(e) };
  return r;
}

const PAIRS: LogprobRequest[] = [
  { context: "Once upon a time, there was a little", continuation: " girl named Lily" },
  { context: "Once upon a time, there was a little ", continuation: "dog" },
  { context: "The patient was given aspirin and", continuation: " she was happy." },
  { context: "Question: Lily and Tom went to the park.\nAnswer:", continuation: " B" },
  { context: "", continuation: "Once upon a time" },
];

test("through medtune serve: HTTP logprobs equal llamacpp's direct logprobs within 1e-5 (echo with max_tokens 0 and 1)", async (t) => {
  const model = await openStories(t);
  if (!model) return;
  const server = await startServer({ model, maxConcurrent: 1 });
  try {
    const direct = await model.logprobs(PAIRS);
    let maxDiff = 0;
    for (const echoMaxTokens of [0, 1] as const) {
      const w = warnings();
      const client = await openOpenAI({ baseUrl: `${server.url}/v1`, model: model.info().id, maxRetries: 0, echoMaxTokens, maxConcurrent: 3, warn: w.warn });
      assert.deepEqual(w.lines, [], "medtune serve describes its model");
      const http = await client.logprobs(PAIRS);
      http.forEach((h, i) => {
        assert.equal(h.error, undefined, h.error);
        assert.equal(h.tokens, direct[i].tokens, `pair ${i}: same continuation tokens`);
        assert.equal(h.isGreedy, direct[i].isGreedy, `pair ${i}: greedy flag`);
        maxDiff = Math.max(maxDiff, Math.abs(h.logprob - direct[i].logprob));
        h.tokenLogprobs!.forEach((x, k) => assert.ok(Math.abs(x - direct[i].tokenLogprobs![k]) < 1e-5));
      });
      assert.equal(client.info().capabilities.logprobs, true);
    }
    t.diagnostic(`direct ${direct.map((d) => d.logprob.toFixed(5)).join(", ")}; HTTP vs direct max |Δ| = ${maxDiff.toExponential(2)}`);
    assert.ok(maxDiff < 1e-5);
    assert.ok(direct.some((d) => d.isGreedy) && direct.some((d) => !d.isGreedy), "the pairs exercise both greedy flags");
  } finally {
    await server.close();
    await model.close();
  }
});

test("through medtune serve: completions, chat and streamed chat agree with the direct model at temperature 0", async (t) => {
  const model = await openStories(t);
  if (!model) return;
  const server = await startServer({ model });
  const client = await openOpenAI({ baseUrl: server.url, model: model.info().id, maxRetries: 0 });
  try {
    const reqs = [
      { prompt: "Once upon a time", maxTokens: 12, temperature: 0 },
      { messages: [{ role: "user" as const, content: "Tell me a story." }], maxTokens: 12, temperature: 0 },
      { prompt: "Lily and Tom", maxTokens: 20, temperature: 0, stop: ["."] },
    ];
    const direct = await model.generate(reqs);
    const http = await client.generate(reqs);
    http.forEach((h, i) => {
      assert.equal(h.error, undefined, h.error);
      assert.equal(h.text, direct[i].text, `request ${i}`);
      assert.equal(h.finishReason, direct[i].finishReason);
      assert.equal(h.tokens, direct[i].tokens);
      assert.equal(h.promptTokens, direct[i].promptTokens);
    });
    assert.ok(!http[2].text.includes("."));
    const res = await fetch(`${server.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ messages: [{ role: "user", content: "Tell me a story." }], max_tokens: 12, temperature: 0, stream: true }) });
    assert.equal(res.headers.get("content-type"), "text/event-stream; charset=utf-8");
    const events = (await res.text()).split("\n\n").filter(Boolean);
    assert.equal(events.at(-1), "data: [DONE]");
    const text = events.slice(0, -1).map((e) => JSON.parse(e.slice(6)).choices[0].delta.content ?? "").join("");
    assert.equal(text, direct[1].text, "streamed chunks assemble to the non-streamed text");
    const scores = await client.scoreTokens!([{ text: "Once upon a time", topLogprobs: 3 }]);
    const own = await model.scoreTokens!([{ text: "Once upon a time", topLogprobs: 3 }]);
    assert.deepEqual(scores[0].tokens, own[0].tokens);
    assert.deepEqual(scores[0].offsets, own[0].offsets);
    assert.deepEqual(scores[0].top![1]!.map((e) => e.token), own[0].top![1]!.map((e) => e.token));
  } finally {
    await server.close();
    await model.close();
  }
});

test("API key: read from the named environment variable; a missing or wrong key is a 401 error naming the variable, never the key", async (t) => {
  const model = await openStories(t);
  if (!model) return;
  const server = await startServer({ model, apiKey: "k-123456" });
  try {
    const req = [{ prompt: "Once", maxTokens: 2, temperature: 0 }];
    const w = warnings();
    const good = await openOpenAI({ baseUrl: server.url, model: "x", apiKeyEnv: "MEDTUNE_TEST_KEY", env: { MEDTUNE_TEST_KEY: "k-123456" }, maxRetries: 0, warn: w.warn });
    assert.deepEqual(w.lines, [], "GET /v1/models is sent with the key");
    assert.equal((await good.generate(req))[0].error, undefined);
    const bad = await openOpenAI({ baseUrl: server.url, model: "x", apiKeyEnv: "MEDTUNE_TEST_KEY", env: { MEDTUNE_TEST_KEY: "wrong-key" }, maxRetries: 3, warn: quiet });
    const [r] = await bad.generate(req);
    assert.match(r.error ?? "", /HTTP 401.*\$MEDTUNE_TEST_KEY/);
    assert.ok(!r.error!.includes("wrong-key") && !r.error!.includes("k-123456"));
    assert.equal(r.retryable, undefined, "401 is not transient");
    const none = await openOpenAI({ baseUrl: server.url, model: "x", env: {}, maxRetries: 0, warn: quiet });
    assert.match((await none.generate(req))[0].error ?? "", /401/);
    await assert.rejects(openOpenAI({ baseUrl: server.url, model: "x", apiKeyEnv: "bad name" }), /environment variable name/);
  } finally {
    await server.close();
    await model.close();
  }
});

test("retries: 503 twice then success is retried with growing jittered backoff; Retry-After is honoured; 400 is not retried", async () => {
  const flaky = await scripted((_body, hit) => (hit <= 2 ? { status: 503, body: { error: { message: "overloaded" } } } : { status: 200, body: completion("fine") }));
  const rec = recorder();
  try {
    const client = await openOpenAI({ baseUrl: flaky.url, model: "m", warn: quiet, maxRetries: 4, baseDelayMs: 100, maxDelayMs: 10_000, random: () => 0.5, sleep: rec.sleep, onRetry: rec.onRetry });
    const [r] = await client.generate([{ prompt: "hi", maxTokens: 2, temperature: 0 }]);
    assert.equal(r.error, undefined, r.error);
    assert.equal(r.text, "fine");
    assert.equal(flaky.hits, 3, "two failures, then the success");
    assert.deepEqual(rec.retries.map((e) => [e.attempt, e.status, e.reason]), [[1, 503, "HTTP 503"], [2, 503, "HTTP 503"]]);
    assert.deepEqual(rec.sleeps, [50, 100], "full jitter: random·base·2^attempt");
  } finally {
    await flaky.close();
  }
  const limited = await scripted((_b, hit) => (hit === 1 ? { status: 429, body: { error: { message: "slow down" } }, headers: { "retry-after": "2" } } : { status: 200, body: completion("ok") }));
  const rec2 = recorder();
  try {
    const client = await openOpenAI({ baseUrl: limited.url, model: "m", warn: quiet, random: () => 0, sleep: rec2.sleep, onRetry: rec2.onRetry });
    const [r] = await client.generate([{ prompt: "hi", maxTokens: 2, temperature: 0 }]);
    assert.equal(r.text, "ok");
    assert.deepEqual(rec2.sleeps, [2000], "Retry-After: 2 waits 2 s, not the jittered backoff");
  } finally {
    await limited.close();
  }
  const strict = await scripted(() => ({ status: 400, body: { error: { message: "max_tokens is too large" } } }));
  const rec3 = recorder();
  try {
    const client = await openOpenAI({ baseUrl: strict.url, model: "m", warn: quiet, sleep: rec3.sleep });
    const [r] = await client.generate([{ prompt: "hi", maxTokens: 2, temperature: 0 }]);
    assert.equal(strict.hits, 1, "a 400 is not retried");
    assert.match(r.error ?? "", /HTTP 400: max_tokens is too large/);
    assert.deepEqual(rec3.sleeps, []);
  } finally {
    await strict.close();
  }
  const down = await scripted(() => ({ status: 200 }));
  const downUrl = down.url;
  await down.close();
  const rec4 = recorder();
  const client = await openOpenAI({ baseUrl: downUrl, model: "m", warn: quiet, maxRetries: 2, sleep: rec4.sleep });
  const [r] = await client.generate([{ prompt: "hi", maxTokens: 2, temperature: 0 }]);
  assert.match(r.error ?? "", /could not reach .*ECONNREFUSED.*after 3 attempts/);
  assert.equal(r.retryable, true, "a network failure is transient (not cached)");
  assert.equal(rec4.sleeps.length, 2);
});

test("timeout: a server that never answers fails the request after timeoutMs, retried, then reported as transient", async () => {
  const hang = await scripted(() => "hang");
  const rec = recorder();
  try {
    const client = await openOpenAI({ baseUrl: hang.url, model: "m", warn: quiet, timeoutMs: 150, maxRetries: 1, sleep: rec.sleep, onRetry: rec.onRetry });
    const [r] = await client.generate([{ prompt: "hi", maxTokens: 2, temperature: 0 }]);
    assert.match(r.error ?? "", /did not answer within 150 ms \(after 2 attempts\)/);
    assert.equal(r.retryable, true);
    assert.equal(hang.hits, 2);
    assert.deepEqual(rec.retries.map((e) => e.reason), ["timeout"]);
  } finally {
    await hang.close();
  }
});

test("servers that cannot score say so on every result, without crashing or hammering the server", async () => {
  // Like llama.cpp's server: logprobs only for the generated token, no echo of the prompt.
  const noEcho = await scripted(() => ({ status: 200, body: { choices: [{ index: 0, text: " x", logprobs: { tokens: [" x"], token_logprobs: [-0.5], top_logprobs: [{ " x": -0.5 }], text_offset: [0] } }] } }));
  try {
    const client = await openOpenAI({ baseUrl: noEcho.url, model: "m", warn: quiet });
    const res = await client.logprobs(PAIRS.slice(0, 3));
    for (const r of res) assert.match(r.error ?? "", /does not return log-probabilities of prompt tokens/);
    assert.equal(client.info().capabilities.logprobs, false);
    const hitsAfter = noEcho.hits;
    const again = await client.logprobs(PAIRS.slice(0, 2));
    assert.match(again[0].error ?? "", /cannot score/);
    assert.equal(noEcho.hits, hitsAfter, "once known, no more scoring requests are sent");
  } finally {
    await noEcho.close();
  }
  const chatOnly = await scripted((_b, _h, req) => (req.url?.endsWith("/completions") && !req.url.includes("chat") ? { status: 404, body: { error: "not found" } } : { status: 200, body: {} }));
  try {
    const client = await openOpenAI({ baseUrl: chatOnly.url, model: "m", warn: quiet });
    const [r] = await client.logprobs([PAIRS[0]]);
    assert.match(r.error ?? "", /no \/completions endpoint/);
    const off = await openOpenAI({ baseUrl: chatOnly.url, model: "m", warn: quiet, logprobs: false });
    assert.match((await off.logprobs([PAIRS[0]]))[0].error ?? "", /logprobs: false/);
    const [bad] = await client.generate([{ messages: [{ role: "user", content: "hi" }], maxTokens: 2, temperature: 0 }]);
    assert.match(bad.error ?? "", /no choices\[0\]\.message\.content/, "a malformed answer is an error, not a crash");
  } finally {
    await chatOnly.close();
  }
});

test("the client keeps at most maxConcurrent requests in flight", async () => {
  const slow = await scripted(async () => {
    await new Promise((r) => setTimeout(r, 20));
    return { status: 200, body: completion("ok") };
  });
  try {
    const client = await openOpenAI({ baseUrl: slow.url, model: "m", warn: quiet, maxConcurrent: 2 });
    const res = await client.generate(Array.from({ length: 8 }, (_, i) => ({ prompt: `p${i}`, maxTokens: 1, temperature: 0 })));
    assert.ok(res.every((r) => r.text === "ok"));
    assert.equal(slow.hits, 8);
    assert.ok(slow.maxInflight <= 2, `max in flight ${slow.maxInflight}`);
    assert.equal(slow.maxInflight, 2, "and it does use both slots");
  } finally {
    await slow.close();
  }
});

const nowS = () => Math.floor(Date.now() / 1000);
const list = (...data: Record<string, unknown>[]) => ({ status: 200, body: { object: "list", data } });
const ASK: GenerateRequest[] = [{ prompt: "hi", maxTokens: 2, temperature: 0 }];

test("cache fingerprint: follows the served model's /v1/models metadata, ignores request-time fields, keeps caches apart", async () => {
  // vLLM: `created` is the time of the request and `permission` ids are random; `root` names the weights.
  let entry: Record<string, unknown> = { id: "m", object: "model", owned_by: "vllm", root: "/models/m-v1", max_model_len: 4096 };
  const server = await scripted(() => ({ status: 200, body: completion("answer") }), (hit) => list({ ...entry, created: nowS() - hit, permission: [{ id: `modelperm-${hit}`, created: nowS() }] }));
  const w = warnings();
  const open = () => openOpenAI({ baseUrl: server.url, model: "m", maxRetries: 0, warn: w.warn });
  try {
    const a = await open();
    const b = await open();
    assert.equal(b.info().fingerprint, a.info().fingerprint, "request-time created and permission ids do not change it");
    entry = { ...entry, root: "/models/m-v2" };
    const retuned = await open();
    assert.notEqual(retuned.info().fingerprint, a.info().fingerprint, "new weights behind the same name: a new fingerprint");
    // The request cache: the same model reuses its answers, the retuned one asks the server again.
    const cache = new Map<string, unknown>();
    await withCache(a, cache, "p").generate(ASK);
    assert.equal(server.hits, 1);
    await withCache(b, cache, "p").generate(ASK);
    assert.equal(server.hits, 1, "same metadata: served from the cache");
    await withCache(retuned, cache, "p").generate(ASK);
    assert.equal(server.hits, 2, "changed metadata: not a stale cached answer");
    // llama.cpp server: `meta` describes the GGUF; its n_ctx is the -c setting, not the weights.
    entry = { id: "models/m.gguf", object: "model", owned_by: "llamacpp", meta: { vocab_type: 1, n_vocab: 32000, n_ctx: 4096, n_ctx_train: 4096, n_embd: 64, n_params: 1000, size: 2000 } };
    const lc = await open();
    assert.notEqual(lc.info().fingerprint, a.info().fingerprint, "a lone listed model stands for any requested name");
    entry = { ...entry, meta: { ...(entry.meta as object), n_ctx: 8192 } };
    assert.equal((await open()).info().fingerprint, lc.info().fingerprint, "the context setting is not the weights");
    entry = { ...entry, meta: { ...(entry.meta as object), size: 2004 } };
    assert.notEqual((await open()).info().fingerprint, lc.info().fingerprint, "a different file size is a different model");
    assert.deepEqual(w.lines, []);
  } finally {
    await server.close();
  }
  // Ollama: `created` is when the model was made (kept); "m" is listed as "m:latest" among others.
  let created = 1_700_000_000;
  const ollama = await scripted(() => ({ status: 200, body: completion("x") }), () => list({ id: "other:latest", object: "model", created: 1, owned_by: "library" }, { id: "m:latest", object: "model", created, owned_by: "library" }));
  try {
    const first = await openOpenAI({ baseUrl: ollama.url, model: "m", warn: quiet });
    assert.equal((await openOpenAI({ baseUrl: ollama.url, model: "m", warn: quiet })).info().fingerprint, first.info().fingerprint);
    created += 600;
    assert.notEqual((await openOpenAI({ baseUrl: ollama.url, model: "m", warn: quiet })).info().fingerprint, first.info().fingerprint, "a re-created model");
    const w2 = warnings();
    const missing = await openOpenAI({ baseUrl: ollama.url, model: "absent", warn: w2.warn });
    assert.equal(missing.info().id, "absent");
    assert.equal(w2.lines.length, 1);
    assert.match(w2.lines[0], /lists "other:latest", "m:latest", not "absent".*cannot detect changed weights/);
  } finally {
    await ollama.close();
  }
});

test("cache-tag: a new tag is a new cache namespace; the same tag reuses it", async () => {
  const server = await scripted(() => ({ status: 200, body: completion("answer") }), () => list({ id: "m", object: "model", owned_by: "vllm", root: "/models/m" }));
  try {
    const open = (cacheTag?: string) => openOpenAI({ baseUrl: server.url, model: "m", cacheTag, warn: quiet });
    const [none, v2, v2again, v3] = [await open(), await open("v2"), await open("v2"), await open("v3")];
    const fps = [none, v2, v3].map((m) => m.info().fingerprint);
    assert.equal(new Set(fps).size, 3, "no tag, v2 and v3 are three namespaces");
    assert.equal(v2again.info().fingerprint, v2.info().fingerprint);
    assert.notEqual(requestKey(v2.info(), "p", "generate", ASK[0]), requestKey(none.info(), "p", "generate", ASK[0]));
    const cache = new Map<string, unknown>();
    await withCache(none, cache, "p").generate(ASK);
    await withCache(v2, cache, "p").generate(ASK);
    await withCache(v2again, cache, "p").generate(ASK);
    assert.equal(server.hits, 2, "v2 missed the untagged entry once, then hit its own");
  } finally {
    await server.close();
  }
});

test("a server without GET /v1/models (404, unreachable at open, hung) still works, with one warning line", async () => {
  const server = await scripted(() => ({ status: 200, body: completion("fine") }));
  try {
    const w = warnings();
    const a = await openOpenAI({ baseUrl: server.url, model: "m", warn: w.warn });
    assert.equal(w.lines.length, 1);
    assert.ok(!w.lines[0].includes("\n"), "one line");
    assert.match(w.lines[0], /\/v1\/models answered HTTP 404, so the request cache cannot detect changed weights behind "m"; after changing the weights, add cache-tag=NAME/);
    assert.equal((await a.generate(ASK))[0].text, "fine");
    const b = await openOpenAI({ baseUrl: server.url, model: "m", warn: w.warn });
    assert.equal(b.info().fingerprint, a.info().fingerprint, "the fallback fingerprint is stable, so reruns still hit the cache");
    await openOpenAI({ baseUrl: server.url, model: "m", cacheTag: "v2", warn: w.warn });
    assert.match(w.lines[2], /beyond cache-tag=v2$/);
  } finally {
    await server.close();
  }
  const gone = await scripted(() => ({ status: 200 }));
  await gone.close();
  const w = warnings();
  const down = await openOpenAI({ baseUrl: gone.url, model: "m", maxRetries: 0, warn: w.warn });
  assert.match(w.lines[0], /could not reach .*\/v1\/models: ECONNREFUSED/);
  assert.match((await down.generate(ASK))[0].error ?? "", /ECONNREFUSED/, "requests report the network error as usual");
  const hung = await scripted(() => ({ status: 200, body: completion("late but fine") }), () => "hang");
  try {
    const w2 = warnings();
    const m = await openOpenAI({ baseUrl: hung.url, model: "m", timeoutMs: 100, warn: w2.warn });
    assert.match(w2.lines[0], /did not answer within 100 ms/);
    assert.equal((await m.generate(ASK))[0].text, "late but fine");
  } finally {
    await hung.close();
  }
});

test("medtune serve reports its model's fingerprint on /v1/models, so medtune-to-medtune caching is exact", async () => {
  const fake = (fingerprint: string): Model => ({
    info: () => ({ id: "tuned", provider: "llamacpp", fingerprint, capabilities: { logprobs: false, chat: false } }),
    generate: async (rs) => rs.map(() => ({ text: "ok", latencyMs: 0 })),
    logprobs: async () => [],
    close: async () => undefined,
  });
  const servers = await Promise.all([startServer({ model: fake("f1") }), startServer({ model: fake("f1") }), startServer({ model: fake("f2") })]);
  try {
    const listed = (await (await fetch(`${servers[0].url}/v1/models`)).json()) as { data: Array<{ medtune?: unknown }> };
    assert.deepEqual(listed.data[0].medtune, { provider: "llamacpp", fingerprint: "f1" });
    const w = warnings();
    const [a, b, c] = await Promise.all(servers.map((s) => openOpenAI({ baseUrl: s.url, model: "tuned", warn: w.warn })));
    assert.deepEqual(w.lines, []);
    assert.equal(b.info().fingerprint, a.info().fingerprint, "the same weights on another port: the same cache");
    assert.notEqual(c.info().fingerprint, a.info().fingerprint, "other weights under the same name: another cache");
  } finally {
    await Promise.all(servers.map((s) => s.close()));
  }
});

test("bad options are clear errors at creation", async () => {
  await assert.rejects(openOpenAI({ baseUrl: "not a url", model: "m" }), /baseUrl is not a URL/);
  await assert.rejects(openOpenAI({ baseUrl: "ftp://x/v1", model: "m" }), /http or https/);
  await assert.rejects(openOpenAI({ baseUrl: "http://127.0.0.1:1/v1", model: "" }), /model must name/);
  await assert.rejects(openOpenAI({ baseUrl: "http://127.0.0.1:1/v1", model: "m", maxConcurrent: 0 }), /maxConcurrent/);
  await assert.rejects(openOpenAI({ baseUrl: "http://127.0.0.1:1/v1", model: "m", cacheTag: "" }), /cacheTag must be a non-empty string/);
  assert.equal((await openOpenAI({ baseUrl: "http://127.0.0.1:1", model: "m", warn: quiet })).info().path, "http://127.0.0.1:1/v1", "a bare host gets /v1");
  assert.equal((await openOpenAI({ baseUrl: "http://127.0.0.1:1/api/v1/", model: "m", warn: quiet })).info().path, "http://127.0.0.1:1/api/v1");
});

test("openModel opens providers by name and names the choices for an unknown one", async () => {
  const { openModel } = await import("../../src/providers/index.ts");
  const m = await openModel({ provider: "openai", baseUrl: "http://127.0.0.1:1/v1", model: "m", warn: quiet });
  assert.equal(m.info().provider, "openai");
  await assert.rejects(openModel({ provider: "nope" } as never), (e: unknown) => isMedtuneError(e) && /unknown provider "nope".*llamacpp, openai/.test(e.oneLine()));
});
