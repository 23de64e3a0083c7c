// Plain TypeScript GEMM: the reference every native kernel is checked against, and the fallback when the addon
// cannot build. BLAS sgemm semantics, row-major, works on float32 and float64 buffers.
import type { FloatArray } from "./kernels.ts";

/** C = alpha·op(A)·op(B) + beta·C (row-major; see Kernels.gemm). */
export function gemmRef(
  transA: boolean, transB: boolean, M: number, N: number, K: number,
  alpha: number, A: FloatArray, lda: number, B: FloatArray, ldb: number,
  beta: number, C: FloatArray, ldc: number,
): void {
  for (let i = 0; i < M; i++) {
    const ci = i * ldc;
    if (beta === 0) for (let j = 0; j < N; j++) C[ci + j] = 0;
    else if (beta !== 1) for (let j = 0; j < N; j++) C[ci + j] *= beta;
  }
  if (alpha === 0 || K === 0) return;
  if (!transA && !transB) {
    // i-k-j order: streams rows of B, vectorizes well in V8.
    for (let i = 0; i < M; i++) {
      const ci = i * ldc;
      for (let k = 0; k < K; k++) {
        const a = alpha * A[i * lda + k];
        if (a === 0) continue;
        const bk = k * ldb;
        for (let j = 0; j < N; j++) C[ci + j] += a * B[bk + j];
      }
    }
  } else if (!transA && transB) {
    // Dot products of rows of A with rows of B.
    for (let i = 0; i < M; i++) {
      const ai = i * lda;
      const ci = i * ldc;
      for (let j = 0; j < N; j++) {
        const bj = j * ldb;
        let s = 0;
        for (let k = 0; k < K; k++) s += A[ai + k] * B[bj + k];
        C[ci + j] += alpha * s;
      }
    }
  } else if (transA && !transB) {
    // A is K×M: accumulate outer products row by row.
    for (let k = 0; k < K; k++) {
      const ak = k * lda;
      const bk = k * ldb;
      for (let i = 0; i < M; i++) {
        const a = alpha * A[ak + i];
        if (a === 0) continue;
        const ci = i * ldc;
        for (let j = 0; j < N; j++) C[ci + j] += a * B[bk + j];
      }
    }
  } else {
    for (let i = 0; i < M; i++) {
      const ci = i * ldc;
      for (let j = 0; j < N; j++) {
        const bj = j * ldb;
        let s = 0;
        for (let k = 0; k < K; k++) s += A[k * lda + i] * B[bj + k];
        C[ci + j] += alpha * s;
      }
    }
  }
}
