// MedQuAD answers run their list items together on one line; the adapter puts each bullet back on its own line.
import { test } from "node:test";
import assert from "node:assert/strict";
import { restoreBullets } from "../../../src/data/formats/medquad.ts";

test("space-separated bullets become lines; ordinary text and hyphens are untouched", () => {
  assert.equal(restoreBullets("Key Points\n- One (a cell).    - Two.     - Three."), "Key Points\n- One (a cell).\n- Two.\n- Three.");
  assert.equal(restoreBullets("a well-known 2 - 3 day course"), "a well-known 2 - 3 day course");
  assert.equal(restoreBullets(""), "");
});
