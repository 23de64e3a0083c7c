// The system BLAS path: cblas_sgemm in row-major order from OpenBLAS (found by pkg-config) or Apple's
// Accelerate; compiled only when binding.gyp defined MEDTUNE_HAVE_BLAS, otherwise every entry is inert.
#include "gemm.h"

#if defined(MEDTUNE_BLAS_ACCELERATE)
#include <Accelerate/Accelerate.h>
#elif defined(MEDTUNE_BLAS_OPENBLAS)
#include <cblas.h>
#endif

namespace medtune {

const char* blasName() {
#if defined(MEDTUNE_BLAS_ACCELERATE)
  return "accelerate";
#elif defined(MEDTUNE_BLAS_OPENBLAS)
  return "openblas";
#else
  return "";
#endif
}

std::string blasConfig() {
#if defined(MEDTUNE_BLAS_OPENBLAS)
  const char* c = openblas_get_config();
  return c ? std::string(c) : std::string();
#else
  return std::string();
#endif
}

void setBlasThreads(int n) {
#if defined(MEDTUNE_BLAS_OPENBLAS)
  openblas_set_num_threads(n);
#else
  (void)n;
#endif
}

void gemmBlas(const GemmArgs& g) {
#if defined(MEDTUNE_HAVE_BLAS)
  if (g.M == 0 || g.N == 0) return;
  // K = 0 or alpha = 0: C = beta·C without reading A or B, the same code on every path.
  if (g.K == 0 || g.alpha == 0.0f) {
    scaleC(g);
    return;
  }
  cblas_sgemm(CblasRowMajor, g.transA ? CblasTrans : CblasNoTrans, g.transB ? CblasTrans : CblasNoTrans,
              static_cast<int>(g.M), static_cast<int>(g.N), static_cast<int>(g.K), g.alpha, g.A,
              static_cast<int>(g.lda), g.B, static_cast<int>(g.ldb), g.beta, g.C, static_cast<int>(g.ldc));
#else
  (void)g;
#endif
}

}  // namespace medtune
