// The Producer block that a service stamps on its events.
#ifndef FRONTDESK_LIBS_EVENTS_PRODUCER_IDENTITY_H_
#define FRONTDESK_LIBS_EVENTS_PRODUCER_IDENTITY_H_

#include <string>

#include "frontdesk/events/v1/envelope.pb.h"

namespace frontdesk::events {

// The frontdesk software version stamped on every event.
inline constexpr char kFrontdeskVersion[] = "0.1.0";

// service, "<hostname>:<pid>:<start unix ms>", kFrontdeskVersion: unique per
// process start, so a restarted process begins a new chain.
frontdesk::events::v1::Producer ThisProcess(const std::string& service);

}  // namespace frontdesk::events

#endif  // FRONTDESK_LIBS_EVENTS_PRODUCER_IDENTITY_H_
