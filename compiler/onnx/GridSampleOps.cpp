//===- GridSampleOps.cpp - ONNX GridSample -> kiln.grid_sample ------------===//
//
// GridSample-16 samples 4-D inputs by modes bilinear, nearest and bicubic;
// GridSample-20 renamed them linear, nearest and cubic and allowed any number
// of spatial dims (the volumetric 5-D form among them); 22 widened the types.
// Every version maps onto kiln.grid_sample's attributes one to one.
//
// AffineGrid (opset 20), the grids GridSample reads, is composed of kiln ops:
// for theta [N, r, r + 1] (r = 2 or 3 spatial dims) and the output size
// [N, C, (D,) H, W] (a compile-time constant), grid[n, (d,) h, w, k] =
// theta[n, k, 0] * x[w] + theta[n, k, 1] * y[h] (+ theta[n, k, 2] * z[d])
// + theta[n, k, r], where x, y, z are 1-D constants of evenly spaced points
// in [-1, 1]: the pixel centers -1 + (2i + 1) / L, or with align_corners
// the corners -1 + 2i / (L - 1) (-1 for L = 1: so the function body does for
// D, and onnx's reference and PyTorch for every dim; the body's H and W
// would divide by zero). This is the function body's matmul of theta with
// the homogeneous base grid, written as broadcasts so that no constant grows
// with the output.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/ONNXImporter.h"

#include "ir/KilnOps.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;

namespace {

LogicalResult importGridSample(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  bool since20 = n.opset() >= 20;
  // The same three interpolations under both spellings, in ResizeMode's
  // order (nearest, linear, cubic).
  unsigned mode =
      since20 ? a.getChoice("mode", "linear", {"nearest", "linear", "cubic"})
              : a.getChoice("mode", "bilinear",
                            {"nearest", "bilinear", "bicubic"});
  unsigned padding = a.getChoice("padding_mode", "zeros",
                                 {"zeros", "border", "reflection"});
  bool align = a.getBool("align_corners", false);
  if (failed(n.checkArity(2, 2)) || failed(a.status()))
    return failure();
  RankedTensorType x = n.inputType(0), grid = n.inputType(1);
  if (!since20 && x.getRank() != 4)
    return n.error() << "input 'X' " << x
                     << " must be 4-D (N, C, H, W) before opset 20, which "
                        "adds other ranks";
  if (grid.getRank() != x.getRank())
    return n.error() << "input 'grid' " << grid << " must have the rank of "
                     << "input 'X' " << x;

  OpBuilder &b = n.b();
  SmallVector<NamedAttribute> attrs = {
      b.getNamedAttr("mode", b.getI32IntegerAttr(mode))};
  if (padding != 0)
    attrs.push_back(
        b.getNamedAttr("padding_mode", b.getI32IntegerAttr(padding)));
  if (align)
    attrs.push_back(n.namedBool("align_corners", true));
  FailureOr<Value> y =
      n.create("kiln.grid_sample", ValueRange{n.input(0), n.input(1)}, attrs);
  if (failed(y))
    return failure();
  n.setOutput(0, *y);
  return success();
}

/// The L points of one spatial dim as a constant of `shape` (all ones but
/// L at one dim), computed in `t` step by step as the function body does:
/// start + i * step with step = 2 / L and start = -1 + step / 2, or with
/// align_corners step = 2 / (L - 1) (0 for L = 1) and start = -1.
Value gridPoints(NodeImporter &n, int64_t length, bool alignCorners,
                 ArrayRef<int64_t> shape, FloatType t) {
  const llvm::fltSemantics &sem = t.getFloatSemantics();
  auto inT = [&](double v) {
    APFloat r(v);
    bool lost;
    r.convert(sem, APFloat::rmNearestTiesToEven, &lost);
    return r;
  };
  APFloat two = inT(2), step = inT(0), start = inT(-1);
  if (!alignCorners) {
    step = two / inT(static_cast<double>(length));
    start = inT(-1) + step / two;
  } else if (length > 1) {
    step = two / inT(static_cast<double>(length - 1));
  }
  SmallVector<APFloat> points;
  for (int64_t i = 0; i < length; ++i)
    points.push_back(start + inT(static_cast<double>(i)) * step);
  return n.constant(
      DenseElementsAttr::get(RankedTensorType::get(shape, t), points));
}

LogicalResult importAffineGrid(NodeImporter &n) {
  bool align = n.attrs().getBool("align_corners", false);
  if (failed(n.checkArity(2, 2)) || failed(n.attrs().status()))
    return failure();
  RankedTensorType theta = n.inputType(0);
  auto t = dyn_cast<FloatType>(theta.getElementType());
  if (!t || !theta.hasStaticShape() || theta.getRank() != 3 ||
      (theta.getDimSize(1) != 2 && theta.getDimSize(1) != 3) ||
      theta.getDimSize(2) != theta.getDimSize(1) + 1)
    return n.error() << "expects 'theta' of a float type and static shape "
                        "[N, 2, 3] or [N, 3, 4], got "
                     << theta;
  int64_t batch = theta.getDimSize(0), r = theta.getDimSize(1);
  FailureOr<SmallVector<int64_t>> size = n.constantInts(1, "size");
  if (failed(size))
    return failure();
  // size is [N, C, (D,) H, W]: its spatial dims, in order.
  ArrayRef<int64_t> spatial = ArrayRef(*size).drop_front(2);
  if (size->size() != static_cast<size_t>(r + 2) || (*size)[0] != batch ||
      (*size)[1] < 0 || llvm::any_of(spatial, [](int64_t d) { return d < 1; }))
    return n.error() << "input 'size' must be [" << batch << ", C, "
                     << (r == 3 ? "D, " : "") << "H, W] with positive H, W"
                     << (r == 3 ? ", D" : "") << " for 'theta' " << theta;
  SmallVector<int64_t> shape = {batch};
  shape.append(spatial.begin(), spatial.end());
  shape.push_back(r);
  if (!checkedNumElements(shape))
    return n.error() << "the grid of input 'size' is too large";

  OpChain c{n};
  // theta[:, :, j] as [N, 1, .., 1, r], against the grid's [N, .., r].
  SmallVector<int64_t> column(r + 2, 1);
  column.front() = batch;
  column.back() = r;
  auto thetaColumn = [&](int64_t j) {
    return c.reshape(
        c.op("kiln.slice", n.input(0),
             {n.namedI64s("starts", {0, 0, j}),
              n.namedI64s("ends", {batch, r, j + 1}),
              n.namedI64s("steps", {1, 1, 1})}),
        column);
  };
  Value grid = thetaColumn(r); // the translation
  for (int64_t j = 0; j < r; ++j) {
    // Coordinate j (x, y, z) varies along spatial dim r - 1 - j (W, H, D).
    int64_t dim = r - 1 - j;
    SmallVector<int64_t> pointsShape(r + 2, 1);
    pointsShape[1 + dim] = spatial[dim];
    Value points = gridPoints(n, spatial[dim], align, pointsShape, t);
    grid = c.op("kiln.add",
                {grid, c.op("kiln.mul", {thetaColumn(j), points})});
  }
  return c.output(0, grid);
}

} // namespace

void onnx_import::registerGridSampleOps(OpTable &t) {
  t.add("GridSample", 16, importGridSample);
  t.add("AffineGrid", 20, importAffineGrid);
}
