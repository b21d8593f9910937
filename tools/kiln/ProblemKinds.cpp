//===- ProblemKinds.cpp - What kind of problem a diagnostic is ------------===//

#include "tools/kiln/ProblemKinds.h"

#include "llvm/ADT/StringExtras.h"

using llvm::StringRef;

namespace {

struct Rule {
  StringRef kind;
  StringRef phrase; // found anywhere in the message
};

// First match wins: "Cast: attribute 'to' is uint8, which Kiln does not
// support" is a dtype problem before it is an attribute one.
const Rule kRules[] = {
    {"unsupported-op", ": unsupported ONNX op"},
    {"unsupported-op", "unsupported ONNX ops: "}, // kiln compile's form
    {"op-too-new", "newer than the model's opset"},
    {"op-too-new", "the op exists from opset"}, // of another domain
    {"opset", "the model uses ONNX opset"},
    {"opset", "the model imports opset"}, // of another domain
    {"opset", "default ONNX domain"},
    {"not-examined", ": not examined: "},
    {"dtype", ", which Kiln does not support"},
    {"constant-input", "must be a compile-time constant"},
    {"shape", "--shape"},
    {"unsupported-output", " output ('"},
    {"unsupported-output", "is not computed by Kiln's import"},
    {"attribute", "attribute '"},
    {"attribute", "attributes '"},
};

} // namespace

StringRef kiln::cli::problemKind(StringRef message) {
  for (const Rule &rule : kRules)
    if (message.contains(rule.phrase))
      return rule.kind;
  return "other";
}

StringRef kiln::cli::problemOp(StringRef message) {
  StringRef op = message.split(": ").first;
  if (op.size() == message.size() || op.empty())
    return "";
  // ONNX op types are identifiers, qualified by a domain outside the default
  // one ("com.microsoft.FusedConv").
  for (char c : op)
    if (!llvm::isAlnum(c) && c != '_' && c != '.')
      return "";
  return op;
}
