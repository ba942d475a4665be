// PolicyWatcher: keeps rules-check on the newest valid policy file.
//
// Reload() reads and checks the file. A policy that passes and differs from
// the one in force is activated only after a PolicyActivated event (old and
// new version, what changed) is acknowledged on frontdesk.policy.v1; then the
// RulesChecker's map is swapped. A policy that fails is refused: the old one
// stays in force, a PolicyRejected event records the errors (positions and
// messages; a policy holds no PHI), and the failure counter goes up.
//
// Start() polls the file's modification time and size and reloads on change;
// an activation that could not be recorded is retried on the next poll.
//
// Thread-safe.
#ifndef FRONTDESK_SERVICES_RULES_CHECK_POLICY_WATCHER_H_
#define FRONTDESK_SERVICES_RULES_CHECK_POLICY_WATCHER_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "libs/eventlog/event_log.h"
#include "libs/events/event_chain.h"
#include "prometheus/counter.h"
#include "services/rules_check/rules_checker.h"

namespace frontdesk::rules_check {

class PolicyWatcher {
 public:
  // `checker`, `log` and `chain` must outlive the watcher.
  PolicyWatcher(std::string path, RulesChecker* checker,
                eventlog::EventLog* log, events::EventChain* chain,
                absl::Duration append_timeout);
  ~PolicyWatcher();

  // Records the policy already in the checker as activated (at start).
  absl::Status AnnounceInitial();

  // OK when the file's policy is in force after the call (newly activated or
  // unchanged). INVALID_ARGUMENT with every error when the file fails the
  // checks; UNAVAILABLE or DEADLINE_EXCEEDED when the activation could not be
  // recorded (the old policy stays in force).
  absl::Status Reload();

  void Start(absl::Duration interval);
  void Stop();

  // Counts activations and refusals into these counters too. Either may be
  // null. Call before Start().
  void SetCounters(prometheus::Counter* activated,
                   prometheus::Counter* refused) {
    activated_counter_ = activated;
    refused_counter_ = refused;
  }

  int64_t activations() const { return activations_.load(); }
  int64_t failures() const { return failures_.load(); }

 private:
  absl::Status Publish(frontdesk::events::v1::EventType type,
                       const std::string& tenant,
                       const std::string& policy_version,
                       const std::string& payload);

  const std::string path_;
  RulesChecker* const checker_;
  eventlog::EventLog* const log_;
  events::EventChain* const chain_;
  const absl::Duration append_timeout_;
  absl::Mutex reload_mu_;
  std::thread thread_;
  absl::Notification stop_;
  std::atomic<int64_t> activations_{0};
  std::atomic<int64_t> failures_{0};
  prometheus::Counter* activated_counter_ = nullptr;
  prometheus::Counter* refused_counter_ = nullptr;
};

}  // namespace frontdesk::rules_check

#endif  // FRONTDESK_SERVICES_RULES_CHECK_POLICY_WATCHER_H_
