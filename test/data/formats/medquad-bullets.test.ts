// MedQuAD answers run their list items together on one line; the adapter puts each bullet back on its own line.
import { test } from "node:test";
import assert from "node:assert/strict";
import { restoreBullets } from "../../../src/data/formats/medquad.ts";
import { Rng } from "../../../src/core/index.ts";

test("space-separated bullets become lines; ordinary text and hyphens are untouched", () => {
  assert.equal(restoreBullets("Key Points\n- One (a cell).    - Two.     - Three."), "Key Points\n- One (a cell).\n- Two.\n- Three.");
  assert.equal(restoreBullets("a well-known 2 - 3 day course"), "a well-known 2 - 3 day course");
  assert.equal(restoreBullets(""), "");
});

test("restoreBullets equals its one-line definition on seeded strings of blanks, hyphens and words", () => {
  const reference = (s: string) => (s.includes("  - ") ? s.replace(/[ \t]{2,}- /g, "\n- ") : s);
  const pieces = [" ", "  ", "\t", "-", "- ", "a", "word", "\n", "--"];
  const rng = new Rng("medquad-bullets");
  for (let k = 0; k < 20000; k++) {
    let s = "";
    for (let n = rng.int(16); n > 0; n--) s += pieces[rng.int(pieces.length)];
    assert.equal(restoreBullets(s), reference(s), JSON.stringify(s));
  }
});
