//===- KilnToLinalg.cpp - The kiln -> linalg conversion pass --------------===//
//
// The pass only checks its preconditions and runs the family patterns
// (codegen/KilnToLinalg/*.cpp). Every failure is an error on the kiln op:
// dynamic shapes before converting, ops no family lowers, and anything a
// pattern refused. Afterwards every unsigned integer type in the function
// becomes signless (arith accepts nothing else; the lowering already chose
// the unsigned operations), and the function's arguments and results record
// their kiln types for the ABI.
//
//===----------------------------------------------------------------------===//

#include "codegen/Common/ABI.h"
#include "codegen/KilnToLinalg/Patterns.h"
#include "codegen/Passes.h"
#include "ir/KilnOps.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
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

/// `t` with uiN (as the element type or itself) replaced by iN.
static Type signless(Type t) {
  if (auto it = dyn_cast<IntegerType>(t))
    return it.isUnsigned() ? IntegerType::get(t.getContext(), it.getWidth())
                           : t;
  if (auto shaped = dyn_cast<ShapedType>(t)) {
    Type element = signless(shaped.getElementType());
    return element == shaped.getElementType() ? t
                                              : shaped.clone(element);
  }
  return t;
}

/// `attr` retyped by signless(), the same bits; other attributes as they are.
static Attribute signless(Attribute attr) {
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    Type element = signless(dense.getElementType());
    return element == dense.getElementType() ? attr : dense.bitcast(element);
  }
  if (auto integer = dyn_cast<IntegerAttr>(attr)) {
    Type type = signless(integer.getType());
    return type == integer.getType() ? attr
                                     : IntegerAttr::get(type, integer.getValue());
  }
  if (auto type = dyn_cast<TypeAttr>(attr)) {
    Type t = signless(type.getValue());
    return t == type.getValue() ? attr : TypeAttr::get(t);
  }
  return attr;
}

/// Rewrites every uiN type in `func` (values, attributes, its signature) to
/// iN in place, and drops the casts between one width's types that
/// ScalarBuilder::reinterpreti made. The ABI still names the kiln types:
/// each changed argument and result gets abi::kElementTypeAttr.
static void makeSignless(func::FuncOp func) {
  FunctionType type = func.getFunctionType();
  SmallVector<Type> inputs, results;
  for (auto [i, t] : llvm::enumerate(type.getInputs())) {
    inputs.push_back(signless(t));
    if (inputs.back() != t)
      func.setArgAttr(i, abi::kElementTypeAttr,
                      TypeAttr::get(cast<ShapedType>(t).getElementType()));
    if (Attribute value = func.getArgAttr(i, abi::kValueAttr))
      func.setArgAttr(i, abi::kValueAttr, signless(value));
  }
  for (auto [i, t] : llvm::enumerate(type.getResults())) {
    results.push_back(signless(t));
    if (results.back() != t)
      func.setResultAttr(i, abi::kElementTypeAttr,
                         TypeAttr::get(cast<ShapedType>(t).getElementType()));
  }
  func.setType(FunctionType::get(func.getContext(), inputs, results));

  SmallVector<UnrealizedConversionCastOp> casts;
  func.getBody().walk([&](Operation *op) {
    for (Region &region : op->getRegions())
      for (Block &block : region)
        for (BlockArgument arg : block.getArguments())
          arg.setType(signless(arg.getType()));
    for (Value result : op->getResults())
      result.setType(signless(result.getType()));
    for (NamedAttribute named : op->getAttrs()) {
      Attribute converted = signless(named.getValue());
      if (converted != named.getValue())
        op->setAttr(named.getName(), converted);
    }
    if (auto cast = dyn_cast<UnrealizedConversionCastOp>(op))
      casts.push_back(cast);
  });
  for (BlockArgument arg : func.getArguments())
    arg.setType(signless(arg.getType()));
  for (UnrealizedConversionCastOp cast : casts) {
    if (cast.getNumOperands() != 1 || cast.getNumResults() != 1 ||
        cast.getOperand(0).getType() != cast.getResult(0).getType())
      continue;
    cast.getResult(0).replaceAllUsesWith(cast.getOperand(0));
    cast.erase();
  }
}

namespace {
struct ConvertKilnToLinalg
    : kiln::impl::ConvertKilnToLinalgBase<ConvertKilnToLinalg> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    func::FuncOp func = getOperation();

    ConversionTarget target(*ctx);
    target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                           math::MathDialect, scf::SCFDialect, tensor::TensorDialect>();
    // ScalarBuilder::reinterpreti (uiN <-> iN, one width) is such a cast;
    // makeSignless removes it below. Unknown to the target, an op a pattern
    // creates fails to legalize, and with it the pattern.
    target.addLegalOp<UnrealizedConversionCastOp>();
    RewritePatternSet patterns(ctx);
    populateElementwisePatterns(patterns, target);
    populateMatmulPatterns(patterns, target);
    populateConvPatterns(patterns, target);
    populateConvTransposePatterns(patterns, target);
    populatePoolingPatterns(patterns, target);
    populatePoolIndicesPatterns(patterns, target);
    populateReductionPatterns(patterns, target);
    populateNormalizationPatterns(patterns, target);
    populateDataMovementPatterns(patterns, target);
    populateResizePatterns(patterns, target);
    populateGridSamplePatterns(patterns, target);
    populateRoiAlignPatterns(patterns, target);
    populateDeformConvPatterns(patterns, target);
    populateRandomPatterns(patterns, target);

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
      return signalPassFailure();
    makeSignless(func);
  }
};
} // namespace
