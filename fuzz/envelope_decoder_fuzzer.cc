// libFuzzer target: a Kafka record value of any bytes goes through the
// envelope decoder. OpenEnvelopeBytes either refuses it with a status or
// returns an event whose hash matches its stored body; the PHI-free
// summaries of the body never crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "libs/events/event_envelope.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view value(reinterpret_cast<const char*>(data), size);
  auto opened = frontdesk::events::OpenEnvelopeBytes(value);
  if (opened.ok()) {
    (void)frontdesk::events::EventTypeName(opened->body.type());
    (void)frontdesk::events::SummarizePayload(opened->body);
  }
  // The summary must cope with any parsable body, not only sealed ones.
  frontdesk::events::v1::EventBody body;
  if (body.ParseFromArray(data, static_cast<int>(size))) {
    (void)frontdesk::events::EventTypeName(body.type());
    (void)frontdesk::events::SummarizePayload(body);
  }
  return 0;
}
