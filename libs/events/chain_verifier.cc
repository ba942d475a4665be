#include "libs/events/chain_verifier.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace frontdesk::events {

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
  }
  return "unknown";
}

ChainVerifier::ChainVerifier(std::string call_id)
    : call_id_(std::move(call_id)) {}

absl::StatusOr<OpenedEvent> ChainVerifier::Add(absl::string_view record_value,
                                               const std::string& position) {
  absl::StatusOr<OpenedEvent> opened = OpenEnvelopeBytes(record_value);
  if (!opened.ok()) {
    findings_.push_back({FindingKind::kAltered, position,
                         std::string(opened.status().message())});
    return opened.status();
  }
  ++intact_;
  const auto& body = opened->body;
  if (body.call_id() != call_id_) {
    findings_.push_back({FindingKind::kForeign, position,
                         absl::StrCat("event ", body.event_id(),
                                      " belongs to call ", body.call_id())});
    return opened;
  }
  if (!seen_ids_.insert(body.event_id()).second) {
    findings_.push_back(
        {FindingKind::kDuplicate, position,
         absl::StrCat("event ", body.event_id(), " appears more than once")});
    return opened;
  }
  const std::string producer =
      absl::StrCat(body.producer().service(), "/", body.producer().instance());
  Link& link = links_[producer];
  const uint64_t expected = link.sequence + 1;
  if (body.sequence() < expected) {
    findings_.push_back({FindingKind::kReordered, position,
                         absl::StrCat(producer, " sequence ", body.sequence(),
                                      " arrived after ", link.sequence)});
    return opened;
  }
  if (body.sequence() > expected) {
    findings_.push_back(
        {FindingKind::kMissing, position,
         absl::StrCat(producer, " sequence ", expected,
                      body.sequence() - 1 > expected
                          ? absl::StrCat("..", body.sequence() - 1)
                          : std::string(),
                      " missing before ", body.sequence())});
  } else if (body.prev_hash() != link.hash) {
    findings_.push_back(
        {FindingKind::kMissing, position,
         absl::StrCat(producer, " sequence ", body.sequence(),
                      " does not link to the previous event's hash")});
  }
  link.sequence = body.sequence();
  link.hash = opened->envelope.hash();
  return opened;
}

}  // namespace frontdesk::events
