// HandoffProbe: the handoff lifecycle per queue, as metrics. The desk tells
// it of each change (HandoffDesk::SetObserver); EscalationTimer exports the
// desk's totals and gauges, and HandoffPrepService counts handoffs created.
//
//   frontdesk_handoffs_claimed_total{queue}              counter
//   frontdesk_handoffs_resolved_total{queue}             counter
//   frontdesk_handoffs_escalated_total{queue,level}      counter; each is a
//       missed claim deadline: level="backup" when the owner's was missed,
//       "last_resort" when the backup's was too
//   frontdesk_handoff_time_to_claim_seconds{queue}       histogram: from the
//       handoff's creation to its claim
//
// `queue` is always the queue the handoff was created on, so a queue's
// created, claimed and escalated counts add up. Every queue of the policy
// starts at 0.
//
// Example (main.cc):
//   HandoffProbe probe(*registry, policy->QueueIds());
//   desk.SetObserver(&probe);
//
// Thread-safe.
#ifndef FRONTDESK_SERVICES_HANDOFF_PREP_HANDOFF_PROBE_H_
#define FRONTDESK_SERVICES_HANDOFF_PREP_HANDOFF_PROBE_H_

#include <string>
#include <vector>

#include "prometheus/counter.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "services/handoff_prep/handoff_desk.h"

namespace frontdesk::handoff_prep {

class HandoffProbe : public DeskObserver {
 public:
  HandoffProbe(prometheus::Registry& registry,
               const std::vector<std::string>& queues);

  void OnClaimed(const std::string& queue, absl::Duration waited) override;
  void OnResolved(const std::string& queue) override;
  void OnEscalated(const std::string& queue, uint32_t level) override;

 private:
  prometheus::Family<prometheus::Counter>& claimed_;
  prometheus::Family<prometheus::Counter>& resolved_;
  prometheus::Family<prometheus::Counter>& escalated_;
  prometheus::Family<prometheus::Histogram>& time_to_claim_;
};

}  // namespace frontdesk::handoff_prep

#endif  // FRONTDESK_SERVICES_HANDOFF_PREP_HANDOFF_PROBE_H_
