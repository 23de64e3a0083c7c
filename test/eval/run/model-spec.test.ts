// Model specs: provider:target,key=value parsing (commas inside paths kept), the provider table, and clear errors
// for unknown providers, unknown options and malformed values.
import { test } from "node:test";
import assert from "node:assert/strict";
import { isMedtuneError } from "../../../src/core/index.ts";
import { openModel, parseModelSpec, PROVIDERS } from "../../../src/eval/index.ts";

test("specs split into provider, target and ordered options", () => {
  assert.deepEqual(parseModelSpec("llamacpp:m.gguf,lora=a.gguf,lora-scale=0.5,ctx=2048"), {
    raw: "llamacpp:m.gguf,lora=a.gguf,lora-scale=0.5,ctx=2048", provider: "llamacpp", target: "m.gguf",
    options: [["lora", "a.gguf"], ["lora-scale", "0.5"], ["ctx", "2048"]],
  });
  assert.equal(parseModelSpec("llamacpp:/data/a,b/model.gguf").target, "/data/a,b/model.gguf", "a comma inside a path stays");
  assert.equal(parseModelSpec("openai:http://127.0.0.1:8000/v1#llama-3").target, "http://127.0.0.1:8000/v1#llama-3");
  assert.throws(() => parseModelSpec("model.gguf"), (e: unknown) => isMedtuneError(e) && e.code === "eval.bad-model-spec");
  assert.throws(() => parseModelSpec("llamacpp:m.gguf,ctx=1,oops"), /not key=value/);
  assert.deepEqual(Object.keys(PROVIDERS).sort(), ["llamacpp", "local", "openai"]);
});

test("opening refuses unknown providers, unknown options and bad values before touching a model", async () => {
  await assert.rejects(openModel("vllm:x"), (e: unknown) => isMedtuneError(e) && e.code === "eval.unknown-provider" && e.hint!.includes("llamacpp:PATH.gguf"));
  await assert.rejects(openModel("llamacpp:m.gguf,temp=1"), /unknown option "temp".*/);
  await assert.rejects(openModel("llamacpp:m.gguf,ctx=abc"), /ctx=abc .* integer/);
  await assert.rejects(openModel("llamacpp:m.gguf,lora-scale=2"), /before any lora=/);
  await assert.rejects(openModel("llamacpp:m.gguf,kv=Q8"), /kv=Q8 must be F32 or F16/);
  await assert.rejects(openModel("openai:http://127.0.0.1:1/v1"), /does not name the served model/);
  await assert.rejects(openModel("llamacpp:/no/such/file.gguf"), (e: unknown) => isMedtuneError(e) && e.code === "llamacpp.not-found");
  const m = await openModel("openai:http://127.0.0.1:1/v1#served,concurrency=2,timeout-s=5,logprobs=false");
  assert.equal(m.info().id, "served");
  assert.equal(m.info().capabilities.logprobs, false);
  await m.close();
});
