//===- ProblemKinds.h - What kind of problem a diagnostic is ----*- C++ -*-===//
//
// `kiln check --json` tells tools what kind each problem is. The frontends
// report problems as one-line diagnostics whose wording is stable per kind
// (compiler/onnx and compiler/import); this maps a diagnostic's message to
// its kind. test/tools/kiln-check.test pins the wording of every kind.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLS_KILN_PROBLEMKINDS_H
#define KILN_TOOLS_KILN_PROBLEMKINDS_H

#include "llvm/ADT/StringRef.h"

namespace kiln::cli {

/// One of: "unsupported-op", "op-too-new", "opset", "dtype",
/// "constant-input", "attribute", "unsupported-output", "shape",
/// "not-examined", "other".
llvm::StringRef problemKind(llvm::StringRef message);

/// The op a node's message is about: messages at a node start "OpType: ".
/// "" when the message does not start with an op name.
llvm::StringRef problemOp(llvm::StringRef message);

} // namespace kiln::cli

#endif // KILN_TOOLS_KILN_PROBLEMKINDS_H
