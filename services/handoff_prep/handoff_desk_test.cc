#include "services/handoff_prep/handoff_desk.h"

#include <atomic>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "frontdesk/events/v1/access_events.pb.h"
#include "frontdesk/events/v1/call_events.pb.h"
#include "frontdesk/events/v1/handoff_events.pb.h"
#include "gtest/gtest.h"
#include "libs/eventlog/in_memory_event_log.h"
#include "libs/events/event_envelope.h"
#include "libs/kafka/kafka_settings.h"
#include "services/handoff_prep/handoff_preparer.h"
#include "services/rules_check/handoff_map.h"

namespace frontdesk::handoff_prep {
namespace {

namespace ev = ::frontdesk::events::v1;
namespace hv = ::frontdesk::handoff::v1;
namespace rv = ::frontdesk::rules::v1;

constexpr char kTenant[] = "sunrise-family-medicine";

ev::Producer Producer(const std::string& instance) {
  ev::Producer p;
  p.set_service("handoff-prep");
  p.set_instance(instance);
  return p;
}

class HandoffDeskTest : public ::testing::Test {
 protected:
  HandoffDeskTest()
      : clock_(absl::FromUnixSeconds(1800000000)),
        chain_(Producer("one"), &clock_),
        sealer_(*phi::PhiSealer::FromKey(std::string(32, 'k'))) {}

  void SetUp() override {
    auto p = policy::LoadPolicyFile(FRONTDESK_SAMPLE_POLICY);
    ASSERT_TRUE(p.ok()) << p.status();
    policy_ = std::make_shared<const policy::ClinicPolicy>(*std::move(p));
    map_ = std::make_unique<rules_check::HandoffMap>(policy_);
    desk_ = NewDesk(&chain_);
    preparer_ = std::make_unique<HandoffPreparer>(
        policy_, &log_, &chain_, &sealer_, &clock_, absl::Seconds(2),
        desk_.get());
  }

  std::unique_ptr<HandoffDesk> NewDesk(events::EventChain* chain) {
    return std::make_unique<HandoffDesk>(policy_, &log_, chain, &sealer_,
                                         nullptr, &clock_, absl::Seconds(2));
  }

  // A handoff prepared the way answer asks for one: the decision rules-check
  // makes on `words`, with the intake taken so far.
  hv::HandoffPacket Prepare(
      const std::string& call_id, const std::string& words,
      std::vector<std::pair<std::string, std::string>> intake = {},
      const std::string& request_type = "") {
    rv::Decision d = map_->Evaluate(words, {}, rv::CallContext());
    d.set_decision_id(call_id + "-decision");
    hv::PrepareRequest r;
    r.set_tenant_id(kTenant);
    r.set_call_id(call_id);
    *r.mutable_decision() = d;
    r.set_trigger_utterance(words);
    r.set_caller_number("+13125557788");
    r.set_attempted_step("handoff");
    r.set_patient_told(d.say_text());
    r.set_request_type(request_type.empty() ? d.request_type() : request_type);
    for (const auto& [f, v] : intake) {
      ev::IntakeValue* iv = r.add_intake();
      iv->set_field(f);
      iv->set_value(v);
    }
    auto prepared = preparer_->Prepare(r);
    EXPECT_TRUE(prepared.ok()) << prepared.status();
    return prepared.ok() ? prepared->packet : hv::HandoffPacket();
  }

  // The events of `type` on frontdesk.calls.v1, opened.
  std::vector<events::OpenedEvent> Events(ev::EventType type) {
    std::vector<events::OpenedEvent> out;
    for (const auto& r : log_.Topic(kafka::kCallsTopic)) {
      auto e = events::OpenEnvelopeBytes(r.value);
      EXPECT_TRUE(e.ok());
      if (e.ok() && e->body.type() == type) out.push_back(*e);
    }
    return out;
  }

