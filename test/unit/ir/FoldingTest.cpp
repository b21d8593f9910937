//===- FoldingTest.cpp - The constant evaluator behind kiln folders -------===//

#include "ir/ops/Folding.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

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

TEST_F(FoldingTest, MathFoldsRespectTheElementLimit) {
  int64_t n = fold::kMaxMathElements + 1;
  auto big = DenseElementsAttr::get(f32({n}), 1.0f);
  EXPECT_FALSE(fold::unary(big, f32({n}), [](double x) { return -x; }));
}
} // namespace
