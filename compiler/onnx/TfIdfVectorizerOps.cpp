//===- TfIdfVectorizerOps.cpp - ONNX TfIdfVectorizer -> kiln --------------===//
//
// TfIdfVectorizer (opset 9) counts, in each row of an int32/int64 input
// [C] or [N, C], the occurrences of the n-grams of its pool, and writes
// count, presence or count * weight at each n-gram's output index. The pool
// is an attribute, so the whole op is a fixed set of comparisons: for each
// n-gram size n and skip distance d, the windows X[s], X[s + d], ...,
// X[s + (n - 1) d] of every start s are one constant-index kiln.gather
// ([N, S, n]); comparing them with the pool's n-grams of size n ([J, n])
// and requiring all n matches gives [N, S, J]; summing over s gives the
// counts [N, J], and a one-hot [J, O] matmul puts them at their output
// indices. Everything lowers through the kiln ops' linalg.
//
// Which n-grams count follows onnxruntime's kernel and ONNX's reference
// implementation (the operator text leaves it open):
//  - distance 1 counts sizes [min_gram_length, max_gram_length]; distances
//    2 .. max_skip_count + 1 count sizes from max(min_gram_length, 2) on
//    (a 1-gram is the same at every distance, and counts once);
//  - pool n-grams outside [min_gram_length, max_gram_length] never count;
//  - weights, one per n-gram, are indexed by output index (with
//    ngram_indexes a permutation, as the text has it, the i-th n-gram's
//    weight); ngram_indexes with gaps and weights are refused, since an
//    output index past the last weight has none.
// A string pool needs string tensors, which Kiln does not have.
//
//===----------------------------------------------------------------------===//

#include "compiler/onnx/ONNXImporter.h"

#include "ir/KilnOps.h"
#include "ir/Shapes.h"

#include <map>
#include <set>

using namespace mlir;
using namespace mlir::kiln;
using namespace mlir::kiln::onnx_import;