  std::vector<ev::AccessRecorded> Accesses() {
    std::vector<ev::AccessRecorded> out;
    for (const auto& r : log_.Topic(kafka::kAccessTopic)) {
      auto e = events::OpenEnvelopeBytes(r.value);
      EXPECT_TRUE(e.ok());
      ev::AccessRecorded a;
      EXPECT_TRUE(a.ParseFromString(e->body.payload()));
      out.push_back(a);
    }
    return out;
  }

  const StaffMember nurse_{"nurse-ana", "triage-nurse"};
  const StaffMember other_nurse_{"nurse-ben", "triage-nurse"};
  const StaffMember clerk_{"clerk-cy", "records-clerk"};
  FakeClock clock_;
  events::EventChain chain_;
  phi::PhiSealer sealer_;
  eventlog::InMemoryEventLog log_;
  std::shared_ptr<const policy::ClinicPolicy> policy_;
  std::unique_ptr<rules_check::HandoffMap> map_;
  std::unique_ptr<HandoffDesk> desk_;
  std::unique_ptr<HandoffPreparer> preparer_;
};

TEST_F(HandoffDeskTest, EveryHumanOnlyCategoryMakesAPacketStaffCanActOn) {
  int n = 0;
  for (const auto& category : policy_->proto().human_only()) {
    const std::string words =
        "Hello, " + category.triggers(0) + ", please help";
    const hv::HandoffPacket p = Prepare("call-" + category.id(), words);
    SCOPED_TRACE(category.id());
    EXPECT_EQ(p.category(), category.id());
    EXPECT_EQ(p.rule_id(), category.rule_id());
    EXPECT_EQ(p.lane(), rv::LANE_HUMAN_ONLY);
    EXPECT_EQ(p.queue(), category.queue());
    EXPECT_EQ(p.priority(), category.urgent() ? 1u : 2u);
    EXPECT_EQ(p.trigger_phrase(), category.triggers(0));
    EXPECT_EQ(p.trigger_source(), "utterance");
    EXPECT_EQ(p.trigger_begin(), 7u);
    EXPECT_EQ(p.state(), hv::HANDOFF_STATE_CREATED);
    EXPECT_EQ(p.revision(), 1u);
    const auto* q = policy_->FindQueue(category.queue());
    EXPECT_EQ(p.owner_role(), q->owner_role());
    EXPECT_EQ(p.backup_role(), q->backup_role());
    EXPECT_EQ(p.last_resort_role(), q->last_resort_role());
    EXPECT_EQ(p.deadline().seconds() - p.created_at().seconds(),
              q->claim_window_minutes() * 60);
    EXPECT_FALSE(p.patient_told().empty());
    // The exact words, sealed; the staff view opens them.
    EXPECT_EQ(p.SerializeAsString().find("please help"), std::string::npos);
    auto open = desk_->ListOpen({"s", q->owner_role()}, category.queue());
    ASSERT_TRUE(open.ok()) << open.status();
    bool seen = false;
    for (const auto& v : *open) {
      if (v.packet().handoff_id() != p.handoff_id()) continue;
      seen = true;
      EXPECT_EQ(v.trigger_words(), words);
      EXPECT_EQ(v.caller_number(), "+13125557788");
    }
    EXPECT_TRUE(seen);
    ++n;
  }
  EXPECT_EQ(n, 8);
}

TEST_F(HandoffDeskTest, AiAssistedPacketsCarryIntakeWithinTheRolesView) {
  const hv::HandoffPacket p = Prepare("call-refill", "I need a refill",
                                      {{"name", "Jane Roe"},
                                       {"date_of_birth", "1980-03-03"},
                                       {"phone", "+13125557788"}});
  EXPECT_EQ(p.queue(), "refills");
  EXPECT_EQ(p.lane(), rv::LANE_AI_ASSISTED);
  EXPECT_EQ(p.request_type(), "refill");
  EXPECT_EQ(p.priority(), 3u);
  auto view = desk_->ListOpen({"tech", "pharmacy-tech"}, "refills");
  ASSERT_TRUE(view.ok()) << view.status();
  ASSERT_EQ(view->size(), 1u);
  EXPECT_EQ((*view)[0].intake_size(), 3);
  // The practice manager serves the queue (backup) but the policy shows
  // that role no refill fields: none are shown.
  auto manager = desk_->ListOpen({"pm", "practice-manager"}, "refills");
  ASSERT_TRUE(manager.ok()) << manager.status();
  ASSERT_EQ(manager->size(), 1u);
  EXPECT_EQ((*manager)[0].intake_size(), 0);
}

TEST_F(HandoffDeskTest, PacketsHoldOnlyWhatTheQueueOwnerMaySee) {
  // Billing's scope shows the billing specialist name, date of birth, phone
  // and e-mail; a value outside that list never enters the packet.
  const hv::HandoffPacket p = Prepare(
      "call-bill", "I have a question about my bill",
      {{"name", "Jane Roe"}, {"insurance_notes", "Blue Cross, group 7"}},
      "billing");
  auto phi = sealer_.Open(p.sealed_phi(), kTenant, "call-bill");
  ASSERT_TRUE(phi.ok());
  ASSERT_EQ(phi->intake_size(), 1);
  EXPECT_EQ(phi->intake(0).field(), "name");
}

TEST_F(HandoffDeskTest, AccessIsRecordedForEveryReadAndChangeAndRefusal) {
  const hv::HandoffPacket p = Prepare("call-1", "I have chest pain");
  ASSERT_TRUE(desk_->ListOpen(nurse_, "nurse-line").ok());
  EXPECT_EQ(desk_->ListOpen(clerk_, "nurse-line").status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(desk_->Claim(clerk_, p.handoff_id()).status().code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(desk_->Claim(nurse_, p.handoff_id()).ok());
  ASSERT_TRUE(
      desk_->Resolve(nurse_, p.handoff_id(), "Called back, sent to ER").ok());
  const auto accesses = Accesses();
  ASSERT_EQ(accesses.size(), 5u);
  EXPECT_EQ(accesses[0].action(), "list_open");
  EXPECT_TRUE(accesses[0].allowed());
  EXPECT_EQ(accesses[0].resource(), "queue/nurse-line");
  EXPECT_EQ(accesses[1].actor_id(), "clerk-cy");
  EXPECT_FALSE(accesses[1].allowed());
  EXPECT_EQ(accesses[1].reason(),
            "role records-clerk does not serve queue nurse-line");
  EXPECT_EQ(accesses[2].action(), "claim");
  EXPECT_FALSE(accesses[2].allowed());
  EXPECT_EQ(accesses[3].action(), "claim");
  EXPECT_TRUE(accesses[3].allowed());
  EXPECT_EQ(accesses[4].action(), "resolve");
  EXPECT_EQ(accesses[4].resource(), "handoff/" + p.handoff_id());
  EXPECT_EQ(desk_->stats().refused, 2u);
}

TEST_F(HandoffDeskTest, BreakGlassLetsAGrantedRoleReadAQueueLoudly) {
  Prepare("call-bg", "I have chest pain");
  // The medical director does not serve the nurse line; the sample policy
  // grants the role break_glass.
  StaffMember director{"dr-dee", "medical-director"};
  EXPECT_EQ(desk_->ListOpen(director, "nurse-line").status().code(),
            absl::StatusCode::kPermissionDenied);
  director.break_glass_reason = "too short";
  EXPECT_EQ(desk_->ListOpen(director, "nurse-line").status().code(),
            absl::StatusCode::kInvalidArgument);
  director.break_glass_reason = "nurse line unstaffed during ice storm";
  absl::StatusOr<std::vector<hv::HandoffView>> seen =
      desk_->ListOpen(director, "nurse-line");
  ASSERT_TRUE(seen.ok()) << seen.status();
  ASSERT_EQ(seen->size(), 1u);
  // They see what the queue's owner would see.
  EXPECT_EQ((*seen)[0].trigger_words(), "I have chest pain");
  // A role without break_glass is refused even with a reason.
  StaffMember clerk = clerk_;
  clerk.break_glass_reason = "nurse line unstaffed during ice storm";
  EXPECT_EQ(desk_->ListOpen(clerk, "nurse-line").status().code(),
            absl::StatusCode::kPermissionDenied);
  const auto accesses = Accesses();
  ASSERT_EQ(accesses.size(), 4u);
  EXPECT_FALSE(accesses[0].break_glass());
  EXPECT_TRUE(accesses[1].break_glass());
  EXPECT_FALSE(accesses[1].allowed());
  EXPECT_TRUE(accesses[2].break_glass());
  EXPECT_TRUE(accesses[2].allowed());
  EXPECT_EQ(accesses[2].purpose(),
            "break glass: nurse line unstaffed during ice storm");
  EXPECT_TRUE(accesses[3].break_glass());
  EXPECT_FALSE(accesses[3].allowed());
  EXPECT_EQ(accesses[3].reason(),
            "role records-clerk may not break glass (the policy's "
            "access_roles do not grant it break_glass)");
  EXPECT_EQ(desk_->stats().break_glass, 1u);
}

TEST_F(HandoffDeskTest, ClaimThenResolveAreOnTheLogAndTheQueue) {
  const hv::HandoffPacket p = Prepare("call-1", "I have chest pain");
  clock_.Advance(absl::Minutes(2));
  auto claimed = desk_->Claim(nurse_, p.handoff_id());
  ASSERT_TRUE(claimed.ok()) << claimed.status();
  EXPECT_EQ(claimed->packet().state(), hv::HANDOFF_STATE_CLAIMED);
  EXPECT_EQ(claimed->packet().claimed_by(), "nurse-ana");
  EXPECT_EQ(claimed->packet().revision(), 2u);
  EXPECT_EQ(claimed->seconds_to_deadline(), 180);

  // Only the claimer resolves, with a note.
  EXPECT_EQ(
      desk_->Resolve(other_nurse_, p.handoff_id(), "done").status().code(),
      absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(desk_->Resolve(nurse_, p.handoff_id(), "").status().code(),
            absl::StatusCode::kInvalidArgument);
  auto resolved =
      desk_->Resolve(nurse_, p.handoff_id(), "Spoke with Jane; sent to ER");
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  EXPECT_EQ(resolved->packet().state(), hv::HANDOFF_STATE_RESOLVED);
  EXPECT_EQ(desk_->Claim(other_nurse_, p.handoff_id()).status().code(),
            absl::StatusCode::kFailedPrecondition);

  auto claims = Events(ev::EVENT_TYPE_HANDOFF_CLAIMED);
  ASSERT_EQ(claims.size(), 1u);
  ev::HandoffClaimed c;
  ASSERT_TRUE(c.ParseFromString(claims[0].body.payload()));
  EXPECT_EQ(c.staff_id(), "nurse-ana");
  EXPECT_EQ(c.role(), "triage-nurse");
  auto resolutions = Events(ev::EVENT_TYPE_HANDOFF_RESOLVED);
  ASSERT_EQ(resolutions.size(), 1u);
  // The note is sealed.
  auto note = sealer_.Open(resolutions[0].body.sealed_phi(), kTenant, "call-1");
  ASSERT_TRUE(note.ok());
  EXPECT_EQ(note->note(), "Spoke with Jane; sent to ER");
  for (const auto& r : log_.Topic(kafka::kCallsTopic)) {
    EXPECT_EQ(r.value.find("sent to ER"), std::string::npos);
  }
  // Three revisions on the nurse line's topic; the open list is empty.
  EXPECT_EQ(log_.Topic(kafka::HandoffTopic("nurse-line")).size(), 3u);
  EXPECT_TRUE(desk_->ListOpen(nurse_, "nurse-line")->empty());
}

TEST_F(HandoffDeskTest, OfTwoClaimsAtOnceOneWins) {
  const hv::HandoffPacket p = Prepare("call-1", "I have chest pain");
  std::atomic<int> won{0};
  std::atomic<int> lost{0};
  std::vector<std::thread> staff;
  for (int i = 0; i < 8; ++i) {
    staff.emplace_back([&, i] {
      auto r = desk_->Claim({"nurse-" + std::to_string(i), "triage-nurse"},
                            p.handoff_id());
      if (r.ok()) {
        ++won;
      } else if (r.status().code() == absl::StatusCode::kFailedPrecondition &&
                 absl::StartsWith(r.status().message(),
                                  "handoff_id: already claimed by nurse-")) {
        ++lost;
      }
    });
  }
  for (auto& t : staff) t.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(lost.load(), 7);
  EXPECT_EQ(Events(ev::EVENT_TYPE_HANDOFF_CLAIMED).size(), 1u);
}

TEST_F(HandoffDeskTest, UnclaimedHandoffsEscalateToTheBackupThenTheLastResort) {
  const hv::HandoffPacket p = Prepare("call-1", "I have chest pain");
  // Five minutes is the nurse line's window.
  clock_.Advance(absl::Minutes(4));
  EXPECT_EQ(desk_->EscalateDue(), 0);
  clock_.Advance(absl::Minutes(1));
  EXPECT_EQ(desk_->EscalateDue(), 1);
  auto held = desk_->ListOpen(nurse_, "nurse-line");
  ASSERT_TRUE(held.ok());
  ASSERT_EQ(held->size(), 1u);
  const hv::HandoffPacket& backup = (*held)[0].packet();
  EXPECT_EQ(backup.escalation_level(), 1u);
  EXPECT_EQ(backup.owner_role(), "on-call-clinician");
  EXPECT_EQ(backup.deadline().seconds(), p.deadline().seconds() + 300);
  EXPECT_EQ(desk_->stats().escalated_to_backup, 1u);
  EXPECT_EQ(desk_->stats().open_at_last_resort, 0u);

  clock_.Advance(absl::Minutes(5));
  EXPECT_EQ(desk_->EscalateDue(), 1);
  // The last resort is the practice manager, who owns a queue of their own:
  // the handoff moves there, and the alert fires.
  EXPECT_TRUE(desk_->ListOpen(nurse_, "nurse-line")->empty());
  auto manager =
      desk_->ListOpen({"pm", "practice-manager"}, "practice-manager");
  ASSERT_TRUE(manager.ok()) << manager.status();
  ASSERT_EQ(manager->size(), 1u);
  EXPECT_EQ((*manager)[0].packet().escalation_level(), 2u);
  EXPECT_EQ((*manager)[0].packet().owner_role(), "practice-manager");
  EXPECT_EQ(desk_->stats().open_at_last_resort, 1u);
  // Nothing escalates past the last resort.
  clock_.Advance(absl::Hours(5));
  EXPECT_EQ(desk_->EscalateDue(), 0);

  auto escalations = Events(ev::EVENT_TYPE_HANDOFF_ESCALATED);
  ASSERT_EQ(escalations.size(), 2u);
  ev::HandoffEscalated second;
  ASSERT_TRUE(second.ParseFromString(escalations[1].body.payload()));
  EXPECT_EQ(second.from_role(), "on-call-clinician");
  EXPECT_EQ(second.to_role(), "practice-manager");
  EXPECT_EQ(second.level(), 2u);
  EXPECT_EQ(log_.Topic(kafka::HandoffTopic("practice-manager")).size(), 1u);

  // The manager claims it: the alert clears.
  ASSERT_TRUE(desk_->Claim({"pm", "practice-manager"}, p.handoff_id()).ok());
  EXPECT_EQ(desk_->stats().open_at_last_resort, 0u);
}

TEST_F(HandoffDeskTest, AClaimedHandoffDoesNotEscalate) {
  const hv::HandoffPacket p = Prepare("call-1", "I have chest pain");
  ASSERT_TRUE(desk_->Claim(nurse_, p.handoff_id()).ok());
  clock_.Advance(absl::Hours(1));
  EXPECT_EQ(desk_->EscalateDue(), 0);
}

TEST_F(HandoffDeskTest, ARestartedDeskRebuildsFromTheQueueTopics) {
  const hv::HandoffPacket urgent = Prepare("call-1", "I have chest pain");
  const hv::HandoffPacket legal =
      Prepare("call-2", "I am calling my lawyer about this");
  ASSERT_TRUE(
      desk_->Claim({"pm", "practice-manager"}, legal.handoff_id()).ok());
  clock_.Advance(absl::Minutes(3));

  // The process dies mid-window. A new one reads the queue topics back.
  events::EventChain chain(Producer("two"), &clock_);
  auto desk = NewDesk(&chain);
  int restored = 0;
  for (const std::string& q : policy_->QueueIds()) {
    for (const auto& r : log_.Topic(kafka::HandoffTopic(q)))
      restored += desk->Restore(r.value) ? 1 : 0;
  }
  EXPECT_EQ(restored, 3);  // two packets, one claim revision
  EXPECT_EQ(desk->stats().open, 2u);
  auto pm = desk->ListOpen({"pm", "practice-manager"}, "practice-manager");
  ASSERT_TRUE(pm.ok());
  ASSERT_EQ(pm->size(), 1u);
  EXPECT_EQ((*pm)[0].packet().claimed_by(), "pm");
  // The urgent one's deadline is still two minutes away, from its own
  // timestamps, not from the restart.
  clock_.Advance(absl::Minutes(1));
  EXPECT_EQ(desk->EscalateDue(), 0);
  clock_.Advance(absl::Minutes(1));
  EXPECT_EQ(desk->EscalateDue(), 1);
  // And a retried Prepare of the same decision makes no second handoff.
  HandoffPreparer preparer(policy_, &log_, &chain, &sealer_, &clock_,
                           absl::Seconds(2), desk.get());
  hv::PrepareRequest again;
  again.set_tenant_id(kTenant);
  again.set_call_id("call-1");
  *again.mutable_decision() = map_->Evaluate("I have chest pain", {}, {});
  again.mutable_decision()->set_decision_id("call-1-decision");
  auto r = preparer.Prepare(again);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->duplicate);
  EXPECT_EQ(r->packet.handoff_id(), urgent.handoff_id());
}

TEST_F(HandoffDeskTest, AChangeKafkaDidNotTakeDoesNotHappen) {
  const hv::HandoffPacket p = Prepare("call-1", "I have chest pain");
  // The access record is refused: the claim does not happen.
  log_.FailNext(1);
  auto first = desk_->Claim(nurse_, p.handoff_id());
  EXPECT_EQ(first.status().code(), absl::StatusCode::kUnavailable);
  // Still unclaimed: a retry works.
  auto second = desk_->Claim(nurse_, p.handoff_id());
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->packet().revision(), 2u);
}

TEST_F(HandoffDeskTest, AnEscalationStillQueuedIsNotPublishedTwice) {
  const hv::HandoffPacket p = Prepare("call-1", "I have chest pain");
  clock_.Advance(absl::Minutes(5));
  // The broker does not acknowledge in time; the records stay queued.
  log_.SetAvailable(false);
  desk_->EscalateDue();
  clock_.Advance(absl::Seconds(30));
  desk_->EscalateDue();
  log_.SetAvailable(true);
  clock_.Advance(absl::Seconds(30));
  desk_->EscalateDue();
  // One escalation to the backup on the log, one packet of that revision.
  auto escalations = Events(ev::EVENT_TYPE_HANDOFF_ESCALATED);
  ASSERT_EQ(escalations.size(), 1u);
  int level_one = 0;
  for (const auto& r : log_.Topic(kafka::HandoffTopic("nurse-line"))) {
    hv::HandoffPacket q;
    ASSERT_TRUE(q.ParseFromString(r.value));
    if (q.escalation_level() == 1) ++level_one;
  }
  EXPECT_EQ(level_one, 1);
  auto held = desk_->ListOpen(nurse_, "nurse-line");
  ASSERT_TRUE(held.ok()) << held.status();
  ASSERT_EQ(held->size(), 1u);
  EXPECT_EQ((*held)[0].packet().escalation_level(), 1u);
}

TEST_F(HandoffDeskTest, WatchersSeeNewAndChangedHandoffs) {
  ASSERT_TRUE(desk_->StartWatch(nurse_, "nurse-line").ok());
  uint64_t version = 0;
  EXPECT_TRUE(desk_
                  ->WaitForChanges(nurse_, "nurse-line", &version,
                                   absl::Milliseconds(1))
                  .empty());
  const hv::HandoffPacket p = Prepare("call-1", "I have chest pain");
  auto fresh =
      desk_->WaitForChanges(nurse_, "nurse-line", &version, absl::Seconds(1));
  ASSERT_EQ(fresh.size(), 1u);
  EXPECT_EQ(fresh[0].packet().handoff_id(), p.handoff_id());
  ASSERT_TRUE(desk_->Claim(nurse_, p.handoff_id()).ok());
  auto changed =
      desk_->WaitForChanges(nurse_, "nurse-line", &version, absl::Seconds(1));
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0].packet().state(), hv::HANDOFF_STATE_CLAIMED);
  EXPECT_EQ(desk_->StartWatch(clerk_, "nurse-line").code(),
            absl::StatusCode::kPermissionDenied);
}

TEST_F(HandoffDeskTest, ListOpenListsTheMostUrgentFirstWithinTheCap) {
  const hv::HandoffPacket urgent = Prepare("call-urgent", "I have chest pain");
  for (size_t i = 0; i < kMaxListedHandoffs + 5; ++i) {
    hv::HandoffPacket p = urgent;
    p.set_handoff_id("h-" + std::to_string(i));
    p.set_decision_id("d-" + std::to_string(i));
    p.set_priority(2);
    desk_->Track(p);
  }
  size_t total = 0;
  auto open = desk_->ListOpen(nurse_, "nurse-line", &total);
  ASSERT_TRUE(open.ok()) << open.status();
  EXPECT_EQ(total, kMaxListedHandoffs + 6);
  ASSERT_EQ(open->size(), kMaxListedHandoffs);
  EXPECT_EQ((*open)[0].packet().handoff_id(), urgent.handoff_id());
}

TEST_F(HandoffDeskTest, AWatcherSeesAHandoffLeaveWithoutItsDetails) {
  const hv::HandoffPacket p = Prepare("call-1", "I have chest pain");
  uint64_t version = 0;
  ASSERT_EQ(desk_
                ->WaitForChanges(nurse_, "nurse-line", &version,
                                 absl::Milliseconds(1))
                .size(),
            1u);
  clock_.Advance(absl::Minutes(6));
  ASSERT_EQ(desk_->EscalateDue(), 1);  // to the backup, same queue
  ASSERT_EQ(desk_->EscalateDue(), 0);
  clock_.Advance(absl::Minutes(5));
  ASSERT_EQ(desk_->EscalateDue(), 1);  // to the practice manager's queue
  auto left = desk_->WaitForChanges(nurse_, "nurse-line", &version,
                                    absl::Milliseconds(1));
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].packet().handoff_id(), p.handoff_id());
  EXPECT_EQ(left[0].packet().queue(), "practice-manager");
  EXPECT_FALSE(left[0].packet().has_sealed_phi());
  EXPECT_TRUE(left[0].trigger_words().empty());
}

}  // namespace
}  // namespace frontdesk::handoff_prep
