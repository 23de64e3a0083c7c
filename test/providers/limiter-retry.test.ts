// The concurrency limiter (FIFO hand-off, bounded queue) and the retry policy (full jitter bounds, Retry-After in
// seconds and as an HTTP date, the cap on it, which statuses are retried).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Limiter, retryDelayMs, parseRetryAfter, isRetryableStatus } from "../../src/providers/index.ts";

test("Limiter runs at most maxActive at once, in FIFO order, and refuses when the queue is full", async () => {
  const lim = new Limiter(2, 1);
  const order: string[] = [];
  const gates: Array<() => void> = [];
  const task = (name: string) => () =>
    new Promise<void>((resolve) => {
      order.push(`start ${name}`);
      gates.push(() => {
        order.push(`end ${name}`);
        resolve();
      });
    });
  const a = lim.run(task("a"));
  const b = lim.run(task("b"));
  const c = lim.tryAcquire();
  assert.ok(c, "one may wait");
  assert.equal(lim.tryAcquire(), null, "the queue (1) is full");
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(order, ["start a", "start b"]);
  assert.equal(lim.active, 2);
  assert.equal(lim.waiting, 1);
  gates[0]();
  await a;
  const release = await c;
  assert.equal(lim.active, 2, "the slot passed straight to the waiter");
  release();
  release(); // a second release is harmless
  gates[1]();
  await b;
  assert.equal(lim.active, 0);
  assert.throws(() => new Limiter(0), /maxActive/);
});

test("full jitter stays within [0, min(cap, base·2^attempt)) and uses the random source", () => {
  const opts = { baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000 };
  assert.equal(retryDelayMs(0, opts, undefined, () => 0.5), 50);
  assert.equal(retryDelayMs(2, opts, undefined, () => 0.999), 399);
  assert.equal(retryDelayMs(10, opts, undefined, () => 0.5), 500, "capped at maxDelayMs");
  assert.equal(retryDelayMs(0, opts, undefined, () => 0), 0);
  for (let i = 0; i < 50; i++) {
    const d = retryDelayMs(3, opts, undefined);
    assert.ok(d >= 0 && d < 800);
  }
});

test("Retry-After is honoured in seconds or as an HTTP date, and capped", () => {
  const opts = { baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000 };
  assert.equal(parseRetryAfter("2"), 2000);
  assert.equal(parseRetryAfter("0.5"), 500);
  const now = Date.parse("2025-01-01T00:00:00Z");
  assert.equal(parseRetryAfter("Wed, 01 Jan 2025 00:00:03 GMT", now), 3000);
  assert.equal(parseRetryAfter("Tue, 31 Dec 2024 23:59:00 GMT", now), 0, "a date in the past means now");
  assert.equal(parseRetryAfter("soon"), undefined);
  assert.equal(parseRetryAfter(null), undefined);
  assert.equal(retryDelayMs(0, opts, 2000, () => 0), 2000, "Retry-After wins over jitter");
  assert.equal(retryDelayMs(0, opts, 60_000), 5000, "a huge Retry-After is capped");
});

test("429, 408 and 5xx are retried; other 4xx are not", () => {
  for (const s of [408, 429, 500, 502, 503, 504]) assert.equal(isRetryableStatus(s), true, String(s));
  for (const s of [400, 401, 403, 404, 413, 422]) assert.equal(isRetryableStatus(s), false, String(s));
});
