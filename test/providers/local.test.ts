// The `local` provider (our engine) against the llamacpp provider and llama.cpp's goldens: MedQA option scores
// (lm-evaluation-harness prompt, letters and option texts) within 1e-3 for stories260K and llama-2-tiny-random from
// the HF folders and the GGUF files, base + PEFT adapter against llama.cpp with the GGUF LoRA, token-exact greedy
// generation, batch invariance, per-token scores with offsets, generation controls, chat, and errors as data.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isMedtuneError } from "../../src/core/index.ts";
import { codePointLength, createLocalModel, firstTokenAfter, openLlamaCpp, renderChat, type LlamaCppOptions, type LogprobRequest, type LogprobResult, type Model } from "../../src/providers/index.ts";
import { availableKernels } from "../../src/tensor/index.ts";
import { openModel, readTaskResult } from "../../src/eval/index.ts";
import { EvalConfigSchema, evaluate } from "../../src/recipes/evaluate.ts";
import { startServer } from "../../src/server/index.ts";
import { sharedPath } from "../helpers/shared.ts";
import { tmpDir } from "../helpers/tmp.ts";
import { checkChatTemplateEdges } from "../helpers/chat-checks.ts";

const STORIES = "models/stories260K";
const TINY = "models/llama-2-tiny-random";
const MEDQA = "data/medqa/medqa_us_4options_test_shared_slice.jsonl";

/** Opens the llamacpp reference, or skips (fails under CI) when this platform has no prebuilt llama.cpp. */
async function openReference(t: TestContext, opts: LlamaCppOptions): Promise<Model | null> {
  try {
    return await openLlamaCpp({ gpu: false, kvCacheType: "F32", ...opts });
  } catch (e) {
    if (isMedtuneError(e) && e.code === "llamacpp.no-binary" && !process.env.CI) {
      const msg = `SKIPPED: ${e.message}`;
      process.stderr.write(msg + "\n");
      t.skip(msg);
      return null;
    }
    throw e;
  }
}

interface MedqaItem {
  question: string;
  options: Record<string, string>;
}

/** lm-evaluation-harness MCQ requests: "Question: ...\nA. ...\nAnswer:" then " A".." D" (letters) and " text" (texts). */
function medqaRequests(path: string, nLetters: number, nTexts: number): LogprobRequest[] {
  const items = readFileSync(path, "utf8").trim().split("\n").map((l) => JSON.parse(l) as MedqaItem);
  const prompt = (it: MedqaItem): string => `Question: ${it.question}\n${Object.entries(it.options).map(([k, v]) => `${k}. ${v}`).join("\n")}\nAnswer:`;
  const letters = items.slice(0, nLetters).flatMap((it) => Object.keys(it.options).map((k) => ({ context: prompt(it), continuation: ` ${k}` })));
  const texts = items.slice(0, nTexts).flatMap((it) => Object.values(it.options).map((v) => ({ context: prompt(it), continuation: ` ${v}` })));
  return [...letters, ...texts];
}

/** Max |Δ logprob| between two result lists, checking both scored every request with the same tokens. */
function compareScores(a: LogprobResult[], b: LogprobResult[], label: string): { max: number; greedyFlips: number } {
  assert.equal(a.length, b.length);
  let max = 0;
  let greedyFlips = 0;
  a.forEach((x, i) => {
    assert.equal(x.error, undefined, `${label} request ${i}: ${x.error}`);
    assert.equal(b[i].error, undefined, `${label} request ${i}: ${b[i].error}`);
    assert.equal(x.tokens, b[i].tokens, `${label} request ${i}: continuation token count`);
    max = Math.max(max, Math.abs(x.logprob - b[i].logprob));
    if (x.isGreedy !== b[i].isGreedy) greedyFlips++;
  });
  return { max, greedyFlips };
}

