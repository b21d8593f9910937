//===- SignalOps.cpp - ONNX DFT, STFT and MelWeightMatrix -> kiln ---------===//
//
// DFT (opsets 17 and 20) and STFT (opset 17) as the operator text defines
// them, a direct sum per output bin: with the transformed axis moved next to
// the trailing [re, im] (or [re]) dim and the rest flattened, one kiln.matmul
// with a constant real matrix W[(n, c_in), (k, c_out)] of cosines and sines
// computes every bin at once:
//
//   forward    y[k] = sum_n x[n] e^(-2 pi i k n / L)
//   inverse    y[k] = 1/L sum_n x[n] e^(+2 pi i k n / L)
//   onesided   the forward bins k <= L / 2 of a real input (RFFT)
//   inverse +  onnx 1.23's IRFFT: bins k <= L / 2 of a Hermitian spectrum to
//   onesided   a real signal of length L (default 2 * (bins - 1)); each bin
//              but 0 and L / 2 stands for itself and its conjugate mirror,
//              so it counts twice
//
// L is dft_length (default: the axis' length); a longer L zero-pads the
// signal (W has no rows for the missing samples), a shorter one reads its
// first L samples. The sum is O(L^2) per row, exact enough (f64 stays f64;
// f16 and bf16 are computed in f32 and rounded once): the sizes ONNX models
// transform are small. STFT gathers its frames [B, frames, frame_length, c]
// with one kiln.gather, multiplies the window in and transforms the frame
// axis the same way. MelWeightMatrix (opset 17), whose inputs are all
// compile-time constants, is a constant filter bank computed at import.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/ONNXImporter.h"

#include "ir/KilnOps.h"

#include <cmath>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;

