//===- thread_pool.h - The pool that runs the generated code's tasks ------===//
//
// Why not a library pool: the runtime used Debian's pthreadpool until we
// measured it on a loaded machine. Its caller waits, after the last task,
// until every worker has checked in, and waits by spinning about a million
// `pause`s (tens of milliseconds on Zen) before sleeping. When the CPUs are
// shared with other processes a worker is often descheduled, and each of a
// model's parallel calls then costs a time slice or the whole spin: ResNet-50
// at 2 threads took 120 ms to 2 s per run beside a compiler build (45 ms at 1
// thread), with 89% of its samples in pthreadpool's spin loops. OpenMP's
// runtime joins every thread at the end of a loop too. This pool's caller
// waits only for the tasks: a worker that never woke up is not waited for,
// and spinning is bounded in time and then yields, so a busy machine costs
// what it takes from the CPUs and no more.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_THREAD_POOL_H
#define KILN_RUNTIME_THREAD_POOL_H

#include "kiln_abi.h"

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace kiln_runtime {

/// A fixed set of worker threads that run 1-D task ranges with the calling
/// thread. Thread-safety: parallelFor and sleepWorkers may be called by one
/// thread at a time (the runtime lends each run in flight a pool of its own);
/// the destructor must not race with them.
class ThreadPool {
public:
  /// A pool of `threads` threads, the caller's included (so `threads - 1`
  /// workers). Throws std::system_error if a thread cannot be started.
  explicit ThreadPool(size_t threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  /// The threads the pool runs tasks on, the caller's included.
  size_t threads() const { return workers.size() + 1; }

  /// Runs task(arg, i) for every i in [0, count), on the workers and the
  /// calling thread, each index exactly once, in no particular order and
  /// claimed one at a time (so uneven tasks balance). Returns when every
  /// task has returned; their writes are visible to the caller then.
  void parallelFor(size_t count, kiln_task_fn task, void *arg);

  /// Sends the workers to sleep now rather than after their spin budget: the
  /// run that held the pool is over, and nothing will come soon.
  void sleepWorkers();

private:
  void workerLoop();
  // Waits until the epoch moves past `seen` to an open job or the pool
  // stops; returns that epoch (or 0 when stopping).
  uint64_t waitForJob(uint64_t seen);
  void runTasks();

  std::vector<std::thread> workers;

  // The job: written by the caller while the epoch is even (closed) and no
  // worker is inside; read by workers inside an odd (open) epoch.
  kiln_task_fn task = nullptr;
  void *taskArg = nullptr;
  size_t count = 0;
  std::atomic<size_t> next{0}; // the next task index to claim
  std::atomic<size_t> done{0}; // tasks that have returned

  std::atomic<uint64_t> epoch{0}; // odd: a job is open
  std::atomic<unsigned> inside{0}; // workers that may be reading the job
  std::atomic<bool> sleepNow{false};
  std::atomic<bool> stopping{false};

  std::mutex sleepMutex;
  std::condition_variable wakeUp;
  std::atomic<unsigned> sleepers{0};
};

} // namespace kiln_runtime

#endif // KILN_RUNTIME_THREAD_POOL_H