for (const [name, dir, gguf, ctx] of [["stories260K", STORIES, "stories260K.gguf", 2048], ["llama-2-tiny-random", TINY, "llama-2-tiny-random.gguf", 1024]] as const) {
  test(`${name} on the MedQA slice: local (HF folder and GGUF) and llamacpp option scores agree within 1e-3`, async (t) => {
    const hf = sharedPath(t, `${dir}/hf`);
    const file = sharedPath(t, `${dir}/${gguf}`);
    const medqa = sharedPath(t, MEDQA);
    if (!hf || !file || !medqa) return;
    const requests = medqaRequests(medqa, name === "stories260K" ? 6 : 10, 2);
    const ref = await openReference(t, { modelPath: file, contextSize: ctx });
    if (!ref) return;
    try {
      const want = await ref.logprobs(requests);
      for (const path of [hf, file]) {
        const local = await createLocalModel({ path, contextLength: ctx });
        try {
          const got = await local.logprobs(requests);
          const { max, greedyFlips } = compareScores(got, want, `${name} ${path}`);
          const maxLetters = Math.max(...got.slice(0, requests.length - 8).map((r, i) => Math.abs(r.logprob - want[i].logprob)));
          t.diagnostic(`${name} ${path.endsWith(".gguf") ? "GGUF" : "HF folder"}: ${requests.length} options, first item local ${JSON.stringify(got.slice(0, 4).map((r) => r.logprob.toFixed(5)))} llamacpp ${JSON.stringify(want.slice(0, 4).map((r) => r.logprob.toFixed(5)))}; max |Δ| letters ${maxLetters.toExponential(2)}, all ${max.toExponential(2)}; greedy flags differing ${greedyFlips}`);
          assert.ok(max < 1e-3, `max |Δ logprob| ${max}`);
          assert.equal(greedyFlips, 0);
          assert.equal(local.info().provider, "local");
        } finally {
          await local.close();
        }
      }
    } finally {
      await ref.close();
    }
  });
}

interface GoldenCase {
  prompt: string;
  input_ids: number[];
  greedy_next_16: number[];
  greedy_text: string;
  positions: { next_input_token: number | null; next_input_token_logprob: number | null; top5: [number, number][] }[];
}

function readGolden(t: TestContext, rel: string): GoldenCase[] | null {
  const p = sharedPath(t, rel);
  return p ? (JSON.parse(readFileSync(p, "utf8")) as { cases: GoldenCase[] }).cases : null;
}

/** Checks per-token log-probs and top-5 of the golden prompts; returns the max differences. */
async function checkGolden(model: Model, cases: GoldenCase[]): Promise<{ maxDiff: number; maxTop: number }> {
  const scores = await model.scoreTokens!(cases.map((c) => ({ text: c.prompt, topLogprobs: 5 })));
  let maxDiff = 0, maxTop = 0;
  cases.forEach((c, ci) => {
    const s = scores[ci];
    assert.equal(s.error, undefined, s.error);
    assert.equal(s.tokens.length, c.input_ids.length, `case ${ci}: BOS + prompt tokens as llama.cpp tokenized them`);
    assert.equal(s.logprobs[0], null);
    assert.equal(s.top![0], null);
    assert.equal(s.tokens[0], "<s>");
    assert.equal(s.tokens.slice(1).join(""), c.prompt, "token texts concatenate to the prompt");
    for (let i = 1; i < c.input_ids.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs((s.logprobs[i] as number) - c.positions[i - 1].next_input_token_logprob!));
      const top = s.top![i]!;
      assert.equal(top.length, 5);
      c.positions[i - 1].top5.forEach(([, lp], k) => (maxTop = Math.max(maxTop, Math.abs(top[k].logprob - lp))));
    }
  });
  return { maxDiff, maxTop };
}

