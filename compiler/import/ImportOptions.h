//===- ImportOptions.h - What every frontend is asked to do -----*- C++ -*-===//
//
// Every frontend (compiler/onnx, compiler/json, the MLIR one in
// compiler/frontend) produces a module holding the model function
// `func.func @main` on ranked tensors. Each argument and result carries its
// model-level tensor name in `kiln.name`; ops carry locations naming the
// model's node (NameLoc(node, FileLineColLoc(file, ...))), so every later
// diagnostic can be traced back to the model.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_IMPORT_IMPORTOPTIONS_H
#define KILN_COMPILER_IMPORT_IMPORTOPTIONS_H

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir::kiln {

inline constexpr llvm::StringLiteral kModelFunctionName = "main";

/// How a model's weights enter the kiln IR.
enum class WeightsMode {
  /// As kiln.constant: folded where possible, embedded in the library.
  Embedded,
  /// Every floating-point weight (ONNX initializer, JSON constant) as an
  /// argument of @main after the inputs, marked `kiln.parameter`, with its
  /// value in `kiln.value`; never folded into other constants. Integer
  /// tensors (shapes, indices, axes) stay constants either way.
  Parameters,
};

/// `--constant NAME=FILE.npy`: a value for an input, which turns it into a
/// constant (it leaves the model's signature). The tool reads the file; the
/// frontend checks it against the input's declared type.
struct ConstantInput {
  /// The file it came from, for messages.
  std::string file;
  /// The NumPy name of its element type ("float32", "int64", ...). Types
  /// NumPy lacks travel as bit patterns, as `kiln run` reads them: uint16
  /// then carries bfloat16 and uint8 the float8 types.
  std::string dtype;
  /// The file's items are void ("|V2", "|V1": an ml_dtypes array saved by
  /// NumPy); `dtype` is then the carrier of their width, and only an input
  /// of a type NumPy lacks takes them.
  bool voidItems = false;
  SmallVector<int64_t> shape;
  /// Dense, row-major, little-endian, as kiln stores the dtype.
  std::vector<char> bytes;
};

struct ImportOptions {
  /// The model file: .onnx, .json (Kiln graph) or .mlir (kiln dialect).
  std::string path;
  /// `--shape NAME=1x3x224x224`: the dims of an input, required for inputs
  /// with symbolic dims and checked against inputs with static ones.
  llvm::StringMap<SmallVector<int64_t>> shapes;
  /// `--constant NAME=FILE.npy`: inputs frozen to these values. Inputs that
  /// change shapes (Reshape's shape, Slice's starts, ...) must be constants.
  llvm::StringMap<ConstantInput> constants;
  WeightsMode weights = WeightsMode::Embedded;
  /// `kiln check`: report every problem that can be found instead of stopping
  /// at the first. Import still fails if there was any; the module is only
  /// ever inspected, never compiled. The ONNX frontend implements it (see
  /// compiler/onnx/ONNXImporter.cpp); the others stop at the first problem.
  bool keepGoing = false;
  /// `kiln compile --train`: weights a training step updates itself (the
  /// running statistics of BatchNormalization in training mode) get their
  /// next value as an extra result marked kiln.state_update (ir/KilnDialect.h).
  /// The ONNX frontend implements it; without it those values are dropped.
  bool stateUpdates = false;
};

} // namespace mlir::kiln

#endif // KILN_COMPILER_IMPORT_IMPORTOPTIONS_H
