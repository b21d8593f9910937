//===- LossOps.cpp - ONNX NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss ===//
//
// Both gather input[n, target[n, d...], d...] along the class axis 1. The
// gather is a one-hot select: target (as [N, 1, d...]) == iota over C gives
// a bool mask, select(mask, input, 0) summed over axis 1 picks the element
// (a select, not a product, so a NaN elsewhere in the row stays out), and
// the class weights are picked the same way. Everything is kiln ops, so the
// loss lowers through their linalg. A target outside [0, C) that is not
// ignore_index picks 0 (ONNX leaves it undefined).
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/ONNXImporter.h"

#include "ir/KilnOps.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;

namespace {

/// The loss of log-probabilities `input` ([N, C, d...]) for `target`
/// ([N, d...]), with optional class `weight` ([C]), as
/// NegativeLogLikelihoodLoss defines it.
FailureOr<Value> nllLoss(NodeImporter &n, Value input, Value target,
                         Value weight, StringRef reduction,
                         std::optional<int64_t> ignoreIndex) {
  auto inType = cast<RankedTensorType>(input.getType());
  auto targetType = cast<RankedTensorType>(target.getType());
  int64_t rank = inType.getRank();
  if (rank < 2 || !inType.hasStaticShape() || !targetType.hasStaticShape())
    return n.error() << "expects a static input of rank 2 or more, got "
                     << inType;
  SmallVector<int64_t> expected(inType.getShape());
  expected.erase(expected.begin() + 1);
  if (targetType.getShape() != ArrayRef<int64_t>(expected))
    return n.error() << "target " << targetType << " does not match input "
                     << inType << " (expected the input's shape without dim 1)";
  Type et = inType.getElementType(), it = targetType.getElementType();
  if (!isa<FloatType>(et) || !(it.isSignlessInteger(32) || it.isSignlessInteger(64)))
    return n.error() << "expects a floating-point input and an int32 or int64 "
                        "target, got "
                     << inType << " and " << targetType;
  int64_t classes = inType.getDimSize(1);

  OpChain c{n};
  // [N, 1, d...] == iota [1, C, 1...]: the one-hot mask of the target.
  SmallVector<int64_t> targetShape(expected);
  targetShape.insert(targetShape.begin() + 1, 1);
  SmallVector<int64_t> iotaShape(rank, 1);
  iotaShape[1] = classes;
  SmallVector<APInt> iota;
  for (int64_t k = 0; k < classes; ++k)
    iota.push_back(APInt(it.getIntOrFloatBitWidth(), k));
  Value classIds =
      n.constant(DenseElementsAttr::get(RankedTensorType::get(iotaShape, it), iota));
  Value mask = c.compare(static_cast<uint32_t>(ComparePredicate::eq), c.reshape(target, targetShape),
                         classIds);
  Value zero = c.scalar(et, 0);
  Value picked = c.sum(c.op("kiln.select", {mask, input, zero}), {1}, false);

  // The weight of each element: weight[target], 0 where ignored.
  Value w;
  if (weight) {
    auto wType = cast<RankedTensorType>(weight.getType());
    if (wType.getRank() != 1 || wType.getDimSize(0) != classes ||
        wType.getElementType() != et)
      return n.error() << "weight " << wType << " must be a 1-D tensor of "
                       << classes << " " << et << " values";
    w = c.sum(c.op("kiln.select", {mask, c.reshape(weight, iotaShape), zero}),
              {1}, false);
  }
  if (ignoreIndex) {
    Value ignored = c.scalar(it, static_cast<double>(*ignoreIndex));
    Value keep = c.compare(static_cast<uint32_t>(ComparePredicate::ne), target, ignored);
    w = c.op("kiln.select", {keep, w ? w : c.scalar(et, 1), zero});
  }
  Value loss = c.op("kiln.neg", w ? c.op("kiln.mul", {picked, w}) : picked);

  SmallVector<int64_t> all;
  for (int64_t d = 0; d < rank - 1; ++d)
    all.push_back(d);
  if (reduction == "sum")
    loss = c.sum(loss, all, false);
  else if (reduction == "mean")
    loss = w ? c.op("kiln.div", {c.sum(loss, all, false), c.sum(w, all, false)})
             : c.op("kiln.reduce_mean", loss,
                    {n.namedI64s("axes", all), n.namedBool("keepdims", false)});
  if (!c.ok)
    return failure();
  return loss;
}

/// Reads reduction and ignore_index, the attributes both losses share.
LogicalResult readLossAttributes(NodeImporter &n, std::string &reduction,
                                 std::optional<int64_t> &ignoreIndex) {
  AttributeReader &a = n.attrs();
  static constexpr StringRef kReductions[] = {"none", "sum", "mean"};
  reduction = kReductions[a.getChoice("reduction", "mean", kReductions)];
  ignoreIndex = a.getOptionalInt("ignore_index");
  return a.status();
}

LogicalResult importNegativeLogLikelihoodLoss(NodeImporter &n) {
  std::string reduction;
  std::optional<int64_t> ignoreIndex;
  if (failed(readLossAttributes(n, reduction, ignoreIndex)) ||
      failed(n.checkArity(2, 3)))
    return failure();
  FailureOr<Value> loss = nllLoss(n, n.input(0), n.input(1), n.input(2),
                                  reduction, ignoreIndex);
  if (failed(loss))
    return failure();
  n.setOutput(0, *loss);
  return success();
}

/// NegativeLogLikelihoodLoss of LogSoftmax over the classes; the second
/// output, if asked for, is that LogSoftmax.
LogicalResult importSoftmaxCrossEntropyLoss(NodeImporter &n) {
  std::string reduction;
  std::optional<int64_t> ignoreIndex;
  if (failed(readLossAttributes(n, reduction, ignoreIndex)) ||
      failed(n.checkArity(2, 3, 1, 2)))
    return failure();
  RankedTensorType type = n.inputType(0);
  if (type.getRank() < 2)
    return n.error() << "expects scores of rank 2 or more, got " << type;
  FailureOr<Value> logProb =
      n.create("kiln.log_softmax", n.input(0), {n.namedI64("axis", 1)});
  if (failed(logProb))
    return failure();
  FailureOr<Value> loss =
      nllLoss(n, *logProb, n.input(1), n.input(2), reduction, ignoreIndex);
  if (failed(loss))
    return failure();
  n.setOutput(0, *loss);
  if (n.numOutputs() > 1)
    n.setOutput(1, *logProb);
  return success();
}

} // namespace

void onnx_import::registerLossOps(OpTable &t) {
  t.add("NegativeLogLikelihoodLoss", 12, importNegativeLogLikelihoodLoss);
  t.add("SoftmaxCrossEntropyLoss", 12, importSoftmaxCrossEntropyLoss);
}
