// The event envelope: building, hashing, opening and describing events.
//
// An event is an EventEnvelope{body, hash} where `body` is a serialized
// EventBody and `hash` is SHA-256(body). The hash covers the exact bytes that
// were written; readers verify those bytes and never re-serialize. See
// protos/frontdesk/events/v1/README.md for the format.
//
// Example:
//   absl::StatusOr<OpenedEvent> e = OpenEnvelopeBytes(record_value);
//   if (!e.ok()) { /* damaged or not an event */ }
#ifndef FRONTDESK_LIBS_EVENTS_EVENT_ENVELOPE_H_
#define FRONTDESK_LIBS_EVENTS_EVENT_ENVELOPE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "frontdesk/events/v1/envelope.pb.h"

namespace frontdesk::events {

// SHA-256 of `bytes`, 32 raw bytes.
std::string Sha256(absl::string_view bytes);

// Lower-case hexadecimal of raw bytes; `max_bytes` > 0 shortens the output.
std::string ToHex(absl::string_view bytes, size_t max_bytes = 0);

// An envelope whose hash was checked, with its body parsed.
struct OpenedEvent {
  frontdesk::events::v1::EventEnvelope envelope;
  frontdesk::events::v1::EventBody body;
};

// Builds the envelope for `body`: serializes it once and hashes those bytes.
frontdesk::events::v1::EventEnvelope SealEnvelope(
    const frontdesk::events::v1::EventBody& body);

// Checks the hash of `envelope` over its stored body bytes and parses the body.
// DATA_LOSS when the hash does not match or the body does not parse.
absl::StatusOr<OpenedEvent> OpenEnvelope(
    const frontdesk::events::v1::EventEnvelope& envelope);

// Same as OpenEnvelope, starting from a Kafka record value.
absl::StatusOr<OpenedEvent> OpenEnvelopeBytes(absl::string_view record_value);

// A short, PHI-free name for an event type, for example "TurnReceived".
std::string EventTypeName(frontdesk::events::v1::EventType type);

// A one-line, PHI-free summary of the payload, for timelines.
std::string SummarizePayload(const frontdesk::events::v1::EventBody& body);

}  // namespace frontdesk::events

#endif  // FRONTDESK_LIBS_EVENTS_EVENT_ENVELOPE_H_
