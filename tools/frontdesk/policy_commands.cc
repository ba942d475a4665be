#include "tools/frontdesk/policy_commands.h"

#include <ostream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "nlohmann/json.hpp"

namespace frontdesk::cli {

namespace pv = ::frontdesk::policy::v1;
namespace rv = ::frontdesk::rules::v1;

namespace {

std::string Lower(const std::string& enum_name, const std::string& prefix) {
  return absl::AsciiStrToLower(enum_name.substr(prefix.size()));
}

std::string QueueLine(const policy::ClinicPolicy& p, const std::string& queue) {
  const pv::Queue* q = p.FindQueue(queue);
  if (q == nullptr) return queue;
  return absl::StrCat(q->id(), " (owner ", q->owner_role(), ", backup ",
                      q->backup_role(), ", ",
                      absl::FormatDuration(p.ClaimWindow(*q)), ")");
}

}  // namespace

int CheckPolicy(const std::string& path, std::ostream& out, std::ostream& err) {
  std::vector<policy::PolicyError> errors;
  absl::StatusOr<policy::ClinicPolicy> p =
      policy::LoadPolicyFile(path, &errors);
  if (!p.ok()) {
    for (const auto& e : errors) err << e.ToString() << "\n";
    if (errors.empty()) err << p.status().message() << "\n";
    err << errors.size() << (errors.size() == 1 ? " error" : " errors")
        << " in " << path << "\n";
    return 1;
  }
  size_t triggers = 0;
  for (const auto& c : p->proto().human_only()) triggers += c.triggers_size();
  out << path << ": ok, version " << p->version() << ", tenant "
      << p->tenant_id() << ", rollout "
      << Lower(pv::RolloutMode_Name(p->rollout_mode()), "ROLLOUT_MODE_") << ", "
      << p->proto().queues_size() << " queues, " << p->proto().human_only_size()
      << " human-only categories with " << triggers << " triggers, "
      << p->proto().ai_assisted_size() << " AI-assisted conditions, "
      << p->proto().request_types_size() << " request types, "
      << p->proto().approved_texts_size() << " approved texts\n";
  return 0;
}

std::string PolicyTable(const policy::ClinicPolicy& p) {
  const pv::Policy& x = p.proto();
  std::string s;
  absl::StrAppend(&s, x.clinic().name(), " (", x.clinic().tenant_id(), ")\n");
  absl::StrAppend(
      &s, "version ", p.version(), ", rollout ",
      Lower(pv::RolloutMode_Name(x.rollout_mode()), "ROLLOUT_MODE_"),
      ", default queue ", x.default_queue(), "\n\n");
  absl::StrAppend(&s, "QUEUES\n");
  absl::StrAppend(
      &s, absl::StrFormat("  %-22s %-20s %-20s %-20s %s\n", "queue", "owner",
                          "backup", "last resort", "window"));
  for (const auto& q : x.queues()) {
    absl::StrAppend(
        &s,
        absl::StrFormat("  %-22s %-20s %-20s %-20s %s\n", q.id(),
                        q.owner_role(), q.backup_role(), q.last_resort_role(),
                        absl::FormatDuration(p.ClaimWindow(q))));
  }
  absl::StrAppend(&s,
                  "\nHUMAN-ONLY (checked first, over every ASR alternative)\n");
  for (const auto& c : x.human_only()) {
    absl::StrAppend(
        &s, "  ", c.id(), "  rule ", c.rule_id(), c.urgent() ? "  URGENT" : "",
        "\n    to ", QueueLine(p, c.queue()),
        "\n    triggers: ", absl::StrJoin(c.triggers(), "; "), "\n");
  }
  absl::StrAppend(&s, "\nAI-ASSISTED CONDITIONS\n");
  for (const auto& c : x.ai_assisted()) {
    absl::StrAppend(&s, "  ", c.id(), "  rule ", c.rule_id(), "\n    to ",
                    QueueLine(p, c.queue()),
                    "\n    phrases: ", absl::StrJoin(c.phrases(), "; "), "\n");
  }
  absl::StrAppend(&s, "\nREQUEST TYPES (first match in this order wins)\n");
  for (const auto& r : x.request_types()) {
    absl::StrAppend(&s, "  ", r.id(), "  rule ", r.rule_id(), "  lane ",
                    Lower(pv::Lane_Name(r.lane()), "LANE_"));
    if (r.rollout_needed() != pv::ROLLOUT_MODE_UNSPECIFIED) {
      absl::StrAppend(
          &s, " (needs ",
          Lower(pv::RolloutMode_Name(r.rollout_needed()), "ROLLOUT_MODE_"),
          ")");
    }
    absl::StrAppend(&s, "\n    to ", QueueLine(p, r.queue()));
    if (r.answers_from_approved_texts())
      absl::StrAppend(&s, "\n    answers from approved texts");
    if (!r.phrasings().empty()) {
      absl::StrAppend(&s,
                      "\n    phrasings: ", absl::StrJoin(r.phrasings(), "; "));
    }
    absl::StrAppend(&s, "\n");
  }
  absl::StrAppend(&s, "\nAPPROVED TEXTS\n");
  for (const auto& t : x.approved_texts()) {
    absl::StrAppend(&s, "  ", t.id(), "@", t.version(), ": \"", t.text(),
                    "\"\n");
  }
  return s;
}

std::string DecisionJson(const rv::Decision& d) {
  nlohmann::json j;
  j["lane"] = d.lane() == rv::LANE_UNSPECIFIED
                  ? "unspecified"
                  : Lower(rv::Lane_Name(d.lane()), "LANE_");
  j["category"] = d.category();
  j["request_type"] = d.request_type();
  if (d.has_trigger()) {
    j["trigger"] = d.trigger().phrase();
    j["span"] = {d.trigger().begin(), d.trigger().end()};
    j["source"] = d.trigger().source();
  } else {
    j["trigger"] = nullptr;
    j["span"] = nullptr;
    j["source"] = nullptr;
  }
  j["rule_id"] = d.rule_id();
  j["policy_version"] = d.policy_version();
  j["action"] = d.action() == rv::ACTION_UNSPECIFIED
                    ? "none"
                    : Lower(rv::Action_Name(d.action()), "ACTION_");
  j["queue"] = d.queue();
  return j.dump();
}

}  // namespace frontdesk::cli
