// libFuzzer target: the natural-date reader takes any caller words and
// either returns sorted, disjoint, non-empty windows from `now` on, naming
// only known clinicians, or INVALID_ARGUMENT whose message does not repeat
// the caller's unknown words; never a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "libs/scheduling/natural_date.h"

namespace {

using frontdesk::scheduling::NaturalDateContext;

const NaturalDateContext& Context() {
  static const NaturalDateContext* context = [] {
    auto* c = new NaturalDateContext;
    if (!absl::LoadTimeZone("America/Chicago", &c->zone)) __builtin_trap();
    // Wednesday 2026-12-02 14:05, clinic time.
    c->now = absl::FromCivil(absl::CivilMinute(2026, 12, 2, 14, 5), c->zone);
    for (absl::Weekday d :
         {absl::Weekday::monday, absl::Weekday::tuesday,
          absl::Weekday::wednesday, absl::Weekday::thursday}) {
      c->hours.Set(d, 8 * 60 + 30, 16 * 60 + 30);
    }
    c->hours.Set(absl::Weekday::friday, 8 * 60 + 30, 15 * 60 + 30);
    c->clinicians = {{"dr-patel", "Dr. Patel"},
                     {"dr-nguyen", "Dr. Nguyen"},
                     {"np-garcia", "Nurse Practitioner Garcia"}};
    return c;
  }();
  return *context;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const NaturalDateContext& c = Context();
  auto window = frontdesk::scheduling::ParseNaturalDate(text, c);
  // The same words after a marker that is no date word: an error must not
  // repeat it (so it repeats none of the caller's unknown words).
  auto marked = frontdesk::scheduling::ParseNaturalDate("qzxjv " + text, c);
  if (!marked.ok() &&
      (marked.status().code() != absl::StatusCode::kInvalidArgument ||
       absl::StrContains(absl::AsciiStrToLower(marked.status().message()),
                         "qzxjv"))) {
    __builtin_trap();
  }
  if (!window.ok()) {
    if (window.status().code() != absl::StatusCode::kInvalidArgument)
      __builtin_trap();
    return 0;
  }
  absl::Time previous_end = absl::InfinitePast();
  for (const auto& i : window->intervals) {
    if (i.start >= i.end || i.start < c.now || i.start < previous_end)
      __builtin_trap();
    previous_end = i.end;
  }
  for (const auto& id : window->practitioners) {
    if (id != "dr-patel" && id != "dr-nguyen" && id != "np-garcia")
      __builtin_trap();
  }
  return 0;
}
