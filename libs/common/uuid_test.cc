#include "libs/common/uuid.h"

#include <set>

#include "gtest/gtest.h"

namespace frontdesk {
namespace {

TEST(UuidTest, IsVersion4AndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = NewUuid();
    ASSERT_TRUE(LooksLikeUuid(id)) << id;
    EXPECT_EQ(id[14], '4');
    EXPECT_TRUE(id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b');
    EXPECT_TRUE(seen.insert(id).second);
  }
}

TEST(UuidTest, RejectsMalformed) {
  EXPECT_FALSE(LooksLikeUuid(""));
  EXPECT_FALSE(LooksLikeUuid("not-a-uuid"));
  EXPECT_FALSE(LooksLikeUuid("0123456789abcdef0123456789abcdef0123"));
  EXPECT_FALSE(LooksLikeUuid("0123456G-89ab-4def-8123-456789abcdef"));
  EXPECT_TRUE(LooksLikeUuid("01234567-89ab-4def-8123-456789abcdef"));
}

}  // namespace
}  // namespace frontdesk
