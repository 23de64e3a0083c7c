// The `medtune serve` command spec: flags to a served llama.cpp model on an ephemeral loopback port with an API
// key from the environment, and one-line errors for missing or bad flags.
import { test } from "node:test";
import assert from "node:assert/strict";
import { isMedtuneError } from "../../src/core/index.ts";
import { serveCommand, serveFromFlags, type RunningServer } from "../../src/server/index.ts";
import { sharedPath } from "../helpers/shared.ts";

test("the command spec has the CLI's shape and documents every flag", () => {
  assert.deepEqual(serveCommand.words, ["serve"]);
  assert.match(serveCommand.usage, /^medtune serve --model PATH\.gguf/);
  for (const f of ["model", "lora", "port", "host", "api-key-env", "max-body-bytes", "max-concurrent", "context-size"]) {
    const spec = (serveCommand.flags as Record<string, { type: string; description: string }>)[f];
    assert.ok(spec && spec.type === "string" && spec.description.length > 0, f);
  }
  assert.equal(serveCommand.flags.lora.multiple, true);
});

test("serve: a GGUF served on an ephemeral port with an API key from the environment, then stopped", async (t) => {
  const path = sharedPath(t, "models/stories260K/stories260K.gguf");
  if (!path) return;
  process.env.MEDTUNE_SERVE_TEST_KEY = "serve-test-secret";
  let stop!: () => void;
  const stopped = new Promise<void>((r) => (stop = r));
  let server: RunningServer | undefined;
  let served: Promise<void> = Promise.resolve();
  const listening = new Promise<RunningServer>((resolve) => {
    const done = serveFromFlags({ model: path, port: "0", "api-key-env": "MEDTUNE_SERVE_TEST_KEY", gpu: "cpu", "context-size": "128", "model-name": "tiny-stories" }, { onListening: (s) => resolve(s), stop: stopped });
    done.catch((e) => resolve(Promise.reject(e)));
    served = done;
  });
  try {
    server = await listening;
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const unauth = await fetch(`${server.url}/v1/models`);
    assert.equal(unauth.status, 401);
    const models = (await (await fetch(`${server.url}/v1/models`, { headers: { authorization: "Bearer serve-test-secret" } })).json()) as { data: { id: string }[] };
    assert.equal(models.data[0].id, "tiny-stories");
    const res = await fetch(`${server.url}/v1/completions`, { method: "POST", headers: { authorization: "Bearer serve-test-secret", "content-type": "application/json" }, body: JSON.stringify({ model: "tiny-stories", prompt: "Once upon a time", max_tokens: 5, temperature: 0 }) });
    const body = (await res.json()) as { usage: { completion_tokens: number } };
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.usage.completion_tokens, 5);
  } finally {
    stop();
    await served;
    delete process.env.MEDTUNE_SERVE_TEST_KEY;
  }
  await assert.rejects(fetch(`${server!.url}/health`), "the port is closed after stop");
});

test("serve: missing or bad flags are one-line usage errors", async () => {
  const check = async (flags: Record<string, unknown>, code: string, pattern: RegExp) =>
    assert.rejects(serveFromFlags(flags, { stop: Promise.resolve() }), (e: unknown) => isMedtuneError(e) && e.code === code && pattern.test(e.oneLine()));
  await check({}, "cli.usage", /needs --model PATH\.gguf/);
  delete process.env.MEDTUNE_SERVE_UNSET_KEY;
  await check({ model: "x.gguf", "api-key-env": "MEDTUNE_SERVE_UNSET_KEY" }, "serve.no-api-key", /MEDTUNE_SERVE_UNSET_KEY.*not set/);
  await check({ model: "x.gguf", port: "eighty" }, "cli.usage", /--port expects an integer/);
  await check({ model: "x.gguf", port: "70000" }, "cli.usage", /at most 65535/);
  await check({ model: "x.gguf", gpu: "tpu" }, "cli.usage", /--gpu expects/);
  await check({ model: "x.gguf", "kv-cache": "q4" }, "cli.usage", /--kv-cache expects f32 or f16/);
  await check({ model: "missing.gguf" }, "llamacpp.not-found", /missing\.gguf/);
  await assert.rejects(serveCommand.run({ model: "x.gguf" }, ["extra"]), /no positional arguments/);
});
