// Register-tiled GEMM micro-kernels: C[mr×nr] = alpha·Ap·Bp + beta·C over one packed KC slice, where Ap holds
// MR rows interleaved per k (Ap[k·MR + r]) and Bp NR columns per k (Bp[k·NR + c]), zero-padded at the edges.
// beta = 0 never reads C (BLAS semantics). One variant per instruction set, picked at run time.
#pragma once
#include <cstdint>

namespace medtune {

using UkernelFn = void (*)(int64_t kc, const float* Ap, const float* Bp, float* C, int64_t ldc, float alpha,
                           float beta, int mr, int nr);

/** A micro-kernel with its register tile (MR×NR) and cache blocking (KC, MC, NC). */
struct Ukernel {
  const char* name;
  int mr, nr;
  int kc, mc, nc;
  UkernelFn fn;
  bool (*supported)();
};

/** Every micro-kernel compiled in, best first; filter with supported(). */
const Ukernel* ukernels(int* count);

/** Writes an MR×NR tile held in tmp (alpha already applied) into the mr×nr corner of C with beta. */
inline void storeEdge(const float* tmp, int NR, float* C, int64_t ldc, float beta, int mr, int nr) {
  for (int r = 0; r < mr; r++) {
    float* c = C + r * ldc;
    const float* t = tmp + r * NR;
    if (beta == 0.0f) {
      for (int j = 0; j < nr; j++) c[j] = t[j];
    } else {
      for (int j = 0; j < nr; j++) c[j] = t[j] + beta * c[j];
    }
  }
}

}  // namespace medtune
