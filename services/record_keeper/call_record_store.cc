#include "services/record_keeper/call_record_store.h"

#include "libs/events/event_envelope.h"
#include "spdlog/spdlog.h"

namespace frontdesk::record_keeper {

ApplyOutcome CallRecordStore::Apply(const eventlog::StoredRecord& record) {
  absl::StatusOr<events::OpenedEvent> opened =
      events::OpenEnvelopeBytes(record.value);
  absl::MutexLock lock(&mu_);
  if (!opened.ok()) {
    ++damaged_;
    spdlog::error("event=damaged_record topic={} partition={} offset={}",
                  record.topic, record.partition, record.offset);
    return ApplyOutcome::kDamaged;
  }
  if (!event_ids_.insert(opened->body.event_id()).second) {
    ++duplicates_;
    return ApplyOutcome::kDuplicate;
  }
  frontdesk::records::v1::RecordedEvent e;
  *e.mutable_envelope() = opened->envelope;
  e.set_partition(record.partition);
  e.set_offset(record.offset);
  calls_[opened->body.call_id()].push_back(std::move(e));
  ++applied_;
  return ApplyOutcome::kApplied;
}

std::vector<frontdesk::records::v1::RecordedEvent> CallRecordStore::GetCall(
    const std::string& call_id) const {
  absl::MutexLock lock(&mu_);
  auto it = calls_.find(call_id);
  if (it == calls_.end()) return {};
  return it->second;
}

int64_t CallRecordStore::applied() const {
  absl::MutexLock lock(&mu_);
  return applied_;
}

int64_t CallRecordStore::duplicates() const {
  absl::MutexLock lock(&mu_);
  return duplicates_;
}

int64_t CallRecordStore::damaged() const {
  absl::MutexLock lock(&mu_);
  return damaged_;
}

}  // namespace frontdesk::record_keeper
