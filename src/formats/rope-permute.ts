// The q/k row order llama.cpp uses for Llama and Mistral (convert_hf_to_gguf.py `LlamaModel.permute`): HF keeps
// rotate_half order (per head: first halves, then second halves), GGUF interleaves pairs. Per head of width D,
// HF row j*D/2 + i <-> GGUF row 2*i + j. Qwen2 keeps the NEOX (HF) order and is never permuted.

import { MedtuneError } from "../core/index.ts";

function check(rows: number, nHeads: number): number {
  const D = rows / nHeads;
  if (!Number.isInteger(D) || D % 2 !== 0) throw new MedtuneError("model.shape", `cannot permute ${rows} q/k rows over ${nHeads} heads (head width must be an even integer)`);
  return D;
}

/** Moves every q/k row between the two orders: HF row j*D/2 + i of a head to GGUF row 2*i + j, or back. */
function moveRows(w: Float32Array, rows: number, cols: number, nHeads: number, toGguf: boolean): Float32Array {
  const D = check(rows, nHeads);
  const half = D / 2;
  const out = new Float32Array(w.length);
  for (let h = 0; h < nHeads; h++) {
    for (let j = 0; j < 2; j++) {
      for (let i = 0; i < half; i++) {
        const hf = (h * D + j * half + i) * cols;
        const gguf = (h * D + 2 * i + j) * cols;
        const [src, dst] = toGguf ? [hf, gguf] : [gguf, hf];
        out.set(w.subarray(src, src + cols), dst);
      }
    }
  }
  return out;
}

/** HF -> GGUF row order: `w` is (rows, cols) row-major; returns a new array. */
export function permuteQkRows(w: Float32Array, rows: number, cols: number, nHeads: number): Float32Array {
  return moveRows(w, rows, cols, nHeads, true);
}

/** GGUF -> HF row order (inverse of `permuteQkRows`). */
export function unpermuteQkRows(w: Float32Array, rows: number, cols: number, nHeads: number): Float32Array {
  return moveRows(w, rows, cols, nHeads, false);
}
