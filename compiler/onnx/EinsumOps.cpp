//===- EinsumOps.cpp - ONNX Einsum -> kiln ----------------------------------===//
//
// Einsum of one or two operands as kiln transposes, reshapes, sums and one
// batched kiln.matmul: labels repeated within an operand take its diagonal
// (an identity mask and a sum), labels in one operand only and not in the
// output are summed first, and then a single operand is transposed to the
// output's order while two are contracted as
//
//   A: [batch, left, contracted] x B: [batch, contracted, right]
//
// (each group flattened to one dim), reshaped and transposed to the output.
// "..." stands for the leading dims not named by letters, broadcast right
// aligned as NumPy does, but every label (these included) must have one size
// in every operand. Three or more operands are refused.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/ONNXImporter.h"

#include "ir/KilnOps.h"
#include "ir/Shapes.h"

#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;

namespace {

/// A label: a letter's code, or 256 + i for dim i of the ellipsis.
using Label = int;
constexpr Label kEllipsisBase = 256;

/// One operand or the output, as labels; `ellipsis` is where "..." stood.
struct Term {
  SmallVector<Label> labels;
  std::optional<size_t> ellipsis;
};

FailureOr<Term> parseTerm(NodeImporter &n, StringRef text) {
  Term t;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text.substr(i).starts_with("...")) {
      if (t.ellipsis)
        return n.error() << "equation term '" << text
                         << "' has more than one '...'";
      t.ellipsis = t.labels.size();
      i += 2;
      continue;
    }
    if (!llvm::isAlpha(text[i]))
      return n.error() << "equation term '" << text
                       << "' has a character that is no letter: '" << text[i]
                       << "'";
    t.labels.push_back(static_cast<unsigned char>(text[i]));
  }
  return t;
}

/// The term's labels with "..." replaced by the last `rank - letters` of
/// `ellipsisDims` ellipsis labels.
SmallVector<Label> expand(const Term &t, int64_t ellipsisRank,
                          int64_t ellipsisDims) {
  SmallVector<Label> out(t.labels.begin(), t.labels.end());
  if (!t.ellipsis)
    return out;
  SmallVector<Label> dots;
  for (int64_t i = ellipsisDims - ellipsisRank; i < ellipsisDims; ++i)
    dots.push_back(kEllipsisBase + i);
  out.insert(out.begin() + *t.ellipsis, dots.begin(), dots.end());
  return out;
}

/// An operand being reduced to what the contraction needs.
struct Operand {
  Value value;
  SmallVector<Label> labels;

  ArrayRef<int64_t> shape() const {
    return cast<RankedTensorType>(value.getType()).getShape();
  }
};

/// Takes the diagonal of every label repeated within the operand.
void takeDiagonals(OpChain &c, Operand &x) {
  for (size_t p = 0; p < x.labels.size(); ++p) {
    for (size_t q = p + 1; q < x.labels.size(); ++q) {
      if (x.labels[p] != x.labels[q])
        continue;
      int64_t size = x.shape()[p], rank = x.labels.size();
      SmallVector<int64_t> maskShape(rank, 1);
      maskShape[p] = maskShape[q] = size;
      SmallVector<bool> eye;
      for (int64_t i = 0; i < size; ++i)
        for (int64_t j = 0; j < size; ++j)
          eye.push_back(i == j);
      Value mask = c.n.constant(DenseElementsAttr::get(
          RankedTensorType::get(maskShape, c.n.b().getI1Type()), ArrayRef(eye)));
      Type et = cast<RankedTensorType>(x.value.getType()).getElementType();
      Value kept = c.op("kiln.select", {mask, x.value, c.scalar(et, 0)});
      x.value = c.sum(kept, {static_cast<int64_t>(q)}, false);
      x.labels.erase(x.labels.begin() + q);
      --q;
      if (!x.value)
        return;
    }
  }
}

/// Sums the dims whose labels are not in `keep`.
void sumOthers(OpChain &c, Operand &x, ArrayRef<Label> keep) {
  SmallVector<int64_t> axes;
  SmallVector<Label> kept;
  for (auto [i, l] : llvm::enumerate(x.labels)) {
    if (llvm::is_contained(keep, l))
      kept.push_back(l);
    else
      axes.push_back(i);
  }
  if (axes.empty())
    return;
  x.value = c.sum(x.value, axes, false);
  x.labels = kept;
}

/// x transposed to `order` (a permutation of its labels), then reshaped to
/// the products of the groups `sizes` splits `order` into.
Value arrange(OpChain &c, const Operand &x, ArrayRef<Label> order,
              ArrayRef<size_t> groups) {
  SmallVector<int64_t> perm;
  for (Label l : order)
    perm.push_back(llvm::find(x.labels, l) - x.labels.begin());
  Value v = x.value;
  if (!llvm::equal(perm, llvm::seq<int64_t>(0, static_cast<int64_t>(perm.size()))))
    v = c.op("kiln.transpose", v, {c.n.namedI64s("perm", perm)});
  SmallVector<int64_t> shape, dims;
  for (int64_t p : perm)
    dims.push_back(x.shape()[p]);
  size_t at = 0;
  for (size_t g : groups) {
    shape.push_back(numElements(ArrayRef(dims).slice(at, g)));
    at += g;
  }
  return c.reshape(v, shape);
}

