// The q/k row permutation between HF (rotate_half) and GGUF (interleaved) order, against convert_hf_to_gguf.py's rule.
import { test } from "node:test";
import assert from "node:assert/strict";
import { permuteQkRows, unpermuteQkRows } from "../../src/formats/index.ts";

test("permuteQkRows interleaves each head's halves (HF row j*D/2+i -> GGUF row 2i+j) and unpermuteQkRows undoes it", () => {
  // 2 heads of width 4, 3 columns: row r holds r*10 + column
  const rows = 8, cols = 3;
  const w = Float32Array.from({ length: rows * cols }, (_, k) => Math.floor(k / cols) * 10 + (k % cols));
  const p = permuteQkRows(w, rows, cols, 2);
  const order = Array.from({ length: rows }, (_, r) => p[r * cols] / 10);
  assert.deepEqual(order, [0, 2, 1, 3, 4, 6, 5, 7]);
  assert.deepEqual(Array.from(p.subarray(3, 6)), [20, 21, 22], "whole rows move");
  assert.deepEqual(unpermuteQkRows(p, rows, cols, 2), w);
  assert.throws(() => permuteQkRows(w, rows, cols, 3), /head width must be an even integer/);
});