test("stories260K + LoRA: base + PEFT adapter (local) equals llamacpp with the GGUF LoRA within 1e-3, and the lora-test goldens within 1e-4", async (t) => {
  const hf = sharedPath(t, `${STORIES}/hf`);
  const file = sharedPath(t, `${STORIES}/stories260K.gguf`);
  const peft = sharedPath(t, `${STORIES}/lora-test/peft`);
  const ggufLora = sharedPath(t, `${STORIES}/lora-test/stories260K-lora-test.gguf`);
  const golden = readGolden(t, `${STORIES}/golden/stories260K-lora-test.llamacpp.json`);
  const medqa = sharedPath(t, MEDQA);
  if (!hf || !file || !peft || !ggufLora || !golden || !medqa) return;
  const ref = await openReference(t, { modelPath: file, loras: [{ path: ggufLora }], contextSize: 2048 });
  if (!ref) return;
  const viaPeft = await createLocalModel({ path: hf, adapters: [peft], contextLength: 2048 });
  const viaGguf = await createLocalModel({ path: file, adapters: [ggufLora], contextLength: 2048 });
  const base = await createLocalModel({ path: hf, contextLength: 2048 });
  try {
    const requests = [
      ...golden.map((c) => ({ context: c.prompt, continuation: " " + c.greedy_text })),
      ...golden.map((c) => ({ context: c.prompt, continuation: " and the dog ran away." })),
      ...medqaRequests(medqa, 2, 1),
    ];
    const want = await ref.logprobs(requests);
    const [a, b, c] = [await viaPeft.logprobs(requests), await viaGguf.logprobs(requests), await base.logprobs(requests)];
    const peftVsLlama = compareScores(a, want, "PEFT vs llama.cpp").max;
    const ggufVsLlama = compareScores(b, want, "GGUF LoRA vs llama.cpp").max;
    const peftVsGguf = compareScores(a, b, "PEFT vs GGUF LoRA").max;
    const baseVsLora = compareScores(c, a, "base vs adapter").max;
    t.diagnostic(`LoRA continuation scores: max |Δ| PEFT (local) vs GGUF LoRA (llamacpp) ${peftVsLlama.toExponential(2)}, GGUF LoRA local vs llamacpp ${ggufVsLlama.toExponential(2)}, PEFT vs GGUF LoRA in local ${peftVsGguf.toExponential(2)}; the adapter moves scores by up to ${baseVsLora.toFixed(3)}`);
    assert.ok(peftVsLlama < 1e-3, `${peftVsLlama}`);
    assert.ok(ggufVsLlama < 1e-3, `${ggufVsLlama}`);
    assert.ok(peftVsGguf < 1e-4, `${peftVsGguf}`);
    assert.ok(baseVsLora > 0.05, "the adapter is applied");
    const g = await checkGolden(viaPeft, golden);
    t.diagnostic(`PEFT adapter vs lora-test golden: max |Δ log p| ${g.maxDiff.toExponential(2)}, top-5 ${g.maxTop.toExponential(2)}`);
    assert.ok(g.maxDiff < 1e-4 && g.maxTop < 1e-4);
    assert.equal(viaPeft.info().id, "hf+peft");
    assert.equal(viaGguf.info().id, "stories260K+stories260K-lora-test");
    assert.notEqual(viaPeft.info().fingerprint, base.info().fingerprint, "the adapter is part of the fingerprint");
    const [gen] = await viaGguf.generate([{ prompt: golden[0].prompt, maxTokens: 16, temperature: 0 }]);
    assert.equal(gen.text.trim(), golden[0].greedy_text.trim(), "greedy continuation with the adapter");
  } finally {
    await Promise.all([ref.close(), viaPeft.close(), viaGguf.close(), base.close()]);
  }
});

test("greedy generation: local equals llamacpp token for token (stories260K goldens), batched or one at a time", async (t) => {
  const hf = sharedPath(t, `${STORIES}/hf`);
  const file = sharedPath(t, `${STORIES}/stories260K.gguf`);
  const golden = readGolden(t, `${STORIES}/golden/stories260K.llamacpp.json`);
  if (!hf || !file || !golden) return;
  const ref = await openReference(t, { modelPath: file, contextSize: 256 });
  if (!ref) return;
  const local = await createLocalModel({ path: hf, contextLength: 256 });
  try {
    const prompts = [...golden.map((c) => c.prompt), "Tom had a red ball.", "One day, a little bird", "The sun was hot and"];
    const requests = prompts.map((prompt) => ({ prompt, maxTokens: 24, temperature: 0 }));
    const want = await ref.generate(requests);
    const together = await local.generate(requests);
    const alone: typeof together = [];
    for (const r of requests) alone.push(...(await local.generate([r])));
    together.forEach((g, i) => {
      assert.equal(g.error, undefined, g.error);
      assert.equal(g.text, want[i].text, `prompt ${JSON.stringify(prompts[i])}`);
      assert.equal(g.tokens, want[i].tokens);
      assert.equal(g.promptTokens, want[i].promptTokens);
      assert.equal(g.finishReason, want[i].finishReason);
      assert.equal(alone[i].text, g.text, "a batch of prompts generates what each prompt alone does");
    });
    golden.forEach((c, i) => assert.ok(together[i].text.trim().startsWith(c.greedy_text.trim()), "the 16 golden greedy tokens come first"));
    t.diagnostic(`greedy: ${JSON.stringify(together[0].text)} (${prompts.length} prompts identical to llama.cpp)`);
  } finally {
    await ref.close();
    await local.close();
  }
});