namespace {

/// What one transform computes.
struct DftPlan {
  int64_t axis;   // in [0, rank - 2]
  int64_t length; // L
  bool inverse;
  bool onesided;
};

/// cos and sin of 2 pi m / L, exact at the multiples of a quarter turn (so
/// that the IRFFT's ignored imaginary parts of bins 0 and L / 2 meet a zero).
std::pair<double, double> twiddle(int64_t m, int64_t length) {
  m %= length;
  if (m == 0)
    return {1, 0};
  if (2 * m == length)
    return {-1, 0};
  if (4 * m == length)
    return {0, 1};
  if (4 * m == 3 * length)
    return {0, -1};
  double angle = 2 * M_PI * double(m) / double(length);
  return {std::cos(angle), std::sin(angle)};
}

/// W [rows * cin, bins * cout] in element type `t` for `p`, reading `rows`
/// samples (bins for the IRFFT) with `cin` parts each.
Value twiddleMatrix(NodeImporter &n, const DftPlan &p, int64_t rows,
                    int64_t cin, int64_t bins, int64_t cout, FloatType t) {
  int64_t cols = bins * cout;
  SmallVector<double> w(rows * cin * cols, 0.0);
  double scale = p.inverse ? 1.0 / double(p.length) : 1.0;
  bool irfft = p.inverse && p.onesided;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t k = 0; k < bins; ++k) {
      auto [cs, sn] = twiddle(r * k, p.length);
      double *re = &w[(r * cin) * cols + k * cout]; // from x.re
      double *im = cin == 2 ? re + cols : nullptr;  // from x.im
      if (irfft) {
        // Row r is bin r, column k the sample k: Re(X e^{+i theta}) / L,
        // doubled for the bins that stand for their mirror too.
        bool single = r == 0 || 2 * r == p.length;
        double f = (single ? 1.0 : 2.0) * scale;
        re[0] = f * cs;
        if (im)
          im[0] = -f * sn;
        continue;
      }
      // e^{-i theta} forward, e^{+i theta} / L inverse.
      double s = p.inverse ? sn : -sn;
      re[0] = scale * cs;
      re[1] = scale * s;
      if (im) {
        im[0] = -scale * s;
        im[1] = scale * cs;
      }
    }
  SmallVector<APFloat> values;
  values.reserve(w.size());
  for (double v : w) {
    APFloat f(v);
    bool lost;
    f.convert(t.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
    values.push_back(f);
  }
  return n.constant(DenseElementsAttr::get(
      RankedTensorType::get({rows * cin, cols}, t), values));
}

/// The transform `p` of `x` (static [..., c], c = 1 or 2) along p.axis.
Value transform(OpChain &c, Value x, const DftPlan &p) {
  if (!c.ok)
    return {};
  NodeImporter &n = c.n;
  auto type = cast<RankedTensorType>(x.getType());
  auto elem = cast<FloatType>(type.getElementType());
  // f16 and bf16 are summed in f32 and rounded once at the end.
  FloatType work = elem.getWidth() < 32 ? Float32Type::get(n.context()) : elem;
  int64_t rank = type.getRank(), cin = type.getDimSize(rank - 1);
  int64_t size = type.getDimSize(p.axis);
  bool irfft = p.inverse && p.onesided;
  int64_t bins = irfft ? p.length : (p.onesided ? p.length / 2 + 1 : p.length);
  int64_t cout = irfft ? 1 : 2;
  // Samples (IRFFT: input bins) the sum reads; the rest of W is zero rows.
  int64_t rows = std::min(size, irfft ? p.length / 2 + 1 : p.length);
  if (rows < size) {
    SmallVector<int64_t> starts(rank, 0), ends(type.getShape()), steps(rank, 1);
    ends[p.axis] = rows;
    x = c.op("kiln.slice", x,
             {n.namedI64s("starts", starts), n.namedI64s("ends", ends),
              n.namedI64s("steps", steps)});
  }
  x = c.cast(x, work);
  // [others..., rows, cin], the axis moved next to the parts.
  SmallVector<int64_t> perm;
  for (int64_t d = 0; d < rank - 1; ++d)
    if (d != p.axis)
      perm.push_back(d);
  perm.append({p.axis, rank - 1});
  bool moved = p.axis != rank - 2;
  if (moved)
    x = c.op("kiln.transpose", x, {n.namedI64s("perm", perm)});
  SmallVector<int64_t> others;
  int64_t m = 1;
  for (int64_t d : ArrayRef<int64_t>(perm).drop_back(2)) {
    others.push_back(type.getDimSize(d));
    m *= type.getDimSize(d);
  }
  Value w = twiddleMatrix(n, p, rows, cin, bins, cout, work);
  Value y = c.op("kiln.matmul", {c.reshape(x, {m, rows * cin}), w});
  SmallVector<int64_t> shape = others;
  shape.append({bins, cout});
  y = c.reshape(y, shape);
  if (moved) {
    SmallVector<int64_t> back(rank);
    for (int64_t i = 0; i < rank; ++i)
      back[perm[i]] = i;
    y = c.op("kiln.transpose", y, {n.namedI64s("perm", back)});
  }
  return c.cast(y, elem);
}

/// X of static shape [..., 1 or 2] and a float element type, rank >= 2.
LogicalResult checkSignal(NodeImporter &n, StringRef what) {
  RankedTensorType x = n.inputType(0);
  if (!x.hasStaticShape() || x.getRank() < 2 ||
      (x.getShape().back() != 1 && x.getShape().back() != 2) ||
      !isa<FloatType>(x.getElementType()))
    return n.error() << "expects '" << what
                     << "' of a floating-point type and static shape "
                        "[..., 1] (real) or [..., 2] (complex), got "
                     << x;
  return success();
}

/// A constant scalar int input (dft_length, frame_step, ...) that is >= 1.
FailureOr<int64_t> positiveScalar(NodeImporter &n, unsigned i, StringRef what) {
  FailureOr<SmallVector<int64_t>> v = n.constantInts(i, what);
  if (failed(v))
    return failure();
  if (v->size() != 1 || (*v)[0] < 1)
    return n.error() << "input '" << what << "' must be one positive value";
  return (*v)[0];
}

LogicalResult importDFT(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  bool inverse = a.getBool("inverse", false);
  bool onesided = a.getBool("onesided", false);
  // Opset 20 made the axis an input (default -2); before it was an
  // attribute (default 1).
  bool axisInput = n.opset() >= 20;
  int64_t axis = axisInput ? -2 : a.getInt("axis", 1);
  if (axisInput &&
      failed(a.rejectIfPresent("axis", "is the input 'axis' from opset 20")))
    return failure();
  if (failed(n.checkArity(1, axisInput ? 3 : 2)) || failed(a.status()) ||
      failed(checkSignal(n, "input")))
    return failure();
  if (axisInput && n.hasInput(2)) {
    FailureOr<SmallVector<int64_t>> v = n.constantInts(2, "axis");
    if (failed(v))
      return failure();
    if (v->size() != 1)
      return n.error() << "input 'axis' must be one value";
    axis = (*v)[0];
  }
  RankedTensorType x = n.inputType(0);
  int64_t rank = x.getRank();
  // The last dim holds the parts and is no signal axis.
  int64_t normalized = axis < 0 ? axis + rank : axis;
  if (normalized < 0 || normalized > rank - 2)
    return n.error() << (axisInput ? "input" : "attribute")
                     << " 'axis' = " << axis << " must be in [-" << rank
                     << ", -2] or [0, " << rank - 2 << "] for input " << x;
  bool complex = x.getShape().back() == 2;
  if (onesided && complex && !inverse)
    return n.error() << "attribute 'onesided' needs a real input [..., 1] "
                        "(a complex input has no onesided DFT), got "
                     << x;
  int64_t size = x.getDimSize(normalized);
  // The IRFFT's input holds bins 0..L/2 of a signal of even length by
  // default.
  int64_t length = inverse && onesided ? 2 * (size - 1) : size;
  if (n.hasInput(1)) {
    FailureOr<int64_t> l = positiveScalar(n, 1, "dft_length");
    if (failed(l))
      return failure();
    length = *l;
  }
  if (length < 1)
    return n.error() << "an inverse onesided DFT of " << size
                     << " bins needs 'dft_length' (the default 2 * (" << size
                     << " - 1) is empty)";
  if (length * length > kMaxComputedElements)
    return n.error() << "dft_length " << length
                     << " is too long for Kiln's direct O(n^2) sum";
  OpChain c{n};
  return c.output(
      0, transform(c, n.input(0), {normalized, length, inverse, onesided}));
}

LogicalResult importSTFT(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  bool onesided = a.getBool("onesided", true);
  if (failed(n.checkArity(2, 4)) || failed(a.status()) ||
      failed(checkSignal(n, "signal")))
    return failure();
  RankedTensorType x = n.inputType(0);
  if (x.getRank() != 3)
    return n.error() << "expects 'signal' [batch, length, 1 or 2], got " << x;
  if (onesided && x.getDimSize(2) == 2)
    return n.error() << "attribute 'onesided' = 1 (the default) needs a real "
                        "signal [batch, length, 1], got "
                     << x;
  FailureOr<int64_t> step = positiveScalar(n, 1, "frame_step");
  if (failed(step))
    return failure();
  int64_t length = x.getDimSize(1);
  std::optional<int64_t> frameLength;
  if (n.hasInput(3)) {
    FailureOr<int64_t> l = positiveScalar(n, 3, "frame_length");
    if (failed(l))
      return failure();
    frameLength = *l;
  }
  if (n.hasInput(2)) {
    RankedTensorType w = n.inputType(2);
    if (w.getRank() != 1 || w.isDynamicDim(0) ||
        w.getElementType() != x.getElementType() ||
        (frameLength && w.getDimSize(0) != *frameLength))
      return n.error() << "expects 'window' of " << x.getElementType() << " ["
                       << (frameLength ? std::to_string(*frameLength)
                                       : std::string("frame_length"))
                       << "], got " << w;
    frameLength = w.getDimSize(0);
  }
  int64_t fl = frameLength.value_or(length);
  if (fl > length)
    return n.error() << "the frame length " << fl
                     << " is longer than the signal " << x;
  if (fl * fl > kMaxComputedElements)
    return n.error() << "frame length " << fl
                     << " is too long for Kiln's direct O(n^2) sum";
  int64_t frames = 1 + (length - fl) / *step;
  // Sample indices [frames, fl] of every frame, gathered along the signal.
  SmallVector<int64_t> idx;
  for (int64_t f = 0; f < frames; ++f)
    for (int64_t t = 0; t < fl; ++t)
      idx.push_back(f * *step + t);
  Value indices = n.constant(DenseElementsAttr::get(
      RankedTensorType::get({frames, fl}, n.b().getI64Type()),
      ArrayRef<int64_t>(idx)));
  OpChain c{n};
  Value framed =
      c.op("kiln.gather", {n.input(0), indices}, {n.namedI64("axis", 1)});
  if (n.hasInput(2))
    framed = c.op("kiln.mul", {framed, c.reshape(n.input(2), {1, 1, fl, 1})});
  return c.output(0, transform(c, framed, {2, fl, false, onesided}));
}

/// MelWeightMatrix's filter bank, [dft_length / 2 + 1, num_mel_bins], as
/// onnx's reference and test generator compute it (the operator text leaves
/// the details to them): num_mel_bins + 2 points evenly spaced on the mel
/// scale mel(f) = 2595 log10(1 + f / 700) from lower to upper edge (the step
/// is the range / (num_mel_bins + 2)), each mapped back to hertz and to the
/// spectrogram bin floor((dft_length + 1) f / sample_rate); band i rises
/// linearly from point i to point i + 1 (peak 1) and falls to point i + 2.
FailureOr<SmallVector<double>> melFilters(NodeImporter &n, int64_t mels,
                                          int64_t dftLength, double rate,
                                          double lower, double upper) {
  int64_t bins = dftLength / 2 + 1;
  double low = 2595 * std::log1p(lower / 700) / std::log(10.0);
  double high = 2595 * std::log1p(upper / 700) / std::log(10.0);
  double step = (high - low) / double(mels + 2);
  SmallVector<int64_t> points;
  for (int64_t i = 0; i < mels + 2; ++i) {
    double hertz = 700 * std::expm1((i * step + low) / 2595 * std::log(10.0));
    double bin = std::floor(double(dftLength + 1) * hertz / rate);
    if (!(bin >= 0 && bin < double(bins)))
      return n.error() << "the mel band edge " << hertz
                       << " Hz falls outside the " << bins
                       << " spectrogram bins of dft_length " << dftLength;
    points.push_back(int64_t(bin));
  }
  SmallVector<double> w(bins * mels, 0.0);
  for (int64_t i = 0; i < mels; ++i) {
    int64_t left = points[i], center = points[i + 1], right = points[i + 2];
    if (center == left)
      w[center * mels + i] = 1;
    for (int64_t j = left; center > left && j <= center; ++j)
      w[j * mels + i] = double(j - left) / double(center - left);
    for (int64_t j = center; j < right; ++j)
      w[j * mels + i] = double(right - j) / double(right - center);
  }
  return w;
}

LogicalResult importMelWeightMatrix(NodeImporter &n) {
  int64_t dtype = n.attrs().getInt("output_datatype", 1);
  if (failed(n.checkArity(5, 5)) || failed(n.attrs().status()))
    return failure();
  Type t = elementTypeFor(n.context(), static_cast<int32_t>(dtype));
  if (!t ||
      !(isa<FloatType>(t) || t.isSignlessInteger() || t.isUnsignedInteger()) ||
      t.isInteger(1) || t.getIntOrFloatBitWidth() < 8)
    return n.error() << "attribute 'output_datatype' = " << dtype
                     << " is not a numeric type Kiln supports here";
  // The inputs decide the output's shape and values: all are constants.
  FailureOr<double> mels = n.constantScalar(0, "num_mel_bins");
  FailureOr<double> length = n.constantScalar(1, "dft_length");
  FailureOr<double> rate = n.constantScalar(2, "sample_rate");
  FailureOr<double> lower = n.constantScalar(3, "lower_edge_hertz");
  FailureOr<double> upper = n.constantScalar(4, "upper_edge_hertz");
  if (failed(mels) || failed(length) || failed(rate) || failed(lower) ||
      failed(upper))
    return failure();
  if (*mels < 1 || *length < 1 || *rate <= 0 || *lower < 0 || *upper < *lower ||
      *mels * (*length / 2 + 1) > kMaxComputedElements)
    return n.error() << "expects positive 'num_mel_bins', 'dft_length' and "
                        "'sample_rate' (at most "
                     << kMaxComputedElements
                     << " weights) and 0 <= 'lower_edge_hertz' <= "
                        "'upper_edge_hertz'";
  int64_t m = int64_t(*mels), l = int64_t(*length);
  FailureOr<SmallVector<double>> w = melFilters(n, m, l, *rate, *lower, *upper);
  if (failed(w))
    return failure();
  auto type = RankedTensorType::get({l / 2 + 1, m}, t);
  DenseElementsAttr value;
  if (auto ft = dyn_cast<FloatType>(t)) {
    SmallVector<APFloat> values;
    for (double v : *w) {
      APFloat f(v);
      bool lost;
      f.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
      values.push_back(f);
    }
    value = DenseElementsAttr::get(type, values);
  } else {
    // As numpy's astype: weights in [0, 1] truncate to 0, peaks stay 1.
    SmallVector<APInt> values;
    for (double v : *w)
      values.push_back(APInt(t.getIntOrFloatBitWidth(), uint64_t(v)));
    value = DenseElementsAttr::get(type, values);
  }
  n.setOutput(0, n.constant(value));
  return success();
}

} // namespace

void onnx_import::registerSignalOps(OpTable &t) {
  t.add("DFT", 17, importDFT);
  t.add("MelWeightMatrix", 17, importMelWeightMatrix);
  t.add("STFT", 17, importSTFT);
}
