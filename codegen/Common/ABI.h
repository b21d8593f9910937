//===- ABI.h - The artifact ABI as the codegen passes see it -----*- C++ -*-===//
//
// The pieces of docs/artifact-format.md the compiler produces: which
// functions of a module are entry points, the attributes the codegen passes
// use to hand the ABI down from tensors to LLVM (where argument types no
// longer say what an argument is), the layout of external weights, and the
// signature string. Its constants (versions, codes, alignments, dtype names)
// come from runtime/kiln_abi.h.
//
// Attributes, by the pass that sets them:
//   frontends        on a model function: kiln.entry_point = "E" (optional;
//                    without any, @main is the entry point "run"); on its
//                    arguments and results kiln.name; on an argument that is
//                    a weight, kiln.parameter (its value: kiln.value)
//   convert-kiln-to-linalg on an argument or result whose unsigned element
//                    type it made signless: kiln.element_type (the kiln type)
//   kiln-build-train-step on state arguments and results: kiln.state
//   kiln-entry-points on the module: kiln.symbol_prefix, kiln.weights,
//                    kiln.state_signature (when there is a state); on
//                    each <prefix>_<E>_impl: kiln.entry, kiln.arg_weights,
//                    kiln.num_outputs, kiln.output_names, kiln.buffer_bytes,
//                    kiln.signature
//   kiln-plan-memory on each entry function: kiln.scratch_bytes
//   kiln-parallel-tasks on each entry function: kiln.takes_context (its last
//                    argument is the kiln_context_t pointer); on each task's
//                    launch declaration: kiln.launch_task, kiln.launch_count
//   kiln-c-entry-points on the module: kiln.signature (the whole string)
//   kiln-gpu-launch-kernels (device targets) on the module: kiln.device,
//                    kiln.gpu_kernels; on each entry function:
//                    kiln.takes_context, kiln.takes_status
//   kiln-gpu-serialize-kernels on the module: kiln.gpu_images
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_COMMON_ABI_H
#define KILN_CODEGEN_COMMON_ABI_H

#include "ir/KilnDialect.h"
#include "runtime/kiln_abi.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include <string>
#include <utility>

