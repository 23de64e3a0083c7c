// Plain TypeScript GEMM: the reference every native kernel is checked against, and the fallback when the addon
// cannot build. BLAS sgemm semantics, row-major, works on float32 and float64 buffers (sums in float64).
// Cache-blocked, two rows of C at a time, unrolled by four; A and B are never copied except two columns of A at a
// time for transA·transB.
import type { FloatArray } from "./kernels.ts";
import { checkGemmArgs } from "./gemm-check.ts";

const JB = 512; // columns of C per block: a C row segment stays in L1
const KB = 128; // rows of B per block: a KB×JB block of B stays in L2
const DOT_BYTES = 1 << 17; // rows of B per block in the dot-product form: about 128 KiB of B

/** C = alpha·op(A)·op(B) + beta·C (row-major; see Kernels.gemm). */
export function gemmRef(
  transA: boolean, transB: boolean, M: number, N: number, K: number,
  alpha: number, A: FloatArray, lda: number, B: FloatArray, ldb: number,
  beta: number, C: FloatArray, ldc: number,
): void {
  checkGemmArgs(transA, transB, M, N, K, A, lda, B, ldb, C, ldc);
  if (M === 0 || N === 0) return;
  if (alpha === 0 || K === 0) {
    scaleRows(M, N, beta, C, ldc);
    return;
  }
  if (!transB) {
    scaleRows(M, N, beta, C, ldc);
    // op(A)(i,k) = A[i·ai + k·ak]
    axpyForm(M, N, K, alpha, A, transA ? 1 : lda, transA ? lda : 1, B, ldb, C, ldc);
  } else {
    dotForm(transA, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  }
}

// C = beta·C; beta = 0 writes zeros without reading C (BLAS semantics: NaN in C does not survive).
function scaleRows(M: number, N: number, beta: number, C: FloatArray, ldc: number): void {
  if (beta === 1) return;
  for (let i = 0; i < M; i++) {
    const ci = i * ldc;
    if (beta === 0) C.fill(0, ci, ci + N);
    else for (let j = ci; j < ci + N; j++) C[j] *= beta;
  }
}

// op(B) = B (K×N, rows contiguous): C[i,:] += Σ_k alpha·op(A)(i,k)·B[k,:]. Two rows of C by four rows of B per
// pass, so each load of B feeds two rows and each load/store of C carries four terms.
function axpyForm(
  M: number, N: number, K: number, alpha: number, A: FloatArray, ai: number, ak: number,
  B: FloatArray, ldb: number, C: FloatArray, ldc: number,
): void {
  for (let j0 = 0; j0 < N; j0 += JB) {
    const j1 = Math.min(N, j0 + JB);
    for (let k0 = 0; k0 < K; k0 += KB) {
      const k1 = Math.min(K, k0 + KB);
      let i = 0;
      for (; i + 2 <= M; i += 2) {
        const c0 = i * ldc, d = ldc; // C row i at c0 + j, row i+1 at c0 + d + j
        const p = i * ai, q = p + ai;
        let k = k0;
        for (; k + 4 <= k1; k += 4) {
          const a00 = alpha * A[p + k * ak], a01 = alpha * A[p + (k + 1) * ak];
          const a02 = alpha * A[p + (k + 2) * ak], a03 = alpha * A[p + (k + 3) * ak];
          const a10 = alpha * A[q + k * ak], a11 = alpha * A[q + (k + 1) * ak];
          const a12 = alpha * A[q + (k + 2) * ak], a13 = alpha * A[q + (k + 3) * ak];
          const b0 = k * ldb - c0, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
          for (let j = c0 + j0; j < c0 + j1; j++) {
            const x0 = B[b0 + j], x1 = B[b1 + j], x2 = B[b2 + j], x3 = B[b3 + j];
            C[j] += a00 * x0 + a01 * x1 + a02 * x2 + a03 * x3;
            C[j + d] += a10 * x0 + a11 * x1 + a12 * x2 + a13 * x3;
          }
        }
        for (; k < k1; k++) {
          const a0 = alpha * A[p + k * ak], a1 = alpha * A[q + k * ak];
          const b = k * ldb - c0;
          for (let j = c0 + j0; j < c0 + j1; j++) {
            const x = B[b + j];
            C[j] += a0 * x;
            C[j + d] += a1 * x;
          }
        }
      }
      for (; i < M; i++) {
        const ci = i * ldc, p = i * ai;
        let k = k0;
        for (; k + 4 <= k1; k += 4) {
          const a0 = alpha * A[p + k * ak], a1 = alpha * A[p + (k + 1) * ak];
          const a2 = alpha * A[p + (k + 2) * ak], a3 = alpha * A[p + (k + 3) * ak];
          const b0 = k * ldb - ci, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
          for (let j = ci + j0; j < ci + j1; j++) {
            C[j] += a0 * B[b0 + j] + a1 * B[b1 + j] + a2 * B[b2 + j] + a3 * B[b3 + j];
          }
        }
        for (; k < k1; k++) {
          const a = alpha * A[p + k * ak];
          const b = k * ldb - ci;
          for (let j = ci + j0; j < ci + j1; j++) C[j] += a * B[b + j];
        }
      }
    }
  }
}

// op(B) = Bᵀ (B is N×K, rows contiguous along k): C[i,j] = alpha·dot(op(A)(i,:), B[j,:]) + beta·C[i,j], two rows
// of C by four columns per pass (eight sums). For transA the two columns of A are gathered once per block of B.
function dotForm(
  transA: boolean, M: number, N: number, K: number, alpha: number, A: FloatArray, lda: number,
  B: FloatArray, ldb: number, beta: number, C: FloatArray, ldc: number,
): void {
  const rowsPerBlock = Math.max(4, Math.floor(DOT_BYTES / (8 * K)) & ~3);
  const cols = transA ? new Float64Array(2 * K) : null;
  for (let j0 = 0; j0 < N; j0 += rowsPerBlock) {
    const j1 = Math.min(N, j0 + rowsPerBlock);
    for (let i = 0; i < M; i += 2) {
      const two = i + 1 < M;
      // Row i of op(A) at a[p + k], row i+1 at a[p + d + k].
      let a: FloatArray = A;
      let p = i * lda, d = lda;
      if (cols !== null) {
        for (let k = 0; k < K; k++) cols[k] = A[k * lda + i];
        if (two) for (let k = 0; k < K; k++) cols[K + k] = A[k * lda + i + 1];
        a = cols;
        p = 0;
        d = K;
      }
      const c0 = i * ldc;
      let j = j0;
      if (two) {
        const c1 = c0 + ldc;
        for (; j + 4 <= j1; j += 4) {
          const b0 = j * ldb - p, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
          let s0 = 0, s1 = 0, s2 = 0, s3 = 0, t0 = 0, t1 = 0, t2 = 0, t3 = 0;
          for (let k = p; k < p + K; k++) {
            const x = a[k], y = a[k + d];
            const q0 = B[b0 + k], q1 = B[b1 + k], q2 = B[b2 + k], q3 = B[b3 + k];
            s0 += x * q0;
            s1 += x * q1;
            s2 += x * q2;
            s3 += x * q3;
            t0 += y * q0;
            t1 += y * q1;
            t2 += y * q2;
            t3 += y * q3;
          }
          store4(C, c0 + j, alpha, beta, s0, s1, s2, s3);
          store4(C, c1 + j, alpha, beta, t0, t1, t2, t3);
        }
        for (; j < j1; j++) {
          const b = j * ldb - p;
          let s = 0, t = 0;
          for (let k = p; k < p + K; k++) {
            s += a[k] * B[b + k];
            t += a[k + d] * B[b + k];
          }
          C[c0 + j] = beta === 0 ? alpha * s : alpha * s + beta * C[c0 + j];
          C[c1 + j] = beta === 0 ? alpha * t : alpha * t + beta * C[c1 + j];
        }
      } else {
        for (; j + 4 <= j1; j += 4) {
          const b0 = j * ldb - p, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
          let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
          for (let k = p; k < p + K; k++) {
            const x = a[k];
            s0 += x * B[b0 + k];
            s1 += x * B[b1 + k];
            s2 += x * B[b2 + k];
            s3 += x * B[b3 + k];
          }
          store4(C, c0 + j, alpha, beta, s0, s1, s2, s3);
        }
        for (; j < j1; j++) {
          const b = j * ldb - p;
          let s = 0;
          for (let k = p; k < p + K; k++) s += a[k] * B[b + k];
          C[c0 + j] = beta === 0 ? alpha * s : alpha * s + beta * C[c0 + j];
        }
      }
    }
  }
}

// C[c..c+3] = alpha·s + beta·C (beta = 0 never reads C).
function store4(C: FloatArray, c: number, alpha: number, beta: number, s0: number, s1: number, s2: number, s3: number): void {
  if (beta === 0) {
    C[c] = alpha * s0;
    C[c + 1] = alpha * s1;
    C[c + 2] = alpha * s2;
    C[c + 3] = alpha * s3;
  } else {
    C[c] = alpha * s0 + beta * C[c];
    C[c + 1] = alpha * s1 + beta * C[c + 1];
    C[c + 2] = alpha * s2 + beta * C[c + 2];
    C[c + 3] = alpha * s3 + beta * C[c + 3];
  }
}