LogicalResult importEinsum(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  std::string equation = a.getString("equation", "");
  if (failed(a.status()))
    return failure();
  if (!a.has("equation"))
    return n.error() << "attribute 'equation' is required";
  if (n.numInputs() < 1 || n.numInputs() > 2)
    return n.error() << "Einsum of " << n.numInputs()
                     << " operands is not supported (one or two)";
  if (failed(n.checkArity(n.numInputs(), n.numInputs())))
    return failure();
  std::string text;
  for (char ch : equation)
    if (!llvm::isSpace(ch))
      text.push_back(ch);
  auto [lhs, rhs] = StringRef(text).split("->");
  bool explicitOutput = StringRef(text).contains("->");
  SmallVector<StringRef> inputTerms;
  lhs.split(inputTerms, ',');
  if (inputTerms.size() != n.numInputs())
    return n.error() << "equation '" << equation << "' has "
                     << inputTerms.size() << " operand terms for "
                     << n.numInputs() << " inputs";
  // Operands, with "..." expanded.
  SmallVector<Term> terms;
  int64_t ellipsisDims = 0;
  SmallVector<int64_t> ellipsisRanks;
  for (auto [i, termText] : llvm::enumerate(inputTerms)) {
    FailureOr<Term> t = parseTerm(n, termText);
    if (failed(t))
      return failure();
    RankedTensorType type = n.inputType(i);
    if (!type.hasStaticShape())
      return n.error() << "expects static operands, got " << type;
    int64_t rest = type.getRank() - static_cast<int64_t>(t->labels.size());
    if (rest < 0 || (rest > 0 && !t->ellipsis))
      return n.error() << "equation term '" << termText << "' does not fit "
                       << type;
    ellipsisRanks.push_back(rest);
    ellipsisDims = std::max(ellipsisDims, rest);
    terms.push_back(*t);
  }
  SmallVector<Operand> operands;
  llvm::DenseMap<Label, int64_t> sizes;
  for (auto [i, t] : llvm::enumerate(terms)) {
    Operand x{n.input(i), expand(t, ellipsisRanks[i], ellipsisDims)};
    for (auto [l, size] : llvm::zip(x.labels, x.shape())) {
      auto [it, inserted] = sizes.try_emplace(l, size);
      if (!inserted && it->second != size)
        return n.error() << "label '"
                         << (l < kEllipsisBase ? std::string(1, char(l))
                                               : std::string("..."))
                         << "' has sizes " << it->second << " and " << size
                         << "; Kiln's Einsum does not broadcast";
    }
    operands.push_back(x);
  }
  // The output: given, or "..." then the letters used once, in order.
  SmallVector<Label> output;
  if (explicitOutput) {
    FailureOr<Term> t = parseTerm(n, rhs);
    if (failed(t))
      return failure();
    // Without "..." in the output, the dims it stands for are summed.
    output = expand(*t, t->ellipsis ? ellipsisDims : 0, ellipsisDims);
    for (Label l : output)
      if (!sizes.count(l))
        return n.error() << "output label '" << char(l)
                         << "' is in no operand";
  } else {
    for (int64_t i = 0; i < ellipsisDims; ++i)
      output.push_back(kEllipsisBase + i);
    SmallVector<Label> once;
    for (const Operand &x : operands)
      for (Label l : x.labels)
        if (l < kEllipsisBase)
          once.push_back(l);
    llvm::sort(once);
    for (Label l : once)
      if (llvm::count(once, l) == 1)
        output.push_back(l);
  }
  OpChain c{n};
  for (Operand &x : operands)
    takeDiagonals(c, x);
  if (!c.ok)
    return failure();
  // Each operand keeps the labels of the output and of the other operand.
  for (size_t i = 0; i < operands.size(); ++i) {
    SmallVector<Label> keep(output);
    if (operands.size() == 2)
      llvm::append_range(keep, operands[1 - i].labels);
    sumOthers(c, operands[i], keep);
  }
  if (!c.ok)
    return failure();
  SmallVector<size_t> each(output.size(), 1);
  if (operands.size() == 1)
    return c.output(0, arrange(c, operands[0], output, each));
  const Operand &x = operands[0], &y = operands[1];
  SmallVector<Label> batch, left, contracted, right;
  for (Label l : x.labels) {
    bool inY = llvm::is_contained(y.labels, l);
    bool inOut = llvm::is_contained(output, l);
    (inY ? (inOut ? batch : contracted) : left).push_back(l);
  }
  for (Label l : y.labels)
    if (!llvm::is_contained(x.labels, l))
      right.push_back(l);
  SmallVector<Label> xOrder(batch), yOrder(batch);
  llvm::append_range(xOrder, left);
  llvm::append_range(xOrder, contracted);
  llvm::append_range(yOrder, contracted);
  llvm::append_range(yOrder, right);
  Value lhsMatrix =
      arrange(c, x, xOrder, {batch.size(), left.size(), contracted.size()});
  Value rhsMatrix =
      arrange(c, y, yOrder, {batch.size(), contracted.size(), right.size()});
  Value product = c.op("kiln.matmul", {lhsMatrix, rhsMatrix});
  Operand result{product, {}};
  llvm::append_range(result.labels, batch);
  llvm::append_range(result.labels, left);
  llvm::append_range(result.labels, right);
  SmallVector<int64_t> unflat;
  for (Label l : result.labels)
    unflat.push_back(sizes[l]);
  result.value = c.reshape(product, unflat);
  if (!c.ok)
    return failure();
  return c.output(0, arrange(c, result, output, each));
}

} // namespace

void onnx_import::registerEinsumOps(OpTable &t) {
  t.add("Einsum", 12, importEinsum);
}