namespace mlir::kiln::abi {

// On model functions (tensors), from the frontends (ir/KilnDialect.h).
using ::mlir::kiln::kEntryPointAttr;
using ::mlir::kiln::kParameterAttr;
using ::mlir::kiln::kStateAttr;
using ::mlir::kiln::kValueAttr;
/// From convert-kiln-to-linalg: arith accepts only signless integers, so a
/// uiN argument or result becomes iN there and this records its kiln type,
/// which the signature and manifest name.
inline constexpr llvm::StringLiteral kElementTypeAttr = "kiln.element_type";
/// The entry point of a module without kEntryPointAttr: @main, named "run".
inline constexpr llvm::StringLiteral kDefaultEntryFunction = "main";
inline constexpr llvm::StringLiteral kDefaultEntryName = "run";

// On entry functions after kiln-entry-points.
inline constexpr llvm::StringLiteral kEntryAttr = "kiln.entry";
inline constexpr llvm::StringLiteral kArgWeightsAttr = "kiln.arg_weights";
inline constexpr llvm::StringLiteral kNumOutputsAttr = "kiln.num_outputs";
inline constexpr llvm::StringLiteral kOutputNamesAttr = "kiln.output_names";
inline constexpr llvm::StringLiteral kBufferBytesAttr = "kiln.buffer_bytes";
inline constexpr llvm::StringLiteral kSignatureAttr = "kiln.signature";
inline constexpr llvm::StringLiteral kScratchBytesAttr = "kiln.scratch_bytes";
// On the module.
inline constexpr llvm::StringLiteral kSymbolPrefixAttr = "kiln.symbol_prefix";
inline constexpr llvm::StringLiteral kWeightsAttr = "kiln.weights";
/// The training state's part of the signature (renderStateSignature).
inline constexpr llvm::StringLiteral kStateSignatureAttr = "kiln.state_signature";
/// The name of the state buffer among an entry point's outputs: always its
/// last output, read and written in place (uint8[bytes]).
inline constexpr llvm::StringLiteral kStateBufferName = "state";
/// On functions kiln-outline-kernels and kiln-parallel-tasks made.
inline constexpr llvm::StringLiteral kKernelAttr = "kiln.kernel";
/// On entry functions whose last argument is the caller's kiln_context_t
/// pointer (may be null), from kiln-parallel-tasks.
inline constexpr llvm::StringLiteral kTakesContextAttr = "kiln.takes_context";
/// On the declaration of a parallel task's launcher (kiln-parallel-tasks):
/// the task function and how many times it runs. kiln-parallel-launches
/// gives the declaration its body.
inline constexpr llvm::StringLiteral kLaunchTaskAttr = "kiln.launch_task";
inline constexpr llvm::StringLiteral kLaunchCountAttr = "kiln.launch_count";

/// On the module of a device target: its kind ("cuda"). Entry points then
/// take device addresses, need ctx->device, and never allocate.
inline constexpr llvm::StringLiteral kDeviceAttr = "kiln.device";
/// On device entry functions: after the context, the last argument points
/// to an i32 status, 0 on entry; the first failed launch stores its code
/// there and the launches after it are skipped.
inline constexpr llvm::StringLiteral kTakesStatusAttr = "kiln.takes_status";
/// On the module: the kernels in launch-index order, each a dictionary
/// {name, grid, block (3 x i64 each), shared_bytes, params}.
inline constexpr llvm::StringLiteral kGPUKernelsAttr = "kiln.gpu_kernels";
/// On the module: the kernels' images, each a dictionary {architecture,
/// format ("cubin" or "ptx"), data (the bytes, a string)}.
inline constexpr llvm::StringLiteral kGPUImagesAttr = "kiln.gpu_images";

/// Fields of kiln_device_t, in declaration order; deviceStructType is its
/// layout.
enum DeviceField : int32_t { kDeviceStructSize = 0, kDeviceReserved0, kDeviceLaunch, kDeviceUser };

/// Fields of kiln_context_t, in declaration order (runtime/kiln_abi.h);
/// contextStructType (ABI.cpp) is its layout as an LLVM struct.
enum ContextField : int32_t {
  kAbiVersion = 0,
  kStructSize,
  kScratch,
  kScratchBytes,
  kWeights,
  kWeightsBytes,
  kParallelFor,
  kPool,
  kNumThreads,
  kReserved0,
  kDevice,
  kStream,
};

/// A model function and the entry point it becomes.
struct ModelFunction {
  func::FuncOp function;
  std::string entryName;
};

/// The model functions of a module, in module order: those marked
/// kEntryPointAttr, or else @main as "run". Empty if there are none.
SmallVector<ModelFunction> getModelFunctions(ModuleOp module);

/// Whether `fn` is an entry function (after kiln-entry-points), and its
/// entry point's name.
bool isEntryFunction(func::FuncOp fn);
StringRef getEntryName(func::FuncOp fn);
/// The element type the ABI gives argument or result `index` of a model
/// function whose tensor type is `type`: its kElementTypeAttr if set, else
/// the tensor's.
Type getArgElementType(func::FuncOp fn, unsigned index, ShapedType type);
Type getResultElementType(func::FuncOp fn, unsigned index, ShapedType type);
/// `<prefix>_<entry>_impl`, the function kiln-entry-points makes.
std::string implFunctionName(StringRef prefix, StringRef entry);

/// The output arguments of an entry function, in order, with their names.
SmallVector<std::pair<BlockArgument, StringRef>> getOutputArguments(func::FuncOp fn);

/// "x:f32[1,3,32,32]": a tensor in the signature string (name escaped).
std::string renderTensor(StringRef name, Type elementType, ArrayRef<int64_t> shape);
/// "run:in=x:f32[2];out=y:f32[2]": one entry point's part of the signature.
std::string renderEntry(StringRef entry, ArrayRef<std::string> inputs,
                        ArrayRef<std::string> outputs);
/// The whole signature: KILN_ABI_TAG, each entry's part, the weights.
std::string renderSignature(ArrayRef<std::string> entries,
                            ArrayRef<std::string> weights,
                            StringRef stateSignature = "");

/// One tensor of the training state buffer: the tensors marked kStateAttr
/// on the model functions' arguments and results, each distinct kiln.name
/// once, in order of first appearance (module order, arguments before
/// results), each at a multiple of KILN_STATE_ALIGNMENT.
struct StateTensor {
  std::string name;
  RankedTensorType type;
  Type elementType; // as the ABI names it (kElementTypeAttr, else the tensor's)
  int64_t offset;
};
struct StateLayout {
  SmallVector<StateTensor> tensors;
  int64_t bytes = 0; // the end of the last tensor; 0: no state
  /// The index of tensor `name`, or -1.
  int64_t find(StringRef name) const;
};
/// The state layout of `module`'s model functions (before kiln-entry-points
/// rewrites them). Fails, with an error on the function, if one name has two
/// types.
FailureOr<StateLayout> layoutState(ModuleOp module);
/// "|state=w:f32[4,2]@0,w.momentum:f32[4,2]@64": the state's part of the
/// signature; "" without a state.
std::string renderStateSignature(const StateLayout &layout);

/// `offset` rounded up to KILN_WEIGHTS_ALIGNMENT.
int64_t alignWeightOffset(int64_t offset);

/// True if `name` is a C identifier (entry point names must be).
bool isCIdentifier(StringRef name);

/// kiln_context_t as an LLVM struct type: uint32_t, uint32_t, void *,
/// size_t, void *, size_t, kiln_parallel_for_fn, void *, uint32_t, uint32_t,
/// void *, void * (x86-64 and AArch64: size_t is 64 bits).
Type contextStructType(MLIRContext *ctx);
/// kiln_device_t as an LLVM struct type: uint32_t, uint32_t,
/// kiln_launch_fn, void *.
Type deviceStructType(MLIRContext *ctx);

} // namespace mlir::kiln::abi

#endif // KILN_CODEGEN_COMMON_ABI_H
