#include "services/handoff_prep/escalation_timer.h"

namespace frontdesk::handoff_prep {

EscalationTimer::EscalationTimer(HandoffDesk* desk, absl::Duration tick,
                                 prometheus::Registry& registry)
    : desk_(desk),
      tick_(tick),
      open_(prometheus::BuildGauge()
                .Name("frontdesk_handoffs_open")
                .Help("Handoffs created or claimed, not resolved")
                .Register(registry)
                .Add({})),
      last_resort_(prometheus::BuildGauge()
                       .Name("frontdesk_handoffs_open_at_last_resort")
                       .Help("Open handoffs that passed the owner's and the "
                             "backup's deadlines; alert while above 0")
                       .Register(registry)
                       .Add({})),
      changes_(prometheus::BuildCounter()
                   .Name("frontdesk_handoff_changes_total")
                   .Help("Handoff lifecycle changes and refused staff "
                         "operations")
                   .Register(registry)),
      thread_([this] { Run(); }) {}

EscalationTimer::~EscalationTimer() {
  stop_.Notify();
  thread_.join();
}

void EscalationTimer::Run() {
  do {
    desk_->EscalateDue();
    Export();
  } while (!stop_.WaitForNotificationWithTimeout(tick_));
}

void EscalationTimer::Export() {
  const DeskStats now = desk_->stats();
  auto add = [this](const char* change, uint64_t before, uint64_t after) {
    if (after > before) {
      changes_.Add({{"change", change}})
          .Increment(static_cast<double>(after - before));
    }
  };
  add("claimed", exported_.claimed, now.claimed);
  add("resolved", exported_.resolved, now.resolved);
  add("escalated_to_backup", exported_.escalated_to_backup,
      now.escalated_to_backup);
  add("escalated_to_last_resort", exported_.escalated_to_last_resort,
      now.escalated_to_last_resort);
  add("refused", exported_.refused, now.refused);
  add("break_glass", exported_.break_glass, now.break_glass);
  open_.Set(static_cast<double>(now.open));
  last_resort_.Set(static_cast<double>(now.open_at_last_resort));
  exported_ = now;
}

}  // namespace frontdesk::handoff_prep
