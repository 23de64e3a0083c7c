// The context/continuation boundary (lm-evaluation-harness `_encode_pair`) with a toy greedy longest-match
// tokenizer whose vocabulary makes tokens merge across the boundary; plus the offset form used over HTTP.
import { test } from "node:test";
import assert from "node:assert/strict";
import { splitContinuation, moveTrailingSpace, firstTokenAfter, codePointLength } from "../../src/providers/index.ts";

/** Greedy longest-match tokenizer over a fixed vocabulary (ids = index + 10; BOS = 1, EOS = 2). */
function toyTokenizer(vocab: string[]): { encode: (s: string) => number[]; decode: (ids: number[]) => string } {
  const sorted = vocab.map((v, i) => [v, i + 10] as const).sort((a, b) => b[0].length - a[0].length);
  return {
    encode(s) {
      const out: number[] = [];
      for (let i = 0; i < s.length; ) {
        const hit = sorted.find(([v]) => s.startsWith(v, i));
        if (!hit) throw new Error(`no token for ${JSON.stringify(s.slice(i))}`);
        out.push(hit[1]);
        i += hit[0].length;
      }
      return out;
    },
    decode: (ids) => ids.map((id) => vocab[id - 10]).join(""),
  };
}

const VOCAB = [" ", "A", "B", "C", "a", "c", "t", "ca", "cat", " A", " B", ":", "Answer", "The", " the"];
const tok = toyTokenizer(VOCAB);

test("moveTrailingSpace moves all trailing whitespace of the context to the continuation", () => {
  assert.deepEqual(moveTrailingSpace("Answer: ", "A"), { context: "Answer:", continuation: " A" });
  assert.deepEqual(moveTrailingSpace("Answer:\n \t", "A"), { context: "Answer:", continuation: "\n \tA" });
  assert.deepEqual(moveTrailingSpace("Answer:", " A"), { context: "Answer:", continuation: " A" });
  assert.deepEqual(moveTrailingSpace("   ", "A"), { context: "", continuation: "   A" });
});

test("splitContinuation: the continuation's tokens are the tail of the joint encoding", () => {
  const s = splitContinuation(tok.encode, "Answer:", " A", { prefix: [1] });
  assert.ok(!("error" in s));
  assert.deepEqual(s.tokens, [1, ...tok.encode("Answer: A")]);
  assert.equal(tok.decode(s.tokens.slice(s.start)), " A", "scored alone, 'A' would be a different token from ' A'");
  assert.equal(s.merged, false);
  // A trailing space in the context scores the same tokens as a leading space in the continuation.
  const t = splitContinuation(tok.encode, "Answer: ", "A", { prefix: [1] });
  assert.ok(!("error" in t));
  assert.deepEqual(t, s);
});

test("splitContinuation: a token merging across the boundary is scored with the continuation", () => {
  // "The ca" + "t": the context alone ends in "ca", the joint text ends in "cat".
  const s = splitContinuation(tok.encode, "The ca", "t", { prefix: [1] });
  assert.ok(!("error" in s));
  assert.equal(s.merged, true);
  assert.equal(tok.decode(s.tokens.slice(s.start)), "cat", "every character of the continuation is covered");
  // The harness's by-length slice would have scored nothing here (joint = [BOS, The, ' ', cat], context = 4 tokens).
  assert.equal(s.tokens.length, 4);
});

test("splitContinuation: an empty context stands on BOS, or on the EOS the caller gives, or is refused", () => {
  const withBos = splitContinuation(tok.encode, "", "The cat", { prefix: [1] });
  assert.ok(!("error" in withBos));
  assert.equal(withBos.start, 1);
  assert.equal(tok.decode(withBos.tokens.slice(1)), "The cat");
  const withEos = splitContinuation(tok.encode, "", "The cat", { prefix: [], emptyContextToken: 2 });
  assert.ok(!("error" in withEos));
  assert.deepEqual(withEos.tokens.slice(0, 1), [2]);
  const none = splitContinuation(tok.encode, "", "The cat", { prefix: [] });
  assert.ok("error" in none);
  assert.match(none.error, /context is empty/);
  // No BOS and a merge at the very first token: nothing can be scored.
  const first = splitContinuation(tok.encode, "c", "at", { prefix: [] });
  assert.ok("error" in first);
  assert.match(first.error, /first token/);
});

test("firstTokenAfter finds the first token reaching past the boundary, from start offsets", () => {
  // tokens: <s>(0..0) "Answer"(0..6) ":"(6..7) " A"(7..9)
  const offsets = [0, 0, 6, 7];
  assert.equal(firstTokenAfter(offsets, 7, 9), 3);
  assert.equal(firstTokenAfter(offsets, 0, 9), 1, "an empty context starts at the first text token, after BOS");
  assert.equal(firstTokenAfter(offsets, 6, 9), 2);
  // A straddling token (offset 5..8 over a boundary at 6) is included.
  assert.equal(firstTokenAfter([0, 0, 5, 8], 6, 9), 2);
  assert.equal(firstTokenAfter(offsets, 9, 9), -1);
});

test("codePointLength counts astral characters once (OpenAI text_offset units)", () => {
  assert.equal(codePointLength("abc"), 3);
  assert.equal(codePointLength("😀a"), 2);
  assert.equal(codePointLength("naïve — 5 mg"), 12);
  assert.equal(codePointLength(""), 0);
});
