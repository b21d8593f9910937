//===- FoldSubsetsIntoTransfers.h - Slices folded into vector transfers -*- C++ -*-===//
//
// transfer_read(extract_slice(S)) -> transfer_read(S) and
// insert_slice(transfer_write(v, T), D) -> transfer_write(v, D), for the
// unit-stride, rank-preserving slices tiling makes. Upstream's
// tensor::populateFoldTensorSubsetIntoVectorTransferPatterns does the same,
// but LLVM 19's insert_slice fold also fires when the write covers only
// part of T and T holds other values (a loop's result, another write):
// those values are lost. It miscompiled ResNet-style 1x1 convolutions once
// partial tiles were vectorized. This write fold requires that T is D's own
// slice at the same place, or that the write covers all of T.
//
// And a 1-D read along a slice with an innermost stride s > 1 (strided
// windows) becomes one contiguous read of the span its lanes cover and a
// shuffle that keeps every s-th element.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_FOLDSUBSETSINTOTRANSFERS_H
#define KILN_CODEGEN_CPU_FOLDSUBSETSINTOTRANSFERS_H

#include "mlir/IR/PatternMatch.h"

namespace mlir::kiln {

void populateFoldSubsetsIntoTransfersPatterns(RewritePatternSet &patterns);

} // namespace mlir::kiln

#endif // KILN_CODEGEN_CPU_FOLDSUBSETSINTOTRANSFERS_H
