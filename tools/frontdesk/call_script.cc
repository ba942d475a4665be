#include "tools/frontdesk/call_script.h"

#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace frontdesk::cli {

std::vector<std::string> ParseCallScript(absl::string_view text) {
  std::vector<std::string> turns;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    turns.emplace_back(line);
  }
  return turns;
}

absl::StatusOr<std::vector<std::string>> LoadCallScript(
    const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("script ", path, ": cannot be read"));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::vector<std::string> turns = ParseCallScript(ss.str());
  if (turns.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("script ", path, ": holds no turn"));
  }
  return turns;
}

}  // namespace frontdesk::cli
