// The phi-map report cannot drift from what the services do: for every
// request type and queue the policy sends PHI to, the fields the report says
// reach the queue are the fields the real HandoffPreparer seals into the
// packet, and the fields it says each role sees are the fields the real
// HandoffDesk shows that role. Changing a scope changes both.
#include <algorithm>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/eventlog/in_memory_event_log.h"
#include "libs/events/event_chain.h"
#include "libs/phi/phi_sealer.h"
#include "libs/policy/clinic_policy.h"
#include "libs/policy/phi_data_path.h"
#include "services/handoff_prep/handoff_desk.h"
#include "services/handoff_prep/handoff_preparer.h"

namespace frontdesk::cli {
namespace {

namespace ev = ::frontdesk::events::v1;
namespace hv = ::frontdesk::handoff::v1;
namespace pv = ::frontdesk::policy::v1;
namespace rv = ::frontdesk::rules::v1;

using Names = std::set<std::string>;

Names NamesOf(const std::vector<pv::IntakeField>& fields) {
  Names out;
  for (pv::IntakeField f : fields) out.insert(policy::IntakeFieldName(f));
  return out;
}

Names NamesOf(const google::protobuf::RepeatedPtrField<ev::IntakeValue>& v) {
  Names out;
  for (const auto& i : v) out.insert(i.field());
  return out;
}

std::string ReadSample() {
  std::ifstream in(FRONTDESK_SAMPLE_POLICY);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// What the real services do with every scope's PHI, compared with the report.
// Returns how many (request type, queue, role) cases were compared.
int CompareWithServices(std::shared_ptr<const policy::ClinicPolicy> policy) {
  FakeClock clock(absl::FromUnixSeconds(1800000000));
  ev::Producer producer;
  producer.set_service("handoff-prep");
  producer.set_instance("drift-test");
  events::EventChain chain(producer, &clock);
  const phi::PhiSealer sealer = *phi::PhiSealer::FromKey(std::string(32, 'k'));
  eventlog::InMemoryEventLog log;
  handoff_prep::HandoffDesk desk(policy, &log, &chain, &sealer, nullptr, &clock,
                                 absl::Seconds(2));
  handoff_prep::HandoffPreparer preparer(policy, &log, &chain, &sealer, &clock,
                                         absl::Seconds(2));
  // Every role the policy names anywhere.
  std::set<std::string> roles;
  for (const auto& q : policy->proto().queues()) {
    roles.insert({q.owner_role(), q.backup_role(), q.last_resort_role()});
  }
  for (const auto& s : policy->proto().phi_scopes()) {
    for (const auto& rf : s.show()) roles.insert(rf.role());
  }
  roles.erase("");

  const policy::PhiDataPath report = policy::BuildPhiDataPath(
      *policy, "policy.yaml", policy::DefaultTopicRetention());
  int compared = 0;
  int n = 0;
  for (const auto& scope : policy->proto().phi_scopes()) {
    for (const std::string& queue : scope.send_to_queues()) {
      // What answer forwards to this queue: every value the scope stores.
      hv::PrepareRequest r;
      r.set_tenant_id(policy->tenant_id());
      r.set_call_id(absl::StrCat("call-", ++n));
      rv::Decision* d = r.mutable_decision();
      d->set_decision_id(absl::StrCat("dec-", n));
      d->set_lane(rv::LANE_AI_ASSISTED);
      d->set_action(rv::ACTION_HANDOFF);
      d->set_rule_id("DRIFT-1");
      d->set_category(scope.request_type());
      d->set_policy_version(policy->version());
      d->set_queue(queue);
      r.set_request_type(scope.request_type());
      r.set_trigger_utterance("words");
      r.set_caller_number("+15555550100");
      for (int f : scope.store()) {
        ev::IntakeValue* v = r.add_intake();
        v->set_field(policy::IntakeFieldName(static_cast<pv::IntakeField>(f)));
        v->set_value("value");
      }
      auto prepared = preparer.Prepare(r);
      EXPECT_TRUE(prepared.ok()) << prepared.status();
      if (!prepared.ok()) continue;
      auto phi = sealer.Open(prepared->packet.sealed_phi(), policy->tenant_id(),
                             r.call_id());
      EXPECT_TRUE(phi.ok()) << phi.status();
      if (!phi.ok()) continue;
      EXPECT_EQ(NamesOf(phi->intake()),
                NamesOf(policy::FieldsSentToQueue(*policy, scope.request_type(),
                                                  queue)))
          << scope.request_type() << " -> " << queue;

      // The report's per-field view says the same.
      Names reported;
      for (const auto& field : report.fields) {
        for (const auto& use : field.requests) {
          if (use.request_type != scope.request_type()) continue;
          for (const auto& q : use.queues) {
            if (q.queue == queue) reported.insert(field.name);
          }
        }
      }
      EXPECT_EQ(reported, NamesOf(phi->intake()))
          << scope.request_type() << " -> " << queue;

      desk.Track(prepared->packet);
      for (const std::string& role : roles) {
        const Names expected = NamesOf(policy::FieldsShownAtDesk(
            *policy, scope.request_type(), queue, role));
        auto views = desk.ListOpen({"staff-1", role}, queue);
        // Emergency access by a role that does not serve the queue.
        handoff_prep::StaffMember glass;
        glass.id = "staff-2";
        glass.role = role;
        glass.break_glass_reason = "covering the clinic tonight";
        auto broken = desk.ListOpen(glass, queue);
        const Names glass_expected = NamesOf(policy::FieldsShownOnBreakGlass(
            *policy, scope.request_type(), queue, role));
        if (!broken.ok()) {
          EXPECT_EQ(broken.status().code(),
                    absl::StatusCode::kPermissionDenied);
          EXPECT_TRUE(glass_expected.empty()) << role << " on " << queue;
        } else {
          bool seen = false;
          for (const hv::HandoffView& v : *broken) {
            if (v.packet().handoff_id() != prepared->packet.handoff_id())
              continue;
            seen = true;
            EXPECT_EQ(NamesOf(v.intake()), glass_expected)
                << "break glass: " << role << " on " << queue;
          }
          EXPECT_TRUE(seen) << "break glass: " << role << " on " << queue;
        }
        if (!views.ok()) {
          EXPECT_EQ(views.status().code(), absl::StatusCode::kPermissionDenied);
          EXPECT_TRUE(expected.empty()) << role << " on " << queue;
          ++compared;
          continue;
        }
        bool found = false;
        for (const hv::HandoffView& v : *views) {
          if (v.packet().handoff_id() != prepared->packet.handoff_id())
            continue;
          found = true;
          EXPECT_EQ(NamesOf(v.intake()), expected)
              << scope.request_type() << " on " << queue << " seen by " << role;
          // And the report's "who can see" lists the role for exactly those.
          for (const auto& field : report.fields) {
            for (const auto& use : field.requests) {
              if (use.request_type != scope.request_type()) continue;
              for (const auto& q : use.queues) {
                if (q.queue != queue) continue;
                const bool listed =
                    std::find(q.roles_shown.begin(), q.roles_shown.end(),
                              role) != q.roles_shown.end();
                EXPECT_EQ(listed, expected.count(field.name) > 0)
                    << field.name << " " << scope.request_type() << " on "
                    << queue << " for " << role;
              }
            }
          }
        }
        EXPECT_TRUE(found) << role << " on " << queue;
        ++compared;
      }
    }
  }
  return compared;
}

TEST(PhiMapDriftTest, ReportMatchesPreparerAndDeskForTheSamplePolicy) {
  auto p = policy::LoadPolicyFile(FRONTDESK_SAMPLE_POLICY);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_GT(CompareWithServices(
                std::make_shared<const policy::ClinicPolicy>(*std::move(p))),
            50);
}

TEST(PhiMapDriftTest, AddingAFieldToAScopeChangesReportAndServicesAlike) {
  std::string yaml = ReadSample();
  auto replace = [&yaml](const std::string& from, const std::string& to) {
    const size_t at = yaml.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    yaml.replace(at, from.size(), to);
  };
  // The refill scope now also takes the email, shown to the pharmacy tech
  // (the refills owner), and the reason for the visit, shown only to the
  // triage nurse (the backup): a packet carries only what its owner role is
  // shown, so the reason never reaches the queue at all.
  replace(
      "  - request_type: refill\n"
      "    collect: [name, date_of_birth, phone]\n"
      "    store: [name, date_of_birth, phone]\n",
      "  - request_type: refill\n"
      "    collect: [name, date_of_birth, phone, email, reason_for_visit]\n"
      "    store: [name, date_of_birth, phone, email, reason_for_visit]\n");
  replace("      - {role: pharmacy-tech, fields: [name, date_of_birth, phone]}",
          "      - {role: pharmacy-tech, fields: [name, date_of_birth, phone, "
          "email]}");
  replace("      - {role: triage-nurse, fields: [name, date_of_birth, phone]}",
          "      - {role: triage-nurse, fields: [name, date_of_birth, phone, "
          "reason_for_visit]}");
  auto p = policy::ParsePolicy(yaml, "policy.yaml");
  ASSERT_TRUE(p.ok()) << p.status();
  auto policy = std::make_shared<const policy::ClinicPolicy>(*std::move(p));
  EXPECT_EQ(NamesOf(policy::FieldsSentToQueue(*policy, "refill", "refills")),
            (Names{"date_of_birth", "email", "name", "phone"}));
  EXPECT_EQ(NamesOf(policy::FieldsShownAtDesk(*policy, "refill", "refills",
                                              "triage-nurse")),
            (Names{"date_of_birth", "name", "phone"}));
  EXPECT_GT(CompareWithServices(policy), 50);
}

}  // namespace
}  // namespace frontdesk::cli
