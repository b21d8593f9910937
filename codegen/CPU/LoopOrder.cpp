//===- LoopOrder.cpp - Unit-stride innermost loops for linalg ops ---------===//
//
// See KilnCPULoopOrder in Passes.td. Upstream has the mechanism
// (linalg::interchangeGenericOp) but no policy choosing the permutation.
//
//===----------------------------------------------------------------------===//

#include "codegen/CPU/CPUPasses.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCPULOOPORDER
#include "codegen/CPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;

namespace {

/// True if `expr` is `d`, or `d * c` plus terms without `d`, i.e. advancing
/// loop `d` moves along this dimension with a constant step.
bool isConstantStepIn(AffineExpr expr, unsigned d) {
  if (auto dim = dyn_cast<AffineDimExpr>(expr))
    return dim.getPosition() == d;
  auto bin = dyn_cast<AffineBinaryOpExpr>(expr);
  if (!bin)
    return false;
  if (bin.getKind() == AffineExprKind::Mul) {
    auto dim = dyn_cast<AffineDimExpr>(bin.getLHS());
    return dim && dim.getPosition() == d && isa<AffineConstantExpr>(bin.getRHS());
  }
  if (bin.getKind() != AffineExprKind::Add)
    return false;
  bool inLhs = bin.getLHS().isFunctionOfDim(d);
  bool inRhs = bin.getRHS().isFunctionOfDim(d);
  if (inLhs == inRhs)
    return false;
  return isConstantStepIn(inLhs ? bin.getLHS() : bin.getRHS(), d);
}

/// The loop to move innermost, if the op benefits and it is safe for every
/// operand's layout.
std::optional<unsigned> innermostCandidate(linalg::LinalgOp op) {
  if (op.getNumDpsInits() != 1 || op.getNumLoops() < 2)
    return std::nullopt;
  AffineMap out = op.getMatchingIndexingMap(op.getDpsInitOperand(0));
  if (out.getNumResults() == 0)
    return std::nullopt;
  auto last = dyn_cast<AffineDimExpr>(out.getResults().back());
  if (!last)
    return std::nullopt;
  unsigned d = last.getPosition();
  if (d == op.getNumLoops() - 1 ||
      op.getIteratorTypesArray()[d] != utils::IteratorType::parallel)
    return std::nullopt;
  for (OpOperand &operand : op->getOpOperands()) {
    AffineMap map = op.getMatchingIndexingMap(&operand);
    ArrayRef<AffineExpr> results = map.getResults();
    for (auto [i, expr] : llvm::enumerate(results)) {
      if (!expr.isFunctionOfDim(d))
        continue;
      if (i + 1 != results.size() || !isConstantStepIn(expr, d))
        return std::nullopt;
    }
  }
  return d;
}

struct KilnCPULoopOrder
    : kiln::impl::KilnCPULoopOrderBase<KilnCPULoopOrder> {
  void runOnOperation() override {
    SmallVector<std::pair<linalg::LinalgOp, unsigned>> candidates;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (std::optional<unsigned> d = innermostCandidate(op))
        candidates.emplace_back(op, *d);
    });
    IRRewriter rewriter(&getContext());
    for (auto [op, d] : candidates) {
      rewriter.setInsertionPoint(op);
      linalg::GenericOp generic;
      if (auto g = dyn_cast<linalg::GenericOp>(op.getOperation())) {
        generic = g;
      } else {
        FailureOr<linalg::GenericOp> generalized =
            linalg::generalizeNamedOp(rewriter, op);
        if (failed(generalized))
          continue;
        generic = *generalized;
      }
      // interchange[i] is the old position of the new i-th loop.
      SmallVector<unsigned> interchange;
      for (unsigned i = 0, e = generic.getNumLoops(); i < e; ++i)
        if (i != d)
          interchange.push_back(i);
      interchange.push_back(d);
      if (failed(linalg::interchangeGenericOp(rewriter, generic, interchange)))
        return signalPassFailure();
    }
  }
};

} // namespace
