//===- Diagnostics.h - One-line diagnostics for the kiln CLI ----*- C++ -*-===//
//
// Prints each MLIR diagnostic as one line a user can act on:
//   model.onnx: error: node 'conv1': 'kiln.conv' op filter [...] expects ...
//   graph.mlir:12:8: error: 'kiln.transpose' op perm [1, 1] is not ...
// The file comes from the innermost FileLineColLoc, the node from a NameLoc
// (frontends attach both); notes are appended to their error's line.
//
// Installs itself on a context for its lifetime; not thread-safe (one
// handler per context, used from the thread that owns it).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_DRIVER_DIAGNOSTICS_H
#define KILN_COMPILER_DRIVER_DIAGNOSTICS_H

#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/raw_ostream.h"

namespace mlir::kiln {

class OneLineDiagnosticHandler : public ScopedDiagnosticHandler {
public:
  OneLineDiagnosticHandler(MLIRContext *ctx, llvm::raw_ostream &os);
  unsigned numErrors() const { return errors; }

  /// The text of one diagnostic, without a trailing newline.
  static std::string format(Diagnostic &diag);
  /// The model node `loc` names (its NameLoc), or "" when it names none.
  static std::string nodeName(Location loc);

private:
  llvm::raw_ostream &os;
  unsigned errors = 0;
};

} // namespace mlir::kiln

#endif // KILN_COMPILER_DRIVER_DIAGNOSTICS_H
