//===- KilnOps.td - Operations of the kiln dialect --------*- tablegen -*-===//
//
// Ops are grouped by family; the C++ of each family (verifiers, type
// inference, folders) lives in ir/ops/<Family>.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_OPS_TD
#define KILN_OPS_TD

include "ir/KilnDialect.td"
include "ir/KilnInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"

class Kiln_Op<string mnemonic, list<Trait> traits = []>
    : Op<Kiln_Dialect, mnemonic, traits>;

// The op has a VJP rule (KilnInterfaces.td), implemented in
// ir/vjp/<Family>.cpp. Ops without it cannot be differentiated through.
def Kiln_VJP : DeclareOpInterfaceMethods<Kiln_VJPOpInterface>;

// Result types come from operand types and attributes. Unlike the default
// InferTypeOpInterface check (exact equality), a result may be a refinement
// of the inferred type: same rank and element type, and every dim that is
// static in both agrees. That lets IR carry shapes not yet inferred (`?`).
//
// VerifyShapes runs inference at the op's location during verification, so a
// bad attribute or shape gets one precise message ("perm has 3 entries but the
// input has rank 2") instead of the interface's generic "failed to infer".
def Kiln_VerifyShapes : NativeOpTrait<"VerifyShapes"> {
  let cppNamespace = "::mlir::kiln";
}
def Kiln_InferType : TraitList<[Kiln_VerifyShapes, InferTypeOpAdaptorBase<[{
    static bool isCompatibleReturnTypes(::mlir::TypeRange inferred,
                                        ::mlir::TypeRange actual) {
      return ::mlir::kiln::areRefinementCompatible(inferred, actual);
    }
}]>]>;

// Ops whose result type is exactly the operand type: inference is generated
// by ODS from SameOperandsAndResultType. That trait accepts a result with
// more static dims (tensor<?xf32> -> tensor<4xf32>), but the printed form
// holds one type, so the refinement would be lost in a round trip: it is an
// error, and ExactSameType reports it once, before InferTypeOpInterface's
// exact check adds two less precise messages.
def Kiln_ExactSameType : NativeOpTrait<"ExactSameType"> {
  let cppNamespace = "::mlir::kiln";
}
// Ops whose every result element depends only on the operand elements at
// the same (broadcast) index: cheap to recompute, which autodiff's
// recompute-vs-save policy uses (passes/Gradient.cpp).
def Kiln_Elementwise : NativeOpTrait<"Elementwise"> {
  let cppNamespace = "::mlir::kiln";
}

def Kiln_SameType : TraitList<[SameOperandsAndResultType, Kiln_ExactSameType,
                               DeclareOpInterfaceMethods<InferTypeOpInterface>]>;

//===----------------------------------------------------------------------===//
// Constant
//===----------------------------------------------------------------------===//

def Kiln_ConstantOp : Kiln_Op<"constant",
    [ConstantLike, Pure, Kiln_InferType]> {
  let summary = "A constant tensor";
  let description = [{
    A tensor known at compile time: weights, biases, shape vectors. Large
    weights may use `dense_resource` so the text form stays readable.

    ```mlir
    %w = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
  let hasVerifier = 1;
  let builders = [OpBuilder<(ins "::mlir::ElementsAttr":$value), [{
    build($_builder, $_state, value.getType(), value);
  }]>];
}

//===----------------------------------------------------------------------===//
// Unary elementwise
//===----------------------------------------------------------------------===//

// What every elementwise op computes on one element (unary, binary, compare,
// select, cast) is its row in ir/ElementwiseSemantics.h, which the folders
// and the lowering both read; the descriptions here state it in words.

class Kiln_UnaryOp<string mnemonic, Type type, string math,
                   list<Trait> traits = []>
    : Kiln_Op<mnemonic, !listconcat([Pure, Kiln_SameType, Kiln_Elementwise, Kiln_VJP],
                                    traits)> {
  let summary = "Elementwise " # math;
  let description = [{
    Applies `}] # math # [{` to every element. The result has the operand's type.

    ```mlir
    %y = kiln.}] # mnemonic # [{ %x : tensor<2x3xf32>
    ```
  }];
  let arguments = (ins type:$input);
  let results = (outs type:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasFolder = 1;
}

def Kiln_NegOp : Kiln_UnaryOp<"neg", Kiln_NumericTensor, "-x">;
def Kiln_AbsOp : Kiln_UnaryOp<"abs", Kiln_NumericTensor, "|x|">;
def Kiln_ReluOp : Kiln_UnaryOp<"relu", Kiln_NumericTensor, "max(x, 0)">;
def Kiln_ExpOp : Kiln_UnaryOp<"exp", Kiln_FloatTensor, "e^x">;
def Kiln_LogOp : Kiln_UnaryOp<"log", Kiln_FloatTensor, "ln(x)">;
def Kiln_SqrtOp : Kiln_UnaryOp<"sqrt", Kiln_FloatTensor, "sqrt(x)">;
def Kiln_RsqrtOp : Kiln_UnaryOp<"rsqrt", Kiln_FloatTensor, "1 / sqrt(x)">;
def Kiln_ReciprocalOp : Kiln_UnaryOp<"reciprocal", Kiln_FloatTensor, "1 / x">;
def Kiln_TanhOp : Kiln_UnaryOp<"tanh", Kiln_FloatTensor, "tanh(x)">;
def Kiln_SigmoidOp : Kiln_UnaryOp<"sigmoid", Kiln_FloatTensor,
                                  "1 / (1 + e^-x)">;
def Kiln_ErfOp : Kiln_UnaryOp<"erf", Kiln_FloatTensor, "erf(x)">;
def Kiln_SinOp : Kiln_UnaryOp<"sin", Kiln_FloatTensor, "sin(x)">;
def Kiln_CosOp : Kiln_UnaryOp<"cos", Kiln_FloatTensor, "cos(x)">;
def Kiln_TanOp : Kiln_UnaryOp<"tan", Kiln_FloatTensor, "tan(x)">;
def Kiln_AcosOp : Kiln_UnaryOp<"acos", Kiln_FloatTensor, "arccos(x)">;
def Kiln_AsinOp : Kiln_UnaryOp<"asin", Kiln_FloatTensor, "arcsin(x)">;
def Kiln_AtanOp : Kiln_UnaryOp<"atan", Kiln_FloatTensor, "arctan(x)">;
def Kiln_SinhOp : Kiln_UnaryOp<"sinh", Kiln_FloatTensor, "sinh(x)">;
def Kiln_CoshOp : Kiln_UnaryOp<"cosh", Kiln_FloatTensor, "cosh(x)">;
def Kiln_AcoshOp : Kiln_UnaryOp<"acosh", Kiln_FloatTensor, "arcosh(x)">;
def Kiln_AsinhOp : Kiln_UnaryOp<"asinh", Kiln_FloatTensor, "arsinh(x)">;
def Kiln_AtanhOp : Kiln_UnaryOp<"atanh", Kiln_FloatTensor, "artanh(x)">;
def Kiln_FloorOp : Kiln_UnaryOp<"floor", Kiln_FloatTensor, "floor(x)">;
def Kiln_CeilOp : Kiln_UnaryOp<"ceil", Kiln_FloatTensor, "ceil(x)">;
def Kiln_NotOp : Kiln_UnaryOp<"not", Kiln_BoolTensor, "logical not">;
def Kiln_BitwiseNotOp : Kiln_UnaryOp<"bitwise_not", Kiln_IntTensor,
                                     "~x (every bit flipped)">;
