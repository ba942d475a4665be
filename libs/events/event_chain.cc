#include "libs/events/event_chain.h"

#include <utility>

#include "libs/common/uuid.h"
#include "libs/events/event_envelope.h"

namespace frontdesk::events {

namespace ev = ::frontdesk::events::v1;

EventChain::EventChain(ev::Producer producer, const Clock* clock)
    : producer_(std::move(producer)), clock_(clock) {}

EventChain::EventChain(ev::Producer producer, const Clock* clock,
                       std::shared_ptr<const EventSigner> signer)
    : producer_(std::move(producer)),
      clock_(clock),
      signer_(std::move(signer)) {}

void EventChain::SetSigner(std::shared_ptr<const EventSigner> signer) {
  absl::MutexLock lock(&mu_);
  signer_ = std::move(signer);
}

bool EventChain::signing() const {
  absl::MutexLock lock(&mu_);
  return signer_ != nullptr;
}

ev::EventEnvelope EventChain::Next(const EventDraft& draft) {
  ev::EventBody body;
  body.set_event_id(NewUuid());
  body.set_tenant_id(draft.tenant_id);
  body.set_call_id(draft.call_id);
  const absl::Time now = clock_->Now();
  const int64_t nanos = absl::ToUnixNanos(now);
  body.mutable_occurred_at()->set_seconds(nanos / 1000000000);
  body.mutable_occurred_at()->set_nanos(
      static_cast<int32_t>(nanos % 1000000000));
  *body.mutable_producer() = producer_;
  body.set_policy_version(draft.policy_version);
  body.set_type(draft.type);
  body.set_payload(draft.payload);
  if (draft.sealed_phi.has_value())
    *body.mutable_sealed_phi() = *draft.sealed_phi;

  absl::MutexLock lock(&mu_);
  Link& link = links_[draft.call_id];
  body.set_sequence(link.sequence + 1);
  body.set_prev_hash(link.hash);
  ev::EventEnvelope envelope = SealEnvelope(body);
  if (signer_ != nullptr) signer_->SignEnvelope(&envelope);
  link.sequence = body.sequence();
  link.hash = envelope.hash();
  return envelope;
}

void EventChain::Forget(const std::string& call_id) {
  absl::MutexLock lock(&mu_);
  links_.erase(call_id);
}

size_t EventChain::open_chains() const {
  absl::MutexLock lock(&mu_);
  return links_.size();
}

}  // namespace frontdesk::events
