// End to end: `medtune eval` of ../shared/models/stories260K on the first items of the MedQA slice through the
// llamacpp provider, and through the openai provider against `medtune serve` (startServer over llama.cpp on
// 127.0.0.1). Both runs share one protocol, so they compare; per-option log-likelihoods agree within 1e-3.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { isMedtuneError } from "../../../src/core/index.ts";
import { openModel, readTaskResult, type ItemResult } from "../../../src/eval/index.ts";
import type { Model } from "../../../src/providers/index.ts";
import { startServer } from "../../../src/server/index.ts";
import { EvalConfigSchema, evaluate } from "../../../src/recipes/evaluate.ts";
import { compareRuns } from "../../../src/recipes/compare.ts";
import { sharedPath } from "../../helpers/shared.ts";
import { tmpDir } from "../../helpers/tmp.ts";

/** Opens a model, or skips (fails under CI) when this platform has no prebuilt llama.cpp. */
async function open(t: TestContext, spec: string): Promise<Model | null> {
  try {
    return await openModel(spec);
  } catch (e) {
    if (isMedtuneError(e) && e.code === "llamacpp.no-binary" && !process.env.CI) {
      t.skip(`SKIPPED: ${e.message}`);
      return null;
    }
    throw e;
  }
}

test("stories260K on the MedQA slice: llamacpp and openai-through-medtune-serve give the same option scores", async (t) => {
  const gguf = sharedPath(t, "models/stories260K/stories260K.gguf");
  const medqa = sharedPath(t, "data/medqa/medqa_us_4options_test_shared_slice.jsonl");
  if (!gguf || !medqa) return;
  // MedQA vignettes are longer than stories260K's 512-token training context: give llama.cpp room.
  const spec = `llamacpp:${gguf},ctx=2048`;
  const direct = await open(t, spec);
  if (!direct) return;
  const dir = tmpDir();
  const base = { runsDir: join(dir, "runs"), tasks: [{ name: "medqa", path: medqa, limit: 5 }], bootstrap: { nResamples: 200 } };
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    const a = await evaluate(EvalConfigSchema.parse({ ...base, name: "llamacpp", model: spec }), { model: direct, quiet: true });
    server = await startServer({ model: direct, modelName: "stories260K" });
    const b = await evaluate(EvalConfigSchema.parse({ ...base, name: "openai", model: `openai:${server.url}/v1#stories260K` }), { quiet: true });
    const ra = readTaskResult(join(a.outDir, "eval", "medqa.json"));
    const rb = readTaskResult(join(b.outDir, "eval", "medqa.json"));
    assert.equal(ra.model.provider, "llamacpp");
    assert.equal(rb.model.provider, "openai");
    assert.equal(ra.protocolKey, rb.protocolKey, "the provider is not part of the protocol");
    const errors = [...ra.items, ...rb.items].filter((r: ItemResult) => r.error !== undefined);
    assert.deepEqual(errors, []);
    let maxDiff = 0;
    ra.items.forEach((x, i) => {
      const y = rb.items[i];
      assert.equal(x.id, y.id);
      assert.deepEqual(x.loglik!.tokens, y.loglik!.tokens, `${x.id}: continuation token counts`);
      x.loglik!.logliks.forEach((ll, j) => (maxDiff = Math.max(maxDiff, Math.abs(ll - y.loglik!.logliks[j]))));
    });
    t.diagnostic(`first item logliks llamacpp ${JSON.stringify(ra.items[0].loglik!.logliks.map((v) => v.toFixed(5)))}, openai ${JSON.stringify(rb.items[0].loglik!.logliks.map((v) => v.toFixed(5)))}; max |Δ| = ${maxDiff.toExponential(2)}`);
    assert.ok(maxDiff < 1e-3, `per-option log-likelihoods differ by ${maxDiff}`);
    assert.deepEqual(ra.items.map((x) => x.prediction), rb.items.map((x) => x.prediction));
    const c = compareRuns(a.outDir, b.outDir, { nResamples: 100 }).comparisons[0];
    assert.equal(c.mcnemar!.b + c.mcnemar!.c, 0, "same answers on every item");
  } finally {
    await server?.close();
    await direct.close();
  }
});
