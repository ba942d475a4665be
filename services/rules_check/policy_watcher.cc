#include "services/rules_check/policy_watcher.h"

#include <sys/stat.h>

#include "absl/strings/str_cat.h"
#include "frontdesk/policy/v1/policy_events.pb.h"
#include "libs/common/service_logging.h"
#include "libs/kafka/kafka_settings.h"
#include "libs/policy/policy_diff.h"
#include "spdlog/spdlog.h"

namespace frontdesk::rules_check {

namespace ev = ::frontdesk::events::v1;
namespace pv = ::frontdesk::policy::v1;

PolicyWatcher::PolicyWatcher(std::string path, RulesChecker* checker,
                             eventlog::EventLog* log, events::EventChain* chain,
                             absl::Duration append_timeout)
    : path_(std::move(path)),
      checker_(checker),
      log_(log),
      chain_(chain),
      append_timeout_(append_timeout) {}

PolicyWatcher::~PolicyWatcher() { Stop(); }

absl::Status PolicyWatcher::Publish(ev::EventType type,
                                    const std::string& tenant,
                                    const std::string& policy_version,
                                    const std::string& payload) {
  const std::string key = absl::StrCat("policy/", tenant);
  events::EventDraft draft;
  draft.tenant_id = tenant;
  draft.call_id = key;
  draft.policy_version = policy_version;
  draft.type = type;
  draft.payload = payload;
  const ev::EventEnvelope envelope = chain_->Next(draft);
  ev::EventBody body;
  body.ParseFromString(envelope.body());
  return log_->Append({{kafka::kPolicyTopic, key, envelope.SerializeAsString(),
                        body.event_id()}},
                      append_timeout_);
}

absl::Status PolicyWatcher::AnnounceInitial() {
  const auto map = checker_->map();
  pv::PolicyActivated a;
  a.set_tenant_id(map->policy().tenant_id());
  a.set_new_version(map->policy().version());
  a.set_source(path_);
  a.add_changes("initial load");
  absl::Status st = Publish(ev::EVENT_TYPE_POLICY_ACTIVATED, a.tenant_id(),
                            a.new_version(), a.SerializeAsString());
  if (st.ok()) {
    activations_.fetch_add(1);
    if (activated_counter_ != nullptr) activated_counter_->Increment();
  }
  return st;
}

absl::Status PolicyWatcher::Reload() {
  absl::MutexLock lock(&reload_mu_);
  const auto current = checker_->map();
  std::vector<policy::PolicyError> errors;
  absl::StatusOr<policy::ClinicPolicy> loaded =
      policy::LoadPolicyFile(path_, &errors);
  if (!loaded.ok()) {
    failures_.fetch_add(1);
    if (refused_counter_ != nullptr) refused_counter_->Increment();
    spdlog::error(
        "event=policy_reload_refused version_in_force={} errors={} "
        "first=\"{}\"",
        current->policy().version(), errors.size(),
        errors.empty() ? std::string(loaded.status().message())
                       : errors.front().ToString());
    pv::PolicyRejected r;
    r.set_tenant_id(current->policy().tenant_id());
    r.set_version_in_force(current->policy().version());
    r.set_source(path_);
    for (const auto& e : errors) r.add_errors(e.ToString());
    (void)Publish(ev::EVENT_TYPE_POLICY_REJECTED, r.tenant_id(),
                  r.version_in_force(), r.SerializeAsString());
    return loaded.status();
  }
  if (loaded->version() == current->policy().version()) return absl::OkStatus();
  if (loaded->tenant_id() != current->policy().tenant_id()) {
    failures_.fetch_add(1);
    if (refused_counter_ != nullptr) refused_counter_->Increment();
    spdlog::error("event=policy_reload_refused reason=tenant_changed");
    return absl::InvalidArgumentError(
        absl::StrCat(path_, ": clinic.tenant_id may not change while running"));
  }
  auto next = std::make_shared<const policy::ClinicPolicy>(*std::move(loaded));
  pv::PolicyActivated a;
  a.set_tenant_id(next->tenant_id());
  a.set_old_version(current->policy().version());
  a.set_new_version(next->version());
  a.set_source(path_);
  for (std::string& c : policy::DescribePolicyChanges(current->policy().proto(),
                                                      next->proto())) {
    a.add_changes(std::move(c));
  }
  absl::Status st = Publish(ev::EVENT_TYPE_POLICY_ACTIVATED, a.tenant_id(),
                            a.new_version(), a.SerializeAsString());
  if (!st.ok()) {
    failures_.fetch_add(1);
    if (refused_counter_ != nullptr) refused_counter_->Increment();
    spdlog::error("event=policy_activation_unrecorded new_version={} code={}",
                  a.new_version(), absl::StatusCodeToString(st.code()));
    return absl::Status(
        st.code(),
        absl::StrCat("activation not recorded; ",
                     "the old policy stays in force: ", st.message()));
  }
  checker_->SetMap(std::make_shared<const HandoffMap>(std::move(next)));
  activations_.fetch_add(1);
  if (activated_counter_ != nullptr) activated_counter_->Increment();
  spdlog::info(
      "event=policy_activated old_version={} new_version={} changes={}",
      a.old_version(), a.new_version(), a.changes_size());
  return absl::OkStatus();
}

void PolicyWatcher::Start(absl::Duration interval) {
  thread_ = std::thread([this, interval] {
    struct stat last {};
    stat(path_.c_str(), &last);
    bool retry = false;
    while (!stop_.WaitForNotificationWithTimeout(interval)) {
      struct stat now {};
      if (stat(path_.c_str(), &now) != 0) continue;
      const bool changed = now.st_mtim.tv_sec != last.st_mtim.tv_sec ||
                           now.st_mtim.tv_nsec != last.st_mtim.tv_nsec ||
                           now.st_size != last.st_size;
      if (!changed && !retry) continue;
      last = now;
      const absl::Status st = Reload();
      // A refused file waits for the next edit; an unrecorded activation is
      // retried.
      retry = !st.ok() && st.code() != absl::StatusCode::kInvalidArgument;
    }
  });
}

void PolicyWatcher::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

}  // namespace frontdesk::rules_check
