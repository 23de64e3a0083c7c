// Word hashing: the WebAssembly tokenizer against the code-unit path it stands in for, the item-level words that the
// dedup sketch and the contamination scan share (field ends, the explanation on demand, reuse by identity), and the
// two-part exact hash against WordHashes' own.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../src/core/index.ts";
import type { QAItem } from "../../src/data/schema.ts";
import { WordHashes, ItemWords, exactHashInto, normalizeText } from "../../src/data/text-norm.ts";

/** A random ASCII text over letters of both cases, digits, apostrophes, punctuation, whitespace and control codes. */
function randomAscii(rng: Rng, len: number): string {
  const alphabet = "abcdeXYZ0189  ,.;:'`-\n\t(){}!?/\x7f\x00";
  let s = "";
  for (let i = 0; i < len; i++) s += alphabet[rng.int(alphabet.length)];
  return s;
}

test("ASCII words (the WebAssembly tokenizer) hash and split exactly as the code-unit path does", () => {
  const rng = new Rng(21);
  const a = new WordHashes();
  const b = new WordHashes();
  let words = 0;
  for (let t = 0; t < 600; t++) {
    const s = randomAscii(rng, t < 8 ? t : t < 590 ? rng.int(400) : 50_000 + rng.int(150_000)); // long ones grow the kernel's memory
    a.fill(s);
    b.fill(s + " é"); // one non-ASCII character sends the whole text down the code-unit path
    assert.equal(b.length, a.length + 1, JSON.stringify(s.slice(0, 80)));
    assert.deepEqual(a.hashes.subarray(0, a.length), b.hashes.subarray(0, a.length));
    assert.deepEqual(a.hashes2.subarray(0, a.length), b.hashes2.subarray(0, a.length));
    if (s.length < 1000) assert.equal(a.text() + (a.length > 0 ? " " : "") + "é", b.text());
    words += a.length;
  }
  assert.ok(words > 10_000, `${words} words compared`);
  // parts: word offsets follow every part, over growth of the word arrays
  a.fill("Start");
  for (let k = 0; k < 1500; k++) a.append(`Alpha beta's GAMMA-${k}`);
  assert.equal(a.length, 1 + 4 * 1500);
  assert.equal(a.text(1 + 4 * 1234, 1 + 4 * 1236), "alpha betas gamma 1234 alpha betas gamma 1235");
  assert.equal(normalizeText("What is (are) Glaucoma ?"), "what is are glaucoma");
});

test("exactHashInto gives WordHashes' exact hash of the same two parts, empty ones included", () => {
  const w = new WordHashes();
  const out = new Uint32Array(2);
  for (const [prompt, payload] of [["Which drug is first-line?", "Ethosuximide for absence seizures"], ["a b", ""], ["", "a b"], ["", ""], ["x", " ... "]]) {
    w.fill(prompt);
    const nPrompt = w.length;
    if (payload !== "") w.append(payload);
    exactHashInto(out, 0, w.hashes, w.hashes2, nPrompt, w.length);
    assert.deepEqual([out[0], out[1]], [w.exactLo, w.exactHi], `${prompt} | ${payload}`);
  }
  // the boundary counts; an empty part does not
  exactHashInto(out, 0, w.fill("a b c").hashes, w.hashes2, 2, 3);
  const split = [out[0], out[1]];
  exactHashInto(out, 0, w.hashes, w.hashes2, 1, 3);
  assert.notDeepEqual([out[0], out[1]], split);
  assert.notEqual(w.fill("").append("a").exactLo, w.fill("a").exactLo);
  assert.equal(w.fill("a").append("").exactLo, w.fill("a").exactLo);
});

test("ItemWords: each field's words in order, the explanation only when asked, the same object never tokenized twice", () => {
  const item: QAItem = {
    id: "q1",
    source: "test",
    kind: "mcq",
    question: "Which nerve is injured?",
    options: [{ label: "A", text: "Radial nerve" }, { label: "B", text: "Ulnar" }, { label: "C", text: "" }],
    answer: "A",
    context: ["Wrist drop after a humerus fracture.", "No sensory loss"],
    explanation: "The radial nerve runs in the spiral groove.",
    metadata: {},
  };
  const iw = new ItemWords().fill(item, false);
  assert.deepEqual([iw.questionEnd, ...iw.optionEnds.subarray(0, 3), iw.optionsEnd, iw.contextEnd, iw.answerEnd, iw.explanationEnd], [4, 6, 7, 7, 7, 16, 16, -1]);
  const joined = new WordHashes().fill([item.question, "Radial nerve", "Ulnar", "", ...item.context!].join("\n"));
  assert.deepEqual(iw.words.hashes.subarray(0, iw.contextEnd), joined.hashes.subarray(0, joined.length));
  assert.equal(iw.words.text(4, 7), "radial nerve ulnar");
  const hashesBefore = iw.words.hashes.slice(0, iw.answerEnd);
  assert.equal(iw.of(item, true), iw); // same object: only the explanation is added
  assert.equal(iw.explanationEnd, 16 + 8);
  assert.deepEqual(iw.words.hashes.subarray(0, iw.answerEnd), hashesBefore);
  assert.equal(iw.words.text(16, 24), "the radial nerve runs in the spiral groove");
  const open: QAItem = { id: "o1", source: "test", kind: "open", question: "What is gout?", answer: "Urate crystal arthritis.", metadata: {} };
  iw.of(open, true); // another object: tokenized afresh
  assert.deepEqual([iw.questionEnd, iw.optionsEnd, iw.contextEnd, iw.answerEnd, iw.explanationEnd], [3, 3, 3, 6, 6]);
  const copy = { ...open, answer: "Uric acid" };
  iw.of(copy, false);
  assert.equal(iw.words.text(3, iw.answerEnd), "uric acid");
});
