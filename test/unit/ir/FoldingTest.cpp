//===- FoldingTest.cpp - The constant evaluator behind kiln folders -------===//

#include "ir/KilnOps.h"
#include "ir/ops/Folding.h"
#include "ir/ops/OpUtils.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace mlir;
using namespace mlir::kiln;

namespace {

class FoldingTest : public ::testing::Test {
protected:
  RankedTensorType f32(ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, b.getF32Type());
  }
  RankedTensorType i64(ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, b.getI64Type());
  }
  DenseElementsAttr floats(ArrayRef<int64_t> shape, ArrayRef<float> v) {
    return DenseElementsAttr::get(f32(shape), v);
  }
  DenseElementsAttr ints(ArrayRef<int64_t> shape, ArrayRef<int64_t> v) {
    return DenseElementsAttr::get(i64(shape), v);
  }
  static std::vector<float> asFloats(Attribute a) {
    auto d = cast<DenseElementsAttr>(a);
    return {d.value_begin<float>(), d.value_end<float>()};
  }
  static std::vector<int64_t> asInts(Attribute a) {
    auto d = cast<DenseElementsAttr>(a);
    return {d.value_begin<int64_t>(), d.value_end<int64_t>()};
  }

  MLIRContext ctx;
  Builder b{&ctx};
};

TEST_F(FoldingTest, ElementwiseBroadcasts) {
  Attribute r = fold::elementwise(
      {floats({2, 2}, {1, 2, 3, 4}), floats({2}, {10, 20})}, f32({2, 2}),
      [](ArrayRef<Scalar> x) -> std::optional<Scalar> {
        return ScalarEvaluator().addf(x[0], x[1]);
      });
  ASSERT_TRUE(r);
  EXPECT_EQ(asFloats(r), (std::vector<float>{11, 22, 13, 24}));
}

TEST_F(FoldingTest, AnUndefinedElementDeclines) {
  // arith.divsi by 0 is undefined: the evaluator notes it and the fold
  // declines (kiln.div itself routes around it; see its semantics).
  Attribute r = fold::elementwise(
      {ints({2}, {4, 6}), ints({2}, {2, 0})}, i64({2}),
      [](ArrayRef<Scalar> x) -> std::optional<Scalar> {
        ScalarEvaluator eval;
        Scalar q = eval.divsi(x[0], x[1]);
        if (eval.hitUndefined())
          return std::nullopt;
        return q;
      });
  EXPECT_FALSE(r);
}

TEST_F(FoldingTest, Transpose) {
  Attribute r = fold::transpose(floats({2, 3}, {0, 1, 2, 3, 4, 5}), {1, 0},
                                f32({3, 2}));
  ASSERT_TRUE(r);
  EXPECT_EQ(asFloats(r), (std::vector<float>{0, 3, 1, 4, 2, 5}));
}

TEST_F(FoldingTest, ConcatAlongInnerAxis) {
  Attribute r = fold::concat({ints({2, 1}, {1, 2}), ints({2, 2}, {3, 4, 5, 6})},
                             1, i64({2, 3}));
  ASSERT_TRUE(r);
  EXPECT_EQ(asInts(r), (std::vector<int64_t>{1, 3, 4, 2, 5, 6}));
}

TEST_F(FoldingTest, SliceWithNegativeStep) {
  // Reverse the second dim: starts (0, 2), steps (1, -1).
  Attribute r = fold::slice(ints({2, 3}, {1, 2, 3, 4, 5, 6}), {0, 2}, {1, -1},
                            i64({2, 3}));
  ASSERT_TRUE(r);
  EXPECT_EQ(asInts(r), (std::vector<int64_t>{3, 2, 1, 6, 5, 4}));
}

TEST_F(FoldingTest, GatherNegativeIndexAndOutOfRange) {
  // Shape-subgraph style: gather(shape, -1).
  Attribute r = fold::gather(ints({3}, {7, 8, 9}), ints({1}, {-1}), 0, i64({1}));
  ASSERT_TRUE(r);
  EXPECT_EQ(asInts(r), (std::vector<int64_t>{9}));
  EXPECT_FALSE(fold::gather(ints({3}, {7, 8, 9}), ints({1}, {3}), 0, i64({1})));
}

TEST_F(FoldingTest, PadConstant) {
  Attribute r = fold::padConstant(floats({2}, {1, 2}), {1, 2}, -1.0, f32({5}));
  ASSERT_TRUE(r);
  EXPECT_EQ(asFloats(r), (std::vector<float>{-1, 1, 2, -1, -1}));
}

