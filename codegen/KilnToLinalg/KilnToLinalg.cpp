//===- KilnToLinalg.cpp - The kiln -> linalg conversion pass --------------===//
//
// The pass only checks its preconditions and runs the family patterns
// (codegen/KilnToLinalg/*.cpp). Every failure is an error on the kiln op:
// dynamic shapes before converting, ops no family lowers, and anything a
// pattern refused.
//
//===----------------------------------------------------------------------===//

#include "codegen/KilnToLinalg/Patterns.h"
#include "codegen/Passes.h"
#include "ir/KilnOps.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_CONVERTKILNTOLINALG
#include "codegen/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

static bool isKilnOp(Operation *op) { return isa<KilnDialect>(op->getDialect()); }

static bool hasStaticShapes(Operation *op) {
  auto isStatic = [](Type t) {
    auto shaped = dyn_cast<ShapedType>(t);
    return !shaped || shaped.hasStaticShape();
  };
  return llvm::all_of(op->getOperandTypes(), isStatic) &&
         llvm::all_of(op->getResultTypes(), isStatic);
}

namespace {
struct ConvertKilnToLinalg
    : kiln::impl::ConvertKilnToLinalgBase<ConvertKilnToLinalg> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    func::FuncOp func = getOperation();

    ConversionTarget target(*ctx);
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, tensor::TensorDialect>();
    RewritePatternSet patterns(ctx);
    populateElementwisePatterns(patterns, target);
    populateMatmulPatterns(patterns, target);
    populateConvPatterns(patterns, target);
    populateConvTransposePatterns(patterns, target);
    populatePoolingPatterns(patterns, target);
    populateReductionPatterns(patterns, target);
    populateNormalizationPatterns(patterns, target);
    populateDataMovementPatterns(patterns, target);
    populateResizePatterns(patterns, target);

    // Preconditions, checked on every op so that one run reports them all.
    // A family marks exactly the ops it lowers illegal, so an op that is not
    // illegal has no lowering.
    bool ok = true;
    func.walk([&](Operation *op) {
      if (!isKilnOp(op))
        return;
      if (!hasStaticShapes(op)) {
        op->emitOpError("has dynamic dims; codegen needs static shapes "
                        "(bind symbolic dims with --shape)");
        ok = false;
      } else if (!target.isIllegal(op)) {
        op->emitOpError("has no lowering to linalg");
        ok = false;
      }
    });
    if (!ok)
      return signalPassFailure();

    // Patterns never emit errors; the only error conversion can raise is the
    // framework's "failed to legalize" when every pattern refused an op. Say
    // where the refusal reasons are.
    ScopedDiagnosticHandler explainRefusals(ctx, [](Diagnostic &diag) {
      if (diag.getSeverity() == DiagnosticSeverity::Error)
        diag.attachNote() << "every kiln -> linalg pattern refused this op; "
                             "-debug-only=dialect-conversion shows why";
      return failure(); // Let the next handler report it.
    });
    if (failed(applyPartialConversion(func, target, std::move(patterns))))
      return signalPassFailure();

    // Defensive: nothing kiln may survive into linalg-level IR.
    func.walk([&](Operation *op) {
      if (isKilnOp(op)) {
        op->emitOpError("was not lowered to linalg");
        ok = false;
      }
    });
    if (!ok)
      signalPassFailure();
  }
};
} // namespace
