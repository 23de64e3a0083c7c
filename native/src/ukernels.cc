// GEMM micro-kernels: AVX-512 (12×32) and AVX2+FMA (6×16) through function-level target attributes, chosen
// at run time with __builtin_cpu_supports (never -march=native: the addon runs on other CPUs than the one that
// built it), and a portable 4×8 / 8×8 kernel in plain C++ that the compiler vectorizes for the baseline (SSE2, NEON).
#include "ukernels.h"

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define MEDTUNE_X86_SIMD 1
#include <immintrin.h>
#endif

#if defined(__GNUC__)
#define MEDTUNE_UNROLL _Pragma("GCC unroll 32")
#else
#define MEDTUNE_UNROLL
#endif

namespace medtune {
namespace {

// Portable kernel: fixed-size loops the compiler keeps in vector registers (8×8 fills NEON's 32 registers;
// 4×8 fits the 16 of baseline x86-64 SSE2).
#if defined(__aarch64__) || defined(_M_ARM64)
constexpr int GMR = 8, GNR = 8;
#else
constexpr int GMR = 4, GNR = 8;
#endif

void ukernelGeneric(int64_t kc, const float* Ap, const float* Bp, float* C, int64_t ldc, float alpha, float beta,
                    int mr, int nr) {
  float acc[GMR][GNR] = {};
  for (int64_t k = 0; k < kc; k++) {
    const float* b = Bp + k * GNR;
    const float* a = Ap + k * GMR;
    MEDTUNE_UNROLL
    for (int r = 0; r < GMR; r++) {
      MEDTUNE_UNROLL
      for (int j = 0; j < GNR; j++) acc[r][j] += a[r] * b[j];
    }
  }
  float tmp[GMR * GNR];
  for (int r = 0; r < GMR; r++)
    for (int j = 0; j < GNR; j++) tmp[r * GNR + j] = alpha * acc[r][j];
  storeEdge(tmp, GNR, C, ldc, beta, mr, nr);
}

bool alwaysSupported() { return true; }

#if MEDTUNE_X86_SIMD

constexpr int A2MR = 6, A2NR = 16;

__attribute__((target("avx2,fma"))) void ukernelAvx2(int64_t kc, const float* Ap, const float* Bp, float* C,
                                                     int64_t ldc, float alpha, float beta, int mr, int nr) {
  __m256 c[A2MR][2];
  MEDTUNE_UNROLL
  for (int r = 0; r < A2MR; r++) c[r][0] = c[r][1] = _mm256_setzero_ps();
  for (int r = 0; r < mr; r++) {
    _mm_prefetch(reinterpret_cast<const char*>(C + r * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(C + r * ldc + 15), _MM_HINT_T0);
  }
  for (int64_t k = 0; k < kc; k++) {
    const __m256 b0 = _mm256_loadu_ps(Bp), b1 = _mm256_loadu_ps(Bp + 8);
    MEDTUNE_UNROLL
    for (int r = 0; r < A2MR; r++) {
      const __m256 a = _mm256_broadcast_ss(Ap + r);
      c[r][0] = _mm256_fmadd_ps(a, b0, c[r][0]);
      c[r][1] = _mm256_fmadd_ps(a, b1, c[r][1]);
    }
    Ap += A2MR;
    Bp += A2NR;
  }
  const __m256 va = _mm256_set1_ps(alpha);
  if (mr == A2MR && nr == A2NR) {
    const __m256 vb = _mm256_set1_ps(beta);
    MEDTUNE_UNROLL
    for (int r = 0; r < A2MR; r++) {
      float* row = C + r * ldc;
      __m256 v0 = _mm256_mul_ps(c[r][0], va), v1 = _mm256_mul_ps(c[r][1], va);
      if (beta != 0.0f) {
        v0 = _mm256_fmadd_ps(_mm256_loadu_ps(row), vb, v0);
        v1 = _mm256_fmadd_ps(_mm256_loadu_ps(row + 8), vb, v1);
      }
      _mm256_storeu_ps(row, v0);
      _mm256_storeu_ps(row + 8, v1);
    }
    return;
  }
  alignas(32) float tmp[A2MR * A2NR];
  MEDTUNE_UNROLL
  for (int r = 0; r < A2MR; r++) {
    _mm256_store_ps(tmp + r * A2NR, _mm256_mul_ps(c[r][0], va));
    _mm256_store_ps(tmp + r * A2NR + 8, _mm256_mul_ps(c[r][1], va));
  }
  storeEdge(tmp, A2NR, C, ldc, beta, mr, nr);
}

bool avx2Supported() { return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }

constexpr int A5MR = 12, A5NR = 32;

__attribute__((target("avx512f"))) void ukernelAvx512(int64_t kc, const float* Ap, const float* Bp, float* C,
                                                      int64_t ldc, float alpha, float beta, int mr, int nr) {
  __m512 c[A5MR][2];
  MEDTUNE_UNROLL
  for (int r = 0; r < A5MR; r++) c[r][0] = c[r][1] = _mm512_setzero_ps();
  // Start fetching the C tile now so its cache misses overlap the k loop instead of stalling the stores.
  for (int r = 0; r < mr; r++) {
    _mm_prefetch(reinterpret_cast<const char*>(C + r * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(C + r * ldc + 31), _MM_HINT_T0);
  }
  for (int64_t k = 0; k < kc; k++) {
    const __m512 b0 = _mm512_loadu_ps(Bp), b1 = _mm512_loadu_ps(Bp + 16);
    MEDTUNE_UNROLL
    for (int r = 0; r < A5MR; r++) {
      const __m512 a = _mm512_set1_ps(Ap[r]);
      c[r][0] = _mm512_fmadd_ps(a, b0, c[r][0]);
      c[r][1] = _mm512_fmadd_ps(a, b1, c[r][1]);
    }
    Ap += A5MR;
    Bp += A5NR;
  }
  const __m512 va = _mm512_set1_ps(alpha);
  if (mr == A5MR) {
    // Full rows: masked loads/stores cover a partial column edge without a bounce buffer.
    const __mmask16 m0 = nr >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << nr) - 1);
    const __mmask16 m1 = nr >= 32 ? static_cast<__mmask16>(0xFFFF)
                         : nr > 16 ? static_cast<__mmask16>((1u << (nr - 16)) - 1)
                                   : static_cast<__mmask16>(0);
    const __m512 vb = _mm512_set1_ps(beta);
    MEDTUNE_UNROLL
    for (int r = 0; r < A5MR; r++) {
      float* row = C + r * ldc;
      __m512 v0 = _mm512_mul_ps(c[r][0], va), v1 = _mm512_mul_ps(c[r][1], va);
      if (beta != 0.0f) {
        v0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m0, row), vb, v0);
        v1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m1, row + 16), vb, v1);
      }
      _mm512_mask_storeu_ps(row, m0, v0);
      _mm512_mask_storeu_ps(row + 16, m1, v1);
    }
    return;
  }
  alignas(64) float tmp[A5MR * A5NR];
  MEDTUNE_UNROLL
  for (int r = 0; r < A5MR; r++) {
    _mm512_store_ps(tmp + r * A5NR, _mm512_mul_ps(c[r][0], va));
    _mm512_store_ps(tmp + r * A5NR + 16, _mm512_mul_ps(c[r][1], va));
  }
  storeEdge(tmp, A5NR, C, ldc, beta, mr, nr);
}

bool avx512Supported() { return __builtin_cpu_supports("avx512f"); }

#endif

// Blocking: Bp sliver (KC×NR) stays in L1, the packed A block (MC×KC) in L2, the packed B panel (KC×NC) in L3.
const Ukernel kUkernels[] = {
#if MEDTUNE_X86_SIMD
    {"avx512", A5MR, A5NR, 384, A5MR * 16, 4096, ukernelAvx512, avx512Supported},
    {"avx2", A2MR, A2NR, 384, A2MR * 24, 4096, ukernelAvx2, avx2Supported},
#endif
    {"generic", GMR, GNR, 256, 128, 2048, ukernelGeneric, alwaysSupported},
};

}  // namespace

const Ukernel* ukernels(int* count) {
  *count = static_cast<int>(sizeof(kUkernels) / sizeof(kUkernels[0]));
  return kUkernels;
}

}  // namespace medtune
