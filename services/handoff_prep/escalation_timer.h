// EscalationTimer: runs HandoffDesk::EscalateDue every tick on its own
// thread and exports the desk's figures as metrics:
//   frontdesk_handoffs_open                  gauge
//   frontdesk_handoffs_open_at_last_resort   gauge; the alert: page someone
//                                            while it is above 0
//   frontdesk_handoff_changes_total{change}  counter: claimed, resolved,
//                                            escalated_to_backup,
//                                            escalated_to_last_resort,
//                                            refused
// Stops (and joins) on destruction.
#ifndef FRONTDESK_SERVICES_HANDOFF_PREP_ESCALATION_TIMER_H_
#define FRONTDESK_SERVICES_HANDOFF_PREP_ESCALATION_TIMER_H_

#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"
#include "services/handoff_prep/handoff_desk.h"

namespace frontdesk::handoff_prep {

class EscalationTimer {
 public:
  // `desk` must outlive the timer.
  EscalationTimer(HandoffDesk* desk, absl::Duration tick,
                  prometheus::Registry& registry);
  ~EscalationTimer();

 private:
  void Run();
  void Export();

  HandoffDesk* const desk_;
  const absl::Duration tick_;
  prometheus::Gauge& open_;
  prometheus::Gauge& last_resort_;
  prometheus::Family<prometheus::Counter>& changes_;
  DeskStats exported_;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace frontdesk::handoff_prep

#endif  // FRONTDESK_SERVICES_HANDOFF_PREP_ESCALATION_TIMER_H_
