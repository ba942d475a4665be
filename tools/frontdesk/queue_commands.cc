#include "tools/frontdesk/queue_commands.h"

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace frontdesk::cli {

namespace hv = ::frontdesk::handoff::v1;

namespace {

std::string StateName(hv::HandoffState s) {
  return absl::AsciiStrToLower(
      hv::HandoffState_Name(s).substr(std::string("HANDOFF_STATE_").size()));
}

// "4m05s left" or "2m10s overdue".
std::string Countdown(int64_t seconds) {
  const int64_t a = std::llabs(seconds);
  return absl::StrFormat("%dm%02ds %s", a / 60, a % 60,
                         seconds >= 0 ? "left" : "overdue");
}

}  // namespace

std::string HandoffLine(const hv::HandoffView& v) {
  const hv::HandoffPacket& p = v.packet();
  std::string holder = p.owner_role();
  if (p.escalation_level() == 1) absl::StrAppend(&holder, " (backup)");
  if (p.escalation_level() >= 2) absl::StrAppend(&holder, " (last resort)");
  std::string claimed;
  if (!p.claimed_by().empty()) claimed = absl::StrCat(" by ", p.claimed_by());
  return absl::StrFormat("P%d %-8s %-17s %-30s %-22s %s%s", p.priority(),
                         StateName(p.state()),
                         p.state() == hv::HANDOFF_STATE_RESOLVED
                             ? "-"
                             : Countdown(v.seconds_to_deadline()),
                         holder, p.category(), p.handoff_id(), claimed);
}

std::string HandoffDetails(const hv::HandoffView& v) {
  const hv::HandoffPacket& p = v.packet();
  std::string s = absl::StrCat(HandoffLine(v), "\n");
  absl::StrAppend(&s, "    queue ", p.queue(), ", call ", p.call_id(),
                  ", rule ", p.rule_id(), ", policy ", p.policy_version(),
                  "\n");
  if (!p.request_type().empty())
    absl::StrAppend(&s, "    request: ", p.request_type(), "\n");
  if (!v.trigger_words().empty())
    absl::StrAppend(&s, "    caller said: \"", v.trigger_words(), "\"\n");
  if (!p.trigger_phrase().empty())
    absl::StrAppend(&s, "    matched: \"", p.trigger_phrase(), "\" (",
                    p.trigger_source(), " ", p.trigger_begin(), "-",
                    p.trigger_end(), ")\n");
  absl::StrAppend(&s, "    patient was told: \"", p.patient_told(), "\"\n");
  if (!v.caller_number().empty())
    absl::StrAppend(&s, "    caller number: ", v.caller_number(), "\n");
  for (const auto& value : v.intake())
    absl::StrAppend(&s, "    ", value.field(), ": ", value.value(), "\n");
  if (p.consent_declined())
    absl::StrAppend(&s, "    the caller declined consent\n");
  return s;
}

}  // namespace frontdesk::cli
