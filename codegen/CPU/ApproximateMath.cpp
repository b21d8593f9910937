//===- ApproximateMath.cpp - f32 math as vectorizable polynomials ---------===//
//
// See KilnCPUApproximateMath in codegen/CPU/Passes.td. The approximations are
// upstream's; this pass only applies them, since MLIR 19 exposes them as
// patterns and a test pass, not as a pass a pipeline can use.
//
//===----------------------------------------------------------------------===//

#include "codegen/CPU/CPUPasses.h"

#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCPUAPPROXIMATEMATH
#include "codegen/CPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

struct KilnCPUApproximateMath
    : kiln::impl::KilnCPUApproximateMathBase<KilnCPUApproximateMath> {
  void runOnOperation() override {
    // Only the functions whose approximations hold over the whole f32 range:
    // upstream's sin and cos have no range reduction for large arguments
    // (sin(1e30) comes out -inf), asin/acos/atan/cbrt are rare in models.
    // The AVX2-only rsqrt approximation stays off too: math.rsqrt lowers to
    // a division by a square root, exact to half an ulp.
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<math::ExpOp, math::ExpM1Op, math::LogOp, math::Log1pOp, math::Log2Op,
              math::ErfOp, math::TanhOp>(op))
        ops.push_back(op);
    });
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns);
    GreedyRewriteConfig config;
    config.strictMode = GreedyRewriteStrictness::ExistingOps;
    if (failed(applyOpPatternsAndFold(ops, std::move(patterns), config)))
      signalPassFailure();
  }
};

} // namespace
