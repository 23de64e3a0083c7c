// Log-likelihood scoring throughput of the eval runner: items/s (and option requests/s) on the MedQA slice with
// the same model through each provider, one JSON line per provider. The request cache is a fresh in-memory map,
// so every request reaches the model: `llamacpp` (llama.cpp) and `local` (our engine) on the same file; --serve adds
// the openai provider against `medtune serve` over llama.cpp on 127.0.0.1 (HTTP and echo-scoring overhead).
// Usage: node --import tsx bench/eval.ts [--items 40] [--model ../shared/models/stories260K/stories260K.gguf]
//        [--data ../shared/data/medqa/medqa_us_4options_test_shared_slice.jsonl] [--ctx 2048] [--batch 16] [--serve]
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { DEFAULT_TEMPLATE } from "../src/data/index.ts";
import { itemsHash, loadItems, openModel, runTask, type EvalProtocol } from "../src/eval/index.ts";
import type { Model } from "../src/providers/index.ts";
import { startServer } from "../src/server/index.ts";

const { values } = parseArgs({
  options: {
    items: { type: "string", default: "40" },
    model: { type: "string", default: resolve(import.meta.dirname, "../../shared/models/stories260K/stories260K.gguf") },
    data: { type: "string", default: resolve(import.meta.dirname, "../../shared/data/medqa/medqa_us_4options_test_shared_slice.jsonl") },
    ctx: { type: "string", default: "2048" },
    batch: { type: "string", default: "16" },
    serve: { type: "boolean", default: false },
  },
});

/** The model spec of each provider for the same weights. */
const PROVIDERS: Record<string, string> = {
  llamacpp: `llamacpp:${values.model},ctx=${values.ctx}`,
  local: `local:${values.model},ctx=${values.ctx}`,
};

const items = (await loadItems({ format: "medqa", path: values.data }, { kind: "mcq", limit: Number(values.items) })).items;
const { name, ...text } = DEFAULT_TEMPLATE;
const protocol: EvalProtocol = {
  version: 1, task: "medqa", kind: "mcq", scoring: "loglik", template: { name, text }, choices: "letters", lengthUnit: "chars",
  fewShot: { n: 0, seed: 0, pool: null }, format: null, cot: null, maxTokens: null, answerMaxTokens: null, temperature: null, stop: null,
  system: null, extraction: null, seed: null, withContext: true, dataset: { sha256: itemsHash(items), n: items.length },
};
const nRequests = items.reduce((s, it) => s + (it.options?.length ?? 0), 0);

async function bench(provider: string, open: () => Promise<{ model: Model; close: () => Promise<void> }>): Promise<void> {
  const t0 = performance.now();
  const { model, close } = await open();
  const loadS = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const results = await runTask(model, { items, protocol, template: DEFAULT_TEMPLATE, fewShotPool: null }, { cache: new Map(), batchSize: Number(values.batch) });
  const seconds = (performance.now() - t1) / 1000;
  const id = model.info().id;
  await close();
  const failed = results.filter((r) => r.error !== undefined).length;
  console.log(JSON.stringify({
    bench: "eval-loglik", provider, model: id, items: items.length, requests: nRequests, failed,
    itemsPerSecond: +(items.length / seconds).toFixed(3), requestsPerSecond: +(nRequests / seconds).toFixed(2), seconds: +seconds.toFixed(3), loadSeconds: +loadS.toFixed(3),
    accuracy: +(results.filter((r) => r.correct).length / results.length).toFixed(4),
  }));
}

for (const [provider, spec] of Object.entries(PROVIDERS)) {
  await bench(provider, async () => {
    const model = await openModel(spec);
    return { model, close: () => model.close() };
  });
}
if (values.serve) {
  await bench("openai (medtune serve over llamacpp)", async () => {
    const inner = await openModel(PROVIDERS.llamacpp);
    const server = await startServer({ model: inner, modelName: "served" });
    const model = await openModel(`openai:${server.url}/v1#served`);
    return { model, close: async () => { await model.close(); await server.close(); await inner.close(); } };
  });
}
