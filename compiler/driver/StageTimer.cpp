//===- StageTimer.cpp - Where a compile spends its time -------------------===//

#include "compiler/driver/StageTimer.h"

#include "llvm/Support/Format.h"

using namespace mlir;
using namespace mlir::kiln;

/// How long a stage (or the compile) runs before a terminal hears of it.
static constexpr std::chrono::seconds kNoticeAfter(2);

namespace mlir::kiln {
class StageTimerInstrumentation : public PassInstrumentation {
public:
  explicit StageTimerInstrumentation(StageTimer &timer) : timer(timer) {}
  void runBeforePass(Pass *, Operation *) override { timer.atPassBoundary(); }
  void runAfterPass(Pass *, Operation *) override { timer.atPassBoundary(); }

private:
  StageTimer &timer;
};
} // namespace mlir::kiln

StageTimer::StageTimer(llvm::raw_ostream &log, bool verbose)
    : log(log), verbose(verbose), notify(!verbose && log.is_displayed()),
      owner(std::this_thread::get_id()), compileStart(Clock::now()) {}

StageTimer::~StageTimer() { end(); }

void StageTimer::begin(llvm::StringRef name) {
  end();
  stage = name.str();
  stageStart = Clock::now();
  announced = false;
  if (verbose || (notify && stageStart - compileStart >= kNoticeAfter)) {
    log << "kiln: " << stage << "...\n";
    log.flush();
    announced = true;
  }
}

void StageTimer::end() {
  if (stage.empty())
    return;
  if (verbose) {
    double seconds = std::chrono::duration<double>(Clock::now() - stageStart).count();
    log << llvm::format("kiln: %-24s %8.3f s\n", (stage + ":").c_str(), seconds);
  }
  stage.clear();
}

void StageTimer::atPassBoundary() {
  // MLIR runs nested pass pipelines on worker threads; only the thread that
  // owns the compile writes to the log.
  if (!notify || announced || stage.empty() || std::this_thread::get_id() != owner)
    return;
  if (Clock::now() - stageStart < kNoticeAfter)
    return;
  log << "kiln: " << stage << "...\n";
  log.flush();
  announced = true;
}

std::unique_ptr<PassInstrumentation> StageTimer::makeInstrumentation() {
  return std::make_unique<StageTimerInstrumentation>(*this);
}
