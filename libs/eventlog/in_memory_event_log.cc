#include "libs/eventlog/in_memory_event_log.h"

#include "absl/strings/str_cat.h"

namespace frontdesk::eventlog {

void InMemoryEventLog::DeliverLocked(const LogRecord& r) {
  auto& part = topics_[r.topic];
  StoredRecord s;
  s.topic = r.topic;
  s.partition = 0;
  s.offset = static_cast<int64_t>(part.size());
  s.key = r.key;
  s.value = r.value;
  part.push_back(std::move(s));
}

absl::Status InMemoryEventLog::Append(const std::vector<LogRecord>& records,
                                      absl::Duration /*timeout*/) {
  absl::MutexLock lock(&mu_);
  absl::Status status;
  for (const LogRecord& r : records) {
    if (fail_next_ > 0) {
      --fail_next_;
      failed_.push_back(r.record_id);
      status.Update(absl::UnavailableError(
          absl::StrCat("event log refused record ", r.record_id)));
      continue;
    }
    if (!available_ || !pending_.empty()) {
      pending_.push_back(r);
      status.Update(absl::DeadlineExceededError(
          "event log did not acknowledge within the bound"));
      continue;
    }
    DeliverLocked(r);
  }
  return status;
}

absl::StatusOr<std::vector<StoredRecord>> InMemoryEventLog::ReadKey(
    const std::string& topic, const std::string& key) {
  absl::MutexLock lock(&mu_);
  std::vector<StoredRecord> out;
  auto it = topics_.find(topic);
  if (it == topics_.end()) return out;
  for (const StoredRecord& r : it->second) {
    if (r.key == key) out.push_back(r);
  }
  return out;
}

void InMemoryEventLog::SetAvailable(bool available) {
  absl::MutexLock lock(&mu_);
  available_ = available;
  if (available_) {
    for (const LogRecord& r : pending_) DeliverLocked(r);
    pending_.clear();
  }
}

void InMemoryEventLog::FailNext(int n) {
  absl::MutexLock lock(&mu_);
  fail_next_ = n;
}

std::vector<StoredRecord> InMemoryEventLog::Topic(
    const std::string& topic) const {
  absl::MutexLock lock(&mu_);
  auto it = topics_.find(topic);
  return it == topics_.end() ? std::vector<StoredRecord>{} : it->second;
}

size_t InMemoryEventLog::pending() const {
  absl::MutexLock lock(&mu_);
  return pending_.size();
}

std::vector<std::string> InMemoryEventLog::failed() const {
  absl::MutexLock lock(&mu_);
  return failed_;
}

}  // namespace frontdesk::eventlog
