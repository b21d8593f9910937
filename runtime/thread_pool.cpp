//===- thread_pool.cpp - The pool that runs the generated code's tasks ----===//
//
// The protocol (see thread_pool.h for why the runtime has its own pool):
//   - A job is published by writing its fields, then making the epoch odd.
//     Workers and the caller claim task indices with one fetch_add each.
//   - The caller returns once `done` reaches the task count; it never waits
//     for workers that did not join.
//   - Before the next job's fields are written, the caller makes the epoch
//     even (closed) and waits until no worker is `inside`. A worker enters
//     by incrementing `inside` and then re-reading the epoch; both sides use
//     sequentially consistent operations, so either the caller sees the
//     worker inside, or the worker sees the job closed and leaves without
//     reading its fields. Only a worker preempted in that short window is
//     ever waited for.
//
//===----------------------------------------------------------------------===//

#include "thread_pool.h"

#include <chrono>

#include <sched.h>

namespace kiln_runtime {
namespace {

using Clock = std::chrono::steady_clock;

// How long a waiting thread spins before it yields its CPU, and how long a
// worker keeps yielding before it sleeps. A model's parallel calls follow
// each other within microseconds to a millisecond; waking a sleeping worker
// takes tens of microseconds.
constexpr auto kSpinTime = std::chrono::microseconds(50);
constexpr auto kWorkerYieldTime = std::chrono::milliseconds(2);

inline void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Spins, then yields, until ready() or until `giveUp` has passed since the
// start; returns whether ready() became true.
template <typename Ready>
bool waitUntil(Ready ready, Clock::duration giveUp) {
  Clock::time_point start = Clock::now();
  for (unsigned i = 1;; ++i) {
    if (ready())
      return true;
    if (i % 64 != 0) {
      cpuRelax();
      continue;
    }
    Clock::duration waited = Clock::now() - start;
    if (waited >= giveUp)
      return false;
    if (waited >= kSpinTime)
      sched_yield();
  }
}

} // namespace

ThreadPool::ThreadPool(size_t threads) {
  workers.reserve(threads > 1 ? threads - 1 : 0);
  try {
    for (size_t i = 1; i < threads; ++i)
      workers.emplace_back([this] { workerLoop(); });
  } catch (...) {
    stopping.store(true);
    {
      std::lock_guard<std::mutex> lock(sleepMutex);
    }
    wakeUp.notify_all();
    for (std::thread &t : workers)
      t.join();
    throw;
  }
}

ThreadPool::~ThreadPool() {
  stopping.store(true);
  {
    // Taking the mutex orders the flag before any worker's next check under
    // it, so no worker goes to sleep after this notify.
    std::lock_guard<std::mutex> lock(sleepMutex);
  }
  wakeUp.notify_all();
  for (std::thread &t : workers)
    t.join();
}

void ThreadPool::runTasks() {
  for (size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < count;) {
    task(taskArg, i);
    done.fetch_add(1, std::memory_order_release);
  }
}

void ThreadPool::parallelFor(size_t n, kiln_task_fn fn, void *arg) {
  if (n == 0)
    return;
  if (workers.empty() || n == 1) {
    for (size_t i = 0; i < n; ++i)
      fn(arg, i);
    return;
  }
  task = fn;
  taskArg = arg;
  count = n;
  next.store(0, std::memory_order_relaxed);
  done.store(0, std::memory_order_relaxed);
  sleepNow.store(false, std::memory_order_relaxed);
  epoch.fetch_add(1); // odd: open; publishes the fields above
  if (sleepers.load() != 0) {
    {
      std::lock_guard<std::mutex> lock(sleepMutex);
    }
    wakeUp.notify_all();
  }
  runTasks();
  waitUntil([&] { return done.load(std::memory_order_acquire) == n; }, Clock::duration::max());
  epoch.fetch_add(1); // even: closed
  waitUntil([&] { return inside.load() == 0; }, Clock::duration::max());
}

void ThreadPool::sleepWorkers() { sleepNow.store(true, std::memory_order_relaxed); }

uint64_t ThreadPool::waitForJob(uint64_t seen) {
  // The open epoch found (never 0, which is even), or 0 when stopping.
  uint64_t found = 0;
  auto jobOrStop = [&] {
    if (stopping.load(std::memory_order_relaxed)) {
      found = 0;
      return true;
    }
    uint64_t e = epoch.load(std::memory_order_acquire);
    found = e;
    return e != seen && (e & 1) != 0;
  };
  bool ready = false;
  if (!sleepNow.load(std::memory_order_relaxed))
    waitUntil(
        [&] {
          ready = jobOrStop();
          return ready || sleepNow.load(std::memory_order_relaxed);
        },
        kWorkerYieldTime);
  if (ready)
    return found;
  std::unique_lock<std::mutex> lock(sleepMutex);
  sleepers.fetch_add(1); // seq_cst: pairs with parallelFor's epoch increment and sleepers load
  wakeUp.wait(lock, jobOrStop);
  sleepers.fetch_sub(1);
  return found;
}

void ThreadPool::workerLoop() {
  uint64_t seen = 0;
  for (;;) {
    uint64_t e = waitForJob(seen);
    if (e == 0)
      return;
    seen = e;
    inside.fetch_add(1);
    if (epoch.load() == e)
      runTasks();
    inside.fetch_sub(1);
  }
}

} // namespace kiln_runtime
