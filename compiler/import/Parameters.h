//===- Parameters.h - Weights as arguments of the model function --*- C++ -*-===//
//
// With WeightsMode::Parameters, a frontend turns each floating-point weight
// into an argument of @main instead of a constant (see ImportOptions.h and
// codegen/Common/ABI.h for the attributes).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_IMPORT_PARAMETERS_H
#define KILN_COMPILER_IMPORT_PARAMETERS_H

#include "compiler/import/ImportOptions.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"

namespace mlir::kiln {

/// Whether `value`, a weight named by the model, becomes a parameter.
bool isParameter(const ImportOptions &options, DenseElementsAttr value);

/// Appends `value` as a parameter argument of `fn` (its type updated) named
/// `name`, and returns the argument.
BlockArgument addParameter(func::FuncOp fn, StringRef name, DenseElementsAttr value);

} // namespace mlir::kiln

#endif // KILN_COMPILER_IMPORT_PARAMETERS_H
