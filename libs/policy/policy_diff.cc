#include "libs/policy/policy_diff.h"

#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/message_differencer.h"

namespace frontdesk::policy {

namespace pv = ::frontdesk::policy::v1;
using google::protobuf::util::MessageDifferencer;

namespace {

// Compares two lists of messages keyed by id: added, removed, changed.
template <typename T, typename Describe>
void DiffById(const std::string& section,
              const google::protobuf::RepeatedPtrField<T>& before,
              const google::protobuf::RepeatedPtrField<T>& after,
              Describe describe, std::vector<std::string>* out) {
  std::map<std::string, const T*> a;
  std::map<std::string, const T*> b;
  for (const T& x : before) a[x.id()] = &x;
  for (const T& x : after) b[x.id()] = &x;
  for (const auto& [id, x] : a) {
    if (!b.count(id))
      out->push_back(absl::StrCat(section, " ", id, ": removed"));
  }
  for (const auto& [id, y] : b) {
    auto it = a.find(id);
    if (it == a.end()) {
      out->push_back(absl::StrCat(section, " ", id, ": added"));
    } else if (!MessageDifferencer::Equals(*it->second, *y)) {
      out->push_back(
          absl::StrCat(section, " ", id, ": ", describe(*it->second, *y)));
    }
  }
}

std::string PhraseDelta(
    const google::protobuf::RepeatedPtrField<std::string>& a,
    const google::protobuf::RepeatedPtrField<std::string>& b,
    const char* noun) {
  std::set<std::string> x(a.begin(), a.end());
  std::set<std::string> y(b.begin(), b.end());
  int added = 0;
  int removed = 0;
  for (const auto& s : y) added += x.count(s) ? 0 : 1;
  for (const auto& s : x) removed += y.count(s) ? 0 : 1;
  std::vector<std::string> parts;
  if (added)
    parts.push_back(absl::StrCat("+", added, " ", noun, added == 1 ? "" : "s"));
  if (removed)
    parts.push_back(
        absl::StrCat("-", removed, " ", noun, removed == 1 ? "" : "s"));
  return absl::StrJoin(parts, ", ");
}

std::string Settings(std::string phrases) {
  return phrases.empty()
             ? "settings changed"
             : absl::StrCat(phrases, "; other settings may have changed");
}

}  // namespace

std::vector<std::string> DescribePolicyChanges(const pv::Policy& before,
                                               const pv::Policy& after) {
  std::vector<std::string> out;
  if (before.label() != after.label()) {
    out.push_back(
        absl::StrCat("label: ", before.label(), " -> ", after.label()));
  }
  if (before.rollout_mode() != after.rollout_mode()) {
    out.push_back(absl::StrCat(
        "rollout_mode: ", pv::RolloutMode_Name(before.rollout_mode()), " -> ",
        pv::RolloutMode_Name(after.rollout_mode())));
  }
  if (!MessageDifferencer::Equals(before.clinic(), after.clinic())) {
    out.push_back("clinic: changed");
  }
  if (before.default_queue() != after.default_queue()) {
    out.push_back(absl::StrCat("default_queue: ", before.default_queue(),
                               " -> ", after.default_queue()));
  }
  DiffById(
      "queues", before.queues(), after.queues(),
      [](const pv::Queue&, const pv::Queue&) { return std::string("changed"); },
      &out);
  DiffById(
      "human_only", before.human_only(), after.human_only(),
      [](const pv::HumanOnlyCategory& a, const pv::HumanOnlyCategory& b) {
        std::string d = PhraseDelta(a.triggers(), b.triggers(), "trigger");
        if (a.queue() != b.queue() || a.urgent() != b.urgent() ||
            a.rule_id() != b.rule_id()) {
          return Settings(d);
        }
        return d.empty() ? std::string("triggers reordered") : d;
      },
      &out);
  DiffById(
      "ai_assisted", before.ai_assisted(), after.ai_assisted(),
      [](const pv::AiAssistedCondition& a, const pv::AiAssistedCondition& b) {
        std::string d = PhraseDelta(a.phrases(), b.phrases(), "phrase");
        return d.empty() ? Settings(d) : d;
      },
      &out);
  DiffById(
      "request_types", before.request_types(), after.request_types(),
      [](const pv::RequestType& a, const pv::RequestType& b) {
        if (a.lane() != b.lane()) {
          return absl::StrCat("lane ", pv::Lane_Name(a.lane()), " -> ",
                              pv::Lane_Name(b.lane()));
        }
        return Settings(PhraseDelta(a.phrasings(), b.phrasings(), "phrasing"));
      },
      &out);
  DiffById(
      "approved_texts", before.approved_texts(), after.approved_texts(),
      [](const pv::ApprovedText& a, const pv::ApprovedText& b) {
        if (a.version() != b.version()) {
          return absl::StrCat("version ", a.version(), " -> ", b.version());
        }
        return std::string(a.text() != b.text()
                               ? "text changed without a new version"
                               : "phrasings changed");
      },
      &out);
  if (!MessageDifferencer::Equals(before.scripts(), after.scripts())) {
    out.push_back("scripts: changed");
  }
  if (before.phi_scopes_size() != after.phi_scopes_size() ||
      !std::equal(before.phi_scopes().begin(), before.phi_scopes().end(),
                  after.phi_scopes().begin(),
                  [](const pv::PhiScope& a, const pv::PhiScope& b) {
                    return MessageDifferencer::Equals(a, b);
                  })) {
    out.push_back("phi_scopes: changed");
  }
  DiffById(
      "subprocessors", before.subprocessors(), after.subprocessors(),
      [](const pv::Subprocessor& a, const pv::Subprocessor& b) {
        return a.baa_on_record() != b.baa_on_record()
                   ? absl::StrCat("baa_on_record ",
                                  a.baa_on_record() ? "true" : "false", " -> ",
                                  b.baa_on_record() ? "true" : "false")
                   : std::string("changed");
      },
      &out);
  if (!MessageDifferencer::Equals(before.booking(), after.booking())) {
    out.push_back("booking: changed");
  }
  if (before.retention().phi_years() != after.retention().phi_years()) {
    out.push_back(absl::StrCat("retention.phi_years: ",
                               before.retention().phi_years(), " -> ",
                               after.retention().phi_years()));
  }
  if (!MessageDifferencer::Equals(before.reminders(), after.reminders())) {
    out.push_back("reminders: changed");
  }
  return out;
}

}  // namespace frontdesk::policy
