#include "tools/frontdesk/phi_map_commands.h"

#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace frontdesk::cli {
namespace {

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Temp(const std::string& name) {
  return absl::StrCat(::testing::TempDir(), "/phi_map_commands_test_", name);
}

TEST(PhiMapCommandsTest, WritesTheTextReportWithHelmRetention) {
  std::ostringstream out, err;
  EXPECT_EQ(RunPhiMap({FRONTDESK_SAMPLE_POLICY, FRONTDESK_HELM_VALUES, "", ""},
                      out, err),
            0)
      << err.str();
  EXPECT_TRUE(absl::StartsWith(out.str(), "PHI DATA-PATH REPORT\n"));
  EXPECT_TRUE(absl::StrContains(out.str(),
                                absl::StrCat("    from ", FRONTDESK_HELM_VALUES,
                                             ": kafka.topics.retentionMs\n")))
      << out.str();
}

TEST(PhiMapCommandsTest, WritesHtmlToAFile) {
  std::ostringstream out, err;
  const std::string path = Temp("map.html");
  EXPECT_EQ(RunPhiMap({FRONTDESK_SAMPLE_POLICY, "", "html", path}, out, err), 0)
      << err.str();
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(err.str(), absl::StrCat("frontdesk phi-map: wrote ", path, "\n"));
  const std::string html = Read(path);
  EXPECT_TRUE(absl::StartsWith(html, "<!DOCTYPE html>"));
  EXPECT_TRUE(absl::StrContains(html, "</svg>"));
}

TEST(PhiMapCommandsTest, APolicyRoutingPhiWithoutABaaGivesNoReport) {
  std::string yaml = Read(FRONTDESK_SAMPLE_POLICY);
  const std::string from =
      "{id: web-analytics, kind: analytics, baa_on_record: false}";
  const size_t at = yaml.find(from);
  ASSERT_NE(at, std::string::npos);
  const std::string flow =
      "{subprocessor: speech-front-end, fields: [name, "
      "phone, callback_time]}";
  const size_t f = yaml.find(flow);
  ASSERT_NE(f, std::string::npos);
  yaml.replace(f, flow.size(),
               flow +
                   "\n      - {subprocessor: web-analytics, fields: "
                   "[callback_time]}");
  const std::string path = Temp("no-baa.yaml");
  std::ofstream(path) << yaml;
  std::ostringstream out, err;
  EXPECT_EQ(RunPhiMap({path, "", "text", ""}, out, err), 1);
  EXPECT_EQ(out.str(), "");
  EXPECT_TRUE(absl::StrContains(
      err.str(),
      "send_to_subprocessors[1].fields[0]: PHI field callback_time of "
      "request type \"callback\" would flow to subprocessor "
      "\"web-analytics\", which has no BAA on record\n"))
      << err.str();
  EXPECT_TRUE(absl::StrContains(err.str(), absl::StrCat(path, ":")));
}

TEST(PhiMapCommandsTest, BadOptionsAreNamed) {
  std::ostringstream out, err;
  EXPECT_EQ(RunPhiMap({FRONTDESK_SAMPLE_POLICY, "", "pdf", ""}, out, err), 2);
  EXPECT_EQ(err.str(),
            "frontdesk phi-map: --format: \"pdf\" is not one of: text, html\n");
  std::ostringstream out2, err2;
  EXPECT_EQ(
      RunPhiMap({FRONTDESK_SAMPLE_POLICY, "/nonexistent/values.yaml", "", ""},
                out2, err2),
      1);
  EXPECT_EQ(err2.str(),
            "frontdesk phi-map: --values: Helm values "
            "/nonexistent/values.yaml: cannot be read\n");
  std::ostringstream out3, err3;
  EXPECT_EQ(RunPhiMap({FRONTDESK_SAMPLE_POLICY, "", "", "/nonexistent/x.txt"},
                      out3, err3),
            2);
  EXPECT_EQ(err3.str(),
            "frontdesk phi-map: --out: cannot write /nonexistent/x.txt\n");
}

}  // namespace
}  // namespace frontdesk::cli
