//===- CheckCommand.cpp - `kiln check` ------------------------------------===//
//
// Reports everything that would stop `kiln compile MODEL` at once, instead of
// the first problem (compiler/driver's checkModel). Text: one line per
// problem, as kiln compile prints them, then a summary. --json: the same
// problems for tools, each with its kind (ProblemKinds.h), node and op.
//
//===----------------------------------------------------------------------===//

#include "tools/kiln/CheckCommand.h"
#include "tools/kiln/ConstantInputs.h"
#include "tools/kiln/ProblemKinds.h"

#include "compiler/driver/Diagnostics.h"
#include "compiler/driver/Driver.h"
#include "compiler/import/InputShapes.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

using namespace mlir;
using namespace mlir::kiln;

namespace {

const char *kUsage =
    "usage: kiln check MODEL [--shape NAME=DIMS]... [--constant NAME=FILE]...\n"
    "                        [--json]\n"
    "\n"
    "Reports everything that would stop `kiln compile MODEL`, all at once:\n"
    "unsupported ops with all their nodes, ops newer than the model's opset,\n"
    "refused attribute values, unsupported dtypes, inputs that must be\n"
    "compile-time constants, unbound symbolic dims. Exits 0 if none was\n"
    "found, 1 otherwise. ONNX models are checked past their first problem;\n"
    "nodes that read what a failed node leaves undefined are listed as not\n"
    "examined (unless the model declares the tensor's static type). Problems\n"
    "only code generation finds are not looked for.\n"
    "\n"
    "options:\n"
    "  --shape NAME=DIMS   dims of input NAME, as for kiln compile (repeatable)\n"
    "  --constant NAME=FILE  freeze input NAME to FILE's value (.npy), as for\n"
    "                      kiln compile (repeatable)\n"
    "  --json              print the report as JSON\n"
    "  -h, --help          show this help\n";

int usageError(const std::string &message) {
  llvm::errs() << "kiln check: " << message << "\n" << kUsage;
  return 2;
}

struct Problem {
  std::string line;    // as kiln compile prints it
  std::string message; // without the file and node
  std::string node;
  llvm::StringRef kind;
  llvm::StringRef op;
  bool error;
};

/// Collects every diagnostic instead of printing it.
class Collector : public ScopedDiagnosticHandler {
public:
  explicit Collector(MLIRContext *ctx) : ScopedDiagnosticHandler(ctx) {
    setHandler([this](Diagnostic &diag) {
      Problem p;
      p.line = OneLineDiagnosticHandler::format(diag);
      p.message = diag.str();
      p.node = OneLineDiagnosticHandler::nodeName(diag.getLocation());
      p.error = diag.getSeverity() == DiagnosticSeverity::Error;
      problems.push_back(std::move(p));
      return success();
    });
  }
  std::vector<Problem> problems;
};

void classify(std::vector<Problem> &problems) {
  for (Problem &p : problems) {
    p.kind = ::kiln::cli::problemKind(p.message);
    p.op = p.node.empty() ? llvm::StringRef() : ::kiln::cli::problemOp(p.message);
  }
}

/// Unsupported op -> its nodes, in order of first appearance.
llvm::MapVector<llvm::StringRef, std::vector<std::string>>
unsupportedOps(const std::vector<Problem> &problems) {
  llvm::MapVector<llvm::StringRef, std::vector<std::string>> ops;
  for (const Problem &p : problems)
    if (p.kind == "unsupported-op" && !p.op.empty())
      ops[p.op].push_back(p.node);
  return ops;
}

void printText(const std::string &model, const std::vector<Problem> &problems) {
  size_t errors = 0;
  std::vector<std::string> notExamined;
  for (const Problem &p : problems) {
    if (p.kind == "not-examined") {
      notExamined.push_back("'" + p.node + "'");
      continue;
    }
    llvm::outs() << p.line << "\n";
    errors += p.error;
  }
  std::vector<std::string> ops;
  for (const auto &[op, nodes] : unsupportedOps(problems))
    ops.push_back(op.str() + " (" + std::to_string(nodes.size()) +
                  (nodes.size() == 1 ? " node)" : " nodes)"));
  if (!ops.empty())
    llvm::outs() << model << ": unsupported ops: " << llvm::join(ops, ", ")
                 << "\n";
  if (!notExamined.empty())
    llvm::outs() << model << ": not examined, as they read tensors the "
                 << "problems above leave undefined: "
                 << (notExamined.size() == 1 ? "node " : "nodes ")
                 << llvm::join(notExamined, ", ") << "\n";
  if (errors == 0)
    llvm::outs() << model << ": no problems found\n";
  else
    llvm::outs() << model << ": " << errors
                 << (errors == 1 ? " problem" : " problems")
                 << "; kiln compile would fail\n";
}

void printJSON(const std::string &model, const std::vector<Problem> &problems) {
  using Json = nlohmann::ordered_json;
  Json out = Json::object();
  Json list = Json::array(), notExamined = Json::array(), ops = Json::array();
  bool ok = true;
  for (const Problem &p : problems) {
    Json entry = {{"kind", p.kind.str()},
                  {"severity", p.error ? "error" : "warning"}};
    if (!p.node.empty())
      entry["node"] = p.node;
    if (!p.op.empty())
      entry["op"] = p.op.str();
    entry["message"] = p.message;
    (p.kind == "not-examined" ? notExamined : list).push_back(entry);
    ok = ok && !p.error;
  }
  for (const auto &[op, nodes] : unsupportedOps(problems))
    ops.push_back({{"op", op.str()}, {"nodes", nodes}});
  out["model"] = model;
  out["ok"] = ok;
  out["problems"] = list;
  out["unsupported_ops"] = ops;
  out["not_examined"] = notExamined;
  // Names come from the model file: replace invalid UTF-8 rather than throw.
  llvm::outs() << out.dump(2, ' ', false, Json::error_handler_t::replace)
               << "\n";
}

} // namespace

