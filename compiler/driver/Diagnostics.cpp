//===- Diagnostics.cpp - One-line diagnostics for the kiln CLI ------------===//

#include "compiler/driver/Diagnostics.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Location.h"
#include "llvm/ADT/StringExtras.h"

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

/// `s` on one line: line breaks become spaces, and other control characters
/// (which names from an untrusted model file may hold: NUL, escape
/// sequences) are shown as \xNN, so they never reach the terminal raw.
std::string oneLine(StringRef s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '\n' || c == '\r')
      out += ' ';
    else if (u < 0x20 || u == 0x7f)
      out += std::string("\\x") + llvm::hexdigit(u >> 4, /*LowerCase=*/true) +
             llvm::hexdigit(u & 15, /*LowerCase=*/true);
    else
      out += c;
  }
  return out;
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
    os << "node '" << oneLine(name.getName().getValue()) << "': ";
  os << oneLine(diag.str());
  for (Diagnostic &note : diag.getNotes())
    os << " (note: " << oneLine(note.str()) << ")";
  return out;
}

std::string OneLineDiagnosticHandler::nodeName(Location loc) {
  NameLoc name;
  FileLineColLoc file;
  findParts(loc, name, file);
  return name ? name.getName().str() : std::string();
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
