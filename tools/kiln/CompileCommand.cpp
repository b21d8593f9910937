//===- CompileCommand.cpp - `kiln compile` --------------------------------===//

#include "tools/kiln/CompileCommand.h"
#include "tools/kiln/ConstantInputs.h"

#include "compiler/driver/Diagnostics.h"
#include "compiler/driver/Driver.h"
#include "compiler/import/InputShapes.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>
#include <utility>
#include <vector>

using namespace mlir;
using namespace mlir::kiln;

namespace {

const char *kUsage =
    "usage: kiln compile MODEL -o OUT [options]\n"
    "\n"
    "Compiles MODEL (.onnx, .json Kiln graph, or .mlir in the kiln dialect) into\n"
    "OUT/libNAME.so, OUT/libNAME.a, OUT/NAME.h and OUT/NAME.json.\n"
    "\n"
    "options:\n"
    "  -o, --output PATH       artifact folder (or, with --emit, a file; - for stdout)\n"
    "  --name NAME             C symbol prefix and file stem (default: MODEL's stem)\n"
    "  --shape NAME=DIMS       dims of input NAME, e.g. --shape x=1x3x224x224;\n"
    "                          needed for inputs with symbolic dims (repeatable)\n"
    "  --constant NAME=FILE    freeze input NAME to the value in FILE (.npy): it\n"
    "                          becomes a constant and leaves the signature; for\n"
    "                          inputs that decide shapes (repeatable); bfloat16\n"
    "                          and float8 as bit patterns, as kiln run reads them\n"
    "  --target NAME           code generation target: cpu (default) or cuda\n"
    "                          (NVIDIA GPUs: kernels as PTX and cubin, weights\n"
    "                          always external)\n"
    "  --gpu ARCHS             with --target cuda: the architectures, e.g.\n"
    "                          sm_80,sm_90 (the default)\n"
    "  --allow-tf32            with --target cuda: f32 matmuls and convolutions on\n"
    "                          tensor cores as tf32 (operands rounded to a 10-bit\n"
    "                          mantissa; sums stay f32). f16/bf16 ones always use\n"
    "                          tensor cores (from sm_80)\n"
    "  --cpu CPU               target CPU (default: native, the host's)\n"
    "  --target-triple TRIPLE  target triple (default: the host's)\n"
    "  --features FEATURES     extra target features, e.g. +avx2,-avx512f\n"
    "  --cores N               split large ops into parallel tasks for N cores\n"
    "                          (default: the host's cores with --cpu native, else\n"
    "                          1; the thread count is chosen at run time)\n"
    "  --weights MODE          embedded (default: weights are constants in the\n"
    "                          library) or external (float weights go to\n"
    "                          NAME.weights.bin, passed at run time)\n"
    "  --grad                  also compile the entry point `grad`: the model's\n"
    "                          inputs and a cotangent per output of more than one\n"
    "                          element (OUTPUT.cotangent) in; the outputs and the\n"
    "                          gradient NAME.grad of each --wrt tensor out\n"
    "  --wrt WHAT,...          with --grad: params (default: every float weight),\n"
    "                          inputs (every float input) and tensor NAMEs,\n"
    "                          comma-separated (inputs,params: all of them)\n"
    "  --recompute POLICY      with --grad or --train: elementwise (default:\n"
    "                          the backward pass recomputes an elementwise op's\n"
    "                          result from operands it keeps anyway, instead of\n"
    "                          keeping the result from the forward pass) or none\n"
    "  --train                 also compile the entry points train_step (inputs\n"
    "                          and target in; loss and outputs out; weights and\n"
    "                          optimizer state updated in place in one state\n"
    "                          buffer) and init_state (fills that buffer)\n"
    "  --loss LOSS             with --train: cross_entropy (default; int64 class\n"
    "                          indices) or mse\n"
    "  --target-output NAME    with --train: the output the loss reads\n"
    "  --optimizer OPT         with --train: sgd (default), momentum or adam\n"
    "  --lr X, --momentum M, --beta1 B1, --beta2 B2, --eps E, --weight-decay W\n"
    "                          with --train: as torch.optim's (lr 0.01, momentum\n"
    "                          0.9, betas 0.9 and 0.999, eps 1e-8, decay 0)\n"
    "  --seed N                with --train: the key of training-mode Dropout's\n"
    "                          random masks (an unsigned 64-bit integer, default\n"
    "                          0): init_state writes it into dropout.seed of the\n"
    "                          state buffer, which a program may overwrite at run\n"
    "                          time; each step draws new ones from the step counter\n"
    "                          dropout.step of the state buffer\n"
    "  --emit KIND             stop after a stage and write its IR: kiln, linalg,\n"
    "                          loops, memref, llvm, llvm-ir, asm, obj\n"
    "                          (default: artifact)\n"
    "  -v, --verbose           print each compile stage and its time\n"
    "  --time-passes           print MLIR's per-pass timing report\n"
    "  --print-ir-after-all    print the IR after every pass (to stderr)\n"
    "  --locations             print each op's location (its ONNX node) in IR\n"
    "  --report                print each fused group (kernel or parallel task):\n"
    "                          its ONNX nodes, what it computes, its tile sizes;\n"
    "                          write the groups' graph as OUT/NAME.fusion.dot\n"
    "                          (and .svg with Graphviz's dot)\n"
    "  --elide-constants       print constants over 16 elements as elided\n"
    "                          (--print-ir-after-all always does)\n"
    "  --memory-limit SIZE     the most memory the scratch buffer, one input or\n"
    "                          output, or the embedded constants may need, in\n"
    "                          bytes or with K, M, G, T (default: 16G)\n"
    "  -h, --help              show this help\n";

int usageError(const std::string &message) {
  llvm::errs() << "kiln compile: " << message << "\n" << kUsage;
  return 2;
}

} // namespace