TEST_F(FoldingTest, PadConstantWithAnIntegerFill) {
  Attribute r = fold::padConstant(ints({2}, {1, 2}), {2, 1}, -3.0, i64({5}));
  ASSERT_TRUE(r);
  EXPECT_EQ(asInts(r), (std::vector<int64_t>{-3, -3, 1, 2, -3}));
}

TEST_F(FoldingTest, IsExactInteger) {
  auto i1 = b.getI1Type(), i8 = b.getI8Type(), i64t = b.getI64Type();
  EXPECT_TRUE(kiln::detail::isExactInteger(1.0, i1));
  EXPECT_FALSE(kiln::detail::isExactInteger(-1.0, i1));
  EXPECT_TRUE(kiln::detail::isExactInteger(-128.0, i8));
  EXPECT_FALSE(kiln::detail::isExactInteger(128.0, i8));
  EXPECT_FALSE(kiln::detail::isExactInteger(0.5, i8));
  EXPECT_FALSE(kiln::detail::isExactInteger(std::nan(""), i8));
  EXPECT_TRUE(kiln::detail::isExactInteger(-9223372036854775808.0, i64t));
  // 2^63 is the first double above INT64_MAX.
  EXPECT_FALSE(kiln::detail::isExactInteger(9223372036854775808.0, i64t));
}

TEST_F(FoldingTest, MathFoldsRespectTheElementLimit) {
  int64_t n = fold::kMaxMathElements + 1;
  auto big = DenseElementsAttr::get(f32({n}), 1.0f);
  EXPECT_FALSE(fold::elementwise(
      {big}, f32({n}), [](ArrayRef<Scalar> x) -> std::optional<Scalar> {
        return ScalarEvaluator().negf(x[0]);
      }));
}
} // namespace

//===----------------------------------------------------------------------===//
// Op folders: identity folds must prove the shape is kept
//===----------------------------------------------------------------------===//

namespace {

std::vector<int64_t> asInts(Attribute a) {
  auto d = cast<DenseElementsAttr>(a);
  return {d.value_begin<int64_t>(), d.value_end<int64_t>()};
}

/// Parses a module and folds its first op named `opName` with the values of
/// its constant operands, as the greedy driver would.
class OpFoldTest : public ::testing::Test {
protected:
  OpFoldTest() { ctx.loadDialect<kiln::KilnDialect, func::FuncDialect>(); }

  /// The fold results of `opName` in `source` (a whole module), or
  /// std::nullopt if the op did not fold.
  std::optional<SmallVector<OpFoldResult>> fold(StringRef source,
                                                StringRef opName) {
    module = parseSourceString<ModuleOp>(source, &ctx);
    if (!module) {
      // A negative test must not pass because its IR does not parse.
      ADD_FAILURE() << "the test IR does not parse";
      return std::nullopt;
    }
    Operation *found = nullptr;
    module->walk([&](Operation *op) {
      if (!found && op->getName().getStringRef() == opName)
        found = op;
    });
    if (!found) {
      ADD_FAILURE() << "no " << opName.str() << " in the test IR";
      return std::nullopt;
    }
    SmallVector<Attribute> constants;
    for (Value operand : found->getOperands()) {
      Attribute value;
      (void)matchPattern(operand, m_Constant(&value));
      constants.push_back(value);
    }
    SmallVector<OpFoldResult> results;
    if (failed(found->fold(constants, results)) || results.empty())
      return std::nullopt;
    return results;
  }

  /// The function's argument `i` (to compare folds against).
  Value arg(unsigned i) {
    func::FuncOp fn = *module->getOps<func::FuncOp>().begin();
    return fn.getArgument(i);
  }

