#include "services/rules_check/rules_checker.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "frontdesk/events/v1/call_events.pb.h"
#include "libs/common/input_limits.h"
#include "libs/common/uuid.h"
#include "libs/kafka/kafka_settings.h"
#include "services/rules_check/handoff_map.h"

namespace frontdesk::rules_check {

namespace ev = ::frontdesk::events::v1;
namespace rv = ::frontdesk::rules::v1;

namespace {

std::string ActionName(rv::Action a) {
  switch (a) {
    case rv::ACTION_QUOTE_ANSWER:
      return "quote_answer";
    case rv::ACTION_HANDOFF:
      return "handoff";
    case rv::ACTION_URGENT_SCRIPT:
      return "urgent_script";
    default:
      return "none";
  }
}

}  // namespace

RulesChecker::RulesChecker(std::shared_ptr<const policy::ClinicPolicy> policy,
                           eventlog::EventLog* log, events::EventChain* chain,
                           absl::Duration append_timeout)
    : policy_(std::move(policy)),
      log_(log),
      chain_(chain),
      append_timeout_(append_timeout) {}

absl::StatusOr<rv::Decision> RulesChecker::Evaluate(
    const rv::EvaluateRequest& request) {
  if (request.tenant_id().empty()) {
    return absl::InvalidArgumentError("tenant_id: required");
  }
  if (request.tenant_id() != policy_->clinic.tenant_id) {
    return absl::NotFoundError("tenant_id: no policy is loaded for this tenant");
  }
  if (request.call_id().empty() || request.call_id().size() > kMaxIdBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("call_id: required, at most ", kMaxIdBytes, " bytes"));
  }
  if (request.utterance().empty()) {
    return absl::InvalidArgumentError("utterance: required");
  }
  if (Utf8Length(request.utterance()) > kMaxUtteranceChars) {
    return absl::InvalidArgumentError(absl::StrCat(
        "utterance: longer than ", kMaxUtteranceChars, " characters"));
  }

  rv::Decision decision = ApplyHandoffMap(*policy_, request.utterance());
  decision.set_decision_id(NewUuid());

  ev::DecisionRecorded recorded;
  recorded.set_decision_id(decision.decision_id());
  recorded.set_turn_index(request.turn_index());
  recorded.set_lane(static_cast<ev::Lane>(decision.lane()));
  recorded.set_rule_id(decision.rule_id());
  recorded.set_policy_version(decision.policy_version());
  recorded.set_category(decision.category());
  for (const std::string& t : decision.matched_triggers()) {
    recorded.add_matched_triggers(t);
  }
  recorded.set_action(ActionName(decision.action()));
  recorded.set_approved_text_id(decision.approved_text_id());
  recorded.set_approved_text_version(decision.approved_text_version());
  recorded.set_queue(decision.queue());

  events::EventDraft draft;
  draft.tenant_id = request.tenant_id();
  draft.call_id = request.call_id();
  draft.policy_version = policy_->version;
  draft.type = ev::EVENT_TYPE_DECISION_RECORDED;
  draft.payload = recorded.SerializeAsString();
  const ev::EventEnvelope envelope = chain_->Next(draft);
  ev::EventBody body;
  body.ParseFromString(envelope.body());

  absl::Status st =
      log_->Append({{kafka::kCallsTopic, request.call_id(),
                     envelope.SerializeAsString(), body.event_id()}},
                   append_timeout_);
  if (!st.ok()) {
    return absl::Status(st.code(),
                        absl::StrCat("decision not recorded, failing closed: ",
                                     st.message()));
  }
  return decision;
}

}  // namespace frontdesk::rules_check