test("batching does not change results: one request per call, all in one call, padded plan, tiny batches agree within 1e-5; a too-long request errors alone", async (t) => {
  const hf = sharedPath(t, `${STORIES}/hf`);
  if (!hf) return;
  const story = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park with her dog.";
  const requests: LogprobRequest[] = [
    { context: "Once upon a time, there was a little", continuation: " girl" },
    { context: "Once upon a time, there was a little", continuation: " boy" },
    { context: "Once upon a time, there was a little", continuation: " dog named Max who liked to run" },
    { context: "Once upon a time, there was a little", continuation: " bird who could not fly" },
    { context: "Lily and Tom went to the park. ", continuation: "They saw a big dog." },
    { context: "", continuation: story },
    { context: "Tom had a ball.", continuation: ` ${story} ${story}` },
    { context: story.repeat(12), continuation: " The end." },
    { context: "The sun was hot", continuation: " and the sky was blue." },
  ];
  const tooLong = 7;
  const open = (o: { shareContext?: boolean; maxBatchTokens?: number } = {}) => createLocalModel({ path: hf, contextLength: 256, ...o });
  const [plain, padded, tiny] = await Promise.all([open(), open({ shareContext: false }), open({ maxBatchTokens: 24 })]);
  try {
    const one: LogprobResult[] = [];
    for (const r of requests) one.push(...(await plain.logprobs([r])));
    const all = await plain.logprobs(requests);
    const pad = await padded.logprobs(requests);
    const small = await tiny.logprobs(requests);
    assert.match(all[tooLong].error ?? "", /more than the context length 256/);
    for (const res of [one, pad, small]) assert.equal(res[tooLong].error, all[tooLong].error);
    const keep = (rs: LogprobResult[]) => rs.filter((_, i) => i !== tooLong);
    const d1 = compareScores(keep(one), keep(all), "batch of 1 vs batch of 8").max;
    const d2 = compareScores(keep(pad), keep(all), "padded vs shared-context plan").max;
    const d3 = compareScores(keep(small), keep(all), "maxBatchTokens 24 vs 4096").max;
    let tokenMax = 0;
    all.forEach((r, i) => {
      if (i === tooLong) return;
      assert.equal(r.tokenLogprobs!.length, r.tokens);
      assert.ok(Math.abs(r.tokenLogprobs!.reduce((a, b) => a + b, 0) - r.logprob) < 1e-9);
      r.tokenLogprobs!.forEach((lp, k) => (tokenMax = Math.max(tokenMax, Math.abs(lp - pad[i].tokenLogprobs![k]))));
    });
    t.diagnostic(`max |Δ logprob|: batch of 1 vs 8 ${d1.toExponential(2)}, padded vs shared plan ${d2.toExponential(2)} (per token ${tokenMax.toExponential(2)}), tiny batches ${d3.toExponential(2)}`);
    assert.ok(d1 < 1e-5 && d2 < 1e-5 && d3 < 1e-5, `${d1} ${d2} ${d3}`);
    assert.equal(all[0].isGreedy, true, "\" girl\" is the greedy continuation (golden)");
    assert.equal(all[1].isGreedy, false);
  } finally {
    await Promise.all([plain.close(), padded.close(), tiny.close()]);
  }
});

