//===- ONNXImporter.h - Pieces shared by the ONNX frontend ------*- C++ -*-===//
//
// Private to compiler/onnx/. The importer (ONNXImporter.cpp) reads the model,
// its tensors (Tensors.cpp) and graph, then hands each node to the handler
// its op type maps to in the OpTable. Handlers live in one file per op family
// (<Family>Ops.cpp) and see a node only through NodeImporter: its resolved
// input values, its attributes through an AttributeReader that records what
// was read (an attribute no handler read is an error), and helpers that build
// kiln ops with createFolded, so constant subgraphs fold while importing.
//
// Everything reports problems as diagnostics at the node's location
// (NameLoc(node, FileLineColLoc(model, 0, 0))) and returns failure; nothing
// here aborts on bad input. Thread-compatible.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_COMPILER_ONNX_ONNXIMPORTER_H
#define KILN_COMPILER_ONNX_ONNXIMPORTER_H

#include "compiler/import/TensorData.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Location.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace onnx {
class AttributeProto;
class GraphProto;
class NodeProto;
class TensorProto;
} // namespace onnx

namespace mlir::kiln::onnx_import {

/// The opsets of the default domain this frontend implements: 28 is onnx
/// 1.23's newest. Opsets 22 to 28 changed the supported ops only by widening
/// type lists (bfloat16, float4/6/8, int2), adding Cast's round_mode (for
/// float8e8m0) and Range's stash_type.
inline constexpr int64_t kMinOpset = 7;
inline constexpr int64_t kMaxOpset = 28;
/// For an op of the default domain whose opset-7 definition dates from an
/// older opset: that opset (Relu: 6, Not: 1). None for the other ops, whose
/// opset-7 definition is new in opset 7 or later. A model of opset N < 7 is
/// imported as opset 7 when every node's op has a value <= N
/// (LegacyOpsets.cpp).
std::optional<int64_t> legacyDefinitionSince(llvm::StringRef opType);
/// The other ONNX domains Kiln has ops of: preview ops (FlexAttention), the
/// training preview ops (Adagrad, Adam, Momentum) and the classical ML ops
/// (Binarizer).
inline constexpr llvm::StringLiteral kPreviewDomain = "ai.onnx.preview";
inline constexpr llvm::StringLiteral kTrainingDomain =
    "ai.onnx.preview.training";
inline constexpr llvm::StringLiteral kMLDomain = "ai.onnx.ml";
/// The newest opset of `domain` (one of the above) this frontend implements,
/// onnx 1.23's; 0 for other domains.
inline int64_t maxDomainOpset(llvm::StringRef domain) {
  if (domain == kPreviewDomain || domain == kTrainingDomain)
    return 1;
  return domain == kMLDomain ? 5 : 0;
}

/// Whether `domain` names the default ONNX domain ("" or "ai.onnx").
inline bool isDefaultDomain(llvm::StringRef domain) {
  return domain.empty() || domain == "ai.onnx";
}

/// No tensor (type or constant) may have more elements than this: it keeps
/// every size computation far from int64 overflow, whatever a model declares.
inline constexpr int64_t kMaxElements = int64_t(1) << 40;
/// Constants the importer computes itself (Range) stay below this.
inline constexpr int64_t kMaxComputedElements = int64_t(1) << 22;

//===----------------------------------------------------------------------===//
// Element types and tensors
//===----------------------------------------------------------------------===//

/// The kiln element type of an ONNX TensorProto.DataType code, or null when
/// Kiln has none. Codes are ints because libonnx 1.12 predates newer ones
/// (float8, int4) that a model may still carry.
Type elementTypeFor(MLIRContext *ctx, int32_t onnxType);
/// "float", "uint8", "float8e4m3fn", ... ; "data type N" for unknown codes.
std::string onnxTypeName(int32_t onnxType);
/// "float4e2m1, which Kiln does not support (MLIR 19, ...; supported: ...)":
/// the end of a refusal of ONNX element type `onnxType`, with the reason for
/// the types MLIR 19 lacks and the list of those Kiln has.
std::string unsupportedDType(int32_t onnxType);
/// The ONNX code of a kiln element type.
int32_t onnxTypeCode(Type elementType);

/// The product of `dims` if all are >= 0 and it is at most kMaxElements.
std::optional<int64_t> checkedNumElements(ArrayRef<int64_t> dims);

/// Reads TensorProtos into constants: raw_data, the typed fields, or external
/// data in files inside the model's folder (opened once each).
class TensorReader {
public:
  TensorReader(MLIRContext &ctx, StringRef modelPath)
      : ctx(ctx), modelPath(modelPath.str()) {}

