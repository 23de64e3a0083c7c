// The llamacpp provider against llama.cpp's golden outputs in ../shared/models/*/golden (F32 KV cache): per-token
// log-probs and top-5 of the golden prompts, continuation scores (joint tokenization, greedy flag), greedy
// generation, the LoRA adapter, prefix reuse (KV state and remembered scores), chat templates, token offsets, and
// errors as data.
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isMedtuneError } from "../../src/core/index.ts";
import { openLlamaCpp, firstTokenAfter, codePointLength, renderChat, type GenerateResult, type LlamaCppOptions, type LogprobResult, type Model, type TokenScores } from "../../src/providers/index.ts";
import { sharedPath } from "../helpers/shared.ts";
import { tmpDir } from "../helpers/tmp.ts";
import { checkChatTemplateEdges } from "../helpers/chat-checks.ts";

interface GoldenCase {
  prompt: string;
  input_ids: number[];
  greedy_next_16: number[];
  greedy_text: string;
  positions: { next_input_token: number | null; next_input_token_logprob: number | null; top5: [number, number][] }[];
}
interface Golden {
  vocab_size: number;
  cases: GoldenCase[];
  /** rows[c][p] = log-probs of the next token after position p of case c */
  rows: Float32Array[][];
}

function readGolden(jsonPath: string, f32Path: string): Golden {
  const g = JSON.parse(readFileSync(jsonPath, "utf8")) as Golden;
  const buf = readFileSync(f32Path);
  const all = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  let at = 0;
  g.rows = g.cases.map((c) =>
    c.input_ids.map(() => {
      const row = all.subarray(at, at + g.vocab_size);
      at += g.vocab_size;
      return row;
    }),
  );
  assert.equal(at, all.length, "golden .f32 size matches the JSON cases");
  return g;
}

