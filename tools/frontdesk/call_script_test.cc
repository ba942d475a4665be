#include "tools/frontdesk/call_script.h"

#include "gtest/gtest.h"

namespace frontdesk::cli {
namespace {

TEST(CallScriptTest, SkipsCommentsAndBlankLines) {
  EXPECT_EQ(ParseCallScript("# comment\n\n  Hello there  \nWhere do I park?\n"),
            (std::vector<std::string>{"Hello there", "Where do I park?"}));
}

TEST(CallScriptTest, MissingOrEmptyScriptIsAnError) {
  auto missing = LoadCallScript("/nonexistent/script.txt");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(std::string(missing.status().message()),
            "script /nonexistent/script.txt: cannot be read");
}

}  // namespace
}  // namespace frontdesk::cli
