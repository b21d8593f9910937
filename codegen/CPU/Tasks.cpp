//===- Tasks.cpp - Splitting one op into parallel tasks -------------------===//

#include "codegen/CPU/Tasks.h"

#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Interfaces/TilingInterface.h"

using namespace mlir;

SmallVector<int64_t> mlir::kiln::planTasks(linalg::LinalgOp op, int64_t cores,
                                           int64_t minIterations,
                                           std::optional<unsigned> vectorDim,
                                           int64_t vectorSize) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t total = 1;
  for (int64_t r : ranges)
    total *= r;
  if (cores <= 1 || total < (int64_t(1) << 16))
    return {};
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  for (unsigned d = 0; d < ranges.size(); ++d) {
    if (iterators[d] != utils::IteratorType::parallel || ranges[d] < minIterations)
      continue;
    int64_t tasks = std::min<int64_t>(ranges[d], 4 * cores);
    int64_t chunk = (ranges[d] + tasks - 1) / tasks;
    if (vectorDim && d == *vectorDim) {
      if (ranges[d] < 2 * vectorSize)
        continue;
      chunk = (chunk + vectorSize - 1) / vectorSize * vectorSize;
    }
    SmallVector<int64_t> sizes(ranges.size(), 0);
    sizes[d] = chunk;
    return sizes;
  }
  return {};
}

LogicalResult mlir::kiln::splitIntoTasks(RewriterBase &rewriter, linalg::LinalgOp &op,
                                         ArrayRef<int64_t> taskSizes) {
  if (taskSizes.empty())
    return success();
  rewriter.setInsertionPoint(op);
  SmallVector<OpFoldResult> sizes;
  for (int64_t size : taskSizes)
    sizes.push_back(rewriter.getIndexAttr(size));
  scf::SCFTilingOptions options;
  options.setTileSizes(sizes).setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
  FailureOr<scf::SCFTilingResult> tasks =
      scf::tileUsingSCF(rewriter, cast<TilingInterface>(op.getOperation()), options);
  if (failed(tasks))
    return op->emitOpError("could not be split into parallel tasks");
  auto task = cast<linalg::LinalgOp>(tasks->tiledOps.front());
  rewriter.replaceOp(op, tasks->replacements);
  op = task;
  return success();
}
