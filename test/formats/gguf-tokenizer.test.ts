// GGUF tokenizer metadata built from tokenizer.json: the Llama-2 SentencePiece vocabulary reproduces the original
// GGUF's tokens, types and scores; a byte-level BPE tokenizer gets tokens, merges and its llama.cpp pre-tokenizer
// name, and llama.cpp (vocab-only load) tokenizes like Hugging Face with it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { sharedPath } from "../helpers/shared.ts";
import { tmpDir } from "../helpers/tmp.ts";
import { detectBpePre, ggufTokenizerFromHf, modelConfigToGguf, parseHfConfig, readGgufFile, writeGguf } from "../../src/formats/index.ts";
import { loadHfTokenizer, Tokenizer, tokenizerFilesFromGguf } from "../../src/tokenizer/index.ts";

test("Llama-2 tokenizer.json -> GGUF metadata matches the original GGUF vocabulary", async (t) => {
  const hf = sharedPath(t, "models/llama-2-tiny-random/hf");
  const g = sharedPath(t, "models/llama-2-tiny-random/llama-2-tiny-random.gguf");
  if (!hf || !g) return;
  const m = ggufTokenizerFromHf(hf, { vocabSize: 32000 });
  const orig = (await readGgufFile(g)).metadata;
  assert.equal(m.get("tokenizer.ggml.model")!.value, "llama");
  assert.deepEqual(m.get("tokenizer.ggml.tokens")!.value, orig["tokenizer.ggml.tokens"]);
  assert.deepEqual(m.get("tokenizer.ggml.token_type")!.value, orig["tokenizer.ggml.token_type"]);
  const ours = m.get("tokenizer.ggml.scores")!.value as number[];
  const theirs = orig["tokenizer.ggml.scores"] as number[];
  const tokens = orig["tokenizer.ggml.tokens"] as string[];
  // SentencePiece merges by the score of the merged piece: the order of the multi-character pieces by score must
  // be Llama 2's (its 16 whitespace-run pieces at -1e9 come last, in id order).
  const merged = tokens.flatMap((tok, i) => ([...tok].length > 1 && (orig["tokenizer.ggml.token_type"] as number[])[i] === 1 ? [i] : []));
  const byScore = (sc: number[]): number[] => [...merged].sort((a, b) => sc[b] - sc[a] || a - b);
  assert.deepEqual(byScore(ours), byScore(theirs));
  for (const [i, tok] of tokens.entries()) if ([...tok].length === 1) assert.ok(ours[i] === 0, `single-character piece ${tok}`);
  assert.ok(ours[tokens.indexOf("▁t")] === 0, "the first merge scores highest");
  for (const k of ["tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id", "tokenizer.ggml.unknown_token_id"]) assert.equal(m.get(k)!.value, orig[k], k);
  assert.equal(m.get("tokenizer.ggml.add_bos_token")!.value, true);
  assert.ok(String(m.get("tokenizer.chat_template")!.value).includes("[INST]"));
  // The GGUF-side tokenizer rebuilt from our metadata tokenizes the 47 reference strings like the HF one (see test/tokenizer).
  const plain = Object.fromEntries([...m].map(([k, v]) => [k, v.value]));
  const rebuilt = new Tokenizer(tokenizerFilesFromGguf(plain, "meta"));
  const ref = loadHfTokenizer(hf);
  for (const s of ["Hello world", " leading space", "Ünïcödé 🦙 and numbers 12345", "line\nbreaks\n\n  indented"]) assert.deepEqual(rebuilt.encode(s), ref.encode(s), s);
});

function bytesToUnicode(): string[] {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) if (!bs.includes(b)) { bs.push(b); cs.push(256 + n++); }
  const out: string[] = new Array(256);
  bs.forEach((b, i) => (out[b] = String.fromCodePoint(cs[i])));
  return out;
}

