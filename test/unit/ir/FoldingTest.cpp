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

TEST_F(FoldingTest, BinaryBroadcasts) {
  Attribute r = fold::binary(
      floats({2, 2}, {1, 2, 3, 4}), floats({2}, {10, 20}), f32({2, 2}),
      [](double x, double y) { return x + y; }, nullptr);
  ASSERT_TRUE(r);
  EXPECT_EQ(asFloats(r), (std::vector<float>{11, 22, 13, 24}));
}

TEST_F(FoldingTest, IntegerDivisionByZeroDeclines) {
  Attribute r = fold::binary(
      ints({2}, {4, 6}), ints({2}, {2, 0}), i64({2}),
      [](double x, double y) { return x / y; },
      [](const llvm::APInt &x,
         const llvm::APInt &y) -> std::optional<llvm::APInt> {
        if (y.isZero())
          return std::nullopt;
        return x.sdiv(y);
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

TEST_F(FoldingTest, CastFloatToIntTruncatesTowardZero) {
  auto i32 = RankedTensorType::get({3}, b.getI32Type());
  Attribute r = fold::cast(floats({3}, {-1.7f, 2.9f, 0.5f}), i32);
  ASSERT_TRUE(r);
  auto d = cast<DenseElementsAttr>(r);
  std::vector<int32_t> v(d.value_begin<int32_t>(), d.value_end<int32_t>());
  EXPECT_EQ(v, (std::vector<int32_t>{-1, 2, 0}));
}

TEST_F(FoldingTest, PadConstant) {
  Attribute r = fold::padConstant(floats({2}, {1, 2}), {1, 2}, -1.0, f32({5}));
  ASSERT_TRUE(r);
  EXPECT_EQ(asFloats(r), (std::vector<float>{-1, 1, 2, -1, -1}));
}

TEST_F(FoldingTest, CastFromBoolGivesZeroOrOne) {
  auto bools = DenseElementsAttr::get(
      RankedTensorType::get({2}, b.getI1Type()), ArrayRef<bool>{true, false});
  Attribute r = fold::cast(bools, i64({2}));
  ASSERT_TRUE(r);
  EXPECT_EQ(asInts(r), (std::vector<int64_t>{1, 0}));
  r = fold::cast(bools, f32({2}));
  ASSERT_TRUE(r);
  EXPECT_EQ(asFloats(r), (std::vector<float>{1, 0}));
}

TEST_F(FoldingTest, CastToBoolIsNonZero) {
  auto boolType = RankedTensorType::get({3}, b.getI1Type());
  Attribute r = fold::cast(floats({3}, {0.0f, -0.0f, 0.25f}), boolType);
  ASSERT_TRUE(r);
  auto d = cast<DenseElementsAttr>(r);
  EXPECT_EQ(std::vector<bool>(d.value_begin<bool>(), d.value_end<bool>()),
            (std::vector<bool>{false, false, true}));
}

TEST_F(FoldingTest, CastSaturates) {
  auto i8 = RankedTensorType::get({2}, b.getI8Type());
  Attribute r = fold::cast(floats({2}, {300.0f, -300.0f}), i8);
  ASSERT_TRUE(r);
  auto d = cast<DenseElementsAttr>(r);
  std::vector<int8_t> v(d.value_begin<int8_t>(), d.value_end<int8_t>());
  EXPECT_EQ(v, (std::vector<int8_t>{127, -128}));
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
  EXPECT_FALSE(fold::unary(big, f32({n}), [](double x) { return -x; }));
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

} // namespace
