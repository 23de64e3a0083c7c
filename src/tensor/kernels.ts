// The kernel seam: one interface, two implementations (native addon: system BLAS or our SIMD kernel; plain
// TypeScript reference). Row-major throughout; the layer code never knows which implementation runs.

/** A float buffer kernels accept: float32 for real work, float64 for finite-difference checks (TS path only). */
export type FloatArray = Float32Array | Float64Array;

/** The compute kernels the engine needs. */
export interface Kernels {
  /** Implementation name, e.g. `ts`, `native-blas`, `native-simd`. */
  readonly name: string;
  /**
   * C = alpha·op(A)·op(B) + beta·C, row-major, BLAS sgemm semantics: op(A) is M×K, op(B) is K×N, C is M×N;
   * transA/transB read A (K×M) / B (N×K) transposed; lda/ldb/ldc are row strides. beta = 0 ignores C's contents.
   */
  gemm(
    transA: boolean, transB: boolean, M: number, N: number, K: number,
    alpha: number, A: FloatArray, lda: number, B: FloatArray, ldb: number,
    beta: number, C: FloatArray, ldc: number,
  ): void;
}
