#include "services/handoff_prep/handoff_probe.h"

namespace frontdesk::handoff_prep {

namespace {

// Seconds, from a drill's few-second claim window to a day.
prometheus::Histogram::BucketBoundaries ClaimBuckets() {
  return {1,   5,    15,   30,   60,    120,   300,  600,
          900, 1800, 3600, 7200, 14400, 28800, 86400};
}

const char* LevelLabel(uint32_t level) {
  return level <= 1 ? "backup" : "last_resort";
}

}  // namespace

HandoffProbe::HandoffProbe(prometheus::Registry& registry,
                           const std::vector<std::string>& queues)
    : claimed_(prometheus::BuildCounter()
                   .Name("frontdesk_handoffs_claimed_total")
                   .Help("Handoffs claimed by a staff member, by the queue "
                         "they were created on")
                   .Register(registry)),
      resolved_(prometheus::BuildCounter()
                    .Name("frontdesk_handoffs_resolved_total")
                    .Help("Handoffs resolved, by the queue they were created "
                          "on")
                    .Register(registry)),
      escalated_(prometheus::BuildCounter()
                     .Name("frontdesk_handoffs_escalated_total")
                     .Help("Missed claim deadlines: level=backup when the "
                           "owner's passed, last_resort when the backup's "
                           "passed too")
                     .Register(registry)),
      time_to_claim_(prometheus::BuildHistogram()
                         .Name("frontdesk_handoff_time_to_claim_seconds")
                         .Help("From a handoff's creation to its claim")
                         .Register(registry)) {
  for (const std::string& q : queues) {
    claimed_.Add({{"queue", q}});
    resolved_.Add({{"queue", q}});
    escalated_.Add({{"queue", q}, {"level", LevelLabel(1)}});
    escalated_.Add({{"queue", q}, {"level", LevelLabel(2)}});
    time_to_claim_.Add({{"queue", q}}, ClaimBuckets());
  }
}

void HandoffProbe::OnClaimed(const std::string& queue, absl::Duration waited) {
  claimed_.Add({{"queue", queue}}).Increment();
  time_to_claim_.Add({{"queue", queue}}, ClaimBuckets())
      .Observe(absl::ToDoubleSeconds(waited));
}

void HandoffProbe::OnResolved(const std::string& queue) {
  resolved_.Add({{"queue", queue}}).Increment();
}

void HandoffProbe::OnEscalated(const std::string& queue, uint32_t level) {
  escalated_.Add({{"queue", queue}, {"level", LevelLabel(level)}}).Increment();
}

}  // namespace frontdesk::handoff_prep
