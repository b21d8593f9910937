//===- KilnDialect.td - The kiln dialect ------------------*- tablegen -*-===//
//
// The graph-level IR of Kiln: one op per neural-network operation, on builtin
// ranked tensors. Frontends (ONNX, JSON) produce it; codegen lowers it to linalg.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_TD
#define KILN_DIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Kiln_Dialect : Dialect {
  let name = "kiln";
  let cppNamespace = "::mlir::kiln";
  let summary = "Graph-level operations of neural networks";
  let description = [{
    The `kiln` dialect models a neural network as a dataflow graph of tensor
    operations, at the level of ONNX or PyTorch: convolution, matmul,
    elementwise math with NumPy broadcasting, reductions, normalizations and
    data movement. All values are builtin ranked tensors of f16, bf16, f32, f64,
    i1 (bool), i8, i16, i32, i64, ui8, ui16, ui32, ui64, the float8 types
    (f8E4M3FN, f8E4M3FNUZ, f8E5M2, f8E5M2FNUZ) or i4, ui4, i2, ui2; signless
    integers are signed. float8 and the 4- and 2-bit integers are storage
    types: only casts, bitcasts and data movement take them.

    Conventions shared by every op:
    - Axis attributes are normalized: `0 <= axis < rank`. Frontends turn
      negative (Python-style) axes into this form.
    - Spatial attributes of conv and pooling follow ONNX: `pads` holds all the
      begin pads, then all the end pads (`[h_begin, w_begin, h_end, w_end]`).
    - Float attributes are f64; integer attributes are i64.
    - Result types are inferred from operand types and attributes. A result may
      be more refined (more static dims) than what inference gives, never less
      compatible; `kiln-shape-inference` refines results through a function.
  }];
  let hasConstantMaterializer = 1;
  // Patterns for tensors with a zero-length dim (ir/EmptyTensors.cpp).
  let hasCanonicalizer = 1;
  let useDefaultAttributePrinterParser = 0;
}

//===----------------------------------------------------------------------===//
// Element types and tensor constraints
//===----------------------------------------------------------------------===//

def Kiln_FloatElement : AnyTypeOf<[F16, BF16, F32, F64], "floating-point">;
// Signless integers are signed (two's complement); uiN are unsigned, and every
// op whose result depends on it (division, comparison, max/min, casts, shifts)
// reads the signedness from the element type (ir/ElementwiseSemantics.h).
def Kiln_IntElement : AnyTypeOf<[I8, I16, I32, I64, UI8, UI16, UI32, UI64],
                                "integer">;
def Kiln_NumericElement : AnyTypeOf<[F16, BF16, F32, F64, I8, I16, I32, I64,
                                     UI8, UI16, UI32, UI64], "numeric">;
// Storage-only types: values of these are cast, quantized, reinterpreted and
// moved, but no arithmetic op takes them (ONNX defines none on them).
// float8: the OCP formats; the packed integers are several to a byte in the
// artifact's buffers, one to a byte inside the generated code.
def Kiln_Float8Element : AnyTypeOf<[F8E4M3FN, F8E4M3FNUZ, F8E5M2, F8E5M2FNUZ],
                                   "float8">;
def Kiln_PackedIntElement : AnyTypeOf<[I<4>, UI<4>, I<2>, UI<2>],
                                      "4- or 2-bit integer">;
def Kiln_Element : AnyTypeOf<[I1, F16, BF16, F32, F64, I8, I16, I32, I64,
                              UI8, UI16, UI32, UI64, Kiln_Float8Element,
                              Kiln_PackedIntElement], "kiln element">;

