// `medtune serve` mechanics over a scripted fake Model on 127.0.0.1 (ephemeral ports): routes and OpenAI error
// shapes, the API key, the body limit (413), the bounded queue (429), SSE streaming, echo/logprobs, request
// validation, model errors, and a graceful close. Parity with llama.cpp is in test/providers/openai.test.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { startServer, type RunningServer } from "../../src/server/index.ts";
import type { GenerateRequest, GenerateResult, Model, ScoreTokensRequest, TokenScores } from "../../src/providers/index.ts";

/** A fake model: echoes its prompt in pieces; prompts starting "hold" wait until released; "fail:" fails. */
function fakeModel(): Model & { calls: number; hold: () => void; release: () => void; started: number } {
  let gate: Promise<void> = Promise.resolve();
  let open: () => void = () => undefined;
  const m = {
    calls: 0,
    started: 0,
    hold() {
      gate = new Promise<void>((r) => (open = r));
    },
    release: () => open(),
    info: () => ({ id: "fake-model", provider: "test", contextLength: 64, capabilities: { logprobs: true, chat: true } }),
    close: async () => undefined,
    async generate(reqs: GenerateRequest[]): Promise<GenerateResult[]> {
      m.calls++;
      return Promise.all(
        reqs.map(async (r) => {
          const src = r.prompt ?? r.messages!.map((x) => `${x.role}:${x.content}`).join("|");
          m.started++;
          if (src.startsWith("hold") || src.includes("user:hold")) await gate;
          if (src.startsWith("fail:")) return { text: "", latencyMs: 1, error: src.slice(5), ...(src.includes("busy") ? { retryable: true } : {}) };
          if (src.startsWith("throw")) throw new Error("boom");
          const text = ` reply to ${src}`.slice(0, r.maxTokens * 4);
          const pieces = text.match(/.{1,4}/gs) ?? [];
          for (const p of pieces) r.onText?.(p);
          return { text, finishReason: text.length < ` reply to ${src}`.length ? ("length" as const) : ("stop" as const), tokens: pieces.length, promptTokens: src.length + 1, latencyMs: 1 };
        }),
      );
    },
    async logprobs() {
      return [];
    },
    async scoreTokens(reqs: ScoreTokensRequest[]): Promise<TokenScores[]> {
      return reqs.map((r) => {
        const chars = Array.from(r.text);
        return {
          tokens: ["<s>", ...chars],
          offsets: [0, ...chars.map((_, i) => i)],
          logprobs: [null, ...chars.map((c) => (c === "!" ? Number.NEGATIVE_INFINITY : -c.charCodeAt(0) / 100))],
          top: [null, ...chars.map((c) => [{ token: "x", logprob: -0.1 }, { token: c, logprob: -c.charCodeAt(0) / 100 }].slice(0, r.topLogprobs ?? 0))],
        };
      });
    },
  };
  return m;
}

