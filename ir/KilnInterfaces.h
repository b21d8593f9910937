//===- KilnInterfaces.h - Op interfaces of the kiln dialect -----*- C++ -*-===//
//
// The interfaces generated from KilnInterfaces.td. Rules implementing
// VJPOpInterface include ir/VJPBuilder.h for the builder they receive.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_IR_KILNINTERFACES_H
#define KILN_IR_KILNINTERFACES_H

#include "mlir/IR/OpDefinition.h"

namespace mlir::kiln {
class VJPBuilder;
} // namespace mlir::kiln

#include "ir/KilnInterfaces.h.inc"

#endif // KILN_IR_KILNINTERFACES_H
