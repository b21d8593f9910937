//===- Driver.cpp - One compile, from model file to artifact --------------===//

#include "compiler/driver/Driver.h"

#include "codegen/Common/ABI.h"
#include "codegen/Pipeline.h"
#include "compiler/artifact/ArtifactWriter.h"
#include "compiler/driver/FusionReport.h"
#include "compiler/driver/StageTimer.h"
#include "compiler/frontend/Frontend.h"
#include "ir/DTypes.h"
#include "ir/KilnDialect.h"
#include "ir/KilnOps.h"
#include "ir/Shapes.h"

#include "mlir/IR/AsmState.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <sstream>
#include "llvm/Support/Program.h"
#include "llvm/Support/ToolOutputFile.h"

#include <limits>

using namespace mlir;
using namespace mlir::kiln;

/// The target's outputs, after the last stage, in order.
static const std::pair<const char *, TargetOutput> kTargetOutputs[] = {
    {"llvm-ir", TargetOutput::IR},
    {"asm", TargetOutput::Assembly},
    {"obj", TargetOutput::Object},
};

SmallVector<std::string> mlir::kiln::getEmitKinds() {
  SmallVector<std::string> kinds;
  for (const Stage &stage : getPipelineStages())
    kinds.push_back(stage.emitName.str());
  for (const auto &[name, output] : kTargetOutputs)
    kinds.push_back(name);
  kinds.push_back("artifact");
  return kinds;
}

void mlir::kiln::registerCompilerDialects(DialectRegistry &registry,
                                          StringRef targetName) {
  const Target *target = lookupTarget(targetName);
  registerPipelineDialects(registry, target ? *target : getCPUTarget());
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
}

FailureOr<int64_t> mlir::kiln::parseByteSize(StringRef text) {
  text = text.trim();
  int shift = 0;
  if (!text.empty()) {
    switch (llvm::toUpper(text.back())) {
    case 'K': shift = 10; break;
    case 'M': shift = 20; break;
    case 'G': shift = 30; break;
    case 'T': shift = 40; break;
    default: break;
    }
    if (shift)
      text = text.drop_back();
  }
  uint64_t value;
  if (text.empty() || text.getAsInteger(10, value) ||
      value > (uint64_t(std::numeric_limits<int64_t>::max()) >> shift))
    return failure();
  return static_cast<int64_t>(value << shift);
}

namespace {

/// Writes `emit` to `path` ("-" = stdout).
LogicalResult writeOutput(Location loc, StringRef path,
                          llvm::function_ref<LogicalResult(llvm::raw_ostream &)> emit) {
  std::string error;
  auto file = mlir::openOutputFile(path, &error);
  if (!file)
    return emitError(loc) << "cannot write " << path << ": " << error;
  if (failed(emit(file->os())))
    return failure();
  file->keep();
  return success();
}

std::string tensorName(func::FuncOp fn, unsigned index, bool result) {
  StringAttr name = result ? fn.getResultAttrOfType<StringAttr>(index, kTensorNameAttr)
                           : fn.getArgAttrOfType<StringAttr>(index, kTensorNameAttr);
  return name ? name.str() : (result ? "output" : "input") + std::to_string(index);
}

/// What the artifact will hold, read from the model functions after the
/// graph stage (static shapes, names): entry points, their tensors, the
/// weights and their values. Every buffer must fit `memoryLimit`.
class SignatureCollector {
public:
  SignatureCollector(ArtifactInfo &info, int64_t memoryLimit)
      : info(info), memoryLimit(memoryLimit) {}

