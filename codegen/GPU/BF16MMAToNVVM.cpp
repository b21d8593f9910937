//===- BF16MMAToNVVM.cpp - bf16 mma.sync through LLVM's intrinsic ---------===//
//
// See KilnGPUBF16MMAToNVVM in codegen/GPU/Passes.td.
//
//===----------------------------------------------------------------------===//

#include "codegen/GPU/GPUPasses.h"
#include "codegen/GPU/Kernels.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNGPUBF16MMATONVVM
#include "codegen/GPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// The 32-bit registers of a fragment vector<R x 2 x bf16>: row r's two
/// elements, as an i32 (the first in the low half, as PTX packs .bf16x2).
SmallVector<Value> registersOf(RewriterBase &rewriter, Location loc, Value fragment) {
  auto type = cast<VectorType>(fragment.getType());
  auto word = VectorType::get({1}, rewriter.getI32Type());
  SmallVector<Value> registers;
  for (int64_t r = 0; r < type.getDimSize(0); ++r) {
    Value elements = rewriter.create<vector::ExtractOp>(loc, fragment, ArrayRef<int64_t>{r});
    Value packed = rewriter.create<vector::BitCastOp>(loc, word, elements);
    registers.push_back(rewriter.create<vector::ExtractOp>(loc, packed, ArrayRef<int64_t>{0}));
  }
  return registers;
}

struct KilnGPUBF16MMAToNVVM : kiln::impl::KilnGPUBF16MMAToNVVMBase<KilnGPUBF16MMAToNVVM> {
  void runOnOperation() override {
    SmallVector<nvgpu::MmaSyncOp> ops;
    getOperation().walk([&](nvgpu::MmaSyncOp op) {
      if (op.getMatrixA().getType().getElementType().isBF16())
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (nvgpu::MmaSyncOp op : ops) {
      std::array<int64_t, 3> shape = op.getMmaShapeAsArray();
      VectorType a = op.getMatrixA().getType(), b = op.getMatrixB().getType(),
                 c = op.getMatrixC().getType();
      Type f32 = rewriter.getF32Type();
      if (shape != std::array<int64_t, 3>{16, 8, 16} || a.getShape() != ArrayRef<int64_t>{4, 2} ||
          !b.getElementType().isBF16() || b.getShape() != ArrayRef<int64_t>{2, 2} ||
          c.getElementType() != f32 || c.getShape() != ArrayRef<int64_t>{2, 2}) {
        op.emitOpError("on bf16 needs m16n8k16 with vector<4x2xbf16>, vector<2x2xbf16> and "
                       "vector<2x2xf32> operands (PTX's only bf16 mma.sync with f32 "
                       "accumulators)");
        return signalPassFailure();
      }
      Location loc = op.getLoc();
      rewriter.setInsertionPoint(op);
      SmallVector<Value> args = registersOf(rewriter, loc, op.getMatrixA());
      args.append(registersOf(rewriter, loc, op.getMatrixB()));
      for (int64_t r = 0; r < 2; ++r)
        for (int64_t e = 0; e < 2; ++e)
          args.push_back(
              rewriter.create<vector::ExtractOp>(loc, op.getMatrixC(), ArrayRef<int64_t>{r, e}));
      auto results = LLVM::LLVMStructType::getLiteral(&getContext(), {f32, f32, f32, f32});
      auto call = rewriter.create<LLVM::CallIntrinsicOp>(
          loc, Type(results), StringRef("llvm.nvvm.mma.m16n8k16.row.col.bf16"), args);
      SmallVector<Value> elements;
      for (int64_t i = 0; i < 4; ++i)
        elements.push_back(rewriter.create<LLVM::ExtractValueOp>(loc, call->getResult(0), i));
      rewriter.replaceOp(op, buildVector(rewriter, loc, c, elements));
    }
  }
};

} // namespace
