// The GEMM's persistent thread pool (see thread-pool.h) and the default thread count.
#include "thread-pool.h"

#include <cstdlib>
#include <exception>
#include <stdexcept>
#if defined(__linux__)
#include <sched.h>
#endif

namespace medtune {

int availableCpus() {
#if defined(__linux__)
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
#endif
  unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? static_cast<int>(n) : 1;
}

ThreadPool& ThreadPool::get() {
  static ThreadPool* pool = new ThreadPool(availableCpus());
  return *pool;
}

ThreadPool::ThreadPool(int n) : nThreads_(1) { setThreads(n); }

void ThreadPool::setThreads(int n) {
  if (n < 1) n = 1;
  std::lock_guard<std::mutex> busy(runMu_);
  while (static_cast<int>(workers_.size()) < n - 1) {
    int id = static_cast<int>(workers_.size()) + 1;
    workers_.emplace_back([this, id] { worker(id); });
    workers_.back().detach();
  }
  nThreads_ = n;
}

void ThreadPool::run(int n, const std::function<void(int)>& fn) {
  if (n > nThreads_) n = nThreads_;
  std::unique_lock<std::mutex> busy(runMu_, std::defer_lock);
  if (n <= 1 || !busy.try_lock()) {
    for (int t = 0; t < (n < 1 ? 1 : n); t++) fn(t);
    return;
  }
  {
    std::lock_guard<std::mutex> lk(mu_);
    fn_ = &fn;
    nTasks_ = n;
    pending_ = n - 1;
    error_.clear();
    generation_++;
  }
  wake_.notify_all();
  std::string callerError;
  try {
    fn(0);
  } catch (const std::exception& e) {
    callerError = e.what();
  } catch (...) {
    callerError = "unknown error";
  }
  std::unique_lock<std::mutex> lk(mu_);
  done_.wait(lk, [this] { return pending_ == 0; });
  fn_ = nullptr;
  std::string err = callerError.empty() ? error_ : callerError;
  lk.unlock();
  if (!err.empty()) throw std::runtime_error(err);
}

void ThreadPool::worker(int id) {
  uint64_t seen = 0;
  for (;;) {
    const std::function<void(int)>* fn;
    {
      std::unique_lock<std::mutex> lk(mu_);
      wake_.wait(lk, [&] { return generation_ != seen; });
      seen = generation_;
      if (id >= nTasks_) continue;  // not part of this call
      fn = fn_;
    }
    std::string err;
    try {
      (*fn)(id);
    } catch (const std::exception& e) {
      err = e.what();
    } catch (...) {
      err = "unknown error";
    }
    {
      std::lock_guard<std::mutex> lk(mu_);
      if (!err.empty() && error_.empty()) error_ = err;
      if (--pending_ == 0) done_.notify_one();
    }
  }
}

}  // namespace medtune