  /// `where` names the tensor in messages ("initializer 'w'").
  FailureOr<DenseElementsAttr> read(const onnx::TensorProto &tensor,
                                    Location loc, const Twine &where);

private:
  FailureOr<const WeightsFile *> weightsFile(Location loc, StringRef location,
                                             const std::string &where);
  FailureOr<DenseElementsAttr> readExternal(const onnx::TensorProto &tensor,
                                            RankedTensorType type, Location loc,
                                            const std::string &where);
  FailureOr<DenseElementsAttr> readTyped(const onnx::TensorProto &tensor,
                                         RankedTensorType type, Location loc,
                                         const std::string &where);

  MLIRContext &ctx;
  std::string modelPath;
  llvm::StringMap<std::unique_ptr<WeightsFile>> files;
};

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

/// Typed access to a node's attributes. Every getter marks its attribute as
/// read; a wrong kind (a float where an int belongs) or a value outside the
/// allowed ones is reported at once and returns the default, and status()
/// turns failed. checkAllRead() reports the attributes no getter asked for,
/// so no attribute is ever silently ignored.
class AttributeReader {
public:
  AttributeReader(const onnx::NodeProto &node, Location loc,
                  StringRef opType);

  bool has(StringRef name) const { return byName.count(name); }

  int64_t getInt(StringRef name, int64_t defaultValue);
  std::optional<int64_t> getOptionalInt(StringRef name);
  /// An int that must be 0 or 1.
  bool getBool(StringRef name, bool defaultValue);
  double getFloat(StringRef name, double defaultValue);
  std::optional<double> getOptionalFloat(StringRef name);
  std::string getString(StringRef name, StringRef defaultValue);
  /// A string that must be one of `allowed`; returns its index there.
  unsigned getChoice(StringRef name, StringRef defaultValue,
                     ArrayRef<StringRef> allowed);
  std::optional<SmallVector<int64_t>> getInts(StringRef name);
  std::optional<SmallVector<double>> getFloats(StringRef name);
  std::optional<SmallVector<std::string>> getStrings(StringRef name);
  /// Null when absent.
  const onnx::TensorProto *getTensor(StringRef name);
  /// A subgraph (If's branches, Loop's and Scan's body); null when absent.
  const onnx::GraphProto *getGraph(StringRef name);
  /// Marks `name` as read: for attributes that have no effect in inference.
  /// Callers say why in a comment.
  void accept(StringRef name) { read.insert(name); }
  /// Fails if `name` is present (attributes valid only in other opsets).
  LogicalResult rejectIfPresent(StringRef name, const Twine &why);

  /// Failure once any getter reported a problem.
  LogicalResult status() const { return failure(failed); }
  /// Reports duplicate attributes, function attribute references and every
  /// attribute not read so far.
  LogicalResult checkAllRead();

private:
  enum class Kind { Int, Float, String, Tensor, Ints, Floats, Strings, Graph };
  const onnx::AttributeProto *lookup(StringRef name, Kind kind);
  InFlightDiagnostic error();

