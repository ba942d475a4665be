// Random (version 4) UUIDs for event, call, decision and handoff ids.
#ifndef FRONTDESK_LIBS_COMMON_UUID_H_
#define FRONTDESK_LIBS_COMMON_UUID_H_

#include <string>

#include "absl/strings/string_view.h"

namespace frontdesk {

// Returns a new RFC 4122 version 4 UUID in lower-case 8-4-4-4-12 form, from
// the operating system's cryptographic random source. Thread-safe.
std::string NewUuid();

// True when `s` has the 8-4-4-4-12 lower-case hexadecimal form.
bool LooksLikeUuid(absl::string_view s);

}  // namespace frontdesk

#endif  // FRONTDESK_LIBS_COMMON_UUID_H_
