#include "libs/events/producer_identity.h"

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace frontdesk::events {

frontdesk::events::v1::Producer ThisProcess(const std::string& service) {
  char host[256] = {0};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  frontdesk::events::v1::Producer p;
  p.set_service(service);
  p.set_instance(
      absl::StrCat(host, ":", getpid(), ":", absl::ToUnixMillis(absl::Now())));
  p.set_version(kFrontdeskVersion);
  return p;
}

}  // namespace frontdesk::events
