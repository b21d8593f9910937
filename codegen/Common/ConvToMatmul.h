//===- ConvToMatmul.h - Convolutions as matmuls ------------------*- C++ -*-===//
//
// What the CPU and GPU targets share to turn convolutions into the matmuls
// their GEMM kernels take (kiln-cpu-conv-to-matmul, kiln-gpu-conv-to-matmul).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_COMMON_CONVTOMATMUL_H
#define KILN_CODEGEN_COMMON_CONVTOMATMUL_H

#include "mlir/IR/PatternMatch.h"

#include <functional>

namespace mlir::kiln {

/// Whether to compute the product of a convolution of `pixels` output
/// pixels and `filters` filters transposed (pixels x filters).
using TransposeProductFn = std::function<bool(int64_t pixels, int64_t filters)>;

/// Whether a convolution's initial output [N, F, OH, OW] is a fill or a
/// per-filter broadcast of [F] (the bias), which the rewrites make directly
/// in their products' shapes.
bool isFillOrBias(Value init);

/// Rewrites each linalg.conv_2d_nchw_fchw of one image (static shapes, one
/// element type) on tensors as linalg.matmul: the filter [F, C*KH*KW] times
/// the im2col copy of the input [C*KH*KW, OH*OW] (none for a 1x1 convolution
/// with unit strides) into the output read as [F, OH*OW], a fill or
/// per-filter bias init made directly in that shape. With
/// `transposeProduct` saying so and a constant filter, the product is
/// computed as pixels x filters and transposed back.
/// With `batches`, a convolution of a batch of images becomes one
/// linalg.generic contraction: the filter [F, C*KH*KW] times the images'
/// im2col matrices [N, C*KH*KW, OH*OW] (their input as it is for 1x1 with
/// unit strides) into the output read as [N, F, OH*OW]; batches whose im2col
/// matrices would exceed 32 MB are split into groups of images.
void populateConvToMatmulPatterns(RewritePatternSet &patterns,
                                  TransposeProductFn transposeProduct = nullptr,
                                  bool batches = false);

} // namespace mlir::kiln

#endif // KILN_CODEGEN_COMMON_CONVTOMATMUL_H
