// EventChain: numbers and links one producer instance's events, per call.
//
// Each producer instance keeps, for every call it writes to, the sequence of
// its last event and that event's hash. The next event gets sequence + 1 and
// prev_hash = that hash, so a reader can prove that none of this producer's
// events for the call were removed, altered or reordered.
//
// Example:
//   EventChain chain(producer, RealClock::Get());
//   EventEnvelope e = chain.Next({.tenant_id = "t", .call_id = id, ...});
//
// With a signer (SetSigner), each envelope also carries the producer's
// Ed25519 signature of the body.
//
// Thread-safe.
#ifndef FRONTDESK_LIBS_EVENTS_EVENT_CHAIN_H_
#define FRONTDESK_LIBS_EVENTS_EVENT_CHAIN_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "frontdesk/events/v1/envelope.pb.h"
#include "libs/common/clock.h"
#include "libs/events/event_signer.h"

namespace frontdesk::events {

// What a producer supplies for one event; the chain fills in the rest.
struct EventDraft {
  std::string tenant_id;
  std::string call_id;
  std::string policy_version;
  frontdesk::events::v1::EventType type =
      frontdesk::events::v1::EVENT_TYPE_UNSPECIFIED;
  // The serialized payload message named by `type`.
  std::string payload;
  std::optional<frontdesk::events::v1::SealedPhi> sealed_phi;
};

class EventChain {
 public:
  // `clock` must outlive the chain.
  EventChain(frontdesk::events::v1::Producer producer, const Clock* clock);
  // With a signer, every event is also signed (event_signer.h). `signer`
  // may be null: events are then unsigned.
  EventChain(frontdesk::events::v1::Producer producer, const Clock* clock,
             std::shared_ptr<const EventSigner> signer);

  // Signs the events built from now on with `signer` (null: unsigned).
  // Call it before the chain is shared; later calls are safe but events
  // already built stay as they were.
  void SetSigner(std::shared_ptr<const EventSigner> signer);
  // True when events are signed.
  bool signing() const;

  // Builds, numbers, links and hashes the next event of `draft.call_id`.
  // The chain advances whether or not the caller manages to store the event:
  // a lost event must show up as a gap, never be papered over.
  frontdesk::events::v1::EventEnvelope Next(const EventDraft& draft);

  // Drops the chain state of a finished call to bound memory. Events after
  // this for the same call would start a new chain and fail verification, so
  // call it only when this producer writes nothing more for the call.
  void Forget(const std::string& call_id);

  // Number of calls with chain state held.
  size_t open_chains() const;

  const frontdesk::events::v1::Producer& producer() const { return producer_; }

 private:
  struct Link {
    uint64_t sequence = 0;
    std::string hash;
  };
  const frontdesk::events::v1::Producer producer_;
  const Clock* clock_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Link> links_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<const EventSigner> signer_ ABSL_GUARDED_BY(mu_);
};

}  // namespace frontdesk::events

#endif  // FRONTDESK_LIBS_EVENTS_EVENT_CHAIN_H_