int ::kiln::cli::compileCommand(int argc, char **argv) {
  CompileOptions options;
  bool haveOutput = false;
  bool wrtGiven = false;
  bool recomputeGiven = false;
  std::vector<std::pair<std::string, std::string>> trainFlags;
  for (int i = 1; i < argc; ++i) {
    llvm::StringRef arg = argv[i];
    // Accept both "--flag value" and "--flag=value".
    llvm::StringRef flag = arg, inlineValue;
    bool hasInline = false;
    if (arg.starts_with("--") && arg.contains('=')) {
      std::tie(flag, inlineValue) = arg.split('=');
      hasInline = true;
    }
    auto value = [&](std::string &out) -> bool {
      if (hasInline) {
        out = inlineValue.str();
        return true;
      }
      if (i + 1 >= argc)
        return false;
      out = argv[++i];
      return true;
    };
    std::string v;
    if (flag == "-h" || flag == "--help") {
      llvm::outs() << kUsage;
      return 0;
    } else if (flag == "-o" || flag == "--output") {
      if (!value(options.output))
        return usageError("missing value for " + flag.str());
      haveOutput = true;
    } else if (flag == "--name") {
      if (!value(options.name))
        return usageError("missing value for --name");
    } else if (flag == "--shape") {
      std::string problem;
      if (!value(v))
        return usageError("missing value for --shape");
      if (failed(addShapeBinding(v, options.import, problem)))
        return usageError(problem);
    } else if (flag == "--constant") {
      std::string problem;
      if (!value(v))
        return usageError("missing value for --constant");
      if (!::kiln::cli::addConstantInput(v, options.import, problem))
        return usageError(problem);
    } else if (flag == "--target") {
      if (!value(options.targetName))
        return usageError("missing value for --target");
    } else if (flag == "--gpu") {
      if (!value(v) || v.empty())
        return usageError("missing value for --gpu");
      options.target.gpuArchitectures.clear();
      for (llvm::StringRef arch : llvm::split(v, ','))
        options.target.gpuArchitectures.push_back(arch.trim().str());
    } else if (flag == "--allow-tf32") {
      options.target.allowTF32 = true;
    } else if (flag == "--weights") {
      if (!value(v))
        return usageError("missing value for --weights");
      if (v == "embedded")
        options.import.weights = WeightsMode::Embedded;
      else if (v == "external")
        options.import.weights = WeightsMode::Parameters;
      else
        return usageError("--weights expects embedded or external, got '" + v + "'");
    } else if (flag == "--grad") {
      options.grad = true;
    } else if (flag == "--wrt") {
      if (!value(options.gradWrt) || options.gradWrt.empty())
        return usageError("missing value for --wrt");
      wrtGiven = true;
    } else if (flag == "--recompute") {
      if (!value(options.recompute))
        return usageError("missing value for --recompute");
      if (options.recompute != "elementwise" && options.recompute != "none")
        return usageError("--recompute expects elementwise or none, got '" + options.recompute +
                          "'");
      recomputeGiven = true;
    } else if (flag == "--train") {
      if (!options.train)
        options.train.emplace();
    } else if (flag == "--loss" || flag == "--target-output" ||
               flag == "--optimizer") {
      if (!value(v))
        return usageError("missing value for " + flag.str());
      trainFlags.push_back({flag.str(), v});
    } else if (flag == "--seed") {
      if (!value(v))
        return usageError("missing value for --seed");
      uint64_t seed;
      if (llvm::StringRef(v).getAsInteger(10, seed))
        return usageError("--seed expects an unsigned 64-bit integer, got '" + v + "'");
      trainFlags.push_back({flag.str(), v});
    } else if (flag == "--lr" || flag == "--momentum" || flag == "--beta1" ||
               flag == "--beta2" || flag == "--eps" || flag == "--weight-decay") {
      if (!value(v))
        return usageError("missing value for " + flag.str());
      double number;
      if (llvm::StringRef(v).getAsDouble(number))
        return usageError(flag.str() + " expects a number, got '" + v + "'");
      trainFlags.push_back({flag.str(), v});
    } else if (flag == "--cpu") {
      if (!value(options.target.cpu))
        return usageError("missing value for --cpu");
    } else if (flag == "--target-triple") {
      if (!value(options.target.triple))
        return usageError("missing value for --target-triple");
    } else if (flag == "--cores") {
      if (!value(v))
        return usageError("missing value for --cores");
      unsigned cores = 0;
      if (llvm::StringRef(v).getAsInteger(10, cores) || cores == 0 || cores > 1024)
        return usageError("--cores expects a whole number from 1 to 1024, got '" + v + "'");
      options.target.cores = cores;
    } else if (flag == "--features") {
      if (!value(options.target.features))
        return usageError("missing value for --features");
    } else if (flag == "--emit") {
      if (!value(v))
        return usageError("missing value for --emit");
      if (!llvm::is_contained(getEmitKinds(), v))
        return usageError("unknown --emit kind '" + v + "' (expected one of " +
                          llvm::join(getEmitKinds(), ", ") + ")");
      options.emit = v;
    } else if (flag == "-v" || flag == "--verbose") {
      options.verbose = true;
    } else if (flag == "--time-passes") {
      options.timePasses = true;
    } else if (flag == "--print-ir-after-all") {
      options.printIRAfterAll = true;
    } else if (flag == "--report") {
      options.report = true;
    } else if (flag == "--locations") {
      options.printLocations = true;
    } else if (flag == "--elide-constants") {
      options.elideConstants = true;
    } else if (flag == "--memory-limit") {
      if (!value(v))
        return usageError("missing value for --memory-limit");
      FailureOr<int64_t> bytes = parseByteSize(v);
      if (failed(bytes) || *bytes <= 0)
        return usageError("--memory-limit expects a size like 16G, 512M or "
                          "1000000, got '" + v + "'");
      options.memoryLimit = *bytes;
    } else if (arg.starts_with("-") && arg != "-") {
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
  if (!options.target.gpuArchitectures.empty() && options.targetName != "cuda")
    return usageError("--gpu needs --target cuda");
  if (options.target.allowTF32 && options.targetName != "cuda")
    return usageError("--allow-tf32 needs --target cuda");
  if (wrtGiven && !options.grad)
    return usageError("--wrt needs --grad");
  if (recomputeGiven && !options.grad && !options.train)
    return usageError("--recompute needs --grad or --train");
  if (!trainFlags.empty() && !options.train)
    return usageError(trainFlags.front().first + " needs --train");
  for (const auto &[flag, v] : trainFlags) {
    KilnBuildTrainStepOptions &t = *options.train;
    double number = 0;
    llvm::StringRef(v).getAsDouble(number);
    if (flag == "--loss") {
      if (v != "cross_entropy" && v != "mse")
        return usageError("--loss expects cross_entropy or mse, got '" + v + "'");
      t.loss = v;
    } else if (flag == "--optimizer") {
      if (v != "sgd" && v != "momentum" && v != "adam")
        return usageError("--optimizer expects sgd, momentum or adam, got '" + v + "'");
      t.optimizer = v;
    } else if (flag == "--target-output") {
      t.targetOutput = v;
    } else if (flag == "--lr") {
      t.lr = number;
    } else if (flag == "--momentum") {
      t.momentum = number;
    } else if (flag == "--beta1") {
      t.beta1 = number;
    } else if (flag == "--beta2") {
      t.beta2 = number;
    } else if (flag == "--eps") {
      t.eps = number;
    } else if (flag == "--weight-decay") {
      t.weightDecay = number;
    } else if (flag == "--seed") {
      llvm::StringRef(v).getAsInteger(10, t.seed);
    }
  }
  if (!haveOutput) {
    if (options.emit == "artifact")
      return usageError("missing -o OUT (the artifact folder)");
    options.output = "-";
  }

  DialectRegistry registry;
  registerCompilerDialects(registry, options.targetName);
  MLIRContext context(registry);
  // One line per problem: no dump of the failing op (users see the node).
  context.printOpOnDiagnostic(false);
  OneLineDiagnosticHandler diagnostics(&context, llvm::errs());
  if (failed(compileModel(context, options, llvm::errs())) ||
      diagnostics.numErrors() > 0) {
    if (diagnostics.numErrors() == 0)
      llvm::errs() << options.import.path << ": error: compilation failed\n";
    return 1;
  }
  return 0;
}
