// Call scripts: the turns of a scripted call, one per line.
//
// Blank lines and lines starting with '#' are skipped; surrounding spaces
// are trimmed. Example file:
//   # A caller asks about parking.
//   Where do I park?
#ifndef FRONTDESK_TOOLS_FRONTDESK_CALL_SCRIPT_H_
#define FRONTDESK_TOOLS_FRONTDESK_CALL_SCRIPT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace frontdesk::cli {

std::vector<std::string> ParseCallScript(absl::string_view text);

// NOT_FOUND naming the path when it cannot be read; INVALID_ARGUMENT when it
// holds no turn.
absl::StatusOr<std::vector<std::string>> LoadCallScript(
    const std::string& path);

}  // namespace frontdesk::cli

#endif  // FRONTDESK_TOOLS_FRONTDESK_CALL_SCRIPT_H_
