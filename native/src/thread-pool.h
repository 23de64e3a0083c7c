// A small persistent thread pool for the GEMM: one task per thread, the calling thread runs task 0.
// Workers sleep on a condition variable between calls; a call made while the pool is busy (another JS worker
// thread) runs its tasks serially instead of waiting.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace medtune {

class ThreadPool {
 public:
  /** The process-wide pool (never destroyed, so exit never waits on a worker). */
  static ThreadPool& get();
  /** Total threads a call may use, the caller included (>= 1); starts workers as needed. */
  void setThreads(int n);
  int threads() const { return nThreads_; }
  /** Runs fn(t) for t in [0, n) with n <= threads(); returns after all finish; rethrows a task's error. */
  void run(int n, const std::function<void(int)>& fn);

 private:
  explicit ThreadPool(int n);
  void worker(int id);

  int nThreads_;
  std::mutex runMu_;  // one parallel call at a time
  std::mutex mu_;
  std::condition_variable wake_, done_;
  std::vector<std::thread> workers_;
  const std::function<void(int)>* fn_ = nullptr;
  int nTasks_ = 0;
  int pending_ = 0;
  uint64_t generation_ = 0;
  std::string error_;
};

/** CPUs this process may run on (affinity-aware on Linux), at least 1. */
int availableCpus();

}  // namespace medtune
