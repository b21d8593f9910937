//===- Patterns.h - kiln -> linalg patterns, by op family -------*- C++ -*-===//
//
// Each family file adds its conversion patterns and marks its kiln ops
// illegal, so the list of ops is written once per family. Patterns assume
// static shapes (the pass checks them first) and refuse with
// notifyMatchFailure, never with an error of their own.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_KILNTOLINALG_PATTERNS_H
#define KILN_CODEGEN_KILNTOLINALG_PATTERNS_H

#include "mlir/Transforms/DialectConversion.h"

namespace mlir::kiln {

/// Unary/binary/compare/select/clip/cast/activations -> linalg.generic;
/// kiln.constant -> arith.constant.
void populateElementwisePatterns(RewritePatternSet &patterns,
                                 ConversionTarget &target);
/// kiln.matmul -> linalg.matmul / linalg.batch_matmul.
void populateMatmulPatterns(RewritePatternSet &patterns,
                            ConversionTarget &target);
/// kiln.conv -> linalg.conv_2d_* / depthwise_conv_2d_*;
/// kiln.conv_backward_filter -> a linalg.generic contraction.
void populateConvPatterns(RewritePatternSet &patterns,
                          ConversionTarget &target);
/// kiln.conv_transpose, kiln.conv_backward_data -> a contraction and strided
/// adds (col2im).
void populateConvTransposePatterns(RewritePatternSet &patterns,
                                   ConversionTarget &target);
/// max/avg/global pooling -> linalg.pooling_nchw_* and reductions.
void populatePoolingPatterns(RewritePatternSet &patterns,
                          ConversionTarget &target);
/// max_pool_indices -> a linalg.generic keeping each window's best value and
/// position; max_unpool -> an scf.for writing each element at its index.
void populatePoolIndicesPatterns(RewritePatternSet &patterns,
                                 ConversionTarget &target);
/// reduce_* and argmax -> linalg.reduce / linalg.generic.
void populateReductionPatterns(RewritePatternSet &patterns,
                            ConversionTarget &target);
/// softmax, log_softmax, layer_norm, batch_norm -> linalg.generic chains.
void populateNormalizationPatterns(RewritePatternSet &patterns,
                          ConversionTarget &target);
/// kiln.resize -> linalg.generic gathers (nearest) and weighted sums over
/// per-axis taps (linear, cubic).
void populateResizePatterns(RewritePatternSet &patterns,
                            ConversionTarget &target);
/// kiln.grid_sample -> one linalg.generic reading its taps with
/// tensor.extract.
void populateGridSamplePatterns(RewritePatternSet &patterns,
                                ConversionTarget &target);
/// kiln.roi_align -> a linalg.generic whose body loops over each bin's
/// sampling grid (scf.for; the grid's size may be run-time data).
void populateRoiAlignPatterns(RewritePatternSet &patterns,
                              ConversionTarget &target);
/// kiln.deform_conv -> one linalg.generic contraction sampling the input
/// with tensor.extract.
void populateDeformConvPatterns(RewritePatternSet &patterns,
                                ConversionTarget &target);
/// kiln.dropout -> one linalg.generic computing each element's Philox draw.
void populateRandomPatterns(RewritePatternSet &patterns,
                            ConversionTarget &target);
/// reshape, transpose, concat, split, slice, gather, scatter_add, expand,
/// pad, flatten, squeeze, unsqueeze -> tensor ops and linalg.
void populateDataMovementPatterns(RewritePatternSet &patterns,
                                  ConversionTarget &target);

} // namespace mlir::kiln

#endif // KILN_CODEGEN_KILNTOLINALG_PATTERNS_H
