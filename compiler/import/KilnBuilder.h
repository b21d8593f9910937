//===- KilnBuilder.h - Safe creation of kiln ops for frontends --*- C++ -*-===//
//
// Frontends build kiln ops from untrusted models. The ODS builders that infer
// result types abort the process when inference fails, so frontends create
// ops through these helpers instead: they create the op, run its type
// inference at the op's location (diagnostics name the model's node), run the
// verifier, and on any failure erase the op and return failure.
//
// createFolded() also folds the new op when its operands are constants, which
// is how shape subgraphs (Shape -> Gather -> Concat -> Reshape) become
// constants during import.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_IMPORT_KILNBUILDER_H
#define KILN_COMPILER_IMPORT_KILNBUILDER_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

namespace mlir::kiln {

/// Creates `opName` ("kiln.conv") with `numResults` results whose types come
/// from the op's type inference, or, for ops without inference (kiln.cast),
/// from `explicitTypes`. Attributes must have the exact attribute kinds of
/// the op's ODS definition. Emits diagnostics at `loc` and returns failure on
/// an unknown op, an attribute the op does not have, failed inference, or a
/// failed verifier.
FailureOr<Operation *> createKilnOp(OpBuilder &b, Location loc,
                                    StringRef opName, ValueRange operands,
                                    ArrayRef<NamedAttribute> attributes,
                                    unsigned numResults = 1,
                                    TypeRange explicitTypes = {});

/// As createKilnOp, then folds the op if it can (constant operands, identity
/// patterns); the results are the folded values (materialized as
/// kiln.constant) or the op's results.
FailureOr<SmallVector<Value>> createFolded(OpBuilder &b, Location loc,
                                           StringRef opName, ValueRange operands,
                                           ArrayRef<NamedAttribute> attributes,
                                           unsigned numResults = 1,
                                           TypeRange explicitTypes = {});

/// The constant value of `v` if it is produced by kiln.constant (after
/// folding), else null.
DenseElementsAttr getConstantValue(Value v);

} // namespace mlir::kiln

#endif // KILN_COMPILER_IMPORT_KILNBUILDER_H
