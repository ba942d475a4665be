// ChainVerifier: checks a call's events, in log order, for damage.
//
// Feed it every event of one call in the order the log holds them. It checks
// each event's hash over its stored bytes, its producer signature when
// trusted producer keys are set, and each producer instance's sequence and
// prev_hash links. It reports, with the exact position and the event's
// identity (id, type, producer, sequence):
//   - an altered event (hash mismatch, unparsable body);
//   - a forged event (keys set, and the signature is missing, made by
//     another key, or does not verify). A forged event is left out of the
//     chain and duplicate checks, so it masks nothing that follows;
//   - a duplicated event (same event id seen before);
//   - a missing event (sequence gap, or prev_hash not the previous hash);
//   - a reordered event (sequence lower than expected);
//   - an event of another call mixed in.
//
// Example:
//   ChainVerifier v(call_id);
//   for (const auto& r : records) v.Add(r.value, Position(r));
//   if (!v.findings().empty()) { ... }
//
// Not thread-safe.
#ifndef FRONTDESK_LIBS_EVENTS_CHAIN_VERIFIER_H_
#define FRONTDESK_LIBS_EVENTS_CHAIN_VERIFIER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "libs/events/event_envelope.h"
#include "libs/events/event_signer.h"

namespace frontdesk::events {

enum class FindingKind {
  kAltered,
  kDuplicate,
  kMissing,
  kReordered,
  kForeign,
  kForged
};

// One problem found, with the place it was found.
struct Finding {
  FindingKind kind = FindingKind::kAltered;
  // Where in the log, for example "frontdesk.calls.v1/2@17".
  std::string position;
  // What is wrong, with no PHI.
  std::string detail;
  // The event as its body names it. For an altered event whose body still
  // parses, these are what the damaged body claims; empty when it does not.
  std::string event_id;
  std::string event_type;
  std::string producer_service;
  std::string producer_instance;
  uint64_t sequence = 0;
};

std::string FindingKindName(FindingKind kind);

class ChainVerifier {
 public:
  explicit ChainVerifier(std::string call_id);
  // With `keys` (not owned; must outlive the verifier), every event must
  // also carry a valid signature by the key of its producer service.
  ChainVerifier(std::string call_id, const ProducerKeys* keys);

  // Checks the next record value in log order. Returns the opened event when
  // its own hash is intact (even if its links are broken), so callers can
  // still print it.
  absl::StatusOr<OpenedEvent> Add(absl::string_view record_value,
                                  const std::string& position);

  const std::vector<Finding>& findings() const { return findings_; }
  // Events whose own hash checked out (forged ones included).
  int64_t intact_events() const { return intact_; }
  // Events whose signature was checked and verified.
  int64_t signed_events() const { return signed_; }
  // Producer instances seen.
  size_t producers() const { return links_.size(); }

 private:
  struct Link {
    uint64_t sequence = 0;
    std::string hash;
  };
  void Report(FindingKind kind, const std::string& position, std::string detail,
              const frontdesk::events::v1::EventBody* body);

  const std::string call_id_;
  const ProducerKeys* const keys_ = nullptr;
  absl::flat_hash_map<std::string, Link> links_;
  absl::flat_hash_set<std::string> seen_ids_;
  std::vector<Finding> findings_;
  int64_t intact_ = 0;
  int64_t signed_ = 0;
};

}  // namespace frontdesk::events

#endif  // FRONTDESK_LIBS_EVENTS_CHAIN_VERIFIER_H_