def Kiln_HardSwishOp : Kiln_UnaryOp<"hard_swish", Kiln_FloatTensor,
                                    "x * max(0, min(1, x / 6 + 1 / 2))">;

def Kiln_GeluOp : Kiln_UnaryOp<"gelu", Kiln_FloatTensor,
    "x * Phi(x), Phi the standard normal CDF (exact with erf, or its tanh approximation)"> {
  let arguments = (ins Kiln_FloatTensor:$input,
      DefaultValuedAttr<Kiln_GeluApproximation,
                        "::mlir::kiln::GeluApproximation::none">:$approximate);
  let assemblyFormat = [{
    $input (`approximate` $approximate^)? attr-dict `:` type($input)
  }];
}

def Kiln_LeakyReluOp : Kiln_UnaryOp<"leaky_relu", Kiln_FloatTensor,
                                    "x >= 0 ? x : alpha * x"> {
  let arguments = (ins Kiln_FloatTensor:$input,
                       DefaultValuedAttr<F64Attr, "0.01">:$alpha);
}

def Kiln_HardSigmoidOp : Kiln_UnaryOp<"hard_sigmoid", Kiln_FloatTensor,
                                      "max(0, min(1, alpha * x + beta))"> {
  let arguments = (ins Kiln_FloatTensor:$input,
                       DefaultValuedAttr<F64Attr, "0.2">:$alpha,
                       DefaultValuedAttr<F64Attr, "0.5">:$beta);
}