  LogicalResult collect(ModuleOp module) {
    SmallVector<abi::ModelFunction> models = abi::getModelFunctions(module);
    if (models.empty())
      return module.emitError("the module has no function @main to compile");
    FailureOr<abi::StateLayout> state = abi::layoutState(module);
    if (failed(state))
      return failure();
    for (const abi::StateTensor &t : state->tensors)
      info.state.push_back({{t.name, t.elementType, SmallVector<int64_t>(t.type.getShape())},
                            t.offset});
    info.stateBytes = state->bytes;
    if (info.stateBytes > memoryLimit)
      return module.emitError("the training state takes ")
             << formatBytes(info.stateBytes) << ", over the memory limit of "
             << formatBytes(memoryLimit) << " (--memory-limit)";
    for (const abi::ModelFunction &m : models)
      if (failed(collectEntry(m)))
        return failure();
    return checkConstantBytes(module);
  }

private:
  LogicalResult checkTensor(func::FuncOp fn, Type type, const std::string &name,
                            const char *kind, Location loc) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor || !tensor.hasStaticShape())
      return fn.emitError(kind) << " '" << name << "' has type " << type
                                << "; compiled models need static shapes";
    int64_t bytes = bufferBytes(tensor.getElementType(), tensor.getNumElements());
    if (bytes > memoryLimit)
      return emitError(loc) << kind << " '" << name << "' (" << type << ") needs "
                            << formatBytes(bytes) << ", over the memory limit of "
                            << formatBytes(memoryLimit) << " (--memory-limit)";
    return success();
  }

  LogicalResult collectEntry(const abi::ModelFunction &m) {
    func::FuncOp fn = m.function;
    EntryPointSpec entry;
    entry.name = m.entryName;
    auto unique = [&](const std::vector<TensorSpec> &list, const std::string &name,
                      const char *what) -> LogicalResult {
      for (const TensorSpec &t : list)
        if (t.name == name)
          return fn.emitError("two ") << what << " are named '" << name << "'";
      return success();
    };
    bool hasState = false;
    for (unsigned i = 0; i < fn.getNumArguments(); ++i) {
      std::string name = tensorName(fn, i, false);
      Type type = fn.getArgument(i).getType();
      if (fn.getArgAttr(i, abi::kStateAttr)) {
        hasState = true; // in the state buffer, an output
        continue;
      }
      bool parameter = static_cast<bool>(fn.getArgAttr(i, abi::kParameterAttr));
      if (failed(checkTensor(fn, type, name, parameter ? "weight" : "input", fn.getLoc())))
        return failure();
      auto tensor = cast<RankedTensorType>(type);
      TensorSpec spec{name, tensor.getElementType(),
                      SmallVector<int64_t>(tensor.getShape())};
      if (!parameter) {
        if (failed(unique(entry.inputs, name, "inputs")))
          return failure();
        entry.inputs.push_back(spec);
        continue;
      }
      if (weightIndex.count(name))
        continue; // shared with an earlier entry point
      auto value = fn.getArgAttrOfType<DenseElementsAttr>(i, abi::kValueAttr);
      if (!value || value.getType() != tensor)
        return fn.emitError("weight '") << name << "' has no value of its type";
      weightIndex[name] = info.weights.size();
      info.weights.push_back({spec, 0, value});
    }
    Operation *ret = fn.front().getTerminator();
    for (unsigned i = 0; i < fn.getNumResults(); ++i) {
      std::string name = tensorName(fn, i, true);
      if (fn.getResultAttr(i, abi::kStateAttr)) {
        hasState = true;
        continue;
      }
      // An output is reported at the node that computes it.
      Location loc = fn.getLoc();
      if (Operation *def = ret->getOperand(i).getDefiningOp())
        loc = def->getLoc();
      if (failed(checkTensor(fn, fn.getResultTypes()[i], name, "output", loc)) ||
          failed(unique(entry.outputs, name, "outputs")))
        return failure();
      auto tensor = cast<RankedTensorType>(fn.getResultTypes()[i]);
      entry.outputs.push_back({name, tensor.getElementType(),
                               SmallVector<int64_t>(tensor.getShape())});
    }
    if (hasState) {
      // The state buffer: the last output, read and updated in place.
      std::string name = abi::kStateBufferName.str();
      for (const TensorSpec &t : llvm::concat<const TensorSpec>(entry.inputs, entry.outputs))
        if (t.name == name)
          return fn.emitError("a tensor is named '")
                 << name << "', the name of entry point '" << m.entryName
                 << "''s training state buffer; rename it in the model";
      entry.outputs.push_back(
          {name, IntegerType::get(fn.getContext(), 8, IntegerType::Unsigned),
           SmallVector<int64_t>{info.stateBytes}});
      entry.hasState = true;
    }
    if (entry.outputs.empty())
      return fn.emitError("the model has no outputs");
    info.entryPoints.push_back(std::move(entry));
    return success();
  }

  /// The constants the library would embed (splats cost nothing: they
  /// become fills) and the external weights must each fit `memoryLimit`.
  LogicalResult checkConstantBytes(ModuleOp module) {
    int64_t total = 0, largestBytes = -1;
    ConstantOp largest;
    module.walk([&](ConstantOp op) {
      auto value = dyn_cast<DenseElementsAttr>(op.getValue());
      if (value && value.isSplat())
        return;
      auto type = cast<RankedTensorType>(op.getType());
      // In the library every element takes whole bytes, packed types too.
      int64_t bytes = type.getNumElements() *
                      std::max<int64_t>(dtypeBits(type.getElementType()) / 8, 1);
      total += bytes;
      if (bytes > largestBytes) {
        largest = op;
        largestBytes = bytes;
      }
    });
    if (total > memoryLimit)
      return largest.emitError("the model's constants take ")
             << formatBytes(total) << ", over the memory limit of "
             << formatBytes(memoryLimit) << " (--memory-limit); the largest, "
             << formatBytes(largestBytes) << ", is this node's";
    int64_t weights = 0;
    for (const WeightSpec &w : info.weights)
      weights = abi::alignWeightOffset(weights) + w.tensor.bytes();
    if (weights > memoryLimit)
      return module.emitError("the model's weights take ")
             << formatBytes(weights) << ", over the memory limit of "
             << formatBytes(memoryLimit) << " (--memory-limit)";
    return success();
  }

  ArtifactInfo &info;
  int64_t memoryLimit;
  llvm::StringMap<size_t> weightIndex;
};

