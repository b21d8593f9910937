//===- ElementwiseSemanticsTest.cpp - The elementwise table against ODS ---===//

#include "ir/ElementwiseSemantics.h"
#include "ir/KilnDialect.h"
#include "ir/ScalarEvaluator.h"

#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

using namespace mlir;
using namespace mlir::kiln;

namespace {

// A row's semantics must read every attribute its op has: an attribute added
// in ODS but missing here would be ignored by both the folders and codegen.
TEST(ElementwiseSemanticsTest, EachRowListsItsOpsAttributes) {
  MLIRContext ctx;
  ctx.loadDialect<KilnDialect>();
  for (const auto &row : kElementwiseSemantics<ScalarEvaluator>) {
    std::optional<RegisteredOperationName> name =
        RegisteredOperationName::lookup(row.opName, &ctx);
    ASSERT_TRUE(name) << row.opName.str() << " is not a kiln op";
    std::set<std::string> declared, listed;
    for (StringAttr attr : name->getAttributeNames())
      declared.insert(attr.str());
    for (StringLiteral attr : row.attributes)
      listed.insert(attr.str());
    EXPECT_EQ(declared, listed) << row.opName.str();
  }
}

TEST(ElementwiseSemanticsTest, EachOpHasOneRow) {
  std::set<std::string> seen;
  for (const auto &row : kElementwiseSemantics<ScalarEvaluator>)
    EXPECT_TRUE(seen.insert(row.opName.str()).second) << row.opName.str();
}

} // namespace