namespace {

/// The pool's n-grams of one size that can count, with their output index.
struct NgramSet {
  SmallVector<int64_t> tokens; // [count, size], row-major
  SmallVector<int64_t> outputIndex;
};

LogicalResult importTfIdfVectorizer(NodeImporter &n) {
  AttributeReader &a = n.attrs();
  unsigned mode = a.getChoice("mode", "", {"TF", "IDF", "TFIDF"});
  std::optional<int64_t> minGram = a.getOptionalInt("min_gram_length");
  std::optional<int64_t> maxGram = a.getOptionalInt("max_gram_length");
  std::optional<int64_t> maxSkip = a.getOptionalInt("max_skip_count");
  std::optional<SmallVector<int64_t>> counts = a.getInts("ngram_counts");
  std::optional<SmallVector<int64_t>> indexes = a.getInts("ngram_indexes");
  std::optional<SmallVector<int64_t>> pool = a.getInts("pool_int64s");
  std::optional<SmallVector<std::string>> poolStrings = a.getStrings("pool_strings");
  std::optional<SmallVector<double>> weights = a.getFloats("weights");
  if (failed(n.checkArity(1, 1)) || failed(a.status()))
    return failure();
  if (!a.has("mode"))
    return n.error() << "attribute 'mode' is required";
  for (auto [name, v] : {std::pair<StringRef, bool>{"min_gram_length", minGram.has_value()},
                         {"max_gram_length", maxGram.has_value()},
                         {"max_skip_count", maxSkip.has_value()},
                         {"ngram_counts", counts.has_value()},
                         {"ngram_indexes", indexes.has_value()}})
    if (!v)
      return n.error() << "attribute '" << name << "' is required";
  if (poolStrings)
    return n.error() << "attribute 'pool_strings' needs string tensors, which "
                        "Kiln does not support; only 'pool_int64s' is";
  if (!pool)
    return n.error() << "attribute 'pool_int64s' is required";
  if (*minGram < 1 || *maxGram < *minGram || *maxSkip < 0)
    return n.error() << "expects 1 <= min_gram_length (" << *minGram
                     << ") <= max_gram_length (" << *maxGram
                     << ") and max_skip_count (" << *maxSkip << ") >= 0";

  RankedTensorType type = n.inputType(0);
  Type elt = type.getElementType();
  if (!elt.isSignlessInteger(32) && !elt.isSignlessInteger(64))
    return n.error() << "expects an int32 or int64 input, got " << type;
  if (type.getRank() < 1 || type.getRank() > 2 || !type.hasStaticShape())
    return n.error() << "expects a static input of rank 1 ([C]) or 2 ([N, C]), got "
                     << type;

  // Cut the pool into n-grams: sizes 1, 2, ... start at ngram_counts[i].
  int64_t poolSize = pool->size();
  SmallVector<SmallVector<int64_t>> ngrams; // in pool order
  for (size_t i = 0; i < counts->size(); ++i) {
    int64_t size = i + 1, begin = (*counts)[i];
    int64_t end = i + 1 < counts->size() ? (*counts)[i + 1] : poolSize;
    if (begin < 0 || end < begin || end > poolSize || (end - begin) % size)
      return n.error() << "attribute 'ngram_counts' " << formatShape(*counts)
                       << " does not cut the " << poolSize
                       << " pool entries into whole n-grams (entry " << i
                       << " starts the " << size << "-grams)";
    for (int64_t at = begin; at < end; at += size)
      ngrams.emplace_back(pool->begin() + at, pool->begin() + at + size);
  }
  if (indexes->size() != ngrams.size())
    return n.error() << "attribute 'ngram_indexes' has " << indexes->size()
                     << " entries, expected one per pool n-gram ("
                     << ngrams.size() << ")";
  int64_t outputSize = 0;
  for (int64_t index : *indexes) {
    if (index < 0 || index >= kMaxElements)
      return n.error() << "attribute 'ngram_indexes' has an entry " << index
                       << " out of range";
    outputSize = std::max(outputSize, index + 1);
  }
  // One weight per n-gram, as the text and onnxruntime say; they apply by
  // output index, so every output index needs one.
  if (weights && (weights->size() != indexes->size() ||
                  static_cast<int64_t>(weights->size()) < outputSize))
    return n.error() << "attribute 'weights' has " << weights->size()
                     << " entries, expected one per pool n-gram ("
                     << indexes->size() << "), covering the output indices [0, "
                     << outputSize << ")";

  // The n-grams that can count, by size. An n-gram listed twice is refused,
  // as onnxruntime refuses it (the text does not say which index it gets).
  // Tokens an int32 input cannot hold never match.
  std::set<SmallVector<int64_t>> seen;
  for (const SmallVector<int64_t> &gram : ngrams)
    if (!seen.insert(gram).second)
      return n.error() << "attribute 'pool_int64s' lists the n-gram "
                       << formatShape(gram) << " twice";
  bool narrow = elt.isSignlessInteger(32);
  std::map<int64_t, NgramSet> bySize;
  for (auto [k, gram] : llvm::enumerate(ngrams)) {
    int64_t size = gram.size();
    if (size < *minGram || size > *maxGram)
      continue;
    if (narrow && llvm::any_of(gram, [](int64_t t) {
          return t < INT32_MIN || t > INT32_MAX;
        }))
      continue;
    NgramSet &set = bySize[size];
    set.tokens.append(gram.begin(), gram.end());
    set.outputIndex.push_back((*indexes)[k]);
  }

  OpChain c{n};
  Builder &b = n.b();
  Type f32 = b.getF32Type();
  int64_t length = type.getShape().back();
  int64_t rows = type.getRank() == 2 ? type.getDimSize(0) : 1;
  Value x = type.getRank() == 2 ? n.input(0) : c.reshape(n.input(0), {1, length});
  Value freq;
  for (int64_t distance = 1; distance <= *maxSkip + 1; ++distance) {
    int64_t smallest = distance == 1 ? *minGram : std::max<int64_t>(*minGram, 2);
    for (auto &[size, set] : bySize) {
      int64_t starts = length - (size - 1) * distance;
      if (size < smallest || starts <= 0)
        continue;
      int64_t count = set.outputIndex.size();
      SmallVector<int64_t> positions;
      for (int64_t s = 0; s < starts; ++s)
        for (int64_t t = 0; t < size; ++t)
          positions.push_back(s + t * distance);
      Value windows = c.op(
          "kiln.gather",
          {x, n.constant(DenseElementsAttr::get(
                  RankedTensorType::get({starts, size}, b.getI64Type()),
                  ArrayRef(positions)))},
          {n.namedI64("axis", 1)}); // [N, S, n]
      windows = c.reshape(windows, {rows, starts, 1, size});
      SmallVector<APInt> tokens;
      for (int64_t t : set.tokens)
        tokens.push_back(APInt(elt.getIntOrFloatBitWidth(), t, /*isSigned=*/true));
      Value grams = n.constant(DenseElementsAttr::get(
          RankedTensorType::get({count, size}, elt), tokens));
      Value matches = c.cast(
          c.compare(static_cast<uint32_t>(ComparePredicate::eq), windows, grams),
          f32); // [N, S, J, n]
      Value whole = c.compare(static_cast<uint32_t>(ComparePredicate::eq),
                              c.sum(matches, {3}, false),
                              c.scalar(f32, static_cast<double>(size)));
      Value found = c.sum(c.cast(whole, f32), {1}, false); // [N, J]
      SmallVector<float> place(count * outputSize, 0.0f);
      for (auto [j, index] : llvm::enumerate(set.outputIndex))
        place[j * outputSize + index] = 1.0f;
      Value placed = c.op(
          "kiln.matmul",
          {found, n.constant(DenseElementsAttr::get(
                      RankedTensorType::get({count, outputSize}, f32),
                      ArrayRef(place)))});
      freq = freq ? c.op("kiln.add", {freq, placed}) : placed;
    }
  }
  if (!freq)
    freq = n.constant(DenseElementsAttr::get(
        RankedTensorType::get({rows, outputSize}, f32), 0.0f));

  Value y = freq;
  Value w;
  if (weights) {
    SmallVector<float> values(weights->begin(), weights->begin() + outputSize);
    w = n.constant(DenseElementsAttr::get(
        RankedTensorType::get({outputSize}, f32), ArrayRef(values)));
  }
  if (mode == 1) { // IDF: the weight (or 1) where the n-gram occurs
    Value present = c.compare(static_cast<uint32_t>(ComparePredicate::gt), freq,
                              c.scalar(f32, 0.0));
    y = c.op("kiln.select",
             {present, w ? w : c.scalar(f32, 1.0), c.scalar(f32, 0.0)});
  } else if (mode == 2 && w) { // TFIDF
    y = c.op("kiln.mul", {freq, w});
  }
  if (type.getRank() == 1)
    y = c.reshape(y, {outputSize});
  return c.output(0, y);
}

} // namespace

void onnx_import::registerTfIdfVectorizerOps(OpTable &t) {
  t.add("TfIdfVectorizer", 9, importTfIdfVectorizer);
}