def Kiln_ClipOp : Kiln_UnaryOp<"clip", Kiln_NumericTensor,
                               "min(max(x, min), max)"> {
  let description = [{
    Clamps every element to `[min, max]`; a missing bound is unbounded.

    ```mlir
    %y = kiln.clip %x {min = 0.0 : f64, max = 6.0 : f64} : tensor<4xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$input,
                       OptionalAttr<F64Attr>:$min, OptionalAttr<F64Attr>:$max);
  let hasVerifier = 1;
}

def Kiln_CastOp : Kiln_Op<"cast",
    [Pure, SameOperandsAndResultShape, Kiln_Elementwise, Kiln_VJP]> {
  let summary = "Elementwise conversion to another element type";
  let description = [{
    Converts every element to the result's element type. Float to integer
    rounds toward zero and saturates (NaN gives 0), except to the 4- and 2-bit
    integers, which take the low bits of the int32 conversion (as ONNX's
    reference does); to bool is `x != 0`; from bool gives 0/1. Integers
    narrow by wrapping and widen by sign (signed) or zero (unsigned, bool)
    extension.

    To a float8 type the value rounds to nearest even. `saturate` (ONNX
    Cast's attribute; it changes only float8 results) clamps values beyond
    the largest finite float8, infinities included, to it; without it they
    become infinity (f8E5M2) or NaN (the others). The fnuz types have no
    negative zero: -0 gives +0.

    ```mlir
    %y = kiln.cast %x : tensor<4xf32> -> tensor<4xi64>
    %q = kiln.cast %x {saturate = false} : tensor<4xf32> -> tensor<4xf8E4M3FN>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input,
                       DefaultValuedAttr<BoolAttr, "true">:$saturate);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasFolder = 1;
}

def Kiln_BitcastOp : Kiln_Op<"bitcast", [Pure, SameOperandsAndResultShape]> {
  let summary = "Elementwise reinterpretation of bits as another type";
  let description = [{
    Reads every element's bits as the result's element type, which must have
    the same width (ONNX BitCast). Bools are 8 bits wide here, as ONNX stores
    them, but only become integers: a bool result would have to hold bytes
    other than 0 and 1.

    ```mlir
    %y = kiln.bitcast %x : tensor<4xf32> -> tensor<4xi32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasFolder = 1;
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Binary elementwise with NumPy broadcasting
//===----------------------------------------------------------------------===//

class Kiln_BinaryOp<string mnemonic, Type type, string math,
                    list<Trait> traits = []>
    : Kiln_Op<mnemonic, !listconcat(
          [Pure, SameOperandsAndResultElementType, Kiln_InferType, Kiln_Elementwise,
           Kiln_VJP],
          traits)> {
  let summary = "Elementwise " # math # " with NumPy broadcasting";
  let description = [{
    Computes `}] # math # [{` elementwise. Shapes broadcast as in NumPy: they
    are aligned at the trailing dim and each pair of dims must be equal or
    one of them 1.

    ```mlir
    %z = kiln.}] # mnemonic # [{ %x, %y : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins type:$lhs, type:$rhs);
  let results = (outs type:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($output)
  }];
  let hasFolder = 1;
}

def Kiln_AddOp : Kiln_BinaryOp<"add", Kiln_NumericTensor, "lhs + rhs",
                               [Commutative]>;
def Kiln_SubOp : Kiln_BinaryOp<"sub", Kiln_NumericTensor, "lhs - rhs">;
def Kiln_MulOp : Kiln_BinaryOp<"mul", Kiln_NumericTensor, "lhs * rhs",
                               [Commutative]>;
def Kiln_DivOp : Kiln_BinaryOp<"div", Kiln_NumericTensor,
                               "lhs / rhs (integers: truncating; x / 0 = 0, INT_MIN / -1 = INT_MIN)">;
def Kiln_PowOp : Kiln_BinaryOp<"pow", Kiln_FloatTensor, "lhs ^ rhs">;
def Kiln_MaxOp : Kiln_BinaryOp<"max", Kiln_NumericTensor, "max(lhs, rhs)",
                               [Commutative]>;
def Kiln_MinOp : Kiln_BinaryOp<"min", Kiln_NumericTensor, "min(lhs, rhs)",
                               [Commutative]>;
def Kiln_AndOp : Kiln_BinaryOp<"and", Kiln_BoolTensor, "lhs and rhs",
                               [Commutative]>;
def Kiln_OrOp : Kiln_BinaryOp<"or", Kiln_BoolTensor, "lhs or rhs",
                              [Commutative]>;
def Kiln_BitwiseAndOp : Kiln_BinaryOp<"bitwise_and", Kiln_IntTensor,
                                      "lhs & rhs", [Commutative]>;
def Kiln_BitwiseOrOp : Kiln_BinaryOp<"bitwise_or", Kiln_IntTensor,
                                     "lhs | rhs", [Commutative]>;
def Kiln_BitwiseXorOp : Kiln_BinaryOp<"bitwise_xor", Kiln_IntTensor,
                                      "lhs ^ rhs", [Commutative]>;
def Kiln_ShiftLeftOp : Kiln_BinaryOp<"shift_left", Kiln_IntTensor,
    "lhs << rhs (rhs read as unsigned; 0 when rhs >= the bit width)">;
def Kiln_ShiftRightOp : Kiln_BinaryOp<"shift_right", Kiln_IntTensor,
    "lhs >> rhs (rhs read as unsigned; logical on uiN, arithmetic on signed " #
    "types, so rhs >= the bit width gives 0, or -1 for negative lhs)">;

def Kiln_CompareOp : Kiln_Op<"compare",
    [Pure, SameOperandsElementType, Kiln_InferType, Kiln_Elementwise, Kiln_VJP]> {
  let summary = "Elementwise comparison with NumPy broadcasting";
  let description = [{
    Compares `lhs` and `rhs` elementwise with `predicate` (eq, ne, lt, le, gt,
    ge), giving a bool tensor of the broadcast shape. Floats compare ordered:
    any comparison with NaN is false, except `ne`.

    ```mlir
    %m = kiln.compare lt, %x, %y : tensor<4xf32>, tensor<4xf32> -> tensor<4xi1>
    ```
  }];
  let arguments = (ins Kiln_ComparePredicate:$predicate,
                       Kiln_ComparableTensor:$lhs, Kiln_ComparableTensor:$rhs);
  let results = (outs Kiln_BoolTensor:$output);
  let assemblyFormat = [{
    $predicate `,` $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($output)
  }];
  let hasFolder = 1;
}

def Kiln_SelectOp : Kiln_Op<"select",
    [Pure, AllElementTypesMatch<["true_value", "false_value", "output"]>,
     Kiln_InferType, Kiln_Elementwise, Kiln_VJP]> {
  let summary = "Elementwise choice between two tensors (ONNX Where)";
  let description = [{
    `output = condition ? true_value : false_value`, elementwise; the three
    operands broadcast together as in NumPy.

    ```mlir
    %r = kiln.select %c, %a, %b : (tensor<4xi1>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins Kiln_BoolTensor:$condition, Kiln_Tensor:$true_value,
                       Kiln_Tensor:$false_value);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

def Kiln_MatmulOp : Kiln_Op<"matmul",
    [Pure, SameOperandsAndResultElementType, Kiln_InferType, Kiln_VJP]> {
  let summary = "Batched matrix product with broadcast batch dims";
  let description = [{
    `[..., M, K] x [..., K, N] -> [..., M, N]`. Both operands have rank >= 2;
    the leading (batch) dims broadcast as in NumPy. Frontends turn NumPy's
    1-D cases into rank-2 ones with reshapes.

    ```mlir
    %c = kiln.matmul %a, %b : tensor<8x16x32xf32>, tensor<32x64xf32> -> tensor<8x16x64xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$lhs, Kiln_NumericTensor:$rhs);
  let results = (outs Kiln_NumericTensor:$output);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($output)
  }];
}

def Kiln_ConvOp : Kiln_Op<"conv",
    [Pure, AllElementTypesMatch<["input", "filter", "output"]>, Kiln_InferType,
     Kiln_VJP]> {
  let summary = "1-D, 2-D or 3-D convolution, NCHW, with groups";
  let description = [{
    Float, or int32 for ONNX ConvInteger and QLinearConv (products and sums
    in int32, wrapping as int32 does). Cross-correlation of
    `input [N, C, spatial...]` with
    `filter [F, C / groups, kernel...]`, plus an optional `bias [F]`, giving
    `[N, F, out...]` with `out = floor((in + pad_begin + pad_end -
    dilation * (kernel - 1) - 1) / stride) + 1`. `pads` lists all begin pads,
    then all end pads. `groups` must divide both C and F.

    ```mlir
    %y = kiln.conv %x, %w, %b {dilations = array<i64: 1, 1>, groups = 1 : i64,
           pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 1, 1>}
         : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>) -> tensor<1x16x8x8xf32>
    ```
  }];
  let arguments = (ins Kiln_ConvTensor:$input, Kiln_ConvTensor:$filter,
                       Optional<Kiln_ConvTensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations,
                       DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs Kiln_ConvTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Kiln_DeformConvOp : Kiln_Op<"deform_conv",
    [Pure, AllElementTypesMatch<["input", "filter", "offset", "mask", "output"]>,
     Kiln_InferType]> {
  let summary = "2-D deformable convolution, NCHW (ONNX DeformConv)";
  let description = [{
    ONNX DeformConv (opset 19) in 2-D: `input [N, C, H, W]`, `filter
    [F, C / groups, kh, kw]`, `offset [N, offset_groups * kh * kw * 2, OH,
    OW]`, `mask [N, offset_groups * kh * kw, OH, OW]` and an optional `bias
    [F]` give `[N, F, OH, OW]`, OH and OW as for kiln.conv (they must equal
    the offset's). Kernel tap `(i, j)` of output pixel `(oh, ow)` reads
    input channel `c` (of offset group `g = c / (C / offset_groups)`) at
    `h = oh * stride_h - pad_h + i * dilation_h + offset[n, ((g * kh + i)
    * kw + j) * 2, oh, ow]` and `w` likewise with the offset channel after
    it, interpolated bilinearly from the four pixels around `(h, w)`; pixels
    outside the input read 0. The sample is multiplied by `mask[n, (g * kh +
    i) * kw + j, oh, ow]` and by the filter tap, and summed as kiln.conv
    sums, over the channels of the filter's group. f16/bf16 compute in f32.

    ```mlir
    %y = kiln.deform_conv %x, %w, %offset, %mask {dilations = array<i64: 1, 1>,
           groups = 1 : i64, offset_groups = 1 : i64, pads = array<i64: 0, 0, 0, 0>,
           strides = array<i64: 1, 1>}
         : (tensor<1x1x3x3xf32>, tensor<1x1x2x2xf32>, tensor<1x8x2x2xf32>,
            tensor<1x4x2x2xf32>) -> tensor<1x1x2x2xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$filter,
                       Kiln_FloatTensor:$offset, Kiln_FloatTensor:$mask,
                       Optional<Kiln_FloatTensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations,
                       DefaultValuedAttr<I64Attr, "1">:$groups,
                       DefaultValuedAttr<I64Attr, "1">:$offset_groups);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Kiln_ConvTransposeOp : Kiln_Op<"conv_transpose",
    [Pure, AllElementTypesMatch<["input", "filter", "output"]>, Kiln_InferType,
     Kiln_VJP]> {
  let summary = "1-D, 2-D or 3-D transposed convolution, NCHW, with groups";
  let description = [{
    ONNX ConvTranspose with its pads resolved: `input [N, C, spatial...]`,
    `filter [C, F / groups, kernel...]` (ONNX's layout, input channels first),
    an optional `bias [F]`, giving `[N, F, out...]` with, as ONNX writes it,
    `output_shape[i] = stride[i] * (input_size[i] - 1) + output_padding[i] +
    ((kernel_shape[i] - 1) * dilations[i] + 1) - pads[start_i] - pads[end_i]`.

    Input element `x[n, c, i...]` adds `x * filter[c, f, k...]` to output
    position `o = i * stride + k * dilation - pad_begin` of each filter `f`
    of `c`'s group; positions outside the output are dropped. `pads` lists
    all begin pads, then all end pads. `output_padding` only extends the
    output at the end ("it only controls the selection of the computed
    values"). Pads may be negative: frontends resolve `output_shape` and
    `auto_pad` with ONNX's formulas, which give a negative pad when the
    requested output is larger than the full result; positions no input
    reaches hold the bias (or 0). `groups` must divide C.

    ```mlir
    %y = kiln.conv_transpose %x, %w, %b {dilations = array<i64: 1, 1>, groups = 1 : i64,
           output_padding = array<i64: 0, 0>, pads = array<i64: 0, 0, 0, 0>,
           strides = array<i64: 2, 2>}
         : (tensor<1x24x80x80xf32>, tensor<24x24x2x2xf32>, tensor<24xf32>) -> tensor<1x24x160x160xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$filter,
                       Optional<Kiln_FloatTensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations,
                       DenseI64ArrayAttr:$output_padding,
                       DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Kiln_ConvBackwardDataOp : Kiln_Op<"conv_backward_data",
    [Pure, AllElementTypesMatch<["grad", "filter", "output"]>, Kiln_InferType]> {
  let summary = "The input cotangent of kiln.conv (its backward-data op)";
  let description = [{
    Given the cotangent `grad [N, F, out...]` of a kiln.conv's output, its
    `filter [F, C / groups, kernel...]` and its attributes, returns the
    cotangent of the convolution's input, of shape `input_shape`
    (`[N, C, in...]`; the input's spatial size is not implied by the output's
    when a stride exceeds 1):

    `dx[n, c, i] = sum over f of c's group, k with i = o * stride + k * dilation - pad_begin:
    grad[n, f, o] * filter[f, c mod (C / groups), k]`.

    Input positions no window reads (the end the windows never reach, and
    nothing else: padding is not part of the input) get 0. The op verifies
    that kiln.conv of an `input_shape` input with this filter and these
    attributes gives `grad`'s shape.

    ```mlir
    %dx = kiln.conv_backward_data %dy, %w {dilations = array<i64: 1, 1>, groups = 1 : i64,
            input_shape = array<i64: 1, 3, 8, 8>, pads = array<i64: 1, 1, 1, 1>,
            strides = array<i64: 2, 2>}
        : (tensor<1x16x4x4xf32>, tensor<16x3x3x3xf32>) -> tensor<1x3x8x8xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$grad, Kiln_FloatTensor:$filter,
                       DenseI64ArrayAttr:$input_shape,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations,
                       DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Kiln_ConvBackwardFilterOp : Kiln_Op<"conv_backward_filter",
    [Pure, AllElementTypesMatch<["input", "grad", "output"]>, Kiln_InferType]> {
  let summary = "The filter cotangent of kiln.conv (its backward-filter op)";
  let description = [{
    Given a kiln.conv's `input [N, C, in...]`, the cotangent
    `grad [N, F, out...]` of its output and its attributes, returns the
    cotangent of its filter, `[F, C / groups, kernel_shape...]` (the kernel
    size is not implied by the shapes when a stride exceeds 1):

    `dw[f, c, k] = sum over n, o: grad[n, f, o] * x[n, g * C / groups + c, o * stride + k * dilation - pad_begin]`

    where `g` is `f`'s group and `x` is 0 in the padding. The op verifies
    that kiln.conv of `input` with such a filter and these attributes gives
    `grad`'s shape.

    ```mlir
    %dw = kiln.conv_backward_filter %x, %dy {dilations = array<i64: 1, 1>, groups = 1 : i64,
            kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>,
            strides = array<i64: 2, 2>}
        : (tensor<1x3x8x8xf32>, tensor<1x16x4x4xf32>) -> tensor<16x3x3x3xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$grad,
                       DenseI64ArrayAttr:$kernel_shape,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations,
                       DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

def Kiln_MaxPoolOp : Kiln_Op<"max_pool",
    [Pure, SameOperandsAndResultElementType, Kiln_InferType, Kiln_VJP]> {
  let summary = "Max pooling over the spatial dims of NCHW (or NCW, NCDHW)";
  let description = [{
    Maximum over each window; padding never wins. Output size as for
    kiln.conv, rounded up instead of down when `ceil_mode` is set (a window
    that would start entirely in the end padding is dropped). One to three
    spatial dims.

    ```mlir
    %y = kiln.max_pool %x {ceil_mode = false, dilations = array<i64: 1, 1>,
           kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>,
           strides = array<i64: 2, 2>} : tensor<1x8x16x16xf32> -> tensor<1x8x8x8xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$input,
                       DenseI64ArrayAttr:$kernel_shape,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations,
                       DefaultValuedAttr<BoolAttr, "false">:$ceil_mode);
  let results = (outs Kiln_NumericTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Kiln_MaxPoolGradOp : Kiln_Op<"max_pool_grad",
    [Pure, SameOperandsAndResultElementType, Kiln_InferType]> {
  let summary = "The input cotangent of kiln.max_pool (its backward op)";
  let description = [{
    Given kiln.max_pool's `input` and the cotangent `grad` of its output
    (with the same attributes, so of the pooled shape), returns the
    cotangent of the input: each window's `grad` goes to the first element
    of the window, in row-major order of the kernel positions, that holds
    the window's maximum (PyTorch's rule); padding never wins. Elements no
    window picks get 0; one picked by several windows gets their sum.

    ```mlir
    %dx = kiln.max_pool_grad %x, %dy {ceil_mode = false, dilations = array<i64: 1, 1>,
            kernel_shape = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>,
            strides = array<i64: 2, 2>}
        : (tensor<1x8x16x16xf32>, tensor<1x8x8x8xf32>) -> tensor<1x8x16x16xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$grad,
                       DenseI64ArrayAttr:$kernel_shape,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations,
                       DefaultValuedAttr<BoolAttr, "false">:$ceil_mode);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Kiln_MaxPoolIndicesOp : Kiln_Op<"max_pool_indices",
    [Pure, Kiln_InferType]> {
  let summary = "Where kiln.max_pool's maxima are (ONNX MaxPool's Indices)";
  let description = [{
    For each window of kiln.max_pool with the same attributes, the position
    in `input` of the window's maximum: the first of the window's elements,
    in row-major order of the kernel positions, holding it (a later one
    replaces it only when strictly greater); padding never wins. The
    position is flattened over the whole input, `((n * C + c) * D1 + i1) *
    D2 + i2 ...`, or with `column_major` (ONNX's storage_order 1) over
    `(n, c)` row-major and then the spatial dims in reverse order,
    `(n * C + c) * D1 * ... * Dk + i1 + D1 * (i2 + D2 * ...)`. The result
    has max_pool's shape and is int64.

    ```mlir
    %i = kiln.max_pool_indices %x {ceil_mode = false, column_major = false,
           dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>,
           pads = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>}
         : tensor<1x8x16x16xf32> -> tensor<1x8x8x8xi64>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$input,
                       DenseI64ArrayAttr:$kernel_shape,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$dilations,
                       DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
                       DefaultValuedAttr<BoolAttr, "false">:$column_major);
  let results = (outs Kiln_I64Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Kiln_MaxUnpoolOp : Kiln_Op<"max_unpool",
    [Pure, AllElementTypesMatch<["input", "output"]>, Kiln_InferType]> {
  let summary = "Scatters values to flat positions of a zero tensor (ONNX MaxUnpool)";
  let description = [{
    A zero tensor of `shape` in which, for each element `k` of `input` in
    row-major order, the element at flat (row-major) position
    `indices.flat[k]` becomes `input.flat[k]`: a later write to the same
    position replaces an earlier one, and a position outside `[0,
    product(shape))` is skipped. `indices` has `input`'s shape.

    ```mlir
    %y = kiln.max_unpool %x, %i {shape = array<i64: 1, 1, 4, 4>}
         : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xi64>) -> tensor<1x1x4x4xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$input, Kiln_I64Tensor:$indices,
                       DenseI64ArrayAttr:$shape);
  let results = (outs Kiln_NumericTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Kiln_RoiAlignOp : Kiln_Op<"roi_align",
    [Pure, AllElementTypesMatch<["input", "rois", "output"]>, Kiln_InferType]> {
  let summary = "Bilinear pooling of regions of interest (ONNX RoiAlign)";
  let description = [{
    ONNX RoiAlign (opsets 10 and 16): `input [N, C, H, W]`, `rois [R, 4]`
    (x1, y1, x2, y2 in input pixels before `spatial_scale`) and
    `batch_indices [R]` give `[R, C, output_height, output_width]`. Region
    `r` starts at `x1 * spatial_scale - o` (`o` = 0.5 with `half_pixel`, else
    0) and spans `(x2 - x1) * spatial_scale` (at least 1 without
    `half_pixel`), likewise in y; it is cut into output_height x
    output_width bins, each sampled at a grid of `sampling_ratio` points per
    dim or, when it is 0, `ceil(bin size)` points (a count that depends on
    the region, so on run-time data). Each sample is the bilinear
    interpolation of `input[batch_indices[r], c]` (0 for points beyond one
    pixel outside the input, clamped to the edge otherwise); `avg` averages
    a bin's samples, `max` takes the largest of the four weighted pixels of
    each sample and then the largest over the bin, as ONNX's reference and
    onnxruntime do. A batch index outside `[0, N)` gives 0.

    ```mlir
    %y = kiln.roi_align avg %x, %rois, %b {half_pixel = true, output_height = 2 : i64,
           output_width = 2 : i64, sampling_ratio = 0 : i64, spatial_scale = 1.0 : f64}
         : (tensor<1x1x10x10xf32>, tensor<3x4xf32>, tensor<3xi64>) -> tensor<3x1x2x2xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$rois,
                       Kiln_IndexTensor:$batch_indices,
                       Kiln_RoiAlignMode:$mode,
                       I64Attr:$output_height, I64Attr:$output_width,
                       I64Attr:$sampling_ratio, F64Attr:$spatial_scale,
                       BoolAttr:$half_pixel);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = [{
    $mode $input `,` $rois `,` $batch_indices attr-dict `:`
    functional-type(operands, results)
  }];
}

def Kiln_AvgPoolOp : Kiln_Op<"avg_pool",
    [Pure, SameOperandsAndResultElementType, Kiln_InferType, Kiln_VJP]> {
  let summary = "Average pooling over the spatial dims of NCHW (or NCW, NCDHW)";
  let description = [{
    Mean over each window. With `count_include_pad` the divisor counts the
    explicit padding; without it, only the input elements in the window.
    Windows created by `ceil_mode` past the end padding never count the
    part beyond it. With `dilations` (all 1 when absent) a window reads
    every dilation-th element and counts only those. One to three spatial
    dims.

    ```mlir
    %y = kiln.avg_pool %x {ceil_mode = false, count_include_pad = false,
           kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>,
           strides = array<i64: 1, 1>} : tensor<1x8x4x4xf32> -> tensor<1x8x4x4xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input,
                       DenseI64ArrayAttr:$kernel_shape,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$pads,
                       DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
                       DefaultValuedAttr<BoolAttr, "false">:$count_include_pad,
                       OptionalAttr<DenseI64ArrayAttr>:$dilations);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

class Kiln_GlobalPoolOp<string mnemonic, Type type, string what>
    : Kiln_Op<mnemonic, [Pure, SameOperandsAndResultElementType, Kiln_InferType,
                         Kiln_VJP]> {
  let summary = "Global " # what # " pooling over all spatial dims";
  let description = [{
    `[N, C, spatial...] -> [N, C, 1, ...]`: the }] # what # [{ of each channel
    of each batch element.

    ```mlir
    %y = kiln.}] # mnemonic # [{ %x : tensor<1x64x7x7xf32> -> tensor<1x64x1x1xf32>
    ```
  }];
  let arguments = (ins type:$input);
  let results = (outs type:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Kiln_GlobalAvgPoolOp : Kiln_GlobalPoolOp<"global_avg_pool",
                                             Kiln_FloatTensor, "average">;
def Kiln_GlobalMaxPoolOp : Kiln_GlobalPoolOp<"global_max_pool",
                                             Kiln_NumericTensor, "max">;

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

class Kiln_ReduceOp<string mnemonic, Type type, string what>
    : Kiln_Op<mnemonic, [Pure, SameOperandsAndResultElementType, Kiln_InferType,
                         Kiln_VJP]> {
  let summary = "Reduces the given axes by " # what;
  let description = [{
    Reduces `input` over `axes` (normalized, unique, non-empty) by }] # what # [{.
    With `keepdims` the reduced dims stay as size 1, otherwise they are dropped.

    ```mlir
    %y = kiln.}] # mnemonic # [{ %x {axes = array<i64: 1>, keepdims = true} : tensor<2x3xf32> -> tensor<2x1xf32>
    ```
  }];
  let arguments = (ins type:$input, DenseI64ArrayAttr:$axes,
                       DefaultValuedAttr<BoolAttr, "true">:$keepdims);
  let results = (outs type:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Kiln_ReduceSumOp : Kiln_ReduceOp<"reduce_sum", Kiln_NumericTensor, "sum">;
def Kiln_ReduceMeanOp : Kiln_ReduceOp<"reduce_mean", Kiln_FloatTensor, "mean">;
def Kiln_ReduceMaxOp : Kiln_ReduceOp<"reduce_max", Kiln_NumericTensor, "max">;
def Kiln_ReduceMinOp : Kiln_ReduceOp<"reduce_min", Kiln_NumericTensor, "min">;
def Kiln_ReduceProdOp : Kiln_ReduceOp<"reduce_prod", Kiln_NumericTensor,
                                      "product">;

def Kiln_ArgMaxOp : Kiln_Op<"argmax", [Pure, Kiln_InferType, Kiln_VJP]> {
  let summary = "Index of the maximum along one axis";
  let description = [{
    The i64 index of the largest element along `axis`; ties go to the first
    index, or to the last with `select_last_index`.

    ```mlir
    %i = kiln.argmax %x {axis = 1 : i64, keepdims = false} : tensor<2x10xf32> -> tensor<2xi64>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$input, I64Attr:$axis,
                       DefaultValuedAttr<BoolAttr, "true">:$keepdims,
                       DefaultValuedAttr<BoolAttr, "false">:$select_last_index);
  let results = (outs Kiln_I64Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

//===----------------------------------------------------------------------===//
// Normalization and softmax
//===----------------------------------------------------------------------===//

class Kiln_SoftmaxBase<string mnemonic, string what>
    : Kiln_Op<mnemonic, [Pure, Kiln_SameType, Kiln_VJP]> {
  let summary = what # " along one axis";
  let description = [{
    Computes }] # what # [{ along `axis`, in a numerically stable form
    (the maximum is subtracted first). On f16 and bf16 each step of ONNX's
    function body (x - max, exp, the sum, then the quotient, or the log and
    the difference) is rounded to the element type, as ONNX defines the op;
    the sum accumulates in f32.

    ```mlir
    %y = kiln.}] # mnemonic # [{ %x {axis = 1 : i64} : tensor<2x10xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Kiln_SoftmaxOp : Kiln_SoftmaxBase<"softmax", "softmax">;
def Kiln_LogSoftmaxOp : Kiln_SoftmaxBase<"log_softmax", "log-softmax">;

def Kiln_LayerNormOp : Kiln_Op<"layer_norm",
    [Pure, AllElementTypesMatch<["input", "scale", "output"]>, Kiln_InferType,
     Kiln_VJP]> {
  let summary = "Layer normalization over the trailing dims from `axis`";
  let description = [{
    Normalizes over dims `[axis, rank)`: `(x - mean) / sqrt(var + epsilon)`,
    then multiplies by `scale` and adds `bias` (if given). `scale` and `bias`
    broadcast to the normalized shape `input.shape[axis:]`.

    ```mlir
    %y = kiln.layer_norm %x, %g, %b {axis = 2 : i64, epsilon = 1.0e-05 : f64}
         : (tensor<2x8x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<2x8x64xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$scale,
                       Optional<Kiln_FloatTensor>:$bias, I64Attr:$axis,
                       DefaultValuedAttr<F64Attr, "1e-5">:$epsilon);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Kiln_BatchNormOp : Kiln_Op<"batch_norm",
    [Pure, SameOperandsElementType, SameOperandsAndResultElementType,
     Kiln_InferType, Kiln_VJP]> {
  let summary = "Batch normalization with running statistics (inference)";
  let description = [{
    For `input [N, C, ...]` and per-channel vectors of length C:
    `scale * (x - mean) / sqrt(variance + epsilon) + bias`.

    ```mlir
    %y = kiln.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-05 : f64}
         : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Kiln_FloatTensor:$scale,
                       Kiln_FloatTensor:$bias, Kiln_FloatTensor:$mean,
                       Kiln_FloatTensor:$variance,
                       DefaultValuedAttr<F64Attr, "1e-5">:$epsilon);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

class Kiln_DataOp<string mnemonic, list<Trait> traits = []>
    : Kiln_Op<mnemonic, !listconcat(
          [Pure, SameOperandsAndResultElementType, Kiln_InferType, Kiln_VJP],
          traits)> {
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Kiln_ReshapeOp : Kiln_DataOp<"reshape"> {
  let summary = "Same elements, new shape";
  let description = [{
    Reinterprets the row-major elements with `shape`. At most one entry may
    be -1: it is inferred from the element count. A 0 is a dim of size 0
    (ONNX's `allowzero = 1`); frontends resolve ONNX's default, where 0
    copies the input's dim.

    ```mlir
    %y = kiln.reshape %x {shape = array<i64: 3, -1>} : tensor<2x3xf32> -> tensor<3x2xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs Kiln_Tensor:$output);
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Kiln_TransposeOp : Kiln_DataOp<"transpose"> {
  let summary = "Permutes the dims";
  let description = [{
    `output.shape[i] = input.shape[perm[i]]`.

    ```mlir
    %y = kiln.transpose %x {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs Kiln_Tensor:$output);
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Kiln_ConcatOp : Kiln_Op<"concat",
    [Pure, SameOperandsAndResultElementType, Kiln_InferType, Kiln_VJP]> {
  let summary = "Joins tensors along one axis";
  let description = [{
    All inputs have the same rank and agree on every dim but `axis`.

    ```mlir
    %y = kiln.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
    ```
  }];
  let arguments = (ins Variadic<Kiln_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "$inputs attr-dict `:` functional-type($inputs, results)";
  let hasFolder = 1;
}

def Kiln_SplitOp : Kiln_Op<"split",
    [Pure, SameOperandsAndResultElementType, Kiln_InferType, Kiln_VJP]> {
  let summary = "Cuts a tensor along one axis into pieces of the given sizes";
  let description = [{
    `sizes` are non-negative and sum to the size of `axis`.

    ```mlir
    %a, %b = kiln.split %x {axis = 0 : i64, sizes = array<i64: 2, 3>} : tensor<5xf32> -> tensor<2xf32>, tensor<3xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, I64Attr:$axis,
                       DenseI64ArrayAttr:$sizes);
  let results = (outs Variadic<Kiln_Tensor>:$outputs);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($outputs)";
}

def Kiln_SliceOp : Kiln_DataOp<"slice"> {
  let summary = "Strided slice of every dim";
  let description = [{
    For each dim d: elements `starts[d], starts[d] + steps[d], ...` while
    before `ends[d]` (after it, for negative steps). Attributes are
    normalized by frontends: one entry per dim, `steps[d] != 0`, and for a
    positive step `0 <= start <= end <= size`, for a negative step
    `-1 <= end <= start < size`; an empty slice (`start == end`) may also
    start at `size`. So a non-empty slice never reads outside the dim.

    ```mlir
    %y = kiln.slice %x {ends = array<i64: 4, -1>, starts = array<i64: 0, 5>, steps = array<i64: 2, -1>}
         : tensor<4x6xf32> -> tensor<2x6xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$starts,
                       DenseI64ArrayAttr:$ends, DenseI64ArrayAttr:$steps);
  let results = (outs Kiln_Tensor:$output);
  let hasFolder = 1;
}

def Kiln_GatherOp : Kiln_Op<"gather",
    [Pure, AllElementTypesMatch<["data", "output"]>, Kiln_InferType, Kiln_VJP]> {
  let summary = "Picks slices of `data` along `axis` by index (ONNX Gather)";
  let description = [{
    `output.shape = data.shape[:axis] + indices.shape + data.shape[axis+1:]`.
    Negative indices count from the end. An index outside `[-size, size)` is
    clamped in generated code, which never reads out of bounds.

    ```mlir
    %y = kiln.gather %x, %i {axis = 0 : i64} : (tensor<10x4xf32>, tensor<3xi64>) -> tensor<3x4xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$data, Kiln_IndexTensor:$indices,
                       I64Attr:$axis);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Kiln_ScatterAddOp : Kiln_Op<"scatter_add",
    [Pure, AllElementTypesMatch<["dest", "updates", "output"]>,
     Kiln_InferType]> {
  let summary = "Adds slices of `updates` into `dest` along `axis` by index";
  let description = [{
    The adjoint of kiln.gather (Gather's backward op): `updates` has
    kiln.gather's output shape, `dest.shape[:axis] + indices.shape +
    dest.shape[axis+1:]`, and each of its slices is added to the slice of
    `dest` its index names:

    `output[o, indices[k], i] = dest[o, indices[k], i] + updates[o, k, i]`,
    summed over every `k` with the same index (`o` spans the dims before
    `axis`, `i` those after). Negative indices count from the end; an index
    outside `[-size, size)` adds nothing. Float tensors only.

    ```mlir
    %y = kiln.scatter_add %zeros, %i, %dy {axis = 0 : i64}
        : (tensor<10x4xf32>, tensor<3xi64>, tensor<3x4xf32>) -> tensor<10x4xf32>
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$dest, Kiln_IndexTensor:$indices,
                       Kiln_FloatTensor:$updates, I64Attr:$axis);
  let results = (outs Kiln_FloatTensor:$output);
  let assemblyFormat = "operands attr-dict `:` functional-type(operands, results)";
}

def Kiln_ExpandOp : Kiln_DataOp<"expand"> {
  let summary = "Broadcasts a tensor to a shape (ONNX Expand)";
  let description = [{
    The result shape is the NumPy broadcast of `input.shape` and `shape`
    (so a 1 in `shape` keeps the input's dim).

    ```mlir
    %y = kiln.expand %x {shape = array<i64: 2, 3>} : tensor<3xf32> -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs Kiln_Tensor:$output);
  let hasFolder = 1;
}

def Kiln_PadOp : Kiln_DataOp<"pad"> {
  let summary = "Pads every dim (constant, reflect, edge or wrap)";
  let description = [{
    `pads` holds the begin pad of every dim, then the end pad of every dim,
    all non-negative. `constant` fills with `value`; `reflect` mirrors
    without repeating the edge (needs `pad < size`); `edge` repeats it;
    `wrap` continues periodically, as if the dim were a ring (ONNX Pad-19's
    "torus": out[i] = in[(i - begin) mod size], any pad size, a non-empty
    dim).

    ```mlir
    %y = kiln.pad constant %x {pads = array<i64: 0, 1, 0, 1>, value = 0.0 : f64}
         : tensor<2x3xf32> -> tensor<2x5xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$pads,
                       DefaultValuedAttr<Kiln_PadMode,
                                         "::mlir::kiln::PadMode::constant">:$mode,
                       DefaultValuedAttr<F64Attr, "0.0">:$value);
  let results = (outs Kiln_Tensor:$output);
  let assemblyFormat = [{
    $mode $input attr-dict `:` type($input) `->` type($output)
  }];
  let hasFolder = 1;
}

def Kiln_FlattenOp : Kiln_DataOp<"flatten"> {
  let summary = "Collapses to 2-D around `axis`";
  let description = [{
    `[d0..d(axis-1)] x [d(axis)..]` -> a rank-2 tensor; `0 <= axis <= rank`.
    Canonicalizes to kiln.reshape.

    ```mlir
    %y = kiln.flatten %x {axis = 1 : i64} : tensor<2x3x4xf32> -> tensor<2x12xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, I64Attr:$axis);
  let results = (outs Kiln_Tensor:$output);
  let hasCanonicalizer = 1;
}

def Kiln_SqueezeOp : Kiln_DataOp<"squeeze"> {
  let summary = "Removes size-1 dims";
  let description = [{
    Drops the dims listed in `axes` (normalized to the input rank, unique,
    non-empty), each of which must have size 1. Unlike ONNX, no axes does not
    mean "every size-1 dim": frontends list those dims, which they can only
    do where the shape is known. Canonicalizes to kiln.reshape.

    ```mlir
    %y = kiln.squeeze %x {axes = array<i64: 0>} : tensor<1x3xf32> -> tensor<3xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$axes);
  let results = (outs Kiln_Tensor:$output);
  let hasCanonicalizer = 1;
}

def Kiln_UnsqueezeOp : Kiln_DataOp<"unsqueeze"> {
  let summary = "Inserts size-1 dims";
  let description = [{
    Inserts size-1 dims at `axes`, positions in the result (normalized to the
    result rank). Canonicalizes to kiln.reshape.

    ```mlir
    %y = kiln.unsqueeze %x {axes = array<i64: 0, 2>} : tensor<3xf32> -> tensor<1x3x1xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$axes);
  let results = (outs Kiln_Tensor:$output);
  let hasCanonicalizer = 1;
}

//===----------------------------------------------------------------------===//
// Resampling
//===----------------------------------------------------------------------===//

def Kiln_ResizeOp : Kiln_Op<"resize",
    [Pure, SameOperandsAndResultElementType, Kiln_InferType, Kiln_VJP]> {
  let summary = "Resamples every dim to a new size (ONNX Resize)";
  let description = [{
    ONNX Resize (opsets 10 to 19) with everything the frontend resolves made
    explicit: one entry per dim in `sizes` (the result shape) and `scales`
    (the scale the coordinate transform divides by), and for
    `tf_crop_and_resize` the `roi` of every dim (all starts, then all ends).
    A dim that is not resized has scale 1, its own size and roi [0, 1].
    As ONNX says, "it calculates every value in the output tensor as a
    weighted average of neighborhood (a.k.a. sampling locations) in the
    input tensor", one dim at a time.

    For each dim, with `in` and `out` its input and output sizes and
    `s = scales[d]`, output coordinate `x` reads input coordinate
    `x_original` (ONNX's `coordinate_transformation_mode` text):

    - `half_pixel`: `(x + 0.5) / s - 0.5`
    - `half_pixel_symmetric`: `offset + (x + 0.5) / s - 0.5`, where
      `offset = in / 2 * (1 - out / (s * in))`
    - `pytorch_half_pixel`: `out > 1 ? (x + 0.5) / s - 0.5 : 0`
    - `align_corners`: `s * in <= 1 ? 0 : x * (in - 1) / (s * in - 1)`, with
      `s * in` the resized length before rounding, as the operator's
      reference computes it (`out` itself when the frontend had sizes)
    - `asymmetric`: `x / s`
    - `tf_half_pixel_for_nearest`: `(x + 0.5) / s`
    - `tf_crop_and_resize`: `out > 1 ? start * (in - 1) + x * (end - start)
      * (in - 1) / (out - 1) : 0.5 * (start + end) * (in - 1)`; an output
      element any of whose coordinates falls outside `[0, in - 1]` is
      `extrapolation_value`.

    Coordinates are computed in f32 term by term as onnxruntime's CPU kernel
    does (it finishes half_pixel_symmetric in f64), so a coordinate that
    lands exactly on an element, or between two, rounds the same way.

    `nearest` reads the element at `x_original` rounded by `nearest_mode`
    ("round_prefer_floor (default, as known as round half down),
    round_prefer_ceil (as known as round half up), floor, ceil"), clamped to
    `[0, in - 1]`.

    `linear` and `cubic` weigh the elements `t` around `x_original` by a
    kernel `K((t - x_original) * a)`: linear `max(0, 1 - |d|)`, cubic the
    cubic convolution kernel with `A = cubic_coeff_a` ("Equation (4) in
    https://ieeexplore.ieee.org/document/1163711"). Elements past either end
    repeat the edge element. With `antialias`, `a = min(s, 1)` ("Antialiasing
    is achieved by stretching the resampling filter by a factor max(1, 1 /
    scale), which means that when downsampling, more input pixels contribute
    to an output pixel") and the weights are divided by their sum; without
    it `a = 1`.
    With `exclude_outside`, "the weight of sampling locations outside the
    tensor will be set to 0 and the weight will be renormalized so that
    their sum is 1.0". N-D linear and cubic are separable: bilinear,
    bicubic, and so on.

    `linear` and `cubic` need a floating-point tensor; `antialias` applies to
    them only.

    ```mlir
    %y = kiln.resize nearest %x coordinate_mode asymmetric nearest_mode floor
           {scales = array<f64: 1.0, 1.0, 2.0, 2.0>, sizes = array<i64: 1, 8, 20, 20>}
         : tensor<1x8x10x10xf32> -> tensor<1x8x20x20xf32>
    %z = kiln.resize linear %x {antialias = true, scales = array<f64: 1.0, 1.0, 0.5, 0.5>,
           sizes = array<i64: 1, 8, 5, 5>} : tensor<1x8x10x10xf32> -> tensor<1x8x5x5xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$input,
      DenseI64ArrayAttr:$sizes, DenseF64ArrayAttr:$scales,
      DefaultValuedAttr<Kiln_ResizeMode,
                        "::mlir::kiln::ResizeMode::nearest">:$mode,
      DefaultValuedAttr<Kiln_ResizeCoordinateMode,
          "::mlir::kiln::ResizeCoordinateMode::half_pixel">:$coordinate_mode,
      DefaultValuedAttr<Kiln_ResizeNearestMode,
          "::mlir::kiln::ResizeNearestMode::round_prefer_floor">:$nearest_mode,
      DefaultValuedAttr<F64Attr, "-0.75">:$cubic_coeff_a,
      DefaultValuedAttr<BoolAttr, "false">:$exclude_outside,
      DefaultValuedAttr<BoolAttr, "false">:$antialias,
      OptionalAttr<DenseF64ArrayAttr>:$roi,
      DefaultValuedAttr<F64Attr, "0.0">:$extrapolation_value);
  let results = (outs Kiln_NumericTensor:$output);
  let assemblyFormat = [{
    $mode $input (`coordinate_mode` $coordinate_mode^)?
    (`nearest_mode` $nearest_mode^)? attr-dict `:` type($input) `->` type($output)
  }];
}

def Kiln_GridSampleOp : Kiln_Op<"grid_sample", [Pure, Kiln_InferType]> {
  let summary = "Samples the input at the points of a grid (ONNX GridSample)";
  let description = [{
    ONNX GridSample (opsets 16, 20 and 22): `input` is `(N, C, D_1, ...,
    D_r)`, `grid` is `(N, O_1, ..., O_r, r)` and the result `(N, C, O_1,
    ..., O_r)`. Output element `(n, c, o...)` samples `input[n, c]` at the
    point `grid[n, o..., :]`, whose entries are normalized coordinates in
    reverse dim order ("x" first: `grid[..., 0]` indexes `D_r`).

    Per dim of size `D`, the normalized `g` becomes the input coordinate
    `x = (g + 1) / 2 * (D - 1)` with `align_corners` ("-1 and 1 refer to
    the centers of the corner pixels") and `x = ((g + 1) * D - 1) / 2`
    without it ("-1 and 1 refer to the outer edges of the corner pixels").
    `nearest` first rounds `x` half to even (as ONNX's reference and
    PyTorch do). A coordinate outside `[x_min, x_max]` (`[0, D - 1]` with
    `align_corners`, else `[-0.5, D - 0.5]`) is then clamped to `[0, D - 1]`
    (`border`) or reflected at `x_min` and `x_max` until it is inside
    (`reflection`); `zeros` leaves it.

    `nearest` reads the element at `x`; `linear` weighs elements
    `floor(x)` and `floor(x) + 1` by `1 - t` and `t` (`t = x - floor(x)`),
    `cubic` elements `floor(x) - 1` to `floor(x) + 2` by the cubic
    convolution kernel with `A = -0.75`, one dim at a time from the last.
    An element index outside `[0, D - 1]` reads 0 (`zeros`), the nearest
    edge element (`border`) or the element reflected at `x_min` and `x_max`
    (`reflection`). Coordinates and weights are computed in the compute
    type of the grid (f32 for f16 and bf16); the sums in that of the input.

    `linear` and `cubic` need a floating-point input.

    ```mlir
    %y = kiln.grid_sample linear %x, %grid padding_mode border {align_corners = true}
         : tensor<1x3x8x8xf32>, tensor<1x4x4x2xf32> -> tensor<1x3x4x4xf32>
    ```
  }];
  let arguments = (ins Kiln_NumericTensor:$input, Kiln_FloatTensor:$grid,
      DefaultValuedAttr<Kiln_ResizeMode, "::mlir::kiln::ResizeMode::linear">:$mode,
      DefaultValuedAttr<Kiln_GridSamplePaddingMode,
          "::mlir::kiln::GridSamplePaddingMode::zeros">:$padding_mode,
      DefaultValuedAttr<BoolAttr, "false">:$align_corners);
  let results = (outs Kiln_NumericTensor:$output);
  let assemblyFormat = [{
    $mode $input `,` $grid (`padding_mode` $padding_mode^)? attr-dict `:`
    type($input) `,` type($grid) `->` type($output)
  }];
}

//===----------------------------------------------------------------------===//
// Random
//===----------------------------------------------------------------------===//

def Kiln_DropoutOp : Kiln_Op<"dropout",
    [Pure, AttrSizedOperandSegments, Kiln_InferType, Kiln_VJP]> {
  let summary = "Dropout with a counter-based random mask (Philox 4x32-10)";
  let description = [{
    Training-mode dropout as ONNX Dropout and PyTorch compute it: each
    element is kept with probability `1 - ratio`, kept elements are scaled by
    `1 / (1 - ratio)` (rounded once to the element type), dropped ones are 0.
    `mask` is true where the element was kept.

    The mask is a pure function of (seed, `step`, `stream`, element index),
    so the backward code and a later run with the same step reproduce it
    exactly. The seed is the run-time `key` operand (rank-0 i64) when there
    is one, else the `seed` attribute. Element `i` (row-major linear index,
    below 2^32) draws Philox 4x32-10 (Salmon, Moraes, Dror and Shaw,
    "Parallel Random Numbers: As Easy as 1, 2, 3", SC 2011; the Random123
    library's philox4x32 with 10 rounds) with key
    `(seed mod 2^32, seed / 2^32)` and counter
    `(i, stream, step mod 2^32, step / 2^32)`, and keeps the element when
    the first output word `r0` satisfies `r0 >= ceil(ratio * 2^32)`.

    Without `step` the op is inference dropout: `output` is `input` and the
    mask is all true (a `key` needs a `step`). kiln-build-train-step gives
    the training step's dropouts the step counter and the seed of the
    training state.

    ```mlir
    %y, %mask = kiln.dropout %x step %step key %seed {ratio = 5.000000e-01 : f64, stream = 0 : i64}
        : (tensor<4x8xf32>, tensor<i64>, tensor<i64>) -> (tensor<4x8xf32>, tensor<4x8xi1>)
    ```
  }];
  let arguments = (ins Kiln_FloatTensor:$input, Optional<Kiln_I64Tensor>:$step,
                       Optional<Kiln_I64Tensor>:$key,
                       F64Attr:$ratio,
                       DefaultValuedAttr<I64Attr, "0">:$seed,
                       DefaultValuedAttr<I64Attr, "0">:$stream);
  let results = (outs Kiln_FloatTensor:$output, Kiln_BoolTensor:$mask);
  let assemblyFormat = [{
    $input (`step` $step^)? (`key` $key^)? attr-dict `:` functional-type(operands, results)
  }];
}

#endif // KILN_OPS_TD
