// The runtime's ThreadPool (runtime/thread_pool.h): every index runs exactly once per call, the caller sees
// every task's writes, uneven tasks balance, sleeping workers wake, and more threads than CPUs neither hang
// nor lose work.

#include "thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

using kiln_runtime::ThreadPool;

namespace {

struct Counts {
  std::vector<int> hits; // plain ints: the pool must make each task's write visible to the caller
  std::atomic<int> calls{0};
};

void countHit(void *arg, size_t i) {
  auto *c = static_cast<Counts *>(arg);
  c->hits[i] += 1;
  c->calls.fetch_add(1, std::memory_order_relaxed);
}

void expectEachOnce(ThreadPool &pool, size_t n) {
  Counts c;
  c.hits.assign(n, 0);
  pool.parallelFor(n, countHit, &c);
  ASSERT_EQ(c.calls.load(), static_cast<int>(n));
  for (size_t i = 0; i < n; ++i)
    ASSERT_EQ(c.hits[i], 1) << "task " << i << " of " << n;
}

} // namespace

TEST(ThreadPool, EveryIndexExactlyOnce) {
  for (size_t threads : {1u, 2u, 3u, 8u}) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.threads(), threads);
    for (size_t n : {0u, 1u, 2u, 7u, 64u, 1000u})
      expectEachOnce(pool, n);
  }
}

TEST(ThreadPool, ManyCallsInQuickSuccession) {
  // A model's run makes hundreds of calls back to back: a worker that is late for one call must never run
  // a task of the next with the previous call's function or count.
  ThreadPool pool(4);
  for (int round = 0; round < 5000; ++round)
    expectEachOnce(pool, static_cast<size_t>(1 + round % 9));
}

TEST(ThreadPool, WorkersWakeAfterSleeping) {
  ThreadPool pool(3);
  expectEachOnce(pool, 16);
  pool.sleepWorkers();
  std::this_thread::sleep_for(std::chrono::milliseconds(20)); // past the spin budget: the workers sleep
  expectEachOnce(pool, 16);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  expectEachOnce(pool, 16);
}

namespace {
struct Uneven {
  std::atomic<int> onOtherThreads{0};
  std::thread::id caller;
};
void slowTask(void *arg, size_t) {
  auto *u = static_cast<Uneven *>(arg);
  if (std::this_thread::get_id() != u->caller)
    u->onOtherThreads.fetch_add(1);
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
}
} // namespace

TEST(ThreadPool, WorkersTakeTasks) {
  // Tasks that sleep leave the caller's CPU free, so the workers must have run some of them.
  ThreadPool pool(3);
  Uneven u;
  u.caller = std::this_thread::get_id();
  pool.parallelFor(64, slowTask, &u);
  EXPECT_GT(u.onOtherThreads.load(), 0);
}

TEST(ThreadPool, DestroyWhileWorkersSleepOrSpin) {
  for (int i = 0; i < 50; ++i) {
    ThreadPool pool(4);
    if (i % 2)
      expectEachOnce(pool, 10);
    if (i % 3 == 0)
      pool.sleepWorkers();
  }
}

TEST(ThreadPool, SeveralPoolsAtOnce) {
  // One pool per run in flight: pools on different threads share the CPUs, several times oversubscribed.
  std::vector<std::thread> callers;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t)
    callers.emplace_back([&failures] {
      ThreadPool pool(4);
      for (int round = 0; round < 300; ++round) {
        Counts c;
        c.hits.assign(33, 0);
        pool.parallelFor(33, countHit, &c);
        for (int h : c.hits)
          if (h != 1)
            failures.fetch_add(1);
      }
    });
  for (std::thread &t : callers)
    t.join();
  EXPECT_EQ(failures.load(), 0);
}
