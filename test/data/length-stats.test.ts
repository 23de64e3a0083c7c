// Length statistics of the data card: whitespace word counts and the streaming histogram's summary (closed forms).
import { test } from "node:test";
import assert from "node:assert/strict";
import { LengthStats, wordCount } from "../../src/data/index.ts";
import { wordCountJs } from "../../src/data/length-stats.ts";

test("wordCount counts runs of non-whitespace, with space, tab, CR and LF as separators", () => {
  assert.equal(wordCount(""), 0);
  assert.equal(wordCount("   \n\t"), 0);
  assert.equal(wordCount("one"), 1);
  assert.equal(wordCount(" leading and trailing "), 3);
  assert.equal(wordCount("a\tb\r\nc  d\n\ne"), 5);
  assert.equal(wordCount("120/80 mm Hg, 5 mg/kg"), 5);
  assert.equal(wordCount("naïve café\u00a0noir"), 2, "a no-break space joins words, as in the text it came from");
  // the same count as splitting on the separators, on random strings over a small alphabet
  let seed = 7;
  const alphabet = [" ", "\n", "\t", "\r", "a", "b", "é", ".", "\u00a0"];
  for (let k = 0; k < 200; k++) {
    let s = "";
    const len = k % 40;
    for (let i = 0; i < len; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      s += alphabet[(seed >>> 16) % alphabet.length];
    }
    assert.equal(wordCount(s), s.split(/[ \n\t\r]+/).filter(Boolean).length, JSON.stringify(s));
  }
});

test("LengthStats: count, mean, min, max and exact nearest-rank quantiles, also past the histogram size", () => {
  const s = new LengthStats(16);
  assert.deepEqual(s.summary(), { count: 0, mean: 0, min: 0, p50: 0, p90: 0, p99: 0, max: 0 });
  for (let n = 1; n <= 100; n++) s.add(n); // 1..100: lengths 16 and up live outside the histogram
  assert.deepEqual(s.summary(), { count: 100, mean: 50.5, min: 1, p50: 50, p90: 90, p99: 99, max: 100 });
});

test("wordCount of long texts (the WebAssembly kernel) equals the JS reference, non-ASCII and lone surrogates included", () => {
  const pieces = [" ", "\n", "\t", "\r", "a", "é", "中", "😀", "\ud800", "\u00a0", "\u2028", "word", "  "];
  let seed = 3;
  for (let k = 0; k < 300; k++) {
    let s = "";
    const len = 200 + ((k * 97) % 3000); // around and well past the kernel's minimum length
    while (s.length < len) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      s += pieces[(seed >>> 16) % pieces.length];
    }
    assert.equal(wordCount(s), wordCountJs(s), `text ${k} (${s.length} chars)`);
  }
  const big = "lorem ipsum ".repeat(200_000); // grows the kernel's memory
  assert.equal(wordCount(big), 400_000);
  assert.equal(wordCount(" x".repeat(300)), 300);
});