def Kiln_Tensor : RankedTensorOf<[Kiln_Element]>;
// What kiln.compare orders: bools and the numeric types (not the storage-only
// ones).
def Kiln_ComparableTensor : RankedTensorOf<[I1, Kiln_NumericElement]>;
def Kiln_FloatTensor : RankedTensorOf<[Kiln_FloatElement]>;
// kiln.conv's types: the floats, and int32 for ONNX's integer convolutions.
def Kiln_ConvTensor : RankedTensorOf<[Kiln_FloatElement, I32]>;
def Kiln_NumericTensor : RankedTensorOf<[Kiln_NumericElement]>;
def Kiln_BoolTensor : RankedTensorOf<[I1]>;
def Kiln_IntTensor : RankedTensorOf<[Kiln_IntElement]>;
def Kiln_IndexTensor : RankedTensorOf<[I32, I64]>;
def Kiln_I64Tensor : RankedTensorOf<[I64]>;

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def Kiln_ComparePredicate : I32EnumAttr<"ComparePredicate",
    "comparison predicate of kiln.compare", [
      I32EnumAttrCase<"eq", 0>, I32EnumAttrCase<"ne", 1>,
      I32EnumAttrCase<"lt", 2>, I32EnumAttrCase<"le", 3>,
      I32EnumAttrCase<"gt", 4>, I32EnumAttrCase<"ge", 5>]> {
  let cppNamespace = "::mlir::kiln";
}

def Kiln_GeluApproximation : I32EnumAttr<"GeluApproximation",
    "how kiln.gelu computes the Gaussian CDF", [
      I32EnumAttrCase<"none", 0>, I32EnumAttrCase<"tanh", 1>]> {
  let cppNamespace = "::mlir::kiln";
}

def Kiln_PadMode : I32EnumAttr<"PadMode", "how kiln.pad fills the border", [
      I32EnumAttrCase<"constant", 0>, I32EnumAttrCase<"reflect", 1>,
      I32EnumAttrCase<"edge", 2>, I32EnumAttrCase<"wrap", 3>]> {
  let cppNamespace = "::mlir::kiln";
}

def Kiln_ResizeMode : I32EnumAttr<"ResizeMode",
    "how kiln.resize interpolates", [
      I32EnumAttrCase<"nearest", 0>, I32EnumAttrCase<"linear", 1>,
      I32EnumAttrCase<"cubic", 2>]> {
  let cppNamespace = "::mlir::kiln";
}

def Kiln_ResizeCoordinateMode : I32EnumAttr<"ResizeCoordinateMode",
    "how kiln.resize maps an output coordinate to an input coordinate", [
      I32EnumAttrCase<"half_pixel", 0>,
      I32EnumAttrCase<"half_pixel_symmetric", 1>,
      I32EnumAttrCase<"pytorch_half_pixel", 2>,
      I32EnumAttrCase<"align_corners", 3>, I32EnumAttrCase<"asymmetric", 4>,
      I32EnumAttrCase<"tf_half_pixel_for_nearest", 5>,
      I32EnumAttrCase<"tf_crop_and_resize", 6>]> {
  let cppNamespace = "::mlir::kiln";
}

def Kiln_ResizeNearestMode : I32EnumAttr<"ResizeNearestMode",
    "how kiln.resize rounds a coordinate to the nearest input element", [
      I32EnumAttrCase<"round_prefer_floor", 0>,
      I32EnumAttrCase<"round_prefer_ceil", 1>, I32EnumAttrCase<"floor", 2>,
      I32EnumAttrCase<"ceil", 3>]> {
  let cppNamespace = "::mlir::kiln";
}

def Kiln_GridSamplePaddingMode : I32EnumAttr<"GridSamplePaddingMode",
    "what kiln.grid_sample reads outside the input", [
      I32EnumAttrCase<"zeros", 0>, I32EnumAttrCase<"border", 1>,
      I32EnumAttrCase<"reflection", 2>]> {
  let cppNamespace = "::mlir::kiln";
}

def Kiln_RoiAlignMode : I32EnumAttr<"RoiAlignMode",
    "how kiln.roi_align pools a bin's samples", [
      I32EnumAttrCase<"avg", 0>, I32EnumAttrCase<"max", 1>]> {
  let cppNamespace = "::mlir::kiln";
}

#endif // KILN_DIALECT_TD
