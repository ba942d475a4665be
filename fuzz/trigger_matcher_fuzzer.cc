// libFuzzer target: any utterance (any bytes, any length up to the input
// limit) gets a decision from the sample policy; spans stay inside the text.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "libs/common/input_limits.h"
#include "services/rules_check/handoff_map.h"

namespace {

const frontdesk::rules_check::HandoffMap& Map() {
  static const auto* map = [] {
    auto p = frontdesk::policy::LoadPolicyFile(FRONTDESK_SAMPLE_POLICY);
    if (!p.ok()) __builtin_trap();
    return new frontdesk::rules_check::HandoffMap(
        std::make_shared<const frontdesk::policy::ClinicPolicy>(*std::move(p)));
  }();
  return *map;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const size_t chars = frontdesk::Utf8Length(text);
  if (chars > frontdesk::kMaxUtteranceChars) return 0;
  auto d = Map().Evaluate(text, {text}, frontdesk::rules::v1::CallContext());
  if (d.lane() == frontdesk::rules::v1::LANE_UNSPECIFIED) __builtin_trap();
  if (d.has_trigger() &&
      (d.trigger().begin() >= d.trigger().end() || d.trigger().end() > chars)) {
    __builtin_trap();
  }
  return 0;
}