test("scoreTokens: per-token log-probs and top-5 of the goldens within 1e-4 (HF and GGUF); a continuation scores as the tail of its text", async (t) => {
  const stories = readGolden(t, `${STORIES}/golden/stories260K.llamacpp.json`);
  const tinyGolden = readGolden(t, `${TINY}/golden/llama-2-tiny-random.llamacpp.json`);
  const paths = [`${STORIES}/hf`, `${STORIES}/stories260K.gguf`, `${TINY}/hf`, `${TINY}/llama-2-tiny-random.gguf`].map((p) => sharedPath(t, p));
  if (!stories || !tinyGolden || paths.some((p) => !p)) return;
  for (const [k, path] of paths.entries()) {
    const model = await createLocalModel({ path: path!, contextLength: 256 });
    try {
      const g = await checkGolden(model, k < 2 ? stories : tinyGolden);
      t.diagnostic(`${path}: max |Δ log p| vs golden ${g.maxDiff.toExponential(2)}, top-5 ${g.maxTop.toExponential(2)} (JSON rounds to 1e-6)`);
      assert.ok(g.maxDiff < 1e-4 && g.maxTop < 1e-4, `${g.maxDiff} ${g.maxTop}`);
      if (k !== 0) continue;
      const requests = [
        { context: stories[0].prompt, continuation: " " + stories[0].greedy_text },
        { context: stories[1].prompt + " ", continuation: "she was happy" },
        { context: "", continuation: stories[2].prompt },
      ];
      const res = await model.logprobs(requests);
      const texts = requests.map((r) => r.context + r.continuation);
      const whole = await model.scoreTokens!(texts.map((text) => ({ text })));
      requests.forEach((r, i) => {
        const w = whole[i];
        assert.equal(w.top, undefined, "no alternatives unless asked");
        const start = firstTokenAfter(w.offsets, codePointLength(r.context.replace(/\s+$/u, "")), codePointLength(texts[i]));
        const tail = (w.logprobs.slice(start) as number[]).reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(tail - res[i].logprob) < 1e-5, `request ${i}: ${tail} vs ${res[i].logprob}`);
      });
      assert.equal(res[0].tokens, stories[0].greedy_next_16.length);
      assert.equal(res[0].isGreedy, true);
      const odd = ["  café 😀 naïve — 5 mg/kg", "x", ""];
      const s = await model.scoreTokens!(odd.map((text) => ({ text, topLogprobs: 2 })));
      s.forEach((r, i) => {
        assert.equal(r.error, undefined, r.error);
        assert.equal(r.tokens.slice(1).join(""), odd[i], "offsets slice the text back exactly, byte-fallback characters included");
        for (let j = 1; j < r.offsets.length; j++) assert.ok(r.offsets[j] >= r.offsets[j - 1]);
      });
      assert.deepEqual(s[2].logprobs, [null], "an empty text is BOS alone");
    } finally {
      await model.close();
    }
  }
});

