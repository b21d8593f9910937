//===- DetOps.cpp - ONNX Det -> kiln --------------------------------------===//
//
// Det (opset 11) of static [*, M, M] matrices by LU factorization with
// partial pivoting (what LAPACK's getrf, behind numpy.linalg.det, does),
// unrolled over the M - 1 elimination steps in kiln ops on the whole batch
// [B, M, M] at once. Step k:
//
//   p      argmax |A[k:, k]| (the first on ties), as a one-hot row mask
//   swap   rows k and k + p by selects (exact: no arithmetic on the rows);
//          the sign flips where p != 0
//   elim   A[k+1:, :] -= (A[k+1:, k] / A[k, k]) * A[k, :]; a zero pivot
//          means the column is zero from row k down, so nothing is
//          eliminated (divide by 1) and the determinant comes out 0
//
// then det = sign * prod(diag(A)). f16 and bf16 are factored in f32 and
// rounded once. Unrolling keeps this a composition of existing kiln ops; the
// op count grows with M, so M is limited to kMaxDetSize.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/ONNXImporter.h"

#include "ir/KilnOps.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;

namespace {

/// The largest M Det unrolls (each step is about 20 kiln ops).
constexpr int64_t kMaxDetSize = 64;

/// kiln.slice of `v` [B, M, M] to rows [r0, r1) and columns [c0, c1).
Value block(OpChain &c, Value v, int64_t r0, int64_t r1, int64_t c0,
            int64_t c1) {
  if (!c.ok)
    return {};
  int64_t b = cast<RankedTensorType>(v.getType()).getDimSize(0);
  return c.op("kiln.slice", v,
              {c.n.namedI64s("starts", {0, r0, c0}),
               c.n.namedI64s("ends", {b, r1, c1}),
               c.n.namedI64s("steps", {1, 1, 1})});
}

/// A constant bool [1, m, 1] (`column`) or [1, m, m] mask.
Value mask(NodeImporter &n, ArrayRef<int64_t> shape,
           llvm::function_ref<bool(int64_t, int64_t)> on) {
  SmallVector<bool> bits;
  int64_t rows = shape[1], cols = shape[2];
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j)
      bits.push_back(on(i, j));
  return n.constant(DenseElementsAttr::get(
      RankedTensorType::get(shape, n.b().getI1Type()), ArrayRef<bool>(bits)));
}

/// One elimination step k on `a` [B, M, M]; `sign` [B, 1, 1] flips when
/// rows are swapped.
void eliminate(OpChain &c, Value &a, Value &sign, int64_t k, int64_t m,
               Type t) {
  NodeImporter &n = c.n;
  int64_t b = cast<RankedTensorType>(a.getType()).getDimSize(0);
  auto eq = static_cast<uint32_t>(ComparePredicate::eq);
  // The pivot row k + p: p the first largest |A[k:, k]|.
  Value column = c.reshape(block(c, a, k, m, k, k + 1), {b, m - k});
  Value p = c.op("kiln.argmax", c.op("kiln.abs", column),
                 {n.namedI64("axis", 1), n.namedBool("keepdims", true)});
  SmallVector<int64_t> rowIds;
  for (int64_t i = 0; i < m; ++i)
    rowIds.push_back(i - k);
  Value ids = n.constant(
      DenseElementsAttr::get(RankedTensorType::get({1, m}, n.b().getI64Type()),
                             ArrayRef<int64_t>(rowIds)));
  Value isP = c.reshape(c.compare(eq, ids, p), {b, m, 1});
  Value isK = mask(n, {1, m, 1}, [&](int64_t i, int64_t) { return i == k; });
  Value zero = c.scalar(t, 0);
  // Row k + p by summing it with zeros (exact), then the swap by selects.
  Value rowP = c.sum(c.op("kiln.select", {isP, a, zero}), {1}, true);
  Value rowK = block(c, a, k, k + 1, 0, m);
  a = c.op("kiln.select", {isP, rowK, a});
  a = c.op("kiln.select", {isK, rowP, a});
  Value swapped = c.reshape(
      c.op("kiln.not", c.compare(eq, p, c.scalar(n.b().getI64Type(), 0))),
      {b, 1, 1});
  sign = c.op("kiln.select", {swapped, c.op("kiln.neg", sign), sign});
  // Rows below k minus their multiple of row k.
  Value pivot = block(c, a, k, k + 1, k, k + 1);
  Value safe =
      c.op("kiln.select", {c.compare(eq, pivot, zero), c.scalar(t, 1), pivot});
  Value factors = c.op("kiln.div", {block(c, a, k + 1, m, k, k + 1), safe});
  Value pivotRow = block(c, a, k, k + 1, 0, m);
  Value lower = c.op("kiln.sub", {block(c, a, k + 1, m, 0, m),
                                  c.op("kiln.mul", {factors, pivotRow})});
  a = c.op("kiln.concat", {block(c, a, 0, k + 1, 0, m), lower},
           {n.namedI64("axis", 1)});
}

LogicalResult importDet(NodeImporter &n) {
  if (failed(n.checkArity(1, 1)))
    return failure();
  RankedTensorType x = n.inputType(0);
  int64_t rank = x.getRank();
  if (!x.hasStaticShape() || rank < 2 ||
      x.getDimSize(rank - 1) != x.getDimSize(rank - 2) ||
      x.getDimSize(rank - 1) < 1 || !isa<FloatType>(x.getElementType()))
    return n.error() << "expects a floating-point X of static shape [*, M, M], "
                        "got "
                     << x;
  int64_t m = x.getDimSize(rank - 1);
  if (m > kMaxDetSize)
    return n.error() << "Kiln unrolls the LU factorization of Det; matrices "
                        "larger than "
                     << kMaxDetSize << "x" << kMaxDetSize
                     << " are not supported, got " << x;
  ArrayRef<int64_t> batchShape = x.getShape().drop_back(2);
  int64_t b = 1;
  for (int64_t d : batchShape)
    b *= d;
  auto elem = cast<FloatType>(x.getElementType());
  Type t = elem.getWidth() < 32 ? Float32Type::get(n.context()) : elem;
  OpChain c{n};
  Value a = c.cast(c.reshape(n.input(0), {b, m, m}), t);
  Value sign = n.constant(
      DenseElementsAttr::get(RankedTensorType::get({b, 1, 1}, t),
                             cast<TypedAttr>(n.b().getFloatAttr(t, 1))));
  for (int64_t k = 0; k + 1 < m && c.ok; ++k)
    eliminate(c, a, sign, k, m, t);
  Value diagonal =
      mask(n, {1, m, m}, [](int64_t i, int64_t j) { return i == j; });
  Value diag =
      c.sum(c.op("kiln.select", {diagonal, a, c.scalar(t, 0)}), {2}, false);
  Value det =
      c.op("kiln.mul",
           {c.reshape(sign, {b}),
            c.op("kiln.reduce_prod", diag,
                 {n.namedI64s("axes", {1}), n.namedBool("keepdims", false)})});
  return c.output(0, c.cast(c.reshape(det, batchShape), elem));
}

} // namespace

void onnx_import::registerDetOps(OpTable &t) { t.add("Det", 11, importDet); }
