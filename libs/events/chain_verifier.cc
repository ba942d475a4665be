#include "libs/events/chain_verifier.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace frontdesk::events {

namespace ev = ::frontdesk::events::v1;

std::string FindingKindName(FindingKind kind) {
  switch (kind) {
    case FindingKind::kAltered:
      return "altered";
    case FindingKind::kDuplicate:
      return "duplicate";
    case FindingKind::kMissing:
      return "missing";
    case FindingKind::kReordered:
      return "reordered";
    case FindingKind::kForeign:
      return "foreign";
    case FindingKind::kForged:
      return "forged";
  }
  return "unknown";
}

ChainVerifier::ChainVerifier(std::string call_id)
    : call_id_(std::move(call_id)) {}

ChainVerifier::ChainVerifier(std::string call_id, const ProducerKeys* keys)
    : call_id_(std::move(call_id)), keys_(keys) {}

void ChainVerifier::Report(FindingKind kind, const std::string& position,
                           std::string detail, const ev::EventBody* body) {
  Finding f;
  f.kind = kind;
  f.position = position;
  f.detail = std::move(detail);
  if (body != nullptr) {
    f.event_id = body->event_id();
    f.event_type = EventTypeName(body->type());
    f.producer_service = body->producer().service();
    f.producer_instance = body->producer().instance();
    f.sequence = body->sequence();
  }
  findings_.push_back(std::move(f));
}

absl::StatusOr<OpenedEvent> ChainVerifier::Add(absl::string_view record_value,
                                               const std::string& position) {
  absl::StatusOr<OpenedEvent> opened = OpenEnvelopeBytes(record_value);
  if (!opened.ok()) {
    // Name the event as the damaged body claims to be, when it still parses.
    ev::EventEnvelope envelope;
    ev::EventBody claimed;
    const bool named =
        envelope.ParseFromArray(record_value.data(),
                                static_cast<int>(record_value.size())) &&
        claimed.ParseFromString(envelope.body());
    Report(FindingKind::kAltered, position,
           std::string(opened.status().message()), named ? &claimed : nullptr);
    return opened.status();
  }
  ++intact_;
  const auto& body = opened->body;
  if (keys_ != nullptr) {
    absl::Status signed_ok =
        keys_->Verify(opened->envelope, body.producer().service());
    if (!signed_ok.ok()) {
      Report(FindingKind::kForged, position,
             absl::StrCat("event ", body.event_id(), " claims producer ",
                          body.producer().service(), ": ", signed_ok.message()),
             &body);
      return opened;
    }
    ++signed_;
  }
  if (body.call_id() != call_id_) {
    Report(FindingKind::kForeign, position,
           absl::StrCat("event ", body.event_id(), " belongs to call ",
                        body.call_id()),
           &body);
    return opened;
  }
  if (!seen_ids_.insert(body.event_id()).second) {
    Report(FindingKind::kDuplicate, position,
           absl::StrCat("event ", body.event_id(), " appears more than once"),
           &body);
    return opened;
  }
  const std::string producer =
      absl::StrCat(body.producer().service(), "/", body.producer().instance());
  Link& link = links_[producer];
  const uint64_t expected = link.sequence + 1;
  if (body.sequence() < expected) {
    Report(FindingKind::kReordered, position,
           absl::StrCat(producer, " sequence ", body.sequence(),
                        " arrived after ", link.sequence),
           &body);
    return opened;
  }
  if (body.sequence() > expected) {
    Report(FindingKind::kMissing, position,
           absl::StrCat(producer, " sequence ", expected,
                        body.sequence() - 1 > expected
                            ? absl::StrCat("..", body.sequence() - 1)
                            : std::string(),
                        " missing before ", body.sequence()),
           &body);
  } else if (body.prev_hash() != link.hash) {
    Report(FindingKind::kMissing, position,
           absl::StrCat(producer, " sequence ", body.sequence(),
                        " does not link to the previous event's hash"),
           &body);
  }
  link.sequence = body.sequence();
  link.hash = opened->envelope.hash();
  return opened;
}

}  // namespace frontdesk::events