test("generation: stop strings cut and stream, seeds reproduce, abort ends one request only, maxTokens 0 and the context cap", async (t) => {
  const hf = sharedPath(t, `${STORIES}/hf`);
  if (!hf) return;
  const model = await createLocalModel({ path: hf, contextLength: 64 });
  try {
    const prompt = "Once upon a time, there was a little";
    const [greedy] = await model.generate([{ prompt, maxTokens: 20, temperature: 0 }]);
    assert.ok(greedy.text.includes(" Lily"));
    const pieces: string[] = [];
    const [s] = await model.generate([{ prompt, maxTokens: 20, temperature: 0, stop: [" Lily"], onText: (d) => pieces.push(d) }]);
    assert.equal(s.finishReason, "stop");
    assert.equal(s.text, greedy.text.slice(0, greedy.text.indexOf(" Lily")));
    assert.equal(pieces.join(""), s.text, "streamed pieces assemble to the text");
    assert.ok(pieces.length > 1);
    const sample = { prompt, maxTokens: 24, temperature: 1.2, topP: 0.95, topK: 40 };
    const seeded = await model.generate([7, 7, 8, 9, 10].map((seed) => ({ ...sample, seed })));
    assert.equal(seeded[0].text, seeded[1].text, "same seed, same text");
    assert.ok(new Set(seeded.map((g) => g.text)).size > 1, "different seeds sample different texts");
    const [again] = await model.generate([{ ...sample, seed: 8 }]);
    assert.equal(again.text, seeded[2].text, "a seeded sample does not depend on the other requests of its batch");
    t.diagnostic(`seed 7: ${JSON.stringify(seeded[0].text)}; seed 8: ${JSON.stringify(seeded[2].text)}`);
    const ac = new AbortController();
    const streamed: string[] = [];
    const [aborted, other] = await model.generate([
      { prompt, maxTokens: 30, temperature: 0, signal: ac.signal, onText: (d) => { streamed.push(d); if (streamed.length === 2) ac.abort(); } },
      { prompt: "The sun was hot", maxTokens: 12, temperature: 0 },
    ]);
    assert.match(aborted.error ?? "", /aborted/);
    assert.equal(aborted.text, streamed.join(""));
    assert.ok((aborted.tokens ?? 0) < 30);
    const [alone] = await model.generate([{ prompt: "The sun was hot", maxTokens: 12, temperature: 0 }]);
    assert.equal(other.error, undefined);
    assert.equal(other.text, alone.text, "the other request of the batch runs to its end");
    const [zero] = await model.generate([{ prompt, maxTokens: 0, temperature: 0 }]);
    assert.deepEqual([zero.text, zero.tokens, zero.finishReason], ["", 0, "length"]);
    const [capped] = await model.generate([{ prompt, maxTokens: 1000, temperature: 0 }]);
    assert.equal(capped.finishReason, "length");
    assert.equal((capped.promptTokens ?? 0) + (capped.tokens ?? 0), 64, "generation stops at the context length");
  } finally {
    await model.close();
  }
});

test("chat: the tokenizer's Llama-2 chat template renders the prompt with one BOS, as llamacpp with the same template; no template falls back to a transcript", async (t) => {
  const tinyHf = sharedPath(t, `${TINY}/hf`);
  const tinyGguf = sharedPath(t, `${TINY}/llama-2-tiny-random.gguf`);
  const stories = sharedPath(t, `${STORIES}/hf`);
  if (!tinyHf || !tinyGguf || !stories) return;
  const chat = await createLocalModel({ path: tinyHf, contextLength: 512 });
  const base = await createLocalModel({ path: stories, contextLength: 256 });
  const template = chat.info().chatTemplate;
  try {
    assert.ok(template && template.includes("[INST]"));
    assert.equal(chat.info().capabilities.chat, true);
    assert.equal(base.info().capabilities.chat, false);
    const messages = [
      { role: "system" as const, content: "You are a careful clinician." },
      { role: "user" as const, content: "What is the first-line treatment of anaphylaxis?" },
    ];
    const [g] = await chat.generate([{ messages, maxTokens: 4, temperature: 0 }]);
    assert.equal(g.error, undefined, g.error);
    const rendered = renderChat(messages, { template, bosToken: "<s>", eosToken: "</s>" });
    const [s] = await chat.scoreTokens!([{ text: rendered }]);
    assert.equal(g.promptTokens, s.tokens.length, "the prompt is the rendered template");
    assert.equal(s.tokens.filter((x) => x === "<s>").length, 1, "BOS is not doubled");
    const ref = await openReference(t, { modelPath: tinyGguf, contextSize: 512, chatTemplate: template });
    if (ref) {
      const [r] = await ref.generate([{ messages, maxTokens: 4, temperature: 0 }]);
      await ref.close();
      assert.equal(g.promptTokens, r.promptTokens, "llamacpp tokenizes the same chat prompt");
    }
    await checkChatTemplateEdges(chat, base);
  } finally {
    await chat.close();
    await base.close();
  }
});

