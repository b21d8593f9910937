//===- ShapesTest.cpp - The shape rules shared by inference and codegen ---===//

#include "ir/Shapes.h"

#include <limits>

#include <gtest/gtest.h>

using namespace mlir;
using namespace mlir::kiln;

namespace {
constexpr int64_t kDyn = ShapedType::kDynamic;

TEST(BroadcastShapes, AlignsTrailingDims) {
  auto r = broadcastShapes({{2, 3}, {3}});
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, (SmallVector<int64_t>{2, 3}));
  r = broadcastShapes({{4, 1, 5}, {3, 1}, {}});
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, (SmallVector<int64_t>{4, 3, 5}));
}

TEST(BroadcastShapes, ReportsTheFailingDim) {
  int64_t failed = -1;
  EXPECT_FALSE(broadcastShapes({{2, 3, 4}, {5, 4}}, &failed));
  EXPECT_EQ(failed, 1); // dim 1 from the right: 3 vs 5
}

TEST(BroadcastShapes, DynamicDims) {
  // ? against N > 1 must be N (or 1), so the result is N.
  auto r = broadcastShapes({{kDyn, 3}, {4, 3}});
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, (SmallVector<int64_t>{4, 3}));
  // ? against 1 or ? stays unknown.
  r = broadcastShapes({{kDyn}, {1}});
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, (SmallVector<int64_t>{kDyn}));
}

TEST(BroadcastShapes, MayBroadcastTo) {
  EXPECT_TRUE(mayBroadcastTo({4}, {2, 4}));
  EXPECT_TRUE(mayBroadcastTo({1, 4}, {2, 4}));
  EXPECT_TRUE(mayBroadcastTo({}, {2, 4}));
  // Unknown dims on either side are left to run time.
  EXPECT_TRUE(mayBroadcastTo({64}, {kDyn}));
  EXPECT_TRUE(mayBroadcastTo({kDyn}, {64}));
  EXPECT_FALSE(mayBroadcastTo({3}, {2, 4}));
  // More dims than the target would stretch it.
  EXPECT_FALSE(mayBroadcastTo({2, 4}, {4}));
}

TEST(BroadcastShapes, IsBroadcastNoOp) {
  EXPECT_TRUE(isBroadcastNoOp({1, 3}, {kDyn, 3}));
  EXPECT_TRUE(isBroadcastNoOp({}, {kDyn}));
  EXPECT_TRUE(isBroadcastNoOp({4}, {2, 4}));
  // A static 4 against ? may stretch a size-1 dim; ? against ? may too.
  EXPECT_FALSE(isBroadcastNoOp({4}, {kDyn}));
  EXPECT_FALSE(isBroadcastNoOp({kDyn}, {kDyn}));
  EXPECT_FALSE(isBroadcastNoOp({kDyn}, {4}));
  EXPECT_FALSE(isBroadcastNoOp({2, 4}, {4}));
}

TEST(WindowOutputSize, FloorAndCeil) {
  // 7 wide, kernel 3, stride 2, no pads: floor((7-3)/2)+1 = 3.
  EXPECT_EQ(windowOutputSize(7, 3, 2, 0, 0, 1, false), 3);
  // 8 wide: floor((8-3)/2)+1 = 3, ceil gives 4.
  EXPECT_EQ(windowOutputSize(8, 3, 2, 0, 0, 1, false), 3);
  EXPECT_EQ(windowOutputSize(8, 3, 2, 0, 0, 1, true), 4);
  // Dilation 2 widens a 3-kernel to 5.
  EXPECT_EQ(windowOutputSize(9, 3, 1, 0, 0, 2, false), 5);
  // ceil_mode never starts a window inside the end padding:
  // in 6, k 2, s 2, pad 1/1: span 7 -> ceil(6/2)+1 = 4, but the 4th window
  // would start at 6 >= in + padBegin = 7? No (6 < 7), so 4 stays.
  EXPECT_EQ(windowOutputSize(6, 2, 2, 1, 1, 1, true), 4);
  // in 5, k 2, s 2, pads 0/1: span 5 -> ceil(5/2)+1 = 4; window 4 starts at
  // 6 >= 5 + 0, so it is dropped.
  EXPECT_EQ(windowOutputSize(5, 2, 2, 0, 1, 1, true), 3);
  EXPECT_EQ(windowOutputSize(kDyn, 3, 1, 1, 1, 1, false), kDyn);
  // A window longer than the padded input fits once with ceil_mode (span
  // < 0 but > -stride): in 4, k 3, s 2, dilation 2 spans 5 -> one window,
  // x[0] and x[2]; without ceil_mode none fits.
  EXPECT_EQ(windowOutputSize(4, 3, 2, 0, 0, 2, true), 1);
  EXPECT_EQ(windowOutputSize(4, 3, 2, 0, 0, 2, false), 0);
  EXPECT_EQ(windowOutputSize(2, 3, 2, 0, 0, 1, true), 1);
  EXPECT_EQ(windowOutputSize(2, 3, 1, 0, 0, 1, true), 0);
  EXPECT_EQ(windowOutputSize(1, 3, 3, 0, 0, 1, true), 1);
  EXPECT_EQ(windowOutputSize(1, 4, 3, 0, 0, 1, true), 0);
  // Absurd attributes from a model file do not overflow: the window does not
  // fit, or the size would not fit int64; both read as 0.
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(windowOutputSize(4, 3, 1, 0, 0, kMax / 2 + 1, false), 0);
  EXPECT_EQ(windowOutputSize(4, kMax, 1, 0, 0, kMax, false), 0);
  EXPECT_EQ(windowOutputSize(kMax, 1, 1, kMax, kMax, 1, false), 0);
  EXPECT_EQ(windowOutputSize(kMax, 1, 1, 0, 0, 1, false), kMax);
  EXPECT_EQ(windowOutputSize(4, kMax, 1, 0, 0, kMax, true), 0);
  EXPECT_EQ(windowOutputSize(4, 3, kMax, 0, 0, kMax, true), 0);
}

TEST(SliceSize, PositiveAndNegativeSteps) {
  EXPECT_EQ(sliceSize(0, 10, 3), 4);  // 0 3 6 9
  EXPECT_EQ(sliceSize(9, -1, -1), 10); // 9 .. 0
  EXPECT_EQ(sliceSize(5, 1, -2), 2);  // 5 3
  EXPECT_EQ(sliceSize(4, 4, 1), 0);
}

TEST(Axes, ValidationAndReducedShape) {
  EXPECT_TRUE(areValidAxes({0, 2}, 3));
  EXPECT_FALSE(areValidAxes({0, 0}, 3));
  EXPECT_FALSE(areValidAxes({3}, 3));
  EXPECT_FALSE(areValidAxes({-1}, 3));
  EXPECT_EQ(reducedShape({2, 3, 4}, {1}, true), (SmallVector<int64_t>{2, 1, 4}));
  EXPECT_EQ(reducedShape({2, 3, 4}, {0, 2}, false), (SmallVector<int64_t>{3}));
  EXPECT_EQ(numElements({2, 3, 4}), 24);
  EXPECT_EQ(numElements({2, kDyn}), kDyn);
}
} // namespace