/// After the memref stage: each entry point's scratch size and each
/// weight's offset, as the passes decided them.
LogicalResult readMemoryPlan(ModuleOp module, ArtifactInfo &info) {
  for (auto fn : module.getOps<func::FuncOp>()) {
    if (!abi::isEntryFunction(fn))
      continue;
    for (EntryPointSpec &e : info.entryPoints)
      if (e.name == abi::getEntryName(fn))
        if (auto bytes = fn->getAttrOfType<IntegerAttr>(abi::kScratchBytesAttr))
          e.scratchBytes = bytes.getInt();
  }
  if (auto weights = module->getAttrOfType<ArrayAttr>(abi::kWeightsAttr))
    for (auto w : weights.getAsRange<DictionaryAttr>()) {
      StringRef name = cast<StringAttr>(w.get("name")).getValue();
      for (WeightSpec &spec : info.weights)
        if (spec.tensor.name == name)
          spec.offset = cast<IntegerAttr>(w.get("offset")).getInt();
    }
  info.weightsBytes = 0;
  for (const WeightSpec &w : info.weights)
    info.weightsBytes = std::max(info.weightsBytes, w.offset + w.tensor.bytes());
  return success();
}

} // namespace

/// Writes the fusion report's graph as DIR/NAME.fusion.dot and, when
/// Graphviz's `dot` is on the PATH, renders it to DIR/NAME.fusion.svg.
static LogicalResult writeReportGraph(Location loc, StringRef dir, StringRef name,
                                      StringRef graph) {
  SmallString<256> dotPath(dir), svgPath(dir);
  llvm::sys::path::append(dotPath, name + ".fusion.dot");
  llvm::sys::path::append(svgPath, name + ".fusion.svg");
  std::error_code ec;
  llvm::raw_fd_ostream os(dotPath, ec);
  if (ec)
    return emitError(loc) << "cannot write " << dotPath << ": " << ec.message();
  os << graph;
  os.close();
  llvm::outs() << "fusion graph: " << dotPath;
  if (llvm::ErrorOr<std::string> dotTool = llvm::sys::findProgramByName("dot")) {
    std::string error;
    StringRef args[] = {*dotTool, "-Tsvg", "-o", svgPath, dotPath};
    if (llvm::sys::ExecuteAndWait(*dotTool, args, std::nullopt, {}, /*SecondsToWait=*/120,
                                  /*MemoryLimit=*/0, &error) == 0)
      llvm::outs() << ", " << svgPath;
    else
      llvm::errs() << "warning: rendering " << dotPath << " with dot failed" << (error.empty() ? "" : ": ")
                   << error << "\n";
  } else {
    llvm::outs() << " (install Graphviz to render it as SVG)";
  }
  llvm::outs() << "\n";
  return success();
}