test("errors come back as data on each result; bad paths, adapters and options are clear MedtuneErrors; fingerprints", async (t) => {
  const hf = sharedPath(t, `${STORIES}/hf`);
  const tinyHf = sharedPath(t, `${TINY}/hf`);
  const peft = sharedPath(t, `${STORIES}/lora-test/peft`);
  if (!hf || !tinyHf || !peft) return;
  const model = await createLocalModel({ path: hf, contextLength: 32 });
  const longText = "Once upon a time there was a little girl. ".repeat(10);
  const lp = await model.logprobs([
    { context: "Once", continuation: "" },
    { context: longText, continuation: " end" },
    { context: "Once upon a", continuation: " time" },
    { context: 5 as unknown as string, continuation: " x" },
  ]);
  assert.match(lp[0].error ?? "", /continuation is empty/);
  assert.match(lp[1].error ?? "", /more than the context length 32/);
  assert.equal(lp[2].error, undefined, "one bad request does not sink the others");
  assert.match(lp[3].error ?? "", /context must be a string/);
  const gen = await model.generate([
    { prompt: "a", messages: [{ role: "user", content: "b" }], maxTokens: 1, temperature: 0 },
    { prompt: "a", maxTokens: -1, temperature: 0 },
    { prompt: longText, maxTokens: 4, temperature: 0 },
    { prompt: "Once", maxTokens: 4, temperature: 0, topP: 2 },
    { prompt: "Once", maxTokens: 2, temperature: 0 },
  ]);
  assert.match(gen[0].error ?? "", /exactly one of prompt or messages/);
  assert.match(gen[1].error ?? "", /maxTokens must be an integer >= 0/);
  assert.match(gen[2].error ?? "", /context length/);
  assert.match(gen[3].error ?? "", /topP must be in/);
  assert.equal(gen[4].error, undefined);
  const st = await model.scoreTokens!([{ text: "Once", topLogprobs: 101 }, { text: longText }]);
  assert.match(st[0].error ?? "", /topLogprobs/);
  assert.match(st[1].error ?? "", /context length/);
  const again = await createLocalModel({ path: hf, contextLength: 32 });
  assert.equal(again.info().fingerprint, model.info().fingerprint, "the same files give the same fingerprint");
  assert.match(model.info().fingerprint!, /^[0-9a-f]{64}$/);
  await again.close();
  const kernelNames = availableKernels().map((k) => k.name);
  if (kernelNames.length > 1) {
    const ts = await createLocalModel({ path: hf, contextLength: 32, kernels: "ts" });
    assert.notEqual(ts.info().fingerprint, model.info().fingerprint, "the kernel implementation is part of the fingerprint");
    const [a] = await ts.logprobs([{ context: "Once upon a", continuation: " time" }]);
    assert.ok(Math.abs(a.logprob - lp[2].logprob) < 1e-5, "TypeScript and native kernels give the same scores");
    await ts.close();
  }
  await model.close();
  const [after] = await model.logprobs([{ context: "a", continuation: "b" }]);
  assert.match(after.error ?? "", /closed/);
  const [afterGen] = await model.generate([{ prompt: "a", maxTokens: 1, temperature: 0 }]);
  assert.match(afterGen.error ?? "", /closed/);

  const rejects = (p: Promise<unknown>, code: string, re?: RegExp) => assert.rejects(p, (e: unknown) => isMedtuneError(e) && e.code === code && (!re || re.test(e.oneLine())));
  await rejects(createLocalModel({ path: join(hf, "missing") }), "model.missing");
  await rejects(createLocalModel({ path: hf, adapters: [join(hf, "no-adapter")] }), "local.bad-option", /adapters\[0\]/);
  await rejects(createLocalModel({ path: hf, kernels: "cuda" as "ts" }), "local.bad-option", /kernels/);
  await rejects(createLocalModel({ path: hf, maxBatchTokens: 0 }), "local.bad-option", /maxBatchTokens/);
  await rejects(createLocalModel({ path: hf, contextLength: 1.5 }), "local.bad-option", /contextLength/);
  await assert.rejects(createLocalModel({ path: tinyHf, adapters: [peft] }), (e: unknown) => isMedtuneError(e) && /adapter|base/.test(e.oneLine()), "an adapter of another base model is refused");
});

