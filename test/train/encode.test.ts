// Examples as token ids and HF labels: loss only on the answer (−100 on the prompt), BOS/EOS as the tokenizer and
// format want, the lm-eval answer boundary, MCQ probes (one continuation per option), truncation only when asked,
// and the chat-template path (Llama-2 chat) separating the assistant answer from the generation prompt.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_TEMPLATE, TEMPLATES, type QAItem } from "../../src/data/index.ts";
import { loadTokenizer } from "../../src/tokenizer/index.ts";
import { ExampleEncoder, chatFormat, templateFormat } from "../../src/train/index.ts";
import { sharedPath } from "../helpers/shared.ts";

const ITEM: QAItem = {
  id: "q1", source: "t", kind: "mcq", question: "What does the cat like?", options: [{ label: "A", text: "milk" }, { label: "B", text: "rain" }],
  answer: "A", explanation: "Cats like milk.", metadata: {},
};

test("template format: labels −100 on BOS and prompt, the answer and EOS scored; the answer text decodes back", async (t) => {
  const dir = sharedPath(t, "models/stories260K/hf");
  if (!dir) return;
  const tok = await loadTokenizer(dir);
  const enc = new ExampleEncoder(tok, templateFormat(DEFAULT_TEMPLATE), { maxSeqLen: 256, truncate: false, appendEos: true });
  const ex = enc.item(ITEM, "train.jsonl:1", true);
  const promptIds = tok.encode("Question: What does the cat like?\nA. milk\nB. rain\nAnswer:");
  assert.equal(ex.ids[0], tok.bosId, "BOS first");
  assert.deepEqual(Array.from(ex.ids.subarray(0, promptIds.length)), promptIds, "the prompt tokens lead");
  assert.ok(Array.from(ex.labels.subarray(0, promptIds.length)).every((l) => l === -100), "prompt not scored");
  const scored = Array.from(ex.labels).filter((l) => l !== -100);
  assert.equal(scored.at(-1), tok.eosId, "EOS closes the answer");
  assert.equal(tok.decode(scored.slice(0, -1)).trim(), "A. milk\nExplanation: Cats like milk.");
  assert.equal(ex.nScored, scored.length);
  assert.equal(ex.where, "train.jsonl:1 (q1)");
  const noExpl = enc.item(ITEM, "x", false);
  assert.ok(noExpl.nScored < ex.nScored, "withExplanation false drops the explanation from the answer");
});

test("MCQ probes: one continuation per option after the same prompt, the gold index, no EOS", async (t) => {
  const dir = sharedPath(t, "models/stories260K/hf");
  if (!dir) return;
  const tok = await loadTokenizer(dir);
  const enc = new ExampleEncoder(tok, templateFormat(TEMPLATES["medtune-letter-v1"]), { maxSeqLen: 256, truncate: false, appendEos: true });
  const p = enc.mcq({ ...ITEM, answer: "B" }, "val.jsonl:3")!;
  assert.equal(p.gold, 1);
  assert.equal(p.options.length, 2);
  const conts = p.options.map((o) => tok.decode(Array.from(o.labels).filter((l) => l !== -100)));
  assert.deepEqual(conts.map((c) => c.trim()), ["A", "B"]);
  assert.deepEqual(Array.from(p.options[0].labels.subarray(0, 10)), new Array(10).fill(-100), "the prompt is not scored");
  assert.equal(enc.mcq({ ...ITEM, kind: "open", options: undefined, answer: "milk" }, "x"), null, "open items are not probes");
});

