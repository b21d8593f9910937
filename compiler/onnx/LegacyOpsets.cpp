//===- LegacyOpsets.cpp - Which ops opsets 1 to 6 define as opset 7 does ---===//
//
// Kiln implements the default domain's definitions from opset 7 on. Opsets 1
// to 6 differ mostly by their elementwise ops (explicit `broadcast`/`axis`
// attributes, `consumed_inputs`), but most other ops kept their definition
// into opset 7: a model of opset 1 to 6 whose every op is defined there as at
// opset 7 means what the opset-7 import computes. The table below says, for
// each op whose opset-7 definition is older than opset 7, the opset that
// introduced that definition (onnx.defs.get_schema(op, 7).since_version);
// test/compiler/onnx/legacy-opsets.test checks it against the onnx package.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/ONNXImporter.h"

#include "llvm/ADT/StringMap.h"

namespace mlir::kiln::onnx_import {

std::optional<int64_t> legacyDefinitionSince(llvm::StringRef opType) {
  // Immutable after its (thread-safe) first initialization.
  static const llvm::StringMap<int64_t> kSince = {
      {"Abs", 6},
      {"ArgMax", 1},
      {"ArgMin", 1},
      {"Cast", 6},
      {"Ceil", 6},
      {"Clip", 6},
      {"Concat", 4},
      {"Constant", 1},
      {"Conv", 1},
      {"ConvTranspose", 1},
      {"DepthToSpace", 1},
      {"Elu", 6},
      {"Exp", 6},
      {"Flatten", 1},
      {"Floor", 6},
      {"Gather", 1},
      {"GlobalAveragePool", 1},
      {"GlobalLpPool", 2},
      {"GlobalMaxPool", 1},
      {"HardSigmoid", 6},
      {"Hardmax", 1},
      {"Identity", 1},
      {"If", 1},
      {"InstanceNormalization", 6},
      {"LRN", 1},
      {"LeakyRelu", 6},
      {"Log", 6},
      {"LogSoftmax", 1},
      {"Loop", 1},
      {"LpNormalization", 1},
      {"LpPool", 2},
      {"MatMul", 1},
      {"Max", 6},
      {"MaxPool", 1},
      {"MaxRoiPool", 1},
      {"Mean", 6},
      {"Min", 6},
      {"Neg", 6},
      {"Not", 1},
      {"Pad", 2},
      {"RandomNormal", 1},
      {"RandomNormalLike", 1},
      {"RandomUniform", 1},
      {"RandomUniformLike", 1},
      {"Reciprocal", 6},
      {"ReduceL1", 1},
      {"ReduceL2", 1},
      {"ReduceLogSum", 1},
      {"ReduceLogSumExp", 1},
      {"ReduceMax", 1},
      {"ReduceMean", 1},
      {"ReduceMin", 1},
      {"ReduceProd", 1},
      {"ReduceSum", 1},
      {"ReduceSumSquare", 1},
      {"Relu", 6},
      {"Reshape", 5},
      {"Selu", 6},
      {"Shape", 1},
      {"Sigmoid", 6},
      {"Size", 1},
      {"Slice", 1},
      {"Softmax", 1},
      {"Softplus", 1},
      {"Softsign", 1},
      {"SpaceToDepth", 1},
      {"Split", 2},
      {"Sqrt", 6},
      {"Squeeze", 1},
      {"Sum", 6},
      {"Tanh", 6},
      {"Tile", 6},
      {"TopK", 1},
      {"Transpose", 1},
      {"Unsqueeze", 1},
  };
  auto it = kSince.find(opType);
  if (it == kSince.end())
    return std::nullopt;
  return it->second;
}

} // namespace mlir::kiln::onnx_import
