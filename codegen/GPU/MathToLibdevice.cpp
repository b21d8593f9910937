//===- MathToLibdevice.cpp - The math ops upstream's NVVM lowering misses -===//
//
// See KilnGPUMathToLibdevice in codegen/GPU/Passes.td. Upstream's
// OpToFuncCallLowering, which does this for the others, is private to
// MLIR's GPUCommon library.
//
//===----------------------------------------------------------------------===//

#include "codegen/GPU/GPUPasses.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/TypeSwitch.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNGPUMATHTOLIBDEVICE
#include "codegen/GPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// libdevice's name for `op` (without the `__nv_` prefix and `f` suffix);
/// "" for ops upstream lowers itself.
StringRef libdeviceName(Operation *op) {
  return llvm::TypeSwitch<Operation *, StringRef>(op)
      .Case([](math::AcosOp) { return "acos"; })
      .Case([](math::AsinOp) { return "asin"; })
      .Case([](math::AcoshOp) { return "acosh"; })
      .Case([](math::AsinhOp) { return "asinh"; })
      .Case([](math::AtanhOp) { return "atanh"; })
      .Case([](math::CoshOp) { return "cosh"; })
      .Case([](math::SinhOp) { return "sinh"; })
      .Case([](math::CopySignOp) { return "copysign"; })
      .Case([](math::FmaOp) { return "fma"; })
      .Case([](math::RoundOp) { return "round"; })
      .Case([](math::RoundEvenOp) { return "rint"; })
      .Case([](math::TruncOp) { return "trunc"; })
      .Case([](math::FPowIOp) { return "powi"; })
      .Default([](Operation *) { return ""; });
}

struct KilnGPUMathToLibdevice
    : kiln::impl::KilnGPUMathToLibdeviceBase<KilnGPUMathToLibdevice> {
  void runOnOperation() override {
    gpu::GPUModuleOp module = getOperation();
    SmallVector<Operation *> ops;
    module.walk([&](Operation *op) {
      if (!libdeviceName(op).empty())
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    SymbolTable symbols(module);
    for (Operation *op : ops) {
      Type type = op->getResult(0).getType();
      if (!isa<FloatType>(type)) {
        op->emitOpError("on vectors cannot be run on a GPU yet");
        return signalPassFailure();
      }
      Location loc = op->getLoc();
      rewriter.setInsertionPoint(op);
      // f64 has its own functions; f32, f16 and bf16 use the f32 ones.
      bool f64 = type.isF64();
      Type callType = f64 ? type : rewriter.getF32Type();
      std::string name = ("__nv_" + libdeviceName(op) + (f64 ? "" : "f")).str();
      SmallVector<Value> args;
      SmallVector<Type> argTypes;
      for (Value operand : op->getOperands()) {
        Value arg = operand;
        if (isa<FloatType>(operand.getType()) && operand.getType() != callType)
          arg = rewriter.create<arith::ExtFOp>(loc, callType, operand);
        args.push_back(arg);
        argTypes.push_back(arg.getType());
      }
      auto fn = symbols.lookup<LLVM::LLVMFuncOp>(name);
      if (!fn) {
        OpBuilder::InsertionGuard guard(rewriter);
        rewriter.setInsertionPointToStart(module.getBody());
        fn = rewriter.create<LLVM::LLVMFuncOp>(module.getLoc(), name,
                                               LLVM::LLVMFunctionType::get(callType, argTypes));
        symbols.insert(fn);
      }
      Value result = rewriter.create<LLVM::CallOp>(loc, fn, args).getResult();
      if (result.getType() != type)
        result = rewriter.create<arith::TruncFOp>(loc, type, result);
      rewriter.replaceOp(op, result);
    }
  }
};

} // namespace