  MLIRContext ctx;
  OwningOpRef<ModuleOp> module;
};

TEST_F(OpFoldTest, AddZeroFoldsWhenTheConstantDoesNotStretch) {
  auto r = fold(R"mlir(
    func.func @f(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
      %z = kiln.constant dense<0.0> : tensor<1x3xf32>
      %0 = kiln.add %x, %z : tensor<?x3xf32>, tensor<1x3xf32> -> tensor<?x3xf32>
      return %0 : tensor<?x3xf32>
    })mlir", "kiln.add");
  ASSERT_TRUE(r);
  EXPECT_EQ(dyn_cast<Value>((*r)[0]), arg(0));
}

TEST_F(OpFoldTest, AddZeroKeepsTheOpWhenTheConstantMayStretchX) {
  // x may hold one element; x + [0, 0, 0, 0] has four.
  EXPECT_FALSE(fold(R"mlir(
    func.func @f(%x: tensor<?xf32>) -> tensor<?xf32> {
      %z = kiln.constant dense<0.0> : tensor<4xf32>
      %0 = kiln.add %x, %z : tensor<?xf32>, tensor<4xf32> -> tensor<?xf32>
      return %0 : tensor<?xf32>
    })mlir", "kiln.add"));
}

TEST_F(OpFoldTest, MaxOfOneValueNeedsTheSameType) {
  EXPECT_FALSE(fold(R"mlir(
    func.func @f(%x: tensor<?xf32>) -> tensor<4xf32> {
      %0 = kiln.max %x, %x : tensor<?xf32>, tensor<?xf32> -> tensor<4xf32>
      return %0 : tensor<4xf32>
    })mlir", "kiln.max"));
  auto r = fold(R"mlir(
    func.func @f(%x: tensor<?xf32>) -> tensor<?xf32> {
      %0 = kiln.max %x, %x : tensor<?xf32>, tensor<?xf32> -> tensor<?xf32>
      return %0 : tensor<?xf32>
    })mlir", "kiln.max");
  ASSERT_TRUE(r);
  EXPECT_EQ(dyn_cast<Value>((*r)[0]), arg(0));
}

TEST_F(OpFoldTest, SelectOfOneValueNeedsAConditionThatDoesNotStretch) {
  EXPECT_FALSE(fold(R"mlir(
    func.func @f(%c: tensor<4xi1>, %x: tensor<?xf32>) -> tensor<?xf32> {
      %0 = kiln.select %c, %x, %x : (tensor<4xi1>, tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
      return %0 : tensor<?xf32>
    })mlir", "kiln.select"));
  auto r = fold(R"mlir(
    func.func @f(%c: tensor<1xi1>, %x: tensor<?xf32>) -> tensor<?xf32> {
      %0 = kiln.select %c, %x, %x : (tensor<1xi1>, tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
      return %0 : tensor<?xf32>
    })mlir", "kiln.select");
  ASSERT_TRUE(r);
  EXPECT_EQ(dyn_cast<Value>((*r)[0]), arg(1));
}

TEST_F(OpFoldTest, SliceOfADynamicDimIsNotTheWholeTensor) {
  EXPECT_FALSE(fold(R"mlir(
    func.func @f(%x: tensor<?xf32>) -> tensor<?xf32> {
      %0 = kiln.slice %x {starts = array<i64: 0>, ends = array<i64: 2>, steps = array<i64: 1>} : tensor<?xf32> -> tensor<?xf32>
      return %0 : tensor<?xf32>
    })mlir", "kiln.slice"));
  auto r = fold(R"mlir(
    func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
      %0 = kiln.slice %x {starts = array<i64: 0>, ends = array<i64: 2>, steps = array<i64: 1>} : tensor<2xf32> -> tensor<2xf32>
      return %0 : tensor<2xf32>
    })mlir", "kiln.slice");
  ASSERT_TRUE(r);
  EXPECT_EQ(dyn_cast<Value>((*r)[0]), arg(0));
}

TEST_F(OpFoldTest, ReshapeToTheSameTypeMustKeepTheShape) {
  // 4x3 may become 2x6 although both types are tensor<?x?xf32>.
  EXPECT_FALSE(fold(R"mlir(
    func.func @f(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
      %0 = kiln.reshape %x {shape = array<i64: 2, -1>} : tensor<?x?xf32> -> tensor<?x?xf32>
      return %0 : tensor<?x?xf32>
    })mlir", "kiln.reshape"));
  auto r = fold(R"mlir(
    func.func @f(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
      %0 = kiln.reshape %x {shape = array<i64: -1, 3>} : tensor<?x3xf32> -> tensor<?x3xf32>
      return %0 : tensor<?x3xf32>
    })mlir", "kiln.reshape");
  ASSERT_TRUE(r);
  EXPECT_EQ(dyn_cast<Value>((*r)[0]), arg(0));
}

TEST_F(OpFoldTest, ExpandOfADynamicDimMayStretchIt) {
  EXPECT_FALSE(fold(R"mlir(
    func.func @f(%x: tensor<?xf32>) -> tensor<?xf32> {
      %0 = kiln.expand %x {shape = array<i64: 4>} : tensor<?xf32> -> tensor<?xf32>
      return %0 : tensor<?xf32>
    })mlir", "kiln.expand"));
}

TEST_F(OpFoldTest, ClipOfLargeI64StaysExact) {
  // 2^53 + 1 is not a double; clamping through double gave 2^53.
  auto r = fold(R"mlir(
    func.func @f() -> tensor<2xi64> {
      %c = kiln.constant dense<[9007199254740993, -5]> : tensor<2xi64>
      %0 = kiln.clip %c {min = 0.0 : f64} : tensor<2xi64>
      return %0 : tensor<2xi64>
    })mlir", "kiln.clip");
  ASSERT_TRUE(r);
  EXPECT_EQ(asInts(dyn_cast<Attribute>((*r)[0])),
            (std::vector<int64_t>{9007199254740993, 0}));
}

//===----------------------------------------------------------------------===//
// Op folders: casts, evaluated by the op's semantics
//===----------------------------------------------------------------------===//

template <typename T>
std::vector<T> elementsOf(const OpFoldResult &r) {
  auto d = cast<DenseElementsAttr>(cast<Attribute>(r));
  return {d.value_begin<T>(), d.value_end<T>()};
}

TEST_F(OpFoldTest, CastFloatToIntTruncatesSaturatesAndMapsNaNToZero) {
  auto r = fold(R"mlir(
    func.func @f() -> tensor<5xi8> {
      %c = kiln.constant dense<[-1.7, 2.9, 300.0, -300.0, 0x7FC00000]> : tensor<5xf32>
      %0 = kiln.cast %c : tensor<5xf32> -> tensor<5xi8>
      return %0 : tensor<5xi8>
    })mlir", "kiln.cast");
  ASSERT_TRUE(r);
  EXPECT_EQ(elementsOf<int8_t>((*r)[0]),
            (std::vector<int8_t>{-1, 2, 127, -128, 0}));
}

TEST_F(OpFoldTest, CastFromBoolGivesZeroOrOne) {
  auto r = fold(R"mlir(
    func.func @f() -> tensor<2xi64> {
      %c = kiln.constant dense<[true, false]> : tensor<2xi1>
      %0 = kiln.cast %c : tensor<2xi1> -> tensor<2xi64>
      return %0 : tensor<2xi64>
    })mlir", "kiln.cast");
  ASSERT_TRUE(r);
  EXPECT_EQ(elementsOf<int64_t>((*r)[0]), (std::vector<int64_t>{1, 0}));
  r = fold(R"mlir(
    func.func @f() -> tensor<2xf32> {
      %c = kiln.constant dense<[true, false]> : tensor<2xi1>
      %0 = kiln.cast %c : tensor<2xi1> -> tensor<2xf32>
      return %0 : tensor<2xf32>
    })mlir", "kiln.cast");
  ASSERT_TRUE(r);
  EXPECT_EQ(elementsOf<float>((*r)[0]), (std::vector<float>{1, 0}));
}

TEST_F(OpFoldTest, CastToBoolIsNonZero) {
  auto r = fold(R"mlir(
    func.func @f() -> tensor<4xi1> {
      %c = kiln.constant dense<[0.0, -0.0, 0.25, 0x7FC00000]> : tensor<4xf32>
      %0 = kiln.cast %c : tensor<4xf32> -> tensor<4xi1>
      return %0 : tensor<4xi1>
    })mlir", "kiln.cast");
  ASSERT_TRUE(r);
  EXPECT_EQ(elementsOf<bool>((*r)[0]),
            (std::vector<bool>{false, false, true, true}));
}

TEST_F(OpFoldTest, CastHasTheDataMovementLimit) {
  // Casts re-type weights: above the math limit they still fold.
  auto r = fold(R"mlir(
    func.func @f() -> tensor<4097xf32> {
      %c = kiln.constant dense<1.5> : tensor<4097xf16>
      %0 = kiln.cast %c : tensor<4097xf16> -> tensor<4097xf32>
      return %0 : tensor<4097xf32>
    })mlir", "kiln.cast");
  ASSERT_TRUE(r);
  EXPECT_EQ(elementsOf<float>((*r)[0]), std::vector<float>(4097, 1.5f));
}

} // namespace