/** Opens a model, or skips the test (fails under CI) when this platform has no prebuilt llama.cpp. */
async function open(t: TestContext, opts: LlamaCppOptions): Promise<Model | null> {
  try {
    return await openLlamaCpp(opts);
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

const STORIES = "models/stories260K/stories260K.gguf";

async function checkGoldenScores(t: TestContext, model: Model, golden: Golden, label: string): Promise<void> {
  const scores = await model.scoreTokens!(golden.cases.map((c) => ({ text: c.prompt, topLogprobs: 5 })));
  let maxDiff = 0;
  let maxTopDiff = 0;
  golden.cases.forEach((c, ci) => {
    const s = scores[ci];
    assert.equal(s.error, undefined, s.error);
    assert.equal(s.tokens.length, c.input_ids.length, `case ${ci}: token count (BOS + prompt) as llama.cpp tokenized it`);
    assert.equal(s.logprobs[0], null);
    assert.equal(s.tokens.slice(1).join(""), c.prompt, "token texts concatenate to the prompt");
    for (let i = 1; i < c.input_ids.length; i++) {
      const want = golden.rows[ci][i - 1][c.input_ids[i]];
      maxDiff = Math.max(maxDiff, Math.abs((s.logprobs[i] as number) - want));
      assert.ok(Math.abs((s.logprobs[i] as number) - c.positions[i - 1].next_input_token_logprob!) < 1e-4);
      const top = s.top![i]!;
      assert.equal(top.length, 5);
      c.positions[i - 1].top5.forEach(([, lp], k) => (maxTopDiff = Math.max(maxTopDiff, Math.abs(top[k].logprob - lp))));
    }
  });
  t.diagnostic(`${label}: first logprobs ${JSON.stringify(scores[0].logprobs.slice(1, 4).map((x) => (x as number).toFixed(6)))}, max |Δ| vs golden .f32 = ${maxDiff.toExponential(2)}, top-5 max |Δ| = ${maxTopDiff.toExponential(2)} (JSON rounds to 1e-6)`);
  assert.ok(maxDiff < 1e-4, `max diff ${maxDiff}`);
  assert.ok(maxTopDiff < 1e-4, `top-5 max diff ${maxTopDiff}`);
}

test("stories260K: per-token log-probs and top-5 of the golden prompts match llama.cpp's golden within 1e-4", async (t) => {
  const path = sharedPath(t, STORIES);
  if (!path) return;
  const dir = sharedPath(t, "models/stories260K/golden")!;
  const golden = readGolden(join(dir, "stories260K.llamacpp.json"), join(dir, "stories260K.llamacpp.logprobs.f32"));
  const model = await open(t, { modelPath: path, contextSize: 128, gpu: false });
  if (!model) return;
  try {
    await checkGoldenScores(t, model, golden, "stories260K");
    const info = model.info();
    assert.equal(info.provider, "llamacpp");
    assert.equal(info.id, "stories260K");
    assert.equal(info.capabilities.logprobs, true);
    assert.equal(info.capabilities.chat, false, "stories260K has no chat template");
    assert.match(info.fingerprint!, /^[0-9a-f]{64}$/);
  } finally {
    await model.close();
  }
});

test("stories260K + GGUF LoRA adapter: scores match the lora-test golden, and differ from the base", async (t) => {
  const path = sharedPath(t, STORIES);
  const lora = sharedPath(t, "models/stories260K/lora-test/stories260K-lora-test.gguf");
  if (!path || !lora) return;
  const dir = sharedPath(t, "models/stories260K/golden")!;
  const golden = readGolden(join(dir, "stories260K-lora-test.llamacpp.json"), join(dir, "stories260K-lora-test.llamacpp.logprobs.f32"));
  const model = await open(t, { modelPath: path, loras: [{ path: lora, scale: 1 }], contextSize: 128, gpu: false });
  const base = await open(t, { modelPath: path, contextSize: 128, gpu: false });
  if (!model || !base) return;
  try {
    await checkGoldenScores(t, model, golden, "stories260K+lora");
    assert.equal(model.info().id, "stories260K+stories260K-lora-test");
    assert.notEqual(model.info().fingerprint, base.info().fingerprint, "the adapter is part of the fingerprint");
    const [g] = await model.generate([{ prompt: golden.cases[0].prompt, maxTokens: 16, temperature: 0 }]);
    assert.equal(g.text.trim(), golden.cases[0].greedy_text.trim(), "greedy continuation with the adapter");
  } finally {
    await model.close();
    await base.close();
  }
});

test("continuation scores: finite, equal to the full-sequence difference, greedy flag right, prefix reuse exact", async (t) => {
  const path = sharedPath(t, STORIES);
  if (!path) return;
  const dir = sharedPath(t, "models/stories260K/golden")!;
  const golden = readGolden(join(dir, "stories260K.llamacpp.json"), join(dir, "stories260K.llamacpp.logprobs.f32"));
  const model = await open(t, { modelPath: path, contextSize: 256, gpu: false });
  const fresh = await open(t, { modelPath: path, contextSize: 256, gpu: false, reusePrefix: false });
  if (!model || !fresh) return;
  try {
    const c = golden.cases[0];
    const greedy = " " + c.greedy_text;
    const requests = [
      { context: c.prompt, continuation: greedy },
      { context: c.prompt + " ", continuation: c.greedy_text }, // trailing space moves to the continuation
      { context: c.prompt, continuation: " dog named Max" },
      { context: golden.cases[1].prompt, continuation: " she was happy" },
      { context: "", continuation: c.prompt },
    ];
    const res = await model.logprobs(requests);
    for (const r of res) {
      assert.equal(r.error, undefined, r.error);
      assert.ok(Number.isFinite(r.logprob) && r.logprob < 0);
      assert.equal(r.tokenLogprobs!.length, r.tokens);
      assert.ok(Math.abs(r.tokenLogprobs!.reduce((a, b) => a + b, 0) - r.logprob) < 1e-9);
    }
    assert.equal(res[0].tokens, c.greedy_next_16.length, "the greedy text re-tokenizes to the 16 greedy tokens");
    assert.equal(res[0].isGreedy, true, "the argmax continuation is greedy");
    assert.equal(res[2].isGreedy, false);
    assert.ok(Math.abs(res[0].tokenLogprobs![0] - golden.rows[0][c.input_ids.length - 1][c.greedy_next_16[0]]) < 1e-4, "first continuation token vs golden last row");
    assert.ok(Math.abs(res[1].logprob - res[0].logprob) < 1e-6, "a trailing space in the context scores like a leading space in the continuation");
    // The continuation's score is the difference of whole-text scores: log P(ctx+cont) - log P(ctx).
    const texts = requests.map((r) => r.context + r.continuation);
    const whole = await model.scoreTokens!(texts.map((text) => ({ text })));
    requests.forEach((r, i) => {
      const w = whole[i];
      const boundary = codePointLength(r.context.replace(/\s+$/u, ""));
      const start = firstTokenAfter(w.offsets, boundary, codePointLength(texts[i]));
      const tail = (w.logprobs.slice(start) as number[]).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(tail - res[i].logprob) < 1e-5, `request ${i}: ${tail} vs ${res[i].logprob}`);
    });
    // Prefix reuse (default) against a model that clears its state before every request.
    const again = await fresh.logprobs(requests);
    const d = Math.max(...again.map((r, i) => Math.abs(r.logprob - res[i].logprob)));
    t.diagnostic(`continuation logprobs ${res.map((r) => r.logprob.toFixed(5)).join(", ")}; prefix reuse vs fresh max |Δ| = ${d.toExponential(2)}`);
    assert.ok(d < 1e-5);
  } finally {
    await model.close();
    await fresh.close();
  }
});

test("remembered prefix scores: scoreTokens and logprobs with reuse equal a model that starts fresh every time", async (t) => {
  const path = sharedPath(t, STORIES);
  if (!path) return;
  const model = await open(t, { modelPath: path, contextSize: 256, gpu: false });
  const fresh = await open(t, { modelPath: path, contextSize: 256, gpu: false, reusePrefix: false });
  if (!model || !fresh) return;
  try {
    const stem = "Question: Lily and Tom went to the park. They saw a big dog. What did the dog do?\nAnswer:";
    const [gen] = await fresh.generate([{ prompt: stem, maxTokens: 3, temperature: 0 }]);
    // Each step leans on what the one before left behind: a shared stem, a prefix of the last text (all remembered),
    // more alternatives than remembered, fewer, a generation in between, a continuation scored by logprobs first.
    const steps: Array<{ text: string; topLogprobs?: number } | { generate: string } | { context: string; continuation: string }> = [
      { text: stem + " A", topLogprobs: 1 },
      { text: stem + " B", topLogprobs: 1 },
      { text: stem, topLogprobs: 1 },
      { text: stem + " B", topLogprobs: 5 },
      { text: stem + " C", topLogprobs: 2 },
      { text: stem + " C" },
      { generate: stem },
      { text: stem + gen.text, topLogprobs: 1 },
      { context: stem, continuation: " D" },
      { text: stem + " D", topLogprobs: 3 },
      { text: "Once upon a time", topLogprobs: 1 },
      { text: stem + " A", topLogprobs: 1 },
    ];
    let maxDiff = 0;
    for (const [i, step] of steps.entries()) {
      if ("generate" in step) {
        const [a, b]: GenerateResult[][] = await Promise.all([model.generate([{ prompt: step.generate, maxTokens: 3, temperature: 0 }]), fresh.generate([{ prompt: step.generate, maxTokens: 3, temperature: 0 }])]);
        assert.equal(a[0].text, b[0].text, `step ${i}: generation`);
      } else if ("context" in step) {
        const [[a], [b]]: LogprobResult[][] = await Promise.all([model.logprobs([step]), fresh.logprobs([step])]);
        assert.equal(a.error, undefined, a.error);
        assert.equal(a.isGreedy, b.isGreedy);
        maxDiff = Math.max(maxDiff, Math.abs(a.logprob - b.logprob));
      } else {
        const [[a], [b]]: TokenScores[][] = await Promise.all([model.scoreTokens!([step]), fresh.scoreTokens!([step])]);
        assert.equal(a.error, undefined, a.error);
        assert.deepEqual(a.tokens, b.tokens, `step ${i}: tokens`);
        assert.deepEqual(a.offsets, b.offsets);
        assert.equal(a.logprobs[0], null);
        for (let k = 1; k < b.logprobs.length; k++) maxDiff = Math.max(maxDiff, Math.abs((a.logprobs[k] as number) - (b.logprobs[k] as number)));
        if (!step.topLogprobs) assert.equal(a.top, undefined, `step ${i}: no alternatives asked, none given`);
        else {
          assert.equal(a.top!.length, b.top!.length);
          for (let k = 1; k < b.top!.length; k++) {
            assert.equal(a.top![k]!.length, step.topLogprobs, `step ${i}, position ${k}: exactly the alternatives asked for`);
            assert.deepEqual(a.top![k]!.map((e) => e.token), b.top![k]!.map((e) => e.token), `step ${i}, position ${k}: same alternatives`);
            a.top![k]!.forEach((e, j) => (maxDiff = Math.max(maxDiff, Math.abs(e.logprob - b.top![k]![j].logprob))));
          }
        }
      }
    }
    t.diagnostic(`${steps.length} steps, remembered vs fresh max |Δ| = ${maxDiff.toExponential(2)}`);
    assert.ok(maxDiff < 1e-5, `max diff ${maxDiff}`);
  } finally {
    await model.close();
    await fresh.close();
  }
});

test("generation: temperature 0 reproduces the golden greedy continuations; seeds make sampling reproducible; stop strings cut", async (t) => {
  const path = sharedPath(t, STORIES);
  if (!path) return;
  const dir = sharedPath(t, "models/stories260K/golden")!;
  const golden = readGolden(join(dir, "stories260K.llamacpp.json"), join(dir, "stories260K.llamacpp.logprobs.f32"));
  const model = await open(t, { modelPath: path, contextSize: 256, gpu: false });
  if (!model) return;
  try {
    const greedy = await model.generate(golden.cases.map((c) => ({ prompt: c.prompt, maxTokens: 16, temperature: 0 })));
    greedy.forEach((g, i) => {
      assert.equal(g.error, undefined, g.error);
      assert.equal(g.text.trim(), golden.cases[i].greedy_text.trim());
      assert.equal(g.tokens, 16);
      assert.equal(g.finishReason, "length");
      assert.equal(g.promptTokens, golden.cases[i].input_ids.length);
    });
    assert.ok(greedy[0].text.startsWith(" "), "the continuation keeps its leading space after the prompt");
    const sample = { prompt: golden.cases[0].prompt, maxTokens: 24, temperature: 1.2, topP: 0.95, topK: 40 };
    const [a, b, c2] = await model.generate([{ ...sample, seed: 7 }, { ...sample, seed: 7 }, { ...sample, seed: 8 }]);
    assert.equal(a.text, b.text, "same seed, same text");
    assert.ok(a.text.length > 0);
    t.diagnostic(`seed 7: ${JSON.stringify(a.text)}; seed 8: ${JSON.stringify(c2.text)}`);
    const stopAt = " Lily";
    const pieces: string[] = [];
    const [s] = await model.generate([{ prompt: golden.cases[0].prompt, maxTokens: 16, temperature: 0, stop: [stopAt], onText: (d) => pieces.push(d) }]);
    assert.equal(s.finishReason, "stop");
    assert.equal(s.text, greedy[0].text.slice(0, greedy[0].text.indexOf(stopAt)));
    assert.equal(pieces.join(""), s.text, "streamed pieces assemble to the text");
    assert.ok(pieces.length > 1, "the text streams in several pieces");
    const [z] = await model.generate([{ prompt: "Once", maxTokens: 0, temperature: 0 }]);
    assert.deepEqual([z.text, z.tokens, z.finishReason], ["", 0, "length"]);
  } finally {
    await model.close();
  }
});

test("chat: a Jinja chat template (Llama-2 chat) renders the prompt, BOS is not doubled; no template falls back to a transcript", async (t) => {
  const tiny = sharedPath(t, "models/llama-2-tiny-random/llama-2-tiny-random.gguf");
  const tplPath = sharedPath(t, "models/chat-templates/meta-llama-Llama-2-7b-chat-hf.jinja");
  const stories = sharedPath(t, STORIES);
  if (!tiny || !tplPath || !stories) return;
  const template = readFileSync(tplPath, "utf8");
  const model = await open(t, { modelPath: tiny, contextSize: 512, gpu: false, chatTemplate: template });
  const base = await open(t, { modelPath: stories, contextSize: 256, gpu: false });
  if (!model || !base) return;
  try {
    assert.equal(model.info().capabilities.chat, true);
    const messages = [
      { role: "system" as const, content: "You are a careful clinician." },
      { role: "user" as const, content: "What is the first-line treatment of anaphylaxis?" },
    ];
    const [g] = await model.generate([{ messages, maxTokens: 4, temperature: 0 }]);
    assert.equal(g.error, undefined, g.error);
    const rendered = renderChat(messages, { template, bosToken: "<s>", eosToken: "</s>" });
    assert.ok(rendered.startsWith("<s>[INST] <<SYS>>\nYou are a careful clinician.\n<</SYS>>\n\nWhat is"));
    const [s] = await model.scoreTokens!([{ text: rendered }]);
    assert.equal(g.promptTokens, s.tokens.length, "the prompt is the rendered template with one BOS");
    assert.equal(s.tokens.filter((x) => x === "<s>").length, 1);
    await checkChatTemplateEdges(model, base);
  } finally {
    await model.close();
    await base.close();
  }
});

test("token offsets slice the text back exactly, including byte-fallback characters", async (t) => {
  const tiny = sharedPath(t, "models/llama-2-tiny-random/llama-2-tiny-random.gguf");
  if (!tiny) return;
  const model = await open(t, { modelPath: tiny, contextSize: 256, gpu: false });
  if (!model) return;
  try {
    const texts = ["Question: What is the treatment?\nAnswer: aspirin and ibuprofen", "  café 😀 naïve — 5 mg/kg", "x"];
    const res = await model.scoreTokens!(texts.map((text) => ({ text, topLogprobs: 2 })));
    res.forEach((r, i) => {
      assert.equal(r.error, undefined, r.error);
      assert.equal(r.tokens[0], "<s>");
      assert.equal(r.offsets[0], 0);
      assert.equal(r.tokens.slice(1).join(""), texts[i], `text ${i}`);
      for (let k = 1; k < r.offsets.length; k++) assert.ok(r.offsets[k] >= r.offsets[k - 1]);
      for (let k = 1; k < r.logprobs.length; k++) {
        assert.ok(Number.isFinite(r.logprobs[k] as number));
        assert.ok((r.logprobs[k] as number) <= r.top![k]![0].logprob + 1e-9, "no token beats the top-1");
      }
    });
  } finally {
    await model.close();
  }
});

test("errors come back as data on each result; bad files and options are clear MedtuneErrors", async (t) => {
  const path = sharedPath(t, STORIES);
  if (!path) return;
  const model = await open(t, { modelPath: path, contextSize: 32, gpu: false });
  if (!model) return;
  const longText = "Once upon a time there was a little girl. ".repeat(40);
  try {
    const lp = await model.logprobs([
      { context: "Once", continuation: "" },
      { context: longText, continuation: " end" },
      { context: "Once upon a", continuation: " time" },
    ]);
    assert.match(lp[0].error ?? "", /continuation is empty/);
    assert.match(lp[1].error ?? "", /more than the context size/);
    assert.equal(lp[2].error, undefined, "one bad request does not sink the others");
    const gen = await model.generate([
      { prompt: "a", messages: [{ role: "user", content: "b" }], maxTokens: 1, temperature: 0 },
      { prompt: "a", maxTokens: -1, temperature: 0 },
      { prompt: longText, maxTokens: 4, temperature: 0 },
      { prompt: "Once", maxTokens: 4, temperature: 0, topP: 2 },
    ]);
    assert.match(gen[0].error ?? "", /exactly one of prompt or messages/);
    assert.match(gen[1].error ?? "", /maxTokens must be an integer >= 0/);
    assert.match(gen[2].error ?? "", /context size/);
    assert.match(gen[3].error ?? "", /topP must be in/);
    const [capped] = await model.generate([{ prompt: "Once upon a time", maxTokens: 1000, temperature: 0 }]);
    assert.ok(capped.error === undefined && (capped.promptTokens ?? 0) + (capped.tokens ?? 0) <= model.info().contextLength!);
  } finally {
    await model.close();
  }
  const [after] = await model.logprobs([{ context: "a", continuation: "b" }]);
  assert.match(after.error ?? "", /closed/);

  const dir = tmpDir();
  const notGguf = join(dir, "model.gguf");
  writeFileSync(notGguf, "not a gguf file at all");
  await assert.rejects(openLlamaCpp({ modelPath: join(dir, "missing.gguf") }), (e: unknown) => isMedtuneError(e) && e.code === "llamacpp.not-found" && /missing\.gguf/.test(e.message));
  await assert.rejects(openLlamaCpp({ modelPath: notGguf }), (e: unknown) => isMedtuneError(e) && e.code === "llamacpp.not-gguf");
  await assert.rejects(openLlamaCpp({ modelPath: dir }), (e: unknown) => isMedtuneError(e) && e.code === "llamacpp.not-a-file");
  await assert.rejects(openLlamaCpp({ modelPath: path, loras: [{ path: notGguf }] }), (e: unknown) => isMedtuneError(e) && e.code === "llamacpp.not-gguf" && e.where === "loras[0].path");
  await assert.rejects(openLlamaCpp({ modelPath: path, kvCacheType: "Q4" as "F32" }), (e: unknown) => isMedtuneError(e) && e.code === "llamacpp.bad-option");
  // With build "never", a backend without a prebuilt binary is a clear error, never a compile.
  try {
    const cuda = await openLlamaCpp({ modelPath: path, gpu: "cuda", contextSize: 32 });
    await cuda.close();
    t.diagnostic("CUDA prebuilt binary loaded on this machine; the no-binary error path was not exercised");
  } catch (e) {
    assert.ok(isMedtuneError(e), String(e));
    assert.equal(e.code, "llamacpp.no-binary");
    assert.match(e.oneLine(), /never compiles llama\.cpp/);
  }
});

test("two sequences: requests evaluated in parallel give the scores and greedy texts of one sequence", async (t) => {
  const path = sharedPath(t, STORIES);
  if (!path) return;
  const one = await open(t, { modelPath: path, contextSize: 128, gpu: false });
  const two = await open(t, { modelPath: path, contextSize: 128, gpu: false, sequences: 2 });
  if (!one || !two) return;
  try {
    const pairs = [
      { context: "Once upon a time, there was a little", continuation: " girl" },
      { context: "Lily and Tom went to the park.", continuation: " They saw a big dog." },
      { context: "The patient was given aspirin and", continuation: " a cookie" },
      { context: "Once upon a time", continuation: ", there was a boy" },
    ];
    const [a, b] = await Promise.all([one.logprobs(pairs), two.logprobs(pairs)]);
    const d = Math.max(...a.map((r, i) => Math.abs(r.logprob - b[i].logprob)));
    t.diagnostic(`1 vs 2 sequences: max |Δ logprob| = ${d.toExponential(2)}`);
    assert.ok(b.every((r) => r.error === undefined));
    assert.ok(d < 1e-5);
    const texts = pairs.flatMap((p) => [{ text: p.context + p.continuation, topLogprobs: 2 }, { text: p.context, topLogprobs: 2 }]);
    const [sa, sb] = await Promise.all([one.scoreTokens!(texts), two.scoreTokens!(texts)]);
    const ds = Math.max(...sa.flatMap((r, i) => r.logprobs.slice(1).map((x, k) => Math.abs((x as number) - (sb[i].logprobs[k + 1] as number)))));
    assert.ok(sb.every((r, i) => r.error === undefined && r.tokens.length === sa[i].tokens.length));
    assert.ok(ds < 1e-5, `scoreTokens, 1 vs 2 sequences: ${ds}`);
    const gens = pairs.map((p) => ({ prompt: p.context, maxTokens: 10, temperature: 0 }));
    const [ga, gb] = await Promise.all([one.generate(gens), two.generate(gens)]);
    assert.deepEqual(gb.map((g) => g.text), ga.map((g) => g.text));
  } finally {
    await one.close();
    await two.close();
  }
});