  Location loc;
  std::string opType;
  llvm::StringMap<const onnx::AttributeProto *> byName;
  SmallVector<std::string> duplicates;
  SmallVector<std::string> order;
  llvm::StringSet<> read;
  bool failed = false;
};

//===----------------------------------------------------------------------===//
// Nodes
//===----------------------------------------------------------------------===//

/// What a handler sees of the graph around its node.
/// A weight the node computes the next value of in training (a running
/// statistic): `weight` is the node's input, `next` its new value.
struct StateUpdate {
  Value weight, next;
  Location loc;
};

struct GraphState {
  TensorReader &tensors;
  /// Names of tensors read by some node or by the graph's outputs.
  const llvm::StringSet<> &used;
  /// What nodes recorded with NodeImporter::updateState, in node order.
  SmallVector<StateUpdate> &stateUpdates;
  /// Imports a subgraph's nodes inline at the builder's insertion point, its
  /// inputs bound to the given values in order and the enclosing graphs'
  /// tensors visible; returns the values of its outputs. Errors are located
  /// at the subgraph's nodes (or at the given location).
  std::function<FailureOr<SmallVector<Value>>(const onnx::GraphProto &,
                                              ValueRange, Location)>
      importSubgraph;
};

/// One node being imported: its inputs (already resolved), attributes,
/// outputs, and helpers to build kiln ops at its location.
class NodeImporter {
public:
  NodeImporter(GraphState &graph, const onnx::NodeProto &node, Location loc,
               int64_t opset, int64_t domainOpset, SmallVector<Value> inputs,
               OpBuilder &builder);

  StringRef opType() const { return opTypeName; }
  /// The default domain's opset the import follows.
  int64_t opset() const { return opsetVersion; }
  /// The model's opset of the node's own domain (ai.onnx.ml's for
  /// TreeEnsembleRegressor); opset() for the default domain.
  int64_t domainOpset() const { return domainOpsetVersion; }
  Location loc() const { return location; }
  MLIRContext *context() const { return builder.getContext(); }
  OpBuilder &b() { return builder; }
  TensorReader &tensors() { return graph.tensors; }
  AttributeReader &attrs() { return attributes; }

  /// An error at the node, prefixed with the op type ("Conv: ...").
  InFlightDiagnostic error();

  //--- Inputs ---------------------------------------------------------------
  size_t numInputs() const { return inputValues.size(); }
  /// True if input `i` exists and is not the empty name (an omitted optional).
  bool hasInput(unsigned i) const { return i < inputValues.size() && inputValues[i]; }
  /// Input `i`, or null when omitted.
  Value input(unsigned i) const { return hasInput(i) ? inputValues[i] : Value(); }
  RankedTensorType inputType(unsigned i) const;
  /// The input's tensor name, for messages.
  std::string inputName(unsigned i) const;
  /// Checks the number of inputs and outputs and that the first
  /// `minInputs` inputs are given (not empty names).
  LogicalResult checkArity(unsigned minInputs, unsigned maxInputs,
                           unsigned minOutputs = 1, unsigned maxOutputs = 1);

  /// Input `i` as a constant after folding; otherwise an error naming the
  /// input (`what`, as ONNX calls it) saying it must be a compile-time
  /// constant, and which graph inputs to freeze with --constant.
  FailureOr<DenseElementsAttr> constantInput(unsigned i, StringRef what);
  /// Input `i`'s value if it is known at compile time (a constant after
  /// folding, or a parameter's kiln.value); null otherwise.
  DenseElementsAttr knownValue(unsigned i) const;
  /// A constant int32/int64 input of rank 0 or 1, as int64s.
  FailureOr<SmallVector<int64_t>> constantInts(unsigned i, StringRef what);
  /// A constant one-element input, as a double.
  FailureOr<double> constantScalar(unsigned i, StringRef what);
  /// The graph inputs `value` is computed from (by name), for messages.
  SmallVector<std::string> graphInputsBehind(Value value) const;

  //--- Outputs --------------------------------------------------------------
  size_t numOutputs() const;
  /// True if output `i` is named and read by a node or a graph output.
  bool isOutputUsed(unsigned i) const;
  /// Fails naming the output if it is used: for outputs Kiln cannot compute
  /// (Dropout's mask in training).
  LogicalResult rejectOutputIfUsed(unsigned i, StringRef what);
  /// Records that a training step replaces input `weight` by `next` (see
  /// ImportOptions::stateUpdates).
  void updateState(Value weight, Value next) {
    graph.stateUpdates.push_back({weight, next, location});
  }
  void setOutput(unsigned i, Value value);
  /// Imports `graph` inline (GraphState::importSubgraph).
  FailureOr<SmallVector<Value>> importSubgraph(const onnx::GraphProto &subgraph,
                                               ValueRange inputs) {
    return graph.importSubgraph(subgraph, inputs, location);
  }
  ArrayRef<Value> outputs() const { return outputValues; }

