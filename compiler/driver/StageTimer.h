//===- StageTimer.h - Where a compile spends its time ------------*- C++ -*-===//
//
// Times the stages of one compile on the thread that runs it. With
// `verbose`, every stage prints its name when it starts and its wall time
// when it ends. Without it, and only when the log is a terminal, a person
// watching a long compile still sees where it is: once the compile has run
// for two seconds, each stage announces itself when it starts, and a stage
// that runs two seconds past its start announces itself at its next pass
// boundary (through the PassInstrumentation it hands to each PassManager).
// A script or test reading the output never gets progress text, which
// would depend on the machine's speed.
//
// Thread-compatible: one timer per compile; the instrumentation ignores
// callbacks from MLIR's worker threads.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_DRIVER_STAGETIMER_H
#define KILN_COMPILER_DRIVER_STAGETIMER_H

#include "mlir/Pass/PassInstrumentation.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <memory>
#include <string>
#include <thread>

namespace mlir::kiln {

class StageTimer {
public:
  StageTimer(llvm::raw_ostream &log, bool verbose);
  ~StageTimer();

  /// Ends the current stage (if any) and starts `name`.
  void begin(llvm::StringRef name);
  /// Ends the current stage.
  void end();

  /// For PassManager::addInstrumentation: checks the notice at each pass
  /// boundary of the current stage.
  std::unique_ptr<PassInstrumentation> makeInstrumentation();

private:
  using Clock = std::chrono::steady_clock;
  friend class StageTimerInstrumentation;
  void atPassBoundary();

  llvm::raw_ostream &log;
  bool verbose;
  bool notify; // a terminal, not verbose: announce slow stages
  std::thread::id owner;
  std::string stage;
  Clock::time_point compileStart, stageStart;
  bool announced = false;
};

} // namespace mlir::kiln

#endif // KILN_COMPILER_DRIVER_STAGETIMER_H