test("too-long sequences fail at start unless truncation is on; truncation keeps BOS and the answer", async (t) => {
  const dir = sharedPath(t, "models/stories260K/hf");
  if (!dir) return;
  const tok = await loadTokenizer(dir);
  const long = { ...ITEM, question: "Once upon a time there was a cat who liked to play in the sun all day long. ".repeat(4) + "What does the cat like?" };
  const strict = new ExampleEncoder(tok, templateFormat(TEMPLATES["medtune-letter-v1"]), { maxSeqLen: 48, truncate: false, appendEos: true });
  assert.throws(() => strict.item(long, "train.jsonl:7", false), (e: Error) => /train\.jsonl:7 \(q1\): \d+ tokens, longer than maxSeqLen 48/.test(e.message));
  const cut = new ExampleEncoder(tok, templateFormat(TEMPLATES["medtune-letter-v1"]), { maxSeqLen: 48, truncate: true, appendEos: true });
  const ex = cut.item(long, "x", false);
  assert.equal(ex.ids.length, 48);
  assert.equal(ex.ids[0], tok.bosId);
  const full = strict.item(ITEM, "y", false);
  assert.deepEqual(Array.from(ex.ids.subarray(-full.nScored)), Array.from(full.ids.subarray(-full.nScored)), "the answer (and EOS) survive");
  assert.equal(ex.nScored, full.nScored);
});

test("general text is scored on every token after the first", async (t) => {
  const dir = sharedPath(t, "models/stories260K/hf");
  if (!dir) return;
  const tok = await loadTokenizer(dir);
  const enc = new ExampleEncoder(tok, templateFormat(DEFAULT_TEMPLATE), { maxSeqLen: 64, truncate: false, appendEos: true });
  const ex = enc.text("The dog ran to the park.", "general.txt:1");
  assert.deepEqual(Array.from(ex.labels), Array.from(ex.ids));
  assert.equal(ex.nScored, ex.ids.length - 1);
});

test("chat format (Llama-2 chat template): the prompt ends at [/INST], the answer is the assistant text and </s>", async (t) => {
  const dir = sharedPath(t, "models/llama-2-tiny-random/hf");
  if (!dir) return;
  const tok = await loadTokenizer(dir);
  assert.ok(tok.chatTemplate, "the fixture has a chat template");
  const fmt = chatFormat(tok, TEMPLATES["medtune-letter-v1"]);
  const pair = fmt.pair(ITEM, false);
  assert.match(pair.prompt, /^<s>\[INST\] <<SYS>>\n[\s\S]+\n<<\/SYS>>\n\nQuestion: What does the cat like\?\nA\. milk\nB\. rain \[\/INST\]$/);
  assert.equal(pair.completion, " A </s>");
  const enc = new ExampleEncoder(tok, fmt, { maxSeqLen: 512, truncate: false, appendEos: true });
  const ex = enc.item(ITEM, "x", false);
  assert.equal(ex.ids[0], tok.bosId, "BOS from the template text, not added twice");
  assert.notEqual(ex.ids[1], tok.bosId);
  const scored = Array.from(ex.labels).filter((l) => l !== -100);
  assert.equal(scored.at(-1), tok.eosId, "the template's </s> is scored (the model learns to stop)");
  assert.equal(tok.decode(scored, { skipSpecialTokens: true }).trim(), "A");
  const probe = enc.mcq(ITEM, "v")!;
  assert.equal(tok.decode(Array.from(probe.options[1].labels).filter((l) => l !== -100)).trim(), "B", "probe continuations carry no end-of-turn");
});

test("a chat template without the model's tokenizer chat template, or a template that drops the answer, fails at start", async (t) => {
  const dir = sharedPath(t, "models/stories260K/hf");
  if (!dir) return;
  const tok = await loadTokenizer(dir);
  assert.throws(() => chatFormat(tok, DEFAULT_TEMPLATE), /has no chat template/);
  assert.throws(() => templateFormat({ ...DEFAULT_TEMPLATE, mcqAnswer: " {text}" }), /drops the answer label/);
  assert.throws(() => chatFormat(tok, DEFAULT_TEMPLATE, "{% for m in messages %}{% if m.role != 'assistant' %}{{ m.content }}{% endif %}{% endfor %}"), /drops the assistant answer/);
});
