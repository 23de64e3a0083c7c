// The addon's GEMM entry points in C++: row-major sgemm semantics, C = alpha·op(A)·op(B) + beta·C, op(A) M×K,
// op(B) K×N, C M×N, lda/ldb/ldc row strides. Callers validate shapes and lengths first (gemm-args.h).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace medtune {

/** One GEMM call's arguments (pointers already offset to the first element). */
struct GemmArgs {
  bool transA, transB;
  int64_t M, N, K;
  float alpha;
  const float* A;
  int64_t lda;
  const float* B;
  int64_t ldb;
  float beta;
  float* C;
  int64_t ldc;
};

/** Names of the SIMD variants this CPU runs, best first (always ends with "generic"). */
std::vector<std::string> simdVariants();
/** Our blocked, packed, multi-threaded GEMM with the named variant ("" = best); false if it is not available. */
bool gemmSimd(const GemmArgs& g, const std::string& variant);
/** Threads the last gemmSimd call that reached the kernel used (for tests of the thread split). */
int lastSimdTasks();
/** C = beta·C over M×N (beta = 0 writes zeros without reading C). */
void scaleC(const GemmArgs& g);

/** The BLAS library compiled in: "openblas", "accelerate" or "" when none. */
const char* blasName();
/** The BLAS library's own build description (OpenBLAS config string), or "". */
std::string blasConfig();
/** Calls the system BLAS sgemm; only when blasName() is not empty. */
void gemmBlas(const GemmArgs& g);
/** Sets the BLAS library's thread count where it has one (OpenBLAS). */
void setBlasThreads(int n);

}  // namespace medtune
