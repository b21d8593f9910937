//===- Diagnostics.cpp - One-line diagnostics for the kiln CLI ------------===//

#include "compiler/Diagnostics.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"

using namespace mlir;
using namespace mlir::kiln;

namespace {

/// The first NameLoc and FileLineColLoc found in `loc` (depth first).
void findParts(Location loc, NameLoc &name, FileLineColLoc &file) {
  loc->walk([&](Location l) {
    if (auto n = dyn_cast<NameLoc>(l); n && !name)
      name = n;
    if (auto f = dyn_cast<FileLineColLoc>(l); f && !file)
      file = f;
    return (name && file) ? WalkResult::interrupt() : WalkResult::advance();
  });
}

std::string oneLine(std::string s) {
  for (char &c : s)
    if (c == '\n' || c == '\r')
      c = ' ';
  return s;
}

const char *severityName(DiagnosticSeverity s) {
  switch (s) {
  case DiagnosticSeverity::Error: return "error";
  case DiagnosticSeverity::Warning: return "warning";
  case DiagnosticSeverity::Note: return "note";
  case DiagnosticSeverity::Remark: return "remark";
  }
  return "error";
}

} // namespace

std::string OneLineDiagnosticHandler::format(Diagnostic &diag) {
  NameLoc name;
  FileLineColLoc file;
  findParts(diag.getLocation(), name, file);
  std::string out;
  llvm::raw_string_ostream os(out);
  if (file) {
    os << file.getFilename().getValue();
    if (file.getLine() > 0)
      os << ":" << file.getLine() << ":" << file.getColumn();
    os << ": ";
  } else {
    os << "kiln: ";
  }
  os << severityName(diag.getSeverity()) << ": ";
  if (name)
    os << "node '" << name.getName().getValue() << "': ";
  os << oneLine(diag.str());
  for (Diagnostic &note : diag.getNotes())
    os << " (note: " << oneLine(note.str()) << ")";
  return out;
}

OneLineDiagnosticHandler::OneLineDiagnosticHandler(MLIRContext *ctx,
                                                   llvm::raw_ostream &os)
    : ScopedDiagnosticHandler(ctx), os(os) {
  setHandler([this](Diagnostic &diag) {
    if (diag.getSeverity() == DiagnosticSeverity::Error)
      ++errors;
    this->os << format(diag) << "\n";
    this->os.flush();
    return success();
  });
}
