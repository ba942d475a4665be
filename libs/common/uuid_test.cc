#include "libs/common/uuid.h"

#include <set>

#include "gtest/gtest.h"
#include "libs/common/input_limits.h"

namespace frontdesk {
namespace {

TEST(UuidTest, IsVersion4AndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = NewUuid();
    ASSERT_TRUE(LooksLikeUuid(id)) << id;
    EXPECT_EQ(id[14], '4');
    EXPECT_TRUE(id[19] == '8' || id[19] == '9' || id[19] == 'a' ||
                id[19] == 'b');
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

TEST(InputLimitsTest, Utf8ValidityAndLength) {
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8(
      "caf\xC3\xA9 \xE2\x80\x9Cquoted\xE2\x80\x9D \xF0\x9F\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\x8E"));              // stray continuation byte
  EXPECT_FALSE(IsValidUtf8("\xE2\x80"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong "/"
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // a surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_EQ(Utf8Length("caf\xC3\xA9"), 4u);
}

}  // namespace
}  // namespace frontdesk
