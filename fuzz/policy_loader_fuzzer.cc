// libFuzzer target: the policy loader must turn any input into either a
// policy or a list of errors; never a crash, a hang or an exception.
#include <cstddef>
#include <cstdint>
#include <string>

#include "libs/policy/clinic_policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string yaml(reinterpret_cast<const char*>(data), size);
  std::vector<frontdesk::policy::PolicyError> errors;
  auto policy = frontdesk::policy::ParsePolicy(yaml, "fuzz.yaml", &errors);
  if (policy.ok() != errors.empty()) __builtin_trap();
  return 0;
}