test("medtune eval with a local: model spec runs the MedQA slice like llamacpp: (same answers, log-likelihoods within 1e-3)", async (t) => {
  const gguf = sharedPath(t, `${STORIES}/stories260K.gguf`);
  const hf = sharedPath(t, `${STORIES}/hf`);
  const peft = sharedPath(t, `${STORIES}/lora-test/peft`);
  const medqa = sharedPath(t, MEDQA);
  if (!gguf || !hf || !peft || !medqa) return;
  const ref = await openReference(t, { modelPath: gguf, contextSize: 2048 });
  if (!ref) return;
  await ref.close();
  const tuned = await openModel(`local:${hf},adapter=${peft},ctx=256,batch-tokens=512,kernels=${availableKernels()[0].name},id=tuned`);
  assert.deepEqual([tuned.info().id, tuned.info().provider, tuned.info().contextLength], ["tuned", "local", 256]);
  await tuned.close();
  await assert.rejects(openModel(`local:${hf},lora=x`), /unknown option "lora"/);
  const dir = tmpDir();
  const base = { runsDir: join(dir, "runs"), tasks: [{ name: "medqa", path: medqa, limit: 3 }], bootstrap: { nResamples: 100 } };
  const a = await evaluate(EvalConfigSchema.parse({ ...base, name: "llamacpp", model: `llamacpp:${gguf},ctx=2048` }), { quiet: true });
  const b = await evaluate(EvalConfigSchema.parse({ ...base, name: "local", model: `local:${gguf},ctx=2048` }), { quiet: true });
  const [ra, rb] = [readTaskResult(join(a.outDir, "eval", "medqa.json")), readTaskResult(join(b.outDir, "eval", "medqa.json"))];
  assert.equal(rb.model.provider, "local");
  assert.equal(ra.protocolKey, rb.protocolKey, "the provider is not part of the protocol");
  let maxDiff = 0;
  ra.items.forEach((x, i) => {
    const y = rb.items[i];
    assert.equal(y.error, undefined, y.error);
    assert.deepEqual(x.loglik!.tokens, y.loglik!.tokens);
    x.loglik!.logliks.forEach((ll, j) => (maxDiff = Math.max(maxDiff, Math.abs(ll - y.loglik!.logliks[j]))));
  });
  t.diagnostic(`medtune eval, 3 MedQA items: llamacpp vs local per-option max |Δ log-likelihood| ${maxDiff.toExponential(2)}`);
  assert.ok(maxDiff < 1e-3);
  assert.deepEqual(rb.items.map((x) => x.prediction), ra.items.map((x) => x.prediction));
});

test("medtune serve over the local provider: HTTP log-probs and completions equal the direct model", async (t) => {
  const hf = sharedPath(t, `${STORIES}/hf`);
  if (!hf) return;
  const local = await createLocalModel({ path: hf, contextLength: 256 });
  const server = await startServer({ model: local, modelName: "stories-local" });
  const remote = await openModel(`openai:${server.url}/v1#stories-local`);
  try {
    const requests = [
      { context: "Once upon a time, there was a little", continuation: " girl" },
      { context: "Lily and Tom went to the park.", continuation: " They saw a big dog." },
      { context: "The sun was hot", continuation: " and the sky was blue." },
    ];
    const [direct, viaHttp] = [await local.logprobs(requests), await remote.logprobs(requests)];
    const d = compareScores(viaHttp, direct, "HTTP vs direct").max;
    t.diagnostic(`medtune serve (local) vs direct: max |Δ logprob| ${d.toExponential(2)}`);
    assert.ok(d < 5e-5, "the server scores whole texts (echo), the direct call from a shared context: float32 noise only");
    const gen = { prompt: "Once upon a time", maxTokens: 12, temperature: 0 };
    const [a, b] = [await local.generate([gen]), await remote.generate([gen])];
    assert.equal(b[0].error, undefined, b[0].error);
    assert.equal(b[0].text, a[0].text, "completion over HTTP equals the direct greedy text");
  } finally {
    await remote.close();
    await server.close();
    await local.close();
  }
});
