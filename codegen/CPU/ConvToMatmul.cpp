//===- ConvToMatmul.cpp - Convolutions as matmuls for the GEMM tiles ------===//
//
// See KilnCPUConvToMatmul in codegen/CPU/Passes.td; the rewrite itself is
// shared with the GPU target (codegen/Common/ConvToMatmul.h).
//
//===----------------------------------------------------------------------===//

#include "codegen/CPU/CPUPasses.h"
#include "codegen/CPU/Tiles.h"
#include "codegen/Common/ConvToMatmul.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::kiln {
#define GEN_PASS_DEF_KILNCPUCONVTOMATMUL
#include "codegen/CPU/Passes.h.inc"
} // namespace mlir::kiln

using namespace mlir;
using namespace mlir::kiln;

namespace {

struct KilnCPUConvToMatmul : kiln::impl::KilnCPUConvToMatmulBase<KilnCPUConvToMatmul> {
  using Base::Base;
  void runOnOperation() override {
    int64_t bits = vectorBits, registers = vectorRegisters;
    // Vectors run along the matmul's columns. Those are the pixels, unless
    // full register tiles cover more of the product the other way round
    // (7x7 = 49 pixels by 512 filters: 65% filters x pixels, 98% pixels x
    // filters with AVX-512's 8 x 32 tiles): then the product is computed
    // transposed. The two transposes cost about as much as a tenth of the
    // tiles lost: 784 pixels (98% coverage) stay pixels; 49 (65%) are
    // transposed.
    auto transposeProduct = [bits, registers](int64_t pixels, int64_t filters) {
      return registerTileCoverage(pixels, filters, bits, registers) >
             1.1 * registerTileCoverage(filters, pixels, bits, registers);
    };
    RewritePatternSet patterns(&getContext());
    populateConvToMatmulPatterns(patterns, transposeProduct, /*batches=*/true);
    if (failed(applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
