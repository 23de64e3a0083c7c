// The openai provider against real servers on 127.0.0.1: `medtune serve` over the llamacpp provider on stories260K
// (logprobs through HTTP equal the direct ones, chat/completions/streaming agree, the API key), and tiny scripted
// node:http servers for retries with backoff, Retry-After, no retry on 400, timeouts, servers that cannot score,
// and the client's concurrency bound. All traffic stays on loopback; every loop is bounded.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { isMedtuneError } from "../../src/core/index.ts";
import { openLlamaCpp, openOpenAI, type LogprobRequest, type Model, type RetryEvent } from "../../src/providers/index.ts";
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

/** A scripted HTTP server: `reply` decides each answer from the parsed body and the hit number (1-based). */
async function scripted(reply: (body: any, hit: number, req: IncomingMessage, res: ServerResponse) => { status: number; body?: unknown; headers?: Record<string, string> } | "hang" | Promise<{ status: number; body?: unknown }>) {
  let hits = 0;
  let inflight = 0;
  let maxInflight = 0;
  const server = createServer(async (req, res) => {
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
      const client = openOpenAI({ baseUrl: `${server.url}/v1`, model: model.info().id, maxRetries: 0, echoMaxTokens, maxConcurrent: 3 });
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
  const client = openOpenAI({ baseUrl: server.url, model: model.info().id, maxRetries: 0 });
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
    const good = openOpenAI({ baseUrl: server.url, model: "x", apiKeyEnv: "MEDTUNE_TEST_KEY", env: { MEDTUNE_TEST_KEY: "k-123456" }, maxRetries: 0 });
    assert.equal((await good.generate(req))[0].error, undefined);
    const bad = openOpenAI({ baseUrl: server.url, model: "x", apiKeyEnv: "MEDTUNE_TEST_KEY", env: { MEDTUNE_TEST_KEY: "wrong-key" }, maxRetries: 3 });
    const [r] = await bad.generate(req);
    assert.match(r.error ?? "", /HTTP 401.*\$MEDTUNE_TEST_KEY/);
    assert.ok(!r.error!.includes("wrong-key") && !r.error!.includes("k-123456"));
    assert.equal(r.retryable, undefined, "401 is not transient");
    const none = openOpenAI({ baseUrl: server.url, model: "x", env: {}, maxRetries: 0 });
    assert.match((await none.generate(req))[0].error ?? "", /401/);
    assert.throws(() => openOpenAI({ baseUrl: server.url, model: "x", apiKeyEnv: "bad name" }), /environment variable name/);
  } finally {
    await server.close();
    await model.close();
  }
});

test("retries: 503 twice then success is retried with growing jittered backoff; Retry-After is honoured; 400 is not retried", async () => {
  const flaky = await scripted((_body, hit) => (hit <= 2 ? { status: 503, body: { error: { message: "overloaded" } } } : { status: 200, body: completion("fine") }));
  const rec = recorder();
  try {
    const client = openOpenAI({ baseUrl: flaky.url, model: "m", maxRetries: 4, baseDelayMs: 100, maxDelayMs: 10_000, random: () => 0.5, sleep: rec.sleep, onRetry: rec.onRetry });
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
    const client = openOpenAI({ baseUrl: limited.url, model: "m", random: () => 0, sleep: rec2.sleep, onRetry: rec2.onRetry });
    const [r] = await client.generate([{ prompt: "hi", maxTokens: 2, temperature: 0 }]);
    assert.equal(r.text, "ok");
    assert.deepEqual(rec2.sleeps, [2000], "Retry-After: 2 waits 2 s, not the jittered backoff");
  } finally {
    await limited.close();
  }
  const strict = await scripted(() => ({ status: 400, body: { error: { message: "max_tokens is too large" } } }));
  const rec3 = recorder();
  try {
    const client = openOpenAI({ baseUrl: strict.url, model: "m", sleep: rec3.sleep });
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
  const client = openOpenAI({ baseUrl: downUrl, model: "m", maxRetries: 2, sleep: rec4.sleep });
  const [r] = await client.generate([{ prompt: "hi", maxTokens: 2, temperature: 0 }]);
  assert.match(r.error ?? "", /could not reach .*ECONNREFUSED.*after 3 attempts/);
  assert.equal(r.retryable, true, "a network failure is transient (not cached)");
  assert.equal(rec4.sleeps.length, 2);
});

test("timeout: a server that never answers fails the request after timeoutMs, retried, then reported as transient", async () => {
  const hang = await scripted(() => "hang");
  const rec = recorder();
  try {
    const client = openOpenAI({ baseUrl: hang.url, model: "m", timeoutMs: 150, maxRetries: 1, sleep: rec.sleep, onRetry: rec.onRetry });
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
    const client = openOpenAI({ baseUrl: noEcho.url, model: "m" });
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
    const client = openOpenAI({ baseUrl: chatOnly.url, model: "m" });
    const [r] = await client.logprobs([PAIRS[0]]);
    assert.match(r.error ?? "", /no \/completions endpoint/);
    const off = openOpenAI({ baseUrl: chatOnly.url, model: "m", logprobs: false });
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
    const client = openOpenAI({ baseUrl: slow.url, model: "m", maxConcurrent: 2 });
    const res = await client.generate(Array.from({ length: 8 }, (_, i) => ({ prompt: `p${i}`, maxTokens: 1, temperature: 0 })));
    assert.ok(res.every((r) => r.text === "ok"));
    assert.equal(slow.hits, 8);
    assert.ok(slow.maxInflight <= 2, `max in flight ${slow.maxInflight}`);
    assert.equal(slow.maxInflight, 2, "and it does use both slots");
  } finally {
    await slow.close();
  }
});

test("bad options are clear errors at creation", () => {
  assert.throws(() => openOpenAI({ baseUrl: "not a url", model: "m" }), /baseUrl is not a URL/);
  assert.throws(() => openOpenAI({ baseUrl: "ftp://x/v1", model: "m" }), /http or https/);
  assert.throws(() => openOpenAI({ baseUrl: "http://127.0.0.1:1/v1", model: "" }), /model must name/);
  assert.throws(() => openOpenAI({ baseUrl: "http://127.0.0.1:1/v1", model: "m", maxConcurrent: 0 }), /maxConcurrent/);
  assert.equal(openOpenAI({ baseUrl: "http://127.0.0.1:1", model: "m" }).info().path, "http://127.0.0.1:1/v1", "a bare host gets /v1");
  assert.equal(openOpenAI({ baseUrl: "http://127.0.0.1:1/api/v1/", model: "m" }).info().path, "http://127.0.0.1:1/api/v1");
});

test("openModel opens providers by name and names the choices for an unknown one", async () => {
  const { openModel } = await import("../../src/providers/index.ts");
  const m = await openModel({ provider: "openai", baseUrl: "http://127.0.0.1:1/v1", model: "m" });
  assert.equal(m.info().provider, "openai");
  await assert.rejects(openModel({ provider: "nope" } as never), (e: unknown) => isMedtuneError(e) && /unknown provider "nope".*llamacpp, openai/.test(e.oneLine()));
});