async function call(s: RunningServer, path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<{ status: number; json: any; text: string; headers: Headers }> {
  const res = await fetch(`${s.url}${path}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: { "content-type": "application/json", ...init.headers },
    body: init.body === undefined ? undefined : typeof init.body === "string" ? init.body : JSON.stringify(init.body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}

function assertOpenAIError(r: { status: number; json: any }, status: number, pattern: RegExp, param?: string): void {
  assert.equal(r.status, status, JSON.stringify(r.json));
  assert.equal(typeof r.json.error.message, "string");
  assert.match(r.json.error.message, pattern);
  assert.equal(typeof r.json.error.type, "string");
  assert.ok("param" in r.json.error && "code" in r.json.error);
  if (param !== undefined) assert.equal(r.json.error.param, param);
}

/** Parses an SSE body into its JSON events; checks it ends with [DONE]. */
function sse(text: string): any[] {
  const events = text.split("\n\n").filter((e) => e.length > 0);
  assert.equal(events.at(-1), "data: [DONE]");
  return events.slice(0, -1).map((e) => {
    assert.match(e, /^data: /);
    return JSON.parse(e.slice(6));
  });
}

test("GET /v1/models lists the model (with its fingerprint when it has one); unknown routes are 404 and wrong methods 405, in OpenAI's error shape", async () => {
  const s = await startServer({ model: fakeModel() });
  try {
    assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const r = await call(s, "/v1/models");
    assert.equal(r.status, 200);
    assert.equal(r.json.object, "list");
    assert.deepEqual(r.json.data.map((m: { id: string }) => m.id), ["fake-model"]);
    assert.equal((await call(s, "/v1/models/fake-model")).json.id, "fake-model");
    assertOpenAIError(await call(s, "/v1/models/other"), 404, /not served here/);
    assertOpenAIError(await call(s, "/v1/embeddings", { body: {} }), 404, /no route/);
    assertOpenAIError(await call(s, "/v1/completions"), 405, /takes POST/);
    assert.deepEqual((await call(s, "/health")).json, { status: "ok" });
    assert.equal(r.json.data[0].medtune, undefined, "a model without a fingerprint has nothing to report");
  } finally {
    await s.close();
  }
  const model = fakeModel();
  const fingerprinted: Model = { ...model, info: () => ({ ...model.info(), fingerprint: "ab12" }) };
  const f = await startServer({ model: fingerprinted, modelName: "served-name" });
  try {
    const listed = await call(f, "/v1/models");
    assert.deepEqual(listed.json.data[0].medtune, { provider: "test", fingerprint: "ab12" }, "the served model's fingerprint, for exact client caches");
    assert.deepEqual((await call(f, "/v1/models/served-name")).json.medtune, { provider: "test", fingerprint: "ab12" });
  } finally {
    await f.close();
  }
});

test("API key: a missing or wrong Bearer token is 401 and the model is never asked", async () => {
  const model = fakeModel();
  const s = await startServer({ model, apiKey: "s3cret-key" });
  try {
    const body = { prompt: "hi", max_tokens: 2 };
    assertOpenAIError(await call(s, "/v1/completions", { body }), 401, /API key/);
    assertOpenAIError(await call(s, "/v1/completions", { body, headers: { authorization: "Bearer wrong" } }), 401, /API key/);
    assertOpenAIError(await call(s, "/v1/models", { headers: { authorization: "Basic s3cret-key" } }), 401, /API key/);
    assert.equal(model.calls, 0);
    const ok = await call(s, "/v1/completions", { body, headers: { authorization: "Bearer s3cret-key" } });
    assert.equal(ok.status, 200);
    assert.equal(model.calls, 1);
    assert.ok(!ok.text.includes("s3cret"), "the key never appears in answers");
    assert.equal((await call(s, "/health")).status, 200, "the health check needs no key");
  } finally {
    await s.close();
  }
});

test("request size limit: a declared or streamed body over the limit is 413", async () => {
  const model = fakeModel();
  const s = await startServer({ model, maxBodyBytes: 1000 });
  try {
    assertOpenAIError(await call(s, "/v1/completions", { body: { prompt: "x".repeat(5000), max_tokens: 1 } }), 413, /at most 1000/);
    // Chunked transfer (no Content-Length): the limit applies while reading.
    const status = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${s.url}/v1/completions`, { method: "POST", headers: { "content-type": "application/json", "transfer-encoding": "chunked" } }, (res) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on("error", reject);
      req.write(`{"prompt": "${"y".repeat(800)}`);
      req.end(`${"z".repeat(800)}", "max_tokens": 1}`);
    });
    assert.equal(status.status, 413);
    assert.match(JSON.parse(status.body).error.message, /exceeds 1000 bytes/);
    assert.equal(model.calls, 0);
    assert.equal((await call(s, "/v1/completions", { body: { prompt: "small", max_tokens: 1 } })).status, 200, "the server still serves");
  } finally {
    await s.close();
  }
});