/** A small byte-level BPE tokenizer.json (GPT-2 style) with a handful of merges and one special token. */
function byteLevelTokenizer(dir: string, preTokenizer: unknown): void {
  const chars = bytesToUnicode();
  const vocab: Record<string, number> = {};
  chars.forEach((c, i) => (vocab[c] = i));
  const merges = ["Ġ t", "h e", "Ġt he", "i n", "Ġ a", "e r", "Ġ p", "Ġp a", "t i", "e n", "Ġpa ti", "Ġpati en", "Ġpatien t", "1 2"];
  for (const m of merges) vocab[m.replace(" ", "")] = Object.keys(vocab).length;
  const eot = Object.keys(vocab).length;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "tokenizer.json"), JSON.stringify({
    version: "1.0", truncation: null, padding: null,
    added_tokens: [{ id: eot, content: "<|endoftext|>", single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }],
    normalizer: null, pre_tokenizer: preTokenizer, post_processor: { type: "ByteLevel", add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: { type: "BPE", dropout: null, unk_token: null, continuing_subword_prefix: "", end_of_word_suffix: "", fuse_unk: false, byte_fallback: false, vocab, merges },
  }));
  writeFileSync(join(dir, "tokenizer_config.json"), JSON.stringify({ bos_token: "<|endoftext|>", eos_token: "<|endoftext|>", add_bos_token: false, clean_up_tokenization_spaces: false }));
}

const GPT2_PRE = { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true };
const SAMPLES = ["the patient", "The patient is in the ER at 12:30!", "  spaced   out\ttabs\nnew line", "émigré naïve 😀 1234567"];

test("byte-level BPE tokenizer.json -> gpt2 GGUF metadata -> tokenizer.json tokenizes identically", (t) => {
  const dir = tmpDir();
  byteLevelTokenizer(dir, GPT2_PRE);
  const m = ggufTokenizerFromHf(dir);
  assert.equal(m.get("tokenizer.ggml.model")!.value, "gpt2");
  assert.equal(m.get("tokenizer.ggml.pre")!.value, "gpt-2");
  assert.equal((m.get("tokenizer.ggml.merges")!.value as string[]).length, 14);
  const types = m.get("tokenizer.ggml.token_type")!.value as number[];
  assert.equal(types[types.length - 1], 3, "special added token is CONTROL");
  const ref = loadHfTokenizer(dir);
  const rebuilt = new Tokenizer(tokenizerFilesFromGguf(Object.fromEntries([...m].map(([k, v]) => [k, v.value])), "meta"));
  for (const s of SAMPLES) assert.deepEqual(rebuilt.encode(s), ref.encode(s), s);
  assert.equal(rebuilt.decode(rebuilt.encode(SAMPLES[1])), SAMPLES[1]);
  void t;
});

test("pre-tokenizer detection: llama-bpe, qwen2, smollm, gpt-2, and a clear error otherwise", () => {
  const split = (re: string) => ({ pre_tokenizer: { type: "Sequence", pretokenizers: [{ type: "Split", pattern: { Regex: re }, behavior: "Isolated", invert: false }, { type: "ByteLevel", use_regex: false }] } });
  assert.equal(detectBpePre(split("(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"), "x"), "llama-bpe");
  assert.equal(detectBpePre(split("(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"), "x"), "qwen2");
  assert.equal(detectBpePre({ pre_tokenizer: { type: "Sequence", pretokenizers: [{ type: "Digits", individual_digits: true }, GPT2_PRE] } }, "x"), "smollm");
  assert.equal(detectBpePre({ pre_tokenizer: GPT2_PRE }, "x"), "gpt-2");
  assert.throws(() => detectBpePre(split("\\w+"), "x"), /unrecognised pre-tokenizer regex/);
});

test("llama.cpp (vocab-only) tokenizes with our gpt2 GGUF metadata like Hugging Face", async (t) => {
  let nl: typeof import("node-llama-cpp");
  try {
    nl = await import("node-llama-cpp");
  } catch (e) {
    if (process.env.CI) throw e;
    t.skip("node-llama-cpp unavailable");
    return;
  }
  const dir = tmpDir();
  byteLevelTokenizer(dir, GPT2_PRE);
  const meta = ggufTokenizerFromHf(dir);
  const n = (meta.get("tokenizer.ggml.tokens")!.value as string[]).length;
  const cfg = parseHfConfig({ model_type: "llama", vocab_size: n, hidden_size: 64, intermediate_size: 128, num_hidden_layers: 1, num_attention_heads: 2 });
  const all = modelConfigToGguf(cfg);
  for (const [k, v] of meta) all.set(k, v);
  const path = join(dir, "vocab.gguf");
  writeGguf(path, all, []);
  const llama = await nl.getLlama({ build: "never", maxThreads: os.cpus().length, logLevel: nl.LlamaLogLevel.error });
  try {
    const model = await llama.loadModel({ modelPath: path, vocabOnly: true });
    const ref = loadHfTokenizer(dir);
    for (const s of SAMPLES) assert.deepEqual(Array.from(model.tokenize(s)), ref.encode(s), s);
    await model.dispose();
  } finally {
    await llama.dispose();
  }
});
