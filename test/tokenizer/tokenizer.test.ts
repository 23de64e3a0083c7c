// Tokenizers: the 47 Hugging Face reference tokenizations of the Llama-2 vocabulary through both the HF
// tokenizer.json and the tokenizer rebuilt from GGUF metadata; HF vs GGUF agreement on stories260K; special tokens,
// BOS/EOS handling, decoding, and errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { readFileSync, writeFileSync, copyFileSync } from "node:fs";
import { MedtuneError } from "../../src/core/index.ts";
import { sharedPath } from "../helpers/shared.ts";
import { tmpDir } from "../helpers/tmp.ts";
import { loadGgufTokenizer, loadHfTokenizer, loadTokenizer, spmMerges, type Tokenizer } from "../../src/tokenizer/index.ts";
import { readGgufFile } from "../../src/formats/index.ts";

/** The .inp/.out pairs: strings separated by "\n__ggml_vocab_test__\n", one line of ids per string. */
function referenceCases(dir: string): Array<{ text: string; ids: number[] }> {
  const inp = readFileSync(join(dir, "ggml-vocab-llama-spm.gguf.inp"), "utf8").split("\n__ggml_vocab_test__\n");
  const out = readFileSync(join(dir, "ggml-vocab-llama-spm.gguf.out"), "utf8").split("\n");
  assert.equal(inp.length, 47);
  return inp.map((text, i) => ({ text, ids: out[i].trim() ? out[i].trim().split(/\s+/).map(Number) : [] }));
}

function checkAll(tok: Tokenizer, cases: Array<{ text: string; ids: number[] }>, label: string): void {
  let pass = 0;
  const fails: string[] = [];
  for (const c of cases) {
    const ids = tok.encode(c.text, { addSpecialTokens: false });
    if (JSON.stringify(ids) === JSON.stringify(c.ids)) pass++;
    else fails.push(`${JSON.stringify(c.text)}: got [${ids}] want [${c.ids}]`);
  }
  process.stderr.write(`${label}: ${pass}/${cases.length} reference tokenizations\n`);
  assert.deepEqual(fails, [], label);
}

test("47 Hugging Face reference tokenizations through llama-2-tiny-random's tokenizer.json", (t) => {
  const ref = sharedPath(t, "models/ggml-vocab-llama-spm");
  const hf = sharedPath(t, "models/llama-2-tiny-random/hf");
  if (!ref || !hf) return;
  checkAll(loadHfTokenizer(hf), referenceCases(ref), "HF tokenizer.json");
});

test("47 reference tokenizations through the tokenizer built from the vocab-only GGUF", async (t) => {
  const ref = sharedPath(t, "models/ggml-vocab-llama-spm");
  if (!ref) return;
  const tok = await loadGgufTokenizer(join(ref, "ggml-vocab-llama-spm.gguf"));
  assert.equal(tok.vocabSize, 32000);
  checkAll(tok, referenceCases(ref), "GGUF-built tokenizer");
});

test("merges rebuilt from GGUF scores equal the fixture tokenizer.json merges (stories260K, Llama 2)", async (t) => {
  for (const [g, h] of [["models/stories260K/stories260K.gguf", "models/stories260K/hf"], ["models/llama-2-tiny-random/llama-2-tiny-random.gguf", "models/llama-2-tiny-random/hf"]]) {
    const gp = sharedPath(t, g);
    const hp = sharedPath(t, h);
    if (!gp || !hp) return;
    const meta = (await readGgufFile(gp)).metadata;
    const merges = spmMerges(meta["tokenizer.ggml.tokens"] as string[], meta["tokenizer.ggml.scores"] as number[]);
    const want = JSON.parse(readFileSync(join(hp, "tokenizer.json"), "utf8")).model.merges as string[];
    assert.equal(merges.length, want.length);
    assert.deepEqual(merges, want);
  }
});

test("stories260K: HF and GGUF tokenizers agree on encode/decode and special tokens", async (t) => {
  const hf = sharedPath(t, "models/stories260K/hf");
  const g = sharedPath(t, "models/stories260K/stories260K.gguf");
  if (!hf || !g) return;
  const a = await loadTokenizer(hf);
  const b = await loadTokenizer(g);
  for (const tok of [a, b]) {
    assert.equal(tok.vocabSize, 512);
    assert.equal(tok.bosId, 1);
    assert.equal(tok.eosId, 2);
    assert.equal(tok.unkId, 0);
    assert.equal(tok.bosToken, "<s>");
    assert.equal(tok.addBos, true);
    assert.equal(tok.addEos, false);
    assert.equal(tok.chatTemplate, undefined, "a base model has no chat template");
  }
  const texts = [
    "Once upon a time, there was a little girl named Lily.",
    "The patient was given aspirin and", "  two leading spaces", "tabs\tand\nnewlines\n\n", "Ünïcödé 🦙 42", "", "x",
    "Lily and Tom went to the park. They saw a big dog!", "<s> literal special text </s>",
  ];
  for (const s of texts) {
    const ids = a.encode(s);
    assert.deepEqual(b.encode(s), ids, s);
    assert.equal(ids[0], 1, "BOS first");
    assert.deepEqual(b.encode(s, { addSpecialTokens: false }), ids.slice(1));
    assert.equal(b.decode(ids, { skipSpecialTokens: true }), a.decode(ids, { skipSpecialTokens: true }));
  }
  assert.deepEqual(a.encode("Once upon a time"), [1, 403, 407, 261, 378]);
  assert.equal(a.decode([1, 403, 407, 261, 378], { skipSpecialTokens: true }), "Once upon a time");
  assert.deepEqual(a.tokens([403, 407]), b.tokens([403, 407]));
  assert.equal(a.decode([]), "");
  assert.throws(() => a.decode([512]), /token id 512 is outside the vocabulary/);
});

test("tokenizer_config add_eos_token is honoured; chat_template.jinja overrides; missing files are clear errors", (t) => {
  const hf = sharedPath(t, "models/stories260K/hf");
  if (!hf) return;
  const dir = tmpDir();
  copyFileSync(join(hf, "tokenizer.json"), join(dir, "tokenizer.json"));
  const cfg = JSON.parse(readFileSync(join(hf, "tokenizer_config.json"), "utf8"));
  writeFileSync(join(dir, "tokenizer_config.json"), JSON.stringify({ ...cfg, add_bos_token: false, add_eos_token: true }));
  writeFileSync(join(dir, "chat_template.jinja"), "{% for m in messages %}{{ m.content }}{% endfor %}");
  const tok = loadHfTokenizer(dir);
  const ids = tok.encode("Once upon a time");
  assert.deepEqual(ids, [403, 407, 261, 378, 2]);
  assert.equal(tok.chatTemplate, "{% for m in messages %}{{ m.content }}{% endfor %}");
  const empty = tmpDir();
  assert.throws(() => loadHfTokenizer(empty), (e: unknown) => e instanceof MedtuneError && e.code === "tokenizer.missing" && e.where === empty);
  writeFileSync(join(empty, "tokenizer.model"), "");
  assert.throws(() => loadHfTokenizer(empty), (e: unknown) => e instanceof MedtuneError && /tokenizer\.model \(SentencePiece\)/.test(e.hint ?? ""));
});