/// Training-mode dropouts (kiln.dropout without a step, as ONNX Dropout
/// with training_mode and a positive ratio imports) draw their masks only
/// in the training step of `kiln compile --train`; any other compile refuses
/// them rather than computing something else than the node says.
static LogicalResult checkTrainingDropouts(ModuleOp module) {
  WalkResult walk = module.walk([](DropoutOp op) {
    if (op.getStep() || op.getRatio().convertToDouble() == 0)
      return WalkResult::advance();
    op.emitError("Dropout: training_mode is true with ratio ")
        << (std::ostringstream() << op.getRatio().convertToDouble()).str()
        << "; its random masks are drawn only in a training step: compile with "
           "--train (whose run entry point is the identity), or export the "
           "model for inference";
    return WalkResult::interrupt();
  });
  return failure(walk.wasInterrupted());
}

LogicalResult mlir::kiln::compileModel(MLIRContext &ctx,
                                       const CompileOptions &options,
                                       llvm::raw_ostream &log) {
  Location fileLoc = FileLineColLoc::get(&ctx, options.import.path, 0, 0);
  std::string name = options.name.empty()
                         ? defaultArtifactName(options.import.path)
                         : options.name;
  if (!abi::isCIdentifier(name))
    return emitError(fileLoc) << "--name '" << name
                              << "' is not a C identifier";
  const Target *target = lookupTarget(options.targetName);
  if (!target)
    return emitError(fileLoc) << "unknown target '" << options.targetName << "'";

  StageTimer timer(log, options.verbose);
  // The target first: a bad --cpu should fail before a long compile.
  timer.begin("target");
  std::string reportText, reportDot; // with --report, from the loop stage
  PipelineOptions pipeline;
  pipeline.symbolPrefix = name;
  pipeline.target = target;
  pipeline.maxScratchBytes = options.memoryLimit;
  ImportOptions import = options.import;
  // A device reads the weights from its own memory: the runtime uploads
  // NAME.weights.bin once, at load (docs/artifact-format.md).
  if (target->getName() == "cuda" && import.weights == WeightsMode::Embedded)
    import.weights = WeightsMode::Parameters;
  if (options.grad || options.train) {
    // Differentiation tells weights from inputs by their parameter mark; with
    // embedded weights (the default) the pass embeds them again afterwards.
    pipeline.differentiate = options.grad;
    pipeline.gradWrt = options.gradWrt;
    pipeline.gradRecompute = options.recompute;
    pipeline.train = options.train;
    if (pipeline.train)
      pipeline.train->recompute = options.recompute;
    pipeline.embedParameters = import.weights == WeightsMode::Embedded;
    import.weights = WeightsMode::Parameters;
    import.stateUpdates = options.train.has_value();
  }
  std::string error;
  FailureOr<TargetDescription> description = target->describe(options.target, error);
  if (failed(description))
    return emitError(fileLoc) << error;
  pipeline.description = *description;
  if (options.report)
    pipeline.inspectFusedGroups = [&](ModuleOp m) {
      llvm::raw_string_ostream text(reportText), dot(reportDot);
      writeFusionReport(m, text, dot);
      llvm::outs() << reportText;
      llvm::outs().flush();
    };
  if (options.verbose)
    log << "kiln: compiling for " << description->describe() << "\n";

  if (options.printIRAfterAll)
    ctx.disableMultithreading();
  // IR dumps after every pass would be unreadable with every weight in them;
  // --emit output is kept whole so that it can be compiled again.
  OpPrintingFlags dumping;
  dumping.elideLargeElementsAttrs(16);
  OpPrintingFlags printing;
  if (options.elideConstants)
    printing.elideLargeElementsAttrs(16);
  if (options.printLocations) {
    dumping.enableDebugInfo();
    printing.enableDebugInfo();
  }

  timer.begin("import");
  OwningOpRef<ModuleOp> module = importModel(ctx, import);
  if (!module || (!options.train && failed(checkTrainingDropouts(*module))))
    return failure();

  ArtifactInfo info;
  info.name = name;
  info.source = llvm::sys::path::filename(options.import.path).str();
  {
    SmallString<256> absolute(options.import.path);
    llvm::sys::fs::make_absolute(absolute);
    llvm::sys::path::remove_dots(absolute, /*remove_dot_dot=*/true);
    info.sourcePath = absolute.str().str();
  }
  for (const Stage &stage : getPipelineStages()) {
    timer.begin(stage.name);
    PassManager pm(&ctx);
    pm.addInstrumentation(timer.makeInstrumentation());
    if (options.timePasses)
      pm.enableTiming();
    if (options.printIRAfterAll)
      pm.enableIRPrinting([](Pass *, Operation *) { return false; },
                          [](Pass *, Operation *) { return true; },
                          /*printModuleScope=*/true,
                          /*printAfterOnlyOnChange=*/true,
                          /*printAfterOnlyOnFailure=*/false, llvm::errs(),
                          dumping);
    stage.build(pm, pipeline);
    if (failed(pm.run(*module)))
      return failure();
    if (options.emit == stage.emitName)
      return writeOutput(fileLoc, options.output, [&](llvm::raw_ostream &os) {
        module->print(os, printing);
        os << "\n";
        return success();
      });
    if (stage.name == "graph" &&
        failed(SignatureCollector(info, options.memoryLimit).collect(*module)))
      return failure();
    if (stage.name == "memref" && failed(readMemoryPlan(*module, info)))
      return failure();
  }
  if (auto signature = (*module)->getAttrOfType<StringAttr>(abi::kSignatureAttr))
    info.signature = signature.str();

  for (const auto &[kind, output] : kTargetOutputs)
    if (options.emit == kind) {
      timer.begin(kind);
      return writeOutput(fileLoc, options.output, [&](llvm::raw_ostream &os) {
        return target->emitOutput(*module, pipeline, output, os);
      });
    }

  timer.begin("object code");
  CodeObjects objects;
  if (failed(target->emit(*module, pipeline, objects)))
    return failure();

  timer.begin("write artifact");
  info.triple = description->triple;
  info.cpu = description->cpu;
  info.features = description->features;
  info.sharedLibrary = description->isHost;
  info.deviceKind = objects.deviceKind;
  info.gpuArchitectures = objects.gpuArchitectures;
  info.kernels = objects.kernels;
  info.images = std::move(objects.images);
  if (!info.sharedLibrary)
    emitWarning(fileLoc) << "not linking lib" << name << ".so for "
                         << description->triple << " (not this machine's target): "
                         << "the artifact is lib" << name << ".a, " << name
                         << ".h and " << name << ".json";
  if (failed(writeArtifact(fileLoc, options.output, info, objects)))
    return failure();
  if (options.report)
    return writeReportGraph(fileLoc, options.output, name, reportDot);
  return success();
}

LogicalResult mlir::kiln::checkModel(MLIRContext &ctx,
                                     const CompileOptions &options) {
  ImportOptions import = options.import;
  import.keepGoing = true;
  OwningOpRef<ModuleOp> module = importModel(ctx, import);
  if (!module || failed(checkTrainingDropouts(*module)))
    return failure();
  PassManager pm(&ctx);
  buildPipeline(pm, PipelineOptions(), "graph");
  if (failed(pm.run(*module)))
    return failure();
  ArtifactInfo info;
  return SignatureCollector(info, options.memoryLimit).collect(*module);
}