test("bounded concurrency: beyond maxConcurrent running and maxQueue waiting, requests get 429 with Retry-After", async () => {
  const model = fakeModel();
  model.hold();
  const s = await startServer({ model, maxConcurrent: 1, maxQueue: 1 });
  try {
    const body = (p: string) => ({ prompt: p, max_tokens: 10 });
    const first = call(s, "/v1/completions", { body: body("hold 1") });
    for (let i = 0; i < 200 && model.started < 1; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(model.started, 1, "the first request is running");
    const second = call(s, "/v1/completions", { body: body("hold 2") });
    // Give the second request time to reach the queue: poll until the third sees the queue full.
    let third = await call(s, "/v1/completions", { body: body("third") });
    for (let i = 0; i < 200 && third.status !== 429; i++) {
      await new Promise((r) => setTimeout(r, 5));
      third = await call(s, "/v1/completions", { body: body("third") });
    }
    assertOpenAIError(third, 429, /busy/);
    assert.equal(third.json.error.type, "rate_limit_error");
    assert.equal(third.headers.get("retry-after"), "1");
    model.release();
    const [a, b] = await Promise.all([first, second]);
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    assert.equal(b.json.choices[0].text, " reply to hold 2");
  } finally {
    await s.close();
  }
});

test("chat completions: the answer's shape, and SSE chunks that assemble to the same text", async () => {
  const s = await startServer({ model: fakeModel() });
  try {
    const messages = [{ role: "system", content: "be brief" }, { role: "user", content: [{ type: "text", text: "hello" }] }];
    const r = await call(s, "/v1/chat/completions", { body: { model: "fake-model", messages, max_tokens: 50, seed: 3 } });
    assert.equal(r.status, 200);
    assert.equal(r.json.object, "chat.completion");
    assert.match(r.json.id, /^chatcmpl-/);
    assert.equal(r.json.model, "fake-model");
    assert.deepEqual(r.json.choices[0].message, { role: "assistant", content: " reply to system:be brief|user:hello" });
    assert.equal(r.json.choices[0].finish_reason, "stop");
    assert.equal(r.json.usage.total_tokens, r.json.usage.prompt_tokens + r.json.usage.completion_tokens);
    const st = await call(s, "/v1/chat/completions", { body: { messages, max_tokens: 50, seed: 3, stream: true, stream_options: { include_usage: true } } });
    const events = sse(st.text);
    assert.deepEqual(events[0].choices[0].delta, { role: "assistant", content: "" });
    assert.ok(events.every((e) => e.object === "chat.completion.chunk" && e.id === events[0].id));
    const deltas = events.flatMap((e) => e.choices.map((c: { delta: { content?: string } }) => c.delta.content ?? ""));
    assert.ok(events.length > 4, "the text arrives in several chunks");
    assert.equal(deltas.join(""), r.json.choices[0].message.content);
    const finish = events.filter((e) => e.choices[0]?.finish_reason);
    assert.deepEqual(finish.map((e) => e.choices[0].finish_reason), ["stop"]);
    assert.deepEqual(events.at(-1).usage, r.json.usage);
    const cut = await call(s, "/v1/chat/completions", { body: { messages: [{ role: "user", content: "a long question" }], max_tokens: 2 } });
    assert.equal(cut.json.choices[0].finish_reason, "length");
    const streamed = await call(s, "/v1/completions", { body: { prompt: "abc", max_tokens: 10, stream: true } });
    const ev = sse(streamed.text);
    assert.equal(ev.map((e) => e.choices[0].text).join(""), " reply to abc");
    assert.equal(ev.at(-1).choices[0].finish_reason, "stop");
  } finally {
    await s.close();
  }
});

test("completions with echo and logprobs: OpenAI's legacy logprobs object; -Infinity is served as -9999", async () => {
  const s = await startServer({ model: fakeModel() });
  try {
    const r = await call(s, "/v1/completions", { body: { prompt: "ab!", max_tokens: 0, echo: true, logprobs: 1, temperature: 0 } });
    assert.equal(r.status, 200, r.text);
    const c = r.json.choices[0];
    assert.equal(c.text, "ab!");
    assert.deepEqual(c.logprobs.tokens, ["<s>", "a", "b", "!"]);
    assert.deepEqual(c.logprobs.text_offset, [0, 0, 1, 2]);
    assert.equal(c.logprobs.token_logprobs[0], null, "the first token has no log-probability");
    assert.deepEqual(c.logprobs.token_logprobs.slice(1), [-0.97, -0.98, -9999]);
    assert.equal(c.logprobs.top_logprobs[0], null);
    assert.deepEqual(c.logprobs.top_logprobs[1], { x: -0.1 });
    assert.equal(c.finish_reason, "length");
    // max_tokens 1 with echo (lm-eval's local-completions): the generated token follows, offsets continue.
    const g = await call(s, "/v1/completions", { body: { prompt: "ab", max_tokens: 1, echo: true, logprobs: 2 } });
    const gl = g.json.choices[0].logprobs;
    assert.equal(g.json.choices[0].text, "ab rep");
    assert.deepEqual(gl.tokens.slice(0, 3), ["<s>", "a", "b"]);
    assert.deepEqual(gl.text_offset, [0, 0, 1, 2, 3, 4, 5]);
    assert.equal(gl.tokens.slice(3).join(""), " rep");
    assert.deepEqual(Object.keys(gl.top_logprobs[1]).sort(), ["a", "x"]);
    // Without echo, only the generated tokens, offsets from the start of the returned text.
    const n = await call(s, "/v1/completions", { body: { prompt: "ab", max_tokens: 1, logprobs: 0 } });
    assert.deepEqual(n.json.choices[0].logprobs.text_offset, [0, 1, 2, 3]);
    assert.equal(n.json.choices[0].logprobs.tokens.join(""), " rep");
    // Several prompts give several choices.
    const many = await call(s, "/v1/completions", { body: { prompt: ["a", "b"], max_tokens: 3 } });
    assert.deepEqual(many.json.choices.map((x: { index: number; text: string }) => [x.index, x.text]), [[0, " reply to a"], [1, " reply to b"]]);
  } finally {
    await s.close();
  }
});

test("bad requests are 400 naming the field; model errors are 400 (503 when transient), exceptions 500", async () => {
  const s = await startServer({ model: fakeModel() });
  try {
    const post = (path: string, body: unknown) => call(s, path, { body });
    assertOpenAIError(await post("/v1/completions", { max_tokens: 2 }), 400, /prompt is required/, "prompt");
    assertOpenAIError(await post("/v1/completions", { prompt: [1, 2, 3] }), 400, /token-id prompts/, "prompt");
    assertOpenAIError(await post("/v1/completions", { prompt: "a", n: 2 }), 400, /n > 1/, "n");
    assertOpenAIError(await post("/v1/completions", { prompt: "a", temperature: 3 }), 400, /temperature must be/, "temperature");
    assertOpenAIError(await post("/v1/completions", { prompt: "a", max_tokens: -1 }), 400, /max_tokens/, "max_tokens");
    assertOpenAIError(await post("/v1/completions", { prompt: "a", stream: true, echo: true }), 400, /stream cannot/, "stream");
    assertOpenAIError(await post("/v1/completions", { prompt: "a", logprobs: 50 }), 400, /logprobs/, "logprobs");
    assertOpenAIError(await post("/v1/completions", { prompt: "a", presence_penalty: 0.5 }), 400, /not supported/, "presence_penalty");
    assertOpenAIError(await post("/v1/completions", "{not json"), 400, /not valid JSON/);
    assertOpenAIError(await post("/v1/completions", "[1]"), 400, /JSON object/);
    assertOpenAIError(await post("/v1/chat/completions", { messages: [{ role: "tool", content: "x" }] }), 400, /role must be/, "messages[0].role");
    assertOpenAIError(await post("/v1/chat/completions", { messages: [] }), 400, /non-empty/, "messages");
    assertOpenAIError(await post("/v1/chat/completions", { messages: [{ role: "user", content: "x" }], logprobs: true }), 400, /not supported/, "logprobs");
    assertOpenAIError(await post("/v1/completions", { prompt: "fail:prompt is too long", max_tokens: 3 }), 400, /prompt is too long/);
    const busy = await post("/v1/completions", { prompt: "fail:busy", max_tokens: 3 });
    assertOpenAIError(busy, 503, /busy/);
    const boom = await post("/v1/completions", { prompt: "throw", max_tokens: 3 });
    assertOpenAIError(boom, 500, /internal error: boom/);
    assert.equal((await post("/v1/completions", { prompt: "still fine", max_tokens: 3 })).status, 200);
  } finally {
    await s.close();
  }
});

test("graceful close: a running request finishes, then the port stops answering", async () => {
  const model = fakeModel();
  model.hold();
  const s = await startServer({ model, closeTimeoutMs: 5000 });
  const running = call(s, "/v1/completions", { body: { prompt: "hold on", max_tokens: 3 } });
  for (let i = 0; i < 200 && model.started < 1; i++) await new Promise((r) => setTimeout(r, 5));
  const closing = s.close();
  setTimeout(() => model.release(), 20);
  const r = await running;
  assert.equal(r.status, 200);
  assert.equal(r.json.choices[0].text, " reply to ho");
  await closing;
  await assert.rejects(fetch(`${s.url}/health`), "nothing listens after close");
  await s.close(); // closing twice is harmless
});