int ::kiln::cli::checkCommand(int argc, char **argv) {
  CompileOptions options;
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    llvm::StringRef arg = argv[i];
    std::string problem;
    if (arg == "-h" || arg == "--help") {
      llvm::outs() << kUsage;
      return 0;
    } else if (arg == "--json") {
      json = true;
    } else if (arg == "--shape" || arg.starts_with("--shape=")) {
      llvm::StringRef value = arg.drop_front(strlen("--shape="));
      if (arg == "--shape") {
        if (i + 1 >= argc)
          return usageError("missing value for --shape");
        value = argv[++i];
      }
      if (failed(addShapeBinding(value, options.import, problem)))
        return usageError(problem);
    } else if (arg == "--constant" || arg.starts_with("--constant=")) {
      llvm::StringRef value = arg.drop_front(strlen("--constant="));
      if (arg == "--constant") {
        if (i + 1 >= argc)
          return usageError("missing value for --constant");
        value = argv[++i];
      }
      if (!::kiln::cli::addConstantInput(value.str(), options.import, problem))
        return usageError(problem);
    } else if (arg.starts_with("-")) {
      return usageError("unknown option '" + arg.str() + "'");
    } else if (options.import.path.empty()) {
      options.import.path = arg.str();
    } else {
      return usageError("more than one MODEL ('" + options.import.path +
                        "' and '" + arg.str() + "')");
    }
  }
  if (options.import.path.empty())
    return usageError("missing MODEL");

  DialectRegistry registry;
  registerCompilerDialects(registry, options.targetName);
  MLIRContext context(registry);
  context.printOpOnDiagnostic(false);
  Collector collector(&context);
  bool failedCheck = failed(checkModel(context, options));
  std::vector<Problem> &problems = collector.problems;
  classify(problems);
  if (failedCheck && llvm::none_of(problems, [](const Problem &p) {
        return p.error;
      }))
    problems.push_back({options.import.path + ": error: the check failed",
                        "the check failed", "", "other", "", true});
  if (json)
    printJSON(options.import.path, problems);
  else
    printText(options.import.path, problems);
  return llvm::any_of(problems, [](const Problem &p) { return p.error; }) ? 1
                                                                          : 0;
}
