// Structured logging for the services.
//
// Lines are `key=value` pairs on stderr. The contract: nothing that reaches a
// log line is PHI. Log ids (call, event, decision, handoff), codes, counts and
// durations; never utterances, names, numbers or dates of birth. Status
// messages built by frontdesk code follow the same rule, so logging a Status
// is safe.
//
// Example:
//   frontdesk::InitServiceLogging("answer");
//   spdlog::info("event=turn_done call_id={} lane={}", call_id, lane);
#ifndef FRONTDESK_LIBS_COMMON_SERVICE_LOGGING_H_
#define FRONTDESK_LIBS_COMMON_SERVICE_LOGGING_H_

#include <string>

#include "absl/strings/string_view.h"
#include "spdlog/fmt/fmt.h"

// Lets spdlog format absl::string_view (Debian's Abseil has its own type).
template <>
struct fmt::formatter<absl::string_view> : fmt::formatter<fmt::string_view> {
  auto format(absl::string_view s, fmt::format_context& ctx) const {
    return fmt::formatter<fmt::string_view>::format(
        fmt::string_view(s.data(), s.size()), ctx);
  }
};

namespace frontdesk {

// Sets the default spdlog logger to stderr with the service name in every
// line. Call once at the start of main().
void InitServiceLogging(const std::string& service);

}  // namespace frontdesk

#endif  // FRONTDESK_LIBS_COMMON_SERVICE_LOGGING_H_