  //--- Building kiln ops ----------------------------------------------------
  /// createFolded with one result.
  FailureOr<Value> create(StringRef opName, ValueRange operands,
                          ArrayRef<NamedAttribute> attributes = {},
                          Type explicitType = {});
  /// createFolded with `numResults` results.
  FailureOr<SmallVector<Value>> createN(StringRef opName, ValueRange operands,
                                        ArrayRef<NamedAttribute> attributes,
                                        unsigned numResults);
  Value constant(DenseElementsAttr value);
  /// A rank-0 constant of `elementType` holding `value` (an error if it does
  /// not fit, e.g. 0.5 as an integer).
  FailureOr<Value> scalar(Type elementType, double value);
  /// A 1-D i64 constant.
  Value i64Vector(ArrayRef<int64_t> values);
  FailureOr<Value> reshape(Value input, ArrayRef<int64_t> shape);
  /// kiln.cast to `elementType`; the value itself if it already has it.
  /// `saturate` as kiln.cast's (float8 results only).
  FailureOr<Value> cast(Value input, Type elementType, bool saturate = true);

  NamedAttribute namedI64(StringRef name, int64_t v);
  NamedAttribute namedF64(StringRef name, double v);
  NamedAttribute namedBool(StringRef name, bool v);
  NamedAttribute namedI64s(StringRef name, ArrayRef<int64_t> v);

  /// `axis` in [-rank, rank) -> [0, rank); an error naming `what` otherwise.
  FailureOr<int64_t> normalizeAxis(int64_t axis, int64_t rank,
                                   StringRef what = "axis");
  /// Each axis normalized; duplicates are an error.
  FailureOr<SmallVector<int64_t>> normalizeAxes(ArrayRef<int64_t> axes,
                                                int64_t rank,
                                                StringRef what = "axes");

private:
  GraphState &graph;
  const onnx::NodeProto &node;
  std::string opTypeName;
  int64_t opsetVersion;
  int64_t domainOpsetVersion;
  Location location;
  SmallVector<Value> inputValues;
  SmallVector<Value> outputValues;
  OpBuilder &builder;
  AttributeReader attributes;
};

/// Straight-line building of composite ops (ONNX ops made of several kiln
/// ops) at a node: the first failure, already reported, ends the chain and
/// every later step returns null, so a handler checks `ok` once at the end.
struct OpChain {
  NodeImporter &n;
  bool ok = true;

