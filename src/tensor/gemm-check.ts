// Argument checks for Kernels.gemm, shared by every implementation: the same rules as the native addon (BLAS
// leading-dimension minimums, buffer lengths), so a wrong call throws instead of reading past a buffer.
import type { FloatArray } from "./kernels.ts";

function dim(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min || v > 2147483647) {
    throw new RangeError(`gemm: ${name} must be an integer in [${min}, 2^31-1], got ${v}`);
  }
}

// A rows×cols row-major matrix with row stride ld needs (rows-1)·ld + cols elements (none when empty).
function matrix(name: string, ldName: string, rows: number, cols: number, ld: number, arr: FloatArray, shape: string): void {
  if (!(arr instanceof Float32Array || arr instanceof Float64Array)) {
    throw new TypeError(`gemm: ${name} must be a Float32Array or Float64Array`);
  }
  if (ld < Math.max(1, cols)) throw new RangeError(`gemm: ${ldName}=${ld} is less than the row length ${cols} of ${name} (${shape})`);
  const need = rows === 0 || cols === 0 ? 0 : (rows - 1) * ld + cols;
  if (arr.length < need) throw new TypeError(`gemm: ${name} has ${arr.length} elements but needs ${need} (${shape})`);
}

/** Throws a RangeError on a bad dimension or stride and a TypeError on a buffer too short for its shape. */
export function checkGemmArgs(
  transA: boolean, transB: boolean, M: number, N: number, K: number,
  A: FloatArray, lda: number, B: FloatArray, ldb: number, C: FloatArray, ldc: number,
): void {
  dim("M", M, 0);
  dim("N", N, 0);
  dim("K", K, 0);
  dim("lda", lda, 1);
  dim("ldb", ldb, 1);
  dim("ldc", ldc, 1);
  const dims = `M=${M}, N=${N}, K=${K}`;
  matrix("A", "lda", transA ? K : M, transA ? M : K, lda, A, `${transA ? "transA, A is K×M" : "A is M×K"}, ${dims}, lda=${lda}`);
  matrix("B", "ldb", transB ? N : K, transB ? K : N, ldb, B, `${transB ? "transB, B is N×K" : "B is K×N"}, ${dims}, ldb=${ldb}`);
  matrix("C", "ldc", M, N, ldc, C, `C is M×N, ${dims}, ldc=${ldc}`);
}
