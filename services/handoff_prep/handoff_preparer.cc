#include "services/handoff_prep/handoff_preparer.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "frontdesk/events/v1/call_events.pb.h"
#include "libs/common/input_limits.h"
#include "libs/common/uuid.h"
#include "libs/kafka/kafka_settings.h"

namespace frontdesk::handoff_prep {

namespace ev = ::frontdesk::events::v1;
namespace hv = ::frontdesk::handoff::v1;
namespace rv = ::frontdesk::rules::v1;

namespace {

// What the patient was told is approved wording, a script at most.
constexpr size_t kMaxPatientToldChars = 4 * kMaxUtteranceChars;

void SetTimestamp(absl::Time t, google::protobuf::Timestamp* ts) {
  const int64_t nanos = absl::ToUnixNanos(t);
  ts->set_seconds(nanos / 1000000000);
  ts->set_nanos(static_cast<int32_t>(nanos % 1000000000));
}

uint32_t Priority(const rv::Decision& d) {
  if (d.action() == rv::ACTION_URGENT_SCRIPT) return 1;
  if (d.lane() == rv::LANE_HUMAN_ONLY) return 2;
  return 3;
}

}  // namespace

HandoffPreparer::HandoffPreparer(
    std::shared_ptr<const policy::ClinicPolicy> policy, eventlog::EventLog* log,
    events::EventChain* chain, const phi::PhiSealer* sealer, const Clock* clock,
    absl::Duration append_timeout, HandoffDesk* desk)
    : policy_(std::move(policy)),
      log_(log),
      chain_(chain),
      sealer_(sealer),
      clock_(clock),
      append_timeout_(append_timeout),
      desk_(desk) {}

absl::StatusOr<PrepareResult> HandoffPreparer::Prepare(
    const hv::PrepareRequest& request) {
  if (request.tenant_id().empty()) {
    return absl::InvalidArgumentError("tenant_id: required");
  }
  if (request.tenant_id() != policy_->tenant_id()) {
    return absl::NotFoundError(
        "tenant_id: no policy is loaded for this tenant");
  }
  if (request.call_id().empty() || request.call_id().size() > kMaxIdBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("call_id: required, at most ", kMaxIdBytes, " bytes"));
  }
  const rv::Decision& d = request.decision();
  if (d.decision_id().empty() || d.decision_id().size() > kMaxIdBytes) {
    return absl::InvalidArgumentError("decision.decision_id: required");
  }
  if (d.lane() == rv::LANE_UNSPECIFIED) {
    return absl::InvalidArgumentError("decision.lane: required");
  }
  if (!rv::Lane_IsValid(d.lane())) {
    return absl::InvalidArgumentError("decision.lane: not a known Lane value");
  }
  if (request.caller_number().size() > kMaxCallerNumberBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "caller_number: longer than ", kMaxCallerNumberBytes, " bytes"));
  }
  if (request.request_type().size() > kMaxIdBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("request_type: longer than ", kMaxIdBytes, " bytes"));
  }
  if (Utf8Length(request.attempted_step()) > kMaxUtteranceChars) {
    return absl::InvalidArgumentError(absl::StrCat(
        "attempted_step: longer than ", kMaxUtteranceChars, " characters"));
  }
  if (Utf8Length(request.patient_told()) > kMaxPatientToldChars) {
    return absl::InvalidArgumentError(absl::StrCat(
        "patient_told: longer than ", kMaxPatientToldChars, " characters"));
  }
  const auto* queue = policy_->FindQueue(d.queue());
  if (queue == nullptr) {
    return absl::NotFoundError("decision.queue: no such queue in the policy");
  }
  if (Utf8Length(request.trigger_utterance()) > kMaxUtteranceChars) {
    return absl::InvalidArgumentError(absl::StrCat(
        "trigger_utterance: longer than ", kMaxUtteranceChars, " characters"));
  }
  if (request.intake_size() > kMaxIntakeValues) {
    return absl::InvalidArgumentError(
        absl::StrCat("intake: at most ", kMaxIntakeValues, " values"));
  }
  for (int i = 0; i < request.intake_size(); ++i) {
    if (request.intake(i).field().size() > kMaxIdBytes ||
        Utf8Length(request.intake(i).value()) > kMaxUtteranceChars) {
      return absl::InvalidArgumentError(
          absl::StrCat("intake[", i, "]: field name or value too long"));
    }
  }

  std::shared_ptr<Entry> entry;
  {
    absl::MutexLock lock(&mu_);
    auto& slot =
        entries_[absl::StrCat(request.call_id(), "/", d.decision_id())];
    if (!slot) slot = std::make_shared<Entry>();
    entry = slot;
  }
  absl::MutexLock lock(&entry->mu);
  if (entry->acknowledged) return PrepareResult{entry->packet, true};
  if (!entry->built && desk_ != nullptr) {
    // Prepared by an earlier process: the desk rebuilt it from the log.
    if (auto known =
            desk_->FindByDecision(request.call_id(), d.decision_id())) {
      entry->packet = *known;
      entry->built = entry->acknowledged = true;
      return PrepareResult{entry->packet, true};
    }
  }
  if (!entry->built) {
    const absl::Time now = clock_->Now();
    hv::HandoffPacket& p = entry->packet;
    p.set_handoff_id(NewUuid());
    p.set_tenant_id(request.tenant_id());
    p.set_call_id(request.call_id());
    p.set_decision_id(d.decision_id());
    p.set_category(d.category());
    p.set_lane(d.lane());
    p.set_rule_id(d.rule_id());
    p.set_policy_version(d.policy_version());
    for (const std::string& t : d.matched_triggers()) p.add_matched_triggers(t);
    p.set_attempted_step(request.attempted_step());
    p.set_patient_told(request.patient_told());
    SetTimestamp(now, p.mutable_created_at());
    p.set_owner_role(queue->owner_role());
    p.set_backup_role(queue->backup_role());
    SetTimestamp(now + policy_->ClaimWindow(*queue), p.mutable_deadline());
    p.set_queue(queue->id());
    p.set_priority(Priority(d));
    p.set_trigger_phrase(d.trigger().phrase());
    p.set_trigger_source(d.trigger().source());
    p.set_trigger_begin(d.trigger().begin());
    p.set_trigger_end(d.trigger().end());
    p.set_last_resort_role(queue->last_resort_role());
    p.set_state(hv::HANDOFF_STATE_CREATED);
    p.set_revision(1);
    p.set_origin_queue(queue->id());
    ev::PhiFields phi;
    phi.set_utterance(request.trigger_utterance());
    phi.set_caller_number(request.caller_number());
    // Minimum necessary: the fields the scope shows the queue owner's role.
    const auto* scope = policy_->FindPhiScope(request.request_type());
    for (const ev::IntakeValue& v : request.intake()) {
      const auto field = policy::IntakeFieldFromName(v.field());
      bool shown = false;
      if (scope != nullptr) {
        for (const auto& rf : scope->show()) {
          if (rf.role() != queue->owner_role()) continue;
          for (int f : rf.fields()) shown = shown || f == field;
        }
      }
      if (shown) *phi.add_intake() = v;
    }
    p.set_request_type(request.request_type());
    p.set_consent_declined(request.consent_declined());
    *p.mutable_sealed_phi() =
        sealer_->Seal(phi, request.tenant_id(), request.call_id());
    entry->built = true;
  }
  const hv::HandoffPacket& packet = entry->packet;

  ev::HandoffPrepared prepared;
  prepared.set_handoff_id(packet.handoff_id());
  prepared.set_decision_id(packet.decision_id());
  prepared.set_queue(packet.queue());
  prepared.set_topic(kafka::HandoffTopic(packet.queue()));
  prepared.set_owner_role(packet.owner_role());
  prepared.set_backup_role(packet.backup_role());
  *prepared.mutable_deadline() = packet.deadline();
  prepared.mutable_claim_window()->set_seconds(
      absl::ToInt64Seconds(policy_->ClaimWindow(*queue)));
  prepared.set_category(packet.category());
  prepared.set_lane(static_cast<ev::Lane>(packet.lane()));

  events::EventDraft draft;
  draft.tenant_id = request.tenant_id();
  draft.call_id = request.call_id();
  draft.policy_version = policy_->version();
  draft.type = ev::EVENT_TYPE_HANDOFF_PREPARED;
  draft.payload = prepared.SerializeAsString();
  const ev::EventEnvelope envelope = chain_->Next(draft);
  ev::EventBody body;
  body.ParseFromString(envelope.body());

  absl::Status st =
      log_->Append({{kafka::HandoffTopic(packet.queue()), request.call_id(),
                     packet.SerializeAsString(), packet.handoff_id()},
                    {kafka::kCallsTopic, request.call_id(),
                     envelope.SerializeAsString(), body.event_id()}},
                   append_timeout_);
  if (!st.ok()) {
    return absl::Status(st.code(),
                        absl::StrCat("handoff not published: ", st.message()));
  }
  entry->acknowledged = true;
  if (desk_ != nullptr) desk_->Track(packet);
  {
    absl::MutexLock count_lock(&mu_);
    ++prepared_;
  }
  return PrepareResult{packet, false};
}

size_t HandoffPreparer::prepared() const {
  absl::MutexLock lock(&mu_);
  return prepared_;
}

}  // namespace frontdesk::handoff_prep
