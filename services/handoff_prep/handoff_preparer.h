// HandoffPreparer: turns an escalation into a handoff packet on a staff queue.
//
// Prepare builds the packet (owner, backup, deadline from the policy's claim
// window and the clock, priority, the exact trigger words sealed), then
// appends, in one batch, the packet to frontdesk.handoff.<queue>.v1 and a
// HandoffPrepared event to frontdesk.calls.v1. It returns only after Kafka
// acknowledged both.
//
// Minimum necessary: the packet's sealed PHI holds the caller's words and
// number and only the intake fields the request type's PHI scope shows the
// queue owner's role.
//
// Idempotent on (call_id, decision_id): a repeated request returns the same
// packet and publishes nothing new, also after a restart (the desk, rebuilt
// from the queue topics, knows the packet). If an earlier attempt was not
// acknowledged, a retry republishes the same packet (same handoff id), so a
// queue may see one handoff id twice but never two handoffs for one decision;
// staff apps deduplicate by handoff_id.
//
// Thread-safe. Everything passed to the constructor must outlive it.
#ifndef FRONTDESK_SERVICES_HANDOFF_PREP_HANDOFF_PREPARER_H_
#define FRONTDESK_SERVICES_HANDOFF_PREP_HANDOFF_PREPARER_H_

#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "frontdesk/handoff/v1/handoff_service.pb.h"
#include "libs/common/clock.h"
#include "libs/eventlog/event_log.h"
#include "libs/events/event_chain.h"
#include "libs/phi/phi_sealer.h"
#include "libs/policy/clinic_policy.h"
#include "services/handoff_prep/handoff_desk.h"

namespace frontdesk::handoff_prep {

struct PrepareResult {
  frontdesk::handoff::v1::HandoffPacket packet;
  bool duplicate = false;
};

class HandoffPreparer {
 public:
  HandoffPreparer(std::shared_ptr<const policy::ClinicPolicy> policy,
                  eventlog::EventLog* log, events::EventChain* chain,
                  const phi::PhiSealer* sealer, const Clock* clock,
                  absl::Duration append_timeout, HandoffDesk* desk = nullptr);

  // INVALID_ARGUMENT names the bad field; NOT_FOUND for an unknown tenant or
  // queue; DEADLINE_EXCEEDED or UNAVAILABLE when Kafka did not acknowledge.
  absl::StatusOr<PrepareResult> Prepare(
      const frontdesk::handoff::v1::PrepareRequest& request);

  // Handoffs prepared (acknowledged) since start.
  size_t prepared() const;

 private:
  struct Entry {
    absl::Mutex mu;
    bool built ABSL_GUARDED_BY(mu) = false;
    bool acknowledged ABSL_GUARDED_BY(mu) = false;
    frontdesk::handoff::v1::HandoffPacket packet ABSL_GUARDED_BY(mu);
  };

  const std::shared_ptr<const policy::ClinicPolicy> policy_;
  eventlog::EventLog* const log_;
  events::EventChain* const chain_;
  const phi::PhiSealer* const sealer_;
  const Clock* const clock_;
  const absl::Duration append_timeout_;
  HandoffDesk* const desk_;

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<Entry>> entries_
      ABSL_GUARDED_BY(mu_);
  size_t prepared_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace frontdesk::handoff_prep

#endif  // FRONTDESK_SERVICES_HANDOFF_PREP_HANDOFF_PREPARER_H_
