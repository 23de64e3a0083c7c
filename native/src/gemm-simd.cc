// Our own GEMM, Goto/BLIS style: for each NC-wide column panel and KC-deep slice, pack op(B) into NR-wide
// slivers, pack MC-row blocks of op(A) into MR-row slivers, and run the register-tiled micro-kernel over the
// block. Threads split C into a tM×tN grid of blocks (each packs its own operands; no barriers), so every
// element of C sums its K terms in the same order whatever the thread count.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

#include "gemm.h"
#include "thread-pool.h"
#include "ukernels.h"

namespace medtune {
namespace {

// A 64-byte aligned float buffer that only grows; one pair per thread.
struct AlignedBuffer {
  float* data = nullptr;
  size_t size = 0;
  float* get(size_t n) {
    if (n > size) {
      if (data) ::operator delete[](data, std::align_val_t(64));
      data = static_cast<float*>(::operator new[](n * sizeof(float), std::align_val_t(64)));
      size = n;
    }
    return data;
  }
  ~AlignedBuffer() {
    if (data) ::operator delete[](data, std::align_val_t(64));
  }
};

thread_local AlignedBuffer tlsA, tlsB;

// Ap[p·MR·kc + k·MR + r] = op(A)(i0 + p·MR + r, p0 + k), zero past row i1.
template <int MR>
void packA(const GemmArgs& g, int64_t i0, int64_t mc, int64_t p0, int64_t kc, float* Ap) {
  for (int64_t ir = 0; ir < mc; ir += MR) {
    const int mr = static_cast<int>(std::min<int64_t>(MR, mc - ir));
    float* dst = Ap + ir * kc;
    if (!g.transA) {
      // op(A)(i,k) = A[i·lda + k]: MR row streams.
      for (int r = 0; r < mr; r++) {
        const float* src = g.A + (i0 + ir + r) * g.lda + p0;
        for (int64_t k = 0; k < kc; k++) dst[k * MR + r] = src[k];
      }
      for (int r = mr; r < MR; r++)
        for (int64_t k = 0; k < kc; k++) dst[k * MR + r] = 0.0f;
    } else {
      // op(A)(i,k) = A[k·lda + i]: contiguous runs of MR.
      for (int64_t k = 0; k < kc; k++) {
        const float* src = g.A + (p0 + k) * g.lda + i0 + ir;
        float* d = dst + k * MR;
        for (int r = 0; r < mr; r++) d[r] = src[r];
        for (int r = mr; r < MR; r++) d[r] = 0.0f;
      }
    }
  }
}

// Bp[q·NR·kc + k·NR + c] = op(B)(p0 + k, j0 + q·NR + c), zero past column j1.
template <int NR>
void packB(const GemmArgs& g, int64_t p0, int64_t kc, int64_t j0, int64_t nc, float* Bp) {
  for (int64_t jr = 0; jr < nc; jr += NR) {
    const int nr = static_cast<int>(std::min<int64_t>(NR, nc - jr));
    float* dst = Bp + jr * kc;
    if (!g.transB) {
      // op(B)(k,j) = B[k·ldb + j]: contiguous runs of NR.
      for (int64_t k = 0; k < kc; k++) {
        const float* src = g.B + (p0 + k) * g.ldb + j0 + jr;
        float* d = dst + k * NR;
        if (nr == NR) {
          std::memcpy(d, src, NR * sizeof(float));
        } else {
          for (int c = 0; c < nr; c++) d[c] = src[c];
          for (int c = nr; c < NR; c++) d[c] = 0.0f;
        }
      }
    } else {
      // op(B)(k,j) = B[j·ldb + k]: NR column streams.
      for (int c = 0; c < nr; c++) {
        const float* src = g.B + (j0 + jr + c) * g.ldb + p0;
        for (int64_t k = 0; k < kc; k++) dst[k * NR + c] = src[k];
      }
      for (int c = nr; c < NR; c++)
        for (int64_t k = 0; k < kc; k++) dst[k * NR + c] = 0.0f;
    }
  }
}

// The sequential blocked GEMM over rows [m0,m1) and columns [n0,n1) of C.
template <int MR, int NR>
void gemmBlock(const GemmArgs& g, const Ukernel& u, int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
  // K slices of equal depth (at most u.kc): K = 576 runs as 2×288, not 256+256+64, so C is revisited less.
  const int64_t slices = (g.K + u.kc - 1) / u.kc;
  const int64_t KC = (g.K + slices - 1) / slices, MC = u.mc, NC = u.nc;
  const int64_t kcMax = std::min<int64_t>(KC, g.K);
  const int64_t ncMax = (std::min<int64_t>(NC, n1 - n0) + NR - 1) / NR * NR;
  const int64_t mcMax = (std::min<int64_t>(MC, m1 - m0) + MR - 1) / MR * MR;
  float* Bp = tlsB.get(static_cast<size_t>(kcMax * ncMax));
  float* Ap = tlsA.get(static_cast<size_t>(kcMax * mcMax));
  for (int64_t jc = n0; jc < n1; jc += NC) {
    const int64_t nc = std::min(NC, n1 - jc);
    for (int64_t pc = 0; pc < g.K; pc += KC) {
      const int64_t kc = std::min(KC, g.K - pc);
      const float beta = pc == 0 ? g.beta : 1.0f;  // later K slices accumulate
      packB<NR>(g, pc, kc, jc, nc, Bp);
      for (int64_t ic = m0; ic < m1; ic += MC) {
        const int64_t mc = std::min(MC, m1 - ic);
        packA<MR>(g, ic, mc, pc, kc, Ap);
        for (int64_t jr = 0; jr < nc; jr += NR) {
          const int nr = static_cast<int>(std::min<int64_t>(NR, nc - jr));
          for (int64_t ir = 0; ir < mc; ir += MR) {
            const int mr = static_cast<int>(std::min<int64_t>(MR, mc - ir));
            u.fn(kc, Ap + ir * kc, Bp + jr * kc, g.C + (ic + ir) * g.ldc + jc + jr, g.ldc, g.alpha, beta, mr, nr);
          }
        }
      }
    }
  }
}

using BlockFn = void (*)(const GemmArgs&, const Ukernel&, int64_t, int64_t, int64_t, int64_t);

BlockFn blockFnFor(const Ukernel& u) {
  if (u.mr == 12 && u.nr == 32) return gemmBlock<12, 32>;
  if (u.mr == 6 && u.nr == 16) return gemmBlock<6, 16>;
  if (u.mr == 8 && u.nr == 8) return gemmBlock<8, 8>;
  if (u.mr == 4 && u.nr == 8) return gemmBlock<4, 8>;
  return nullptr;
}

const Ukernel* findUkernel(const std::string& name) {
  int n = 0;
  const Ukernel* all = ukernels(&n);
  for (int i = 0; i < n; i++) {
    if (!all[i].supported()) continue;
    if (name.empty() || name == all[i].name) return &all[i];
  }
  return nullptr;
}

std::atomic<int> lastTasks{0};

// Below this many multiply-adds per thread, waking another thread costs more than it saves.
constexpr double kMinMacsPerThread = 1 << 20;

}  // namespace

std::vector<std::string> simdVariants() {
  std::vector<std::string> out;
  int n = 0;
  const Ukernel* all = ukernels(&n);
  for (int i = 0; i < n; i++)
    if (all[i].supported()) out.emplace_back(all[i].name);
  return out;
}

int lastSimdTasks() { return lastTasks.load(std::memory_order_relaxed); }

void scaleC(const GemmArgs& g) {
  if (g.beta == 1.0f) return;
  for (int64_t i = 0; i < g.M; i++) {
    float* c = g.C + i * g.ldc;
    if (g.beta == 0.0f) {
      std::fill(c, c + g.N, 0.0f);
    } else {
      for (int64_t j = 0; j < g.N; j++) c[j] *= g.beta;
    }
  }
}

bool gemmSimd(const GemmArgs& g, const std::string& variant) {
  const Ukernel* u = findUkernel(variant);
  if (u == nullptr) return false;
  const BlockFn block = blockFnFor(*u);
  if (block == nullptr) return false;
  if (g.M == 0 || g.N == 0) return true;
  if (g.K == 0 || g.alpha == 0.0f) {
    scaleC(g);
    return true;
  }
  // Thread grid tM×tN: as many threads as the work pays for, shaped to minimise the operand bytes each packs
  // (K·(M/tM + N/tN)) with at least one micro-tile per block.
  ThreadPool& pool = ThreadPool::get();
  const int64_t tilesM = (g.M + u->mr - 1) / u->mr, tilesN = (g.N + u->nr - 1) / u->nr;
  const double macs = static_cast<double>(g.M) * static_cast<double>(g.N) * static_cast<double>(g.K);
  int T = static_cast<int>(std::min<double>(pool.threads(), std::max(1.0, macs / kMinMacsPerThread)));
  int tM = 1, tN = 1;
  for (; T > 1; T--) {
    double best = -1;
    for (int a = 1; a <= T; a++) {
      if (T % a != 0) continue;
      const int b = T / a;
      if (a > tilesM || b > tilesN) continue;
      const double cost = static_cast<double>(g.M) / a + static_cast<double>(g.N) / b;
      if (best < 0 || cost < best) {
        best = cost;
        tM = a;
        tN = b;
      }
    }
    if (best >= 0) break;
  }
  lastTasks.store(T, std::memory_order_relaxed);
  if (T <= 1) {
    block(g, *u, 0, g.M, 0, g.N);
    return true;
  }
  pool.run(T, [&](int t) {
    const int64_t a = t / tN, b = t % tN;
    const int64_t m0 = std::min(g.M, tilesM * a / tM * u->mr), m1 = std::min(g.M, tilesM * (a + 1) / tM * u->mr);
    const int64_t n0 = std::min(g.N, tilesN * b / tN * u->nr), n1 = std::min(g.N, tilesN * (b + 1) / tN * u->nr);
    if (m0 < m1 && n0 < n1) block(g, *u, m0, m1, n0, n1);
  });
  return true;
}

}  // namespace medtune