  Value op(StringRef name, ValueRange operands,
           ArrayRef<NamedAttribute> attributes = {});
  /// kiln.compare with `predicate` (a ComparePredicate).
  Value compare(uint32_t predicate, Value x, Value y);
  /// A rank-0 constant.
  Value scalar(Type elementType, double value);
  Value reshape(Value v, ArrayRef<int64_t> shape);
  /// kiln.cast to `elementType`; `v` itself if it already has it.
  Value cast(Value v, Type elementType);
  /// kiln.reduce_sum over `axes`.
  Value sum(Value v, ArrayRef<int64_t> axes, bool keepdims);
  /// Sets output `i` to `v`; failure if the chain failed.
  LogicalResult output(unsigned i, Value v);
};

/// Float `x` rounded to the nearest integer, ties to even (ONNX Round,
/// QuantizeLinear); NaN and infinities come out as they went in.
Value roundHalfToEven(OpChain &c, Value x);

//===----------------------------------------------------------------------===//
// Sliding windows (Conv and pooling)
//===----------------------------------------------------------------------===//

/// The window of a Conv or pooling node, as kiln wants it: one entry per
/// spatial dim, pads as all begins then all ends.
struct Window {
  SmallVector<int64_t> kernel, strides, dilations, pads;
};

/// Reads auto_pad, pads, strides, kernel_shape and, with `readDilations`,
/// dilations, and resolves auto_pad (VALID, SAME_UPPER, SAME_LOWER) into
/// explicit pads from the input's static spatial dims. `weightsKernel` is
/// Conv's kernel from its weights; kernel_shape must then agree with it.
/// Pooling (no weights) requires kernel_shape.
FailureOr<Window> readWindow(NodeImporter &n, RankedTensorType input,
                             std::optional<ArrayRef<int64_t>> weightsKernel,
                             bool readDilations);

//===----------------------------------------------------------------------===//
// The op table
//===----------------------------------------------------------------------===//

using OpHandler = std::function<LogicalResult(NodeImporter &)>;

struct OpSpec {
  /// The first opset of the op's domain that defines it.
  int64_t sinceVersion;
  OpHandler handler;
};

/// A node with one input, one output and no attributes that maps to the kiln
/// op `kilnOp` (Relu -> kiln.relu, GlobalAveragePool -> kiln.global_avg_pool).
OpHandler oneToOne(StringRef kilnOp);

/// ONNX op type -> handler, filled by each family's register function. Ops
/// of other domains than the default one (FlexAttention of ai.onnx.preview)
/// name their domain.
class OpTable {
public:
  void add(StringRef opType, int64_t sinceVersion, OpHandler handler,
           StringRef domain = "");
  /// Null if no handler is registered for the op of `domain`.
  const OpSpec *lookup(StringRef domain, StringRef opType) const;

private:
  llvm::StringMap<OpSpec> specs;
};

void registerAttentionOps(OpTable &table);     // AttentionOps.cpp
void registerBitwiseOps(OpTable &table);       // BitwiseOps.cpp
void registerCol2ImOps(OpTable &table);        // Col2ImOps.cpp
void registerConstantOps(OpTable &table);      // ConstantOps.cpp
void registerControlFlowOps(OpTable &table);   // ControlFlowOps.cpp
void registerElementwiseOps(OpTable &table);   // ElementwiseOps.cpp
void registerConvOps(OpTable &table);          // ConvOps.cpp
void registerDataDependentOps(OpTable &table); // DataDependentOps.cpp
void registerDetOps(OpTable &table);           // DetOps.cpp
void registerEinsumOps(OpTable &table);        // EinsumOps.cpp
void registerIndexingOps(OpTable &table);      // IndexingOps.cpp
void registerLinearAttentionOps(OpTable &table); // LinearAttentionOps.cpp
void registerMatmulOps(OpTable &table);        // MatmulOps.cpp
void registerMLOps(OpTable &table);            // MLOps.cpp
void registerOptionalOps(OpTable &table);      // OptionalOps.cpp
void registerNormalizationOps(OpTable &table); // NormalizationOps.cpp
void registerPoolingOps(OpTable &table);       // PoolingOps.cpp
void registerQuantizationOps(OpTable &table);  // QuantizationOps.cpp
void registerRecurrentOps(OpTable &table);     // RecurrentOps.cpp
void registerReductionOps(OpTable &table);     // ReductionOps.cpp
void registerResizeOps(OpTable &table);        // ResizeOps.cpp
void registerRoiAlignOps(OpTable &table);      // RoiAlignOps.cpp
void registerRotaryEmbeddingOps(OpTable &table); // RotaryEmbeddingOps.cpp
void registerSignalOps(OpTable &table);        // SignalOps.cpp
void registerTfIdfVectorizerOps(OpTable &table); // TfIdfVectorizerOps.cpp
void registerTrainingOps(OpTable &table);      // TrainingOps.cpp
void registerTreeEnsembleOps(OpTable &table);  // TreeEnsembleOps.cpp
void registerGridSampleOps(OpTable &table);    // GridSampleOps.cpp
void registerDataMovementOps(OpTable &table);  // DataMovementOps.cpp
void registerLossOps(OpTable &table);          // LossOps.cpp

} // namespace mlir::kiln::onnx_import

#endif // KILN_COMPILER_ONNX_ONNXIMPORTER_H
