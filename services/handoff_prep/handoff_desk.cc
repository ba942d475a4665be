#include "services/handoff_prep/handoff_desk.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "frontdesk/events/v1/access_events.pb.h"
#include "frontdesk/events/v1/call_events.pb.h"
#include "frontdesk/events/v1/handoff_events.pb.h"
#include "libs/common/input_limits.h"
#include "libs/kafka/kafka_settings.h"
#include "libs/policy/access_roles.h"
#include "spdlog/spdlog.h"

namespace frontdesk::handoff_prep {

namespace ev = ::frontdesk::events::v1;
namespace hv = ::frontdesk::handoff::v1;
namespace pv = ::frontdesk::policy::v1;

namespace {

absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

void ToProto(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t s = absl::ToUnixSeconds(t);
  out->set_seconds(s);
  out->set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(s))));
}

// The queue a handoff was created on (packets from before the lifecycle
// carry only their queue).
const std::string& OriginQueue(const hv::HandoffPacket& p) {
  return p.origin_queue().empty() ? p.queue() : p.origin_queue();
}

bool IsOpen(const hv::HandoffPacket& p) {
  return p.state() == hv::HANDOFF_STATE_CREATED ||
         p.state() == hv::HANDOFF_STATE_CLAIMED;
}

// Urgent first, then the nearest deadline, then the oldest.
bool MoreUrgentPacket(const hv::HandoffPacket& x, const hv::HandoffPacket& y) {
  if (x.priority() != y.priority()) return x.priority() < y.priority();
  if (x.deadline().seconds() != y.deadline().seconds())
    return x.deadline().seconds() < y.deadline().seconds();
  return x.created_at().seconds() < y.created_at().seconds();
}

bool MoreUrgent(const hv::HandoffView& a, const hv::HandoffView& b) {
  return MoreUrgentPacket(a.packet(), b.packet());
}

}  // namespace

HandoffDesk::HandoffDesk(std::shared_ptr<const policy::ClinicPolicy> policy,
                         eventlog::EventLog* log, events::EventChain* chain,
                         const phi::PhiSealer* sealer,
                         const phi::PhiKeyring* keyring, const Clock* clock,
                         absl::Duration append_timeout)
    : policy_(std::move(policy)),
      log_(log),
      chain_(chain),
      sealer_(sealer),
      keyring_(keyring),
      clock_(clock),
      append_timeout_(append_timeout) {}

void HandoffDesk::ApplyLocked(const hv::HandoffPacket& packet) {
  auto [it, inserted] = entries_.try_emplace(packet.handoff_id());
  Entry& e = it->second;
  if (inserted) {
    by_decision_.try_emplace(
        absl::StrCat(packet.call_id(), "/", packet.decision_id()),
        packet.handoff_id());
  }
  if (!inserted && e.packet.revision() >= packet.revision()) return;
  const bool was_open = !inserted && IsOpen(e.packet);
  const bool was_last_resort = !inserted &&
                               e.packet.state() == hv::HANDOFF_STATE_CREATED &&
                               e.packet.escalation_level() >= 2;
  e.packet = packet;
  e.version = ++version_;
  const bool open = IsOpen(packet);
  const bool last_resort = packet.state() == hv::HANDOFF_STATE_CREATED &&
                           packet.escalation_level() >= 2;
  stats_.open += static_cast<uint64_t>(open) - static_cast<uint64_t>(was_open);
  stats_.open_at_last_resort += static_cast<uint64_t>(last_resort) -
                                static_cast<uint64_t>(was_last_resort);
}

void HandoffDesk::Track(const hv::HandoffPacket& packet) {
  absl::MutexLock lock(&mu_);
  ApplyLocked(packet);
}

bool HandoffDesk::Restore(absl::string_view packet_bytes) {
  hv::HandoffPacket p;
  if (!p.ParseFromArray(packet_bytes.data(),
                        static_cast<int>(packet_bytes.size())) ||
      p.handoff_id().empty() || p.tenant_id() != policy_->tenant_id()) {
    return false;
  }
  // Packets from before the lifecycle existed are created, revision 1.
  if (p.state() == hv::HANDOFF_STATE_UNSPECIFIED) {
    p.set_state(hv::HANDOFF_STATE_CREATED);
  }
  if (p.revision() == 0) p.set_revision(1);
  if (p.origin_queue().empty()) p.set_origin_queue(p.queue());
  Track(p);
  return true;
}

bool HandoffDesk::RoleServes(const std::string& role,
                             const std::string& queue) const {
  const pv::Queue* q = policy_->FindQueue(queue);
  if (q == nullptr || role.empty()) return false;
  return role == q->owner_role() || role == q->backup_role() ||
         role == q->last_resort_role();
}

absl::Status HandoffDesk::QueueRefusal(const StaffMember& who,
                                       const std::string& queue) const {
  if (policy_->FindQueue(queue) == nullptr) {
    return absl::NotFoundError("queue: no such queue in the policy");
  }
  if (!RoleServes(who.role, queue)) {
    if (!who.break_glass_reason.empty()) return BreakGlassRefusal(who);
    return absl::PermissionDeniedError(
        absl::StrCat("role ", who.role, " does not serve queue ", queue));
  }
  return absl::OkStatus();
}

std::string HandoffDesk::ViewingRole(const StaffMember& who,
                                     const std::string& queue) const {
  if (RoleServes(who.role, queue) || who.break_glass_reason.empty()) {
    return who.role;
  }
  const pv::Queue* q = policy_->FindQueue(queue);
  return q == nullptr ? who.role : q->owner_role();
}

absl::Status HandoffDesk::BreakGlassRefusal(const StaffMember& who) const {
  if (!policy::RoleGrants(policy_->proto(), who.role,
                          policy::kPermBreakGlass)) {
    return absl::PermissionDeniedError(
        absl::StrCat("role ", who.role,
                     " may not break glass (the policy's "
                     "access_roles do not grant it break_glass)"));
  }
  const size_t n = who.break_glass_reason.size();
  if (n < 12 || n > 500) {
    return absl::InvalidArgumentError(
        "break glass: the reason must be 12 to 500 bytes");
  }
  return absl::OkStatus();
}

std::optional<hv::HandoffPacket> HandoffDesk::Current(
    const std::string& handoff_id) const {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(handoff_id);
  if (it == entries_.end()) return std::nullopt;
  return it->second.packet;
}

absl::Status HandoffDesk::RecordAccess(const StaffMember& who,
                                       const std::string& action,
                                       const std::string& resource,
                                       absl::Status refusal) {
  ev::AccessRecorded a;
  a.set_actor_id(who.id);
  a.set_role(who.role);
  a.set_action(action);
  a.set_resource(resource);
  a.set_allowed(refusal.ok());
  a.set_reason(std::string(refusal.message()));
  a.set_via(who.via);
  if (!who.break_glass_reason.empty()) {
    // Recorded as break glass whether granted or not; the reason is the
    // stated purpose (sealed topics are not needed: it names no patient by
    // rule, and the review reads it).
    a.set_break_glass(true);
    a.set_purpose(absl::StrCat("break glass: ", who.break_glass_reason));
  }
  events::EventDraft draft;
  draft.tenant_id = policy_->tenant_id();
  draft.call_id = absl::StrCat("actor/", who.id);
  draft.policy_version = policy_->version();
  draft.type = ev::EVENT_TYPE_ACCESS_RECORDED;
  draft.payload = a.SerializeAsString();
  const ev::EventEnvelope envelope = chain_->Next(draft);
  ev::EventBody body;
  body.ParseFromString(envelope.body());
  const absl::Status st =
      log_->Append({{kafka::kAccessTopic, draft.call_id,
                     envelope.SerializeAsString(), body.event_id()}},
                   append_timeout_);
  if (!refusal.ok()) {
    absl::MutexLock lock(&mu_);
    ++stats_.refused;
    return refusal;
  }
  if (!who.break_glass_reason.empty() && st.ok()) {
    {
      absl::MutexLock lock(&mu_);
      ++stats_.break_glass;
    }
    // Ids only: the reason is free text.
    spdlog::warn("event=break_glass actor={} role={} action={} resource={}",
                 who.id, who.role, action, resource);
  }
  if (!st.ok()) {
    // An access that cannot be recorded does not happen.
    return absl::Status(st.code(), absl::StrCat("the access could not be "
                                                "recorded: ",
                                                st.message()));
  }
  return absl::OkStatus();
}

hv::HandoffView HandoffDesk::View(const hv::HandoffPacket& packet,
                                  const std::string& role) const {
  hv::HandoffView v;
  *v.mutable_packet() = packet;
  v.set_seconds_to_deadline(
      absl::ToInt64Seconds(FromProto(packet.deadline()) - clock_->Now()));
  absl::StatusOr<ev::PhiFields> phi =
      keyring_ != nullptr ? keyring_->Open(packet.sealed_phi(),
                                           packet.tenant_id(), packet.call_id())
                          : sealer_->Open(packet.sealed_phi(),
                                          packet.tenant_id(), packet.call_id());
  if (!phi.ok()) return v;
  v.set_trigger_words(phi->utterance());
  v.set_caller_number(phi->caller_number());
  // Minimum necessary: only the fields the PHI scope shows this role.
  const pv::PhiScope* scope = policy_->FindPhiScope(packet.request_type());
  if (scope == nullptr) return v;
  for (const ev::IntakeValue& value : phi->intake()) {
    const pv::IntakeField f = policy::IntakeFieldFromName(value.field());
    bool shown = false;
    for (const auto& rf : scope->show()) {
      if (rf.role() != role) continue;
      for (int g : rf.fields()) shown = shown || g == f;
    }
    if (shown) *v.add_intake() = value;
  }
  return v;
}

absl::Status HandoffDesk::Publish(hv::HandoffPacket next, ev::EventType type,
                                  const std::string& payload,
                                  const ev::PhiFields* phi,
                                  const std::vector<std::string>& extra) {
  next.set_revision(next.revision() + 1);
  events::EventDraft draft;
  draft.tenant_id = next.tenant_id();
  draft.call_id = next.call_id();
  draft.policy_version = policy_->version();
  draft.type = type;
  draft.payload = payload;
  if (phi != nullptr) {
    draft.sealed_phi = sealer_->Seal(*phi, next.tenant_id(), next.call_id());
  }
  const ev::EventEnvelope envelope = chain_->Next(draft);
  ev::EventBody body;
  body.ParseFromString(envelope.body());
  std::vector<eventlog::LogRecord> records = {
      {kafka::kCallsTopic, next.call_id(), envelope.SerializeAsString(),
       body.event_id()}};
  const std::string bytes = next.SerializeAsString();
  const std::string record_id =
      absl::StrCat(next.handoff_id(), "@", next.revision());
  records.push_back(
      {kafka::HandoffTopic(next.queue()), next.call_id(), bytes, record_id});
  for (const std::string& q : extra) {
    if (q == next.queue()) continue;
    records.push_back({kafka::HandoffTopic(q), next.call_id(), bytes,
                       absl::StrCat(record_id, "/", q)});
  }
  const absl::Status st = log_->Append(records, append_timeout_);
  // DEADLINE_EXCEEDED: the records were not acknowledged in time but stay
  // queued and are delivered later (event_log.h), so the change is made.
  // Apply it here too: publishing it again would put a second event of the
  // same revision on the log (a repeated escalation after a broker outage).
  // Any other error means the log refused it: nothing changes.
  if (!st.ok() && st.code() != absl::StatusCode::kDeadlineExceeded) return st;
  absl::MutexLock lock(&mu_);
  ApplyLocked(next);
  return st;
}

absl::StatusOr<std::vector<hv::HandoffView>> HandoffDesk::ListOpen(
    const StaffMember& who, const std::string& queue, size_t* total) {
  const absl::Status refusal = QueueRefusal(who, queue);
  absl::Status st =
      RecordAccess(who, "list_open", absl::StrCat("queue/", queue), refusal);
  if (!st.ok()) return st;
  std::vector<const hv::HandoffPacket*> open;
  absl::MutexLock lock(&mu_);
  for (const auto& [id, e] : entries_) {
    if (e.packet.queue() == queue && IsOpen(e.packet))
      open.push_back(&e.packet);
  }
  if (total != nullptr) *total = open.size();
  // Only the listed ones are opened (decrypted).
  const size_t listed = std::min(open.size(), kMaxListedHandoffs);
  std::partial_sort(open.begin(), open.begin() + listed, open.end(),
                    [](const hv::HandoffPacket* a, const hv::HandoffPacket* b) {
                      return MoreUrgentPacket(*a, *b);
                    });
  std::vector<hv::HandoffView> out;
  out.reserve(listed);
  const std::string viewer = ViewingRole(who, queue);
  for (size_t i = 0; i < listed; ++i) out.push_back(View(*open[i], viewer));
  return out;
}

absl::StatusOr<hv::HandoffView> HandoffDesk::Claim(
    const StaffMember& who, const std::string& handoff_id) {
  absl::MutexLock write(&write_mu_);
  const std::optional<hv::HandoffPacket> current = Current(handoff_id);
  absl::Status refusal;
  if (who.id.empty() || who.id.size() > kMaxIdBytes) {
    refusal = absl::InvalidArgumentError("staff id: required");
  } else if (!current.has_value()) {
    refusal = absl::NotFoundError("handoff_id: no such handoff");
  } else if (!RoleServes(who.role, current->queue()) &&
             !RoleServes(who.role, current->origin_queue())) {
    refusal = absl::PermissionDeniedError(absl::StrCat(
        "role ", who.role, " does not serve queue ", current->queue()));
  } else if (current->state() == hv::HANDOFF_STATE_CLAIMED) {
    refusal = absl::FailedPreconditionError(
        absl::StrCat("handoff_id: already claimed by ", current->claimed_by()));
  } else if (current->state() == hv::HANDOFF_STATE_RESOLVED) {
    refusal = absl::FailedPreconditionError("handoff_id: already resolved");
  }
  absl::Status st =
      RecordAccess(who, "claim", absl::StrCat("handoff/", handoff_id), refusal);
  if (!st.ok()) return st;

  hv::HandoffPacket next = *current;
  next.set_state(hv::HANDOFF_STATE_CLAIMED);
  next.set_claimed_by(who.id);
  next.set_claimed_role(who.role);
  ToProto(clock_->Now(), next.mutable_claimed_at());
  ev::HandoffClaimed claimed;
  claimed.set_handoff_id(handoff_id);
  claimed.set_staff_id(who.id);
  claimed.set_role(who.role);
  st = Publish(next, ev::EVENT_TYPE_HANDOFF_CLAIMED,
               claimed.SerializeAsString(), nullptr, {});
  if (!st.ok()) {
    return absl::Status(st.code(),
                        absl::StrCat("claim not recorded: ", st.message()));
  }
  {
    absl::MutexLock lock(&mu_);
    ++stats_.claimed;
  }
  if (observer_ != nullptr) {
    observer_->OnClaimed(OriginQueue(next),
                         clock_->Now() - FromProto(next.created_at()));
  }
  spdlog::info("event=handoff_claimed handoff_id={} staff_id={} role={}",
               handoff_id, who.id, who.role);
  absl::MutexLock lock(&mu_);
  return View(entries_[handoff_id].packet, who.role);
}

absl::StatusOr<hv::HandoffView> HandoffDesk::Resolve(
    const StaffMember& who, const std::string& handoff_id,
    const std::string& note) {
  absl::MutexLock write(&write_mu_);
  const std::optional<hv::HandoffPacket> current = Current(handoff_id);
  absl::Status refusal;
  if (!current.has_value()) {
    refusal = absl::NotFoundError("handoff_id: no such handoff");
  } else if (current->state() == hv::HANDOFF_STATE_RESOLVED) {
    refusal = absl::FailedPreconditionError("handoff_id: already resolved");
  } else if (current->state() != hv::HANDOFF_STATE_CLAIMED ||
             current->claimed_by() != who.id) {
    refusal = absl::FailedPreconditionError(
        "handoff_id: only the staff member who claimed it may resolve it");
  } else if (note.empty()) {
    refusal = absl::InvalidArgumentError("note: required, what was done");
  } else if (Utf8Length(note) > kMaxUtteranceChars) {
    refusal = absl::InvalidArgumentError(
        absl::StrCat("note: longer than ", kMaxUtteranceChars, " characters"));
  }
  absl::Status st = RecordAccess(who, "resolve",
                                 absl::StrCat("handoff/", handoff_id), refusal);
  if (!st.ok()) return st;

  hv::HandoffPacket next = *current;
  next.set_state(hv::HANDOFF_STATE_RESOLVED);
  next.set_resolved_by(who.id);
  ToProto(clock_->Now(), next.mutable_resolved_at());
  ev::HandoffResolved resolved;
  resolved.set_handoff_id(handoff_id);
  resolved.set_staff_id(who.id);
  resolved.set_role(who.role);
  ev::PhiFields phi;
  phi.set_note(note);
  st = Publish(next, ev::EVENT_TYPE_HANDOFF_RESOLVED,
               resolved.SerializeAsString(), &phi, {});
  if (!st.ok()) {
    return absl::Status(
        st.code(), absl::StrCat("resolution not recorded: ", st.message()));
  }
  {
    absl::MutexLock lock(&mu_);
    ++stats_.resolved;
  }
  if (observer_ != nullptr) observer_->OnResolved(OriginQueue(next));
  spdlog::info("event=handoff_resolved handoff_id={} staff_id={}", handoff_id,
               who.id);
  absl::MutexLock lock(&mu_);
  return View(entries_[handoff_id].packet, who.role);
}

int HandoffDesk::EscalateDue() {
  absl::MutexLock write(&write_mu_);
  const absl::Time now = clock_->Now();
  std::vector<hv::HandoffPacket> due;
  {
    absl::MutexLock lock(&mu_);
    for (const auto& [id, e] : entries_) {
      if (e.packet.state() == hv::HANDOFF_STATE_CREATED &&
          e.packet.escalation_level() < 2 &&
          FromProto(e.packet.deadline()) <= now) {
        due.push_back(e.packet);
      }
    }
  }
  int moved = 0;
  for (const hv::HandoffPacket& p : due) {
    const pv::Queue* origin = policy_->FindQueue(p.origin_queue());
    if (origin == nullptr) origin = policy_->FindQueue(p.queue());
    if (origin == nullptr) continue;
    const uint32_t level = p.escalation_level() + 1;
    std::string to_role =
        level == 1 ? origin->backup_role() : origin->last_resort_role();
    // A queue without a last resort leaves the handoff with its backup,
    // marked as at the last level so the alert fires.
    if (to_role.empty()) to_role = origin->backup_role();
    hv::HandoffPacket next = p;
    next.set_escalation_level(level);
    next.set_owner_role(to_role);
    const absl::Time missed = FromProto(p.deadline());
    ToProto(missed + policy_->ClaimWindow(*origin), next.mutable_deadline());
    // The queue the new holder owns, if the policy has one.
    for (const auto& q : policy_->proto().queues()) {
      if (q.owner_role() == to_role) {
        next.set_queue(q.id());
        break;
      }
    }
    ev::HandoffEscalated escalated;
    escalated.set_handoff_id(p.handoff_id());
    escalated.set_from_role(p.owner_role());
    escalated.set_to_role(to_role);
    escalated.set_level(level);
    *escalated.mutable_missed_deadline() = p.deadline();
    *escalated.mutable_deadline() = next.deadline();
    escalated.add_queues(next.queue());
    // The queue it left sees it go: the same revision is published there.
    std::vector<std::string> extra;
    if (p.queue() != next.queue()) {
      escalated.add_queues(p.queue());
      extra.push_back(p.queue());
    }
    const absl::Status st =
        Publish(next, ev::EVENT_TYPE_HANDOFF_ESCALATED,
                escalated.SerializeAsString(), nullptr, extra);
    if (!st.ok()) {
      spdlog::error("event=handoff_escalation_failed handoff_id={} code={}",
                    p.handoff_id(), absl::StatusCodeToString(st.code()));
      continue;  // Tried again on the next run; the deadline stays passed.
    }
    ++moved;
    {
      absl::MutexLock lock(&mu_);
      if (level == 1) {
        ++stats_.escalated_to_backup;
      } else {
        ++stats_.escalated_to_last_resort;
      }
    }
    if (observer_ != nullptr) observer_->OnEscalated(OriginQueue(p), level);
    spdlog::warn(
        "event=handoff_escalated handoff_id={} level={} from_role={} "
        "to_role={} queue={}",
        p.handoff_id(), level, p.owner_role(), to_role, next.queue());
  }
  return moved;
}

absl::Status HandoffDesk::StartWatch(const StaffMember& who,
                                     const std::string& queue) {
  const absl::Status refusal = QueueRefusal(who, queue);
  return RecordAccess(who, "watch", absl::StrCat("queue/", queue), refusal);
}

std::vector<hv::HandoffView> HandoffDesk::WaitForChanges(
    const StaffMember& who, const std::string& queue, uint64_t* version,
    absl::Duration timeout) {
  const uint64_t since = *version;
  std::vector<hv::HandoffView> out;
  absl::MutexLock lock(&mu_);
  struct After {
    const uint64_t* current;
    uint64_t since;
  } after{&version_, since};
  mu_.AwaitWithTimeout(
      absl::Condition(
          +[](After* a) { return *a->current > a->since; }, &after),
      timeout);
  for (const auto& [id, e] : entries_) {
    if (e.version <= since) continue;
    // A handoff that left this queue (escalated elsewhere) is shown too, so
    // the watcher can drop it.
    if (e.packet.queue() != queue && e.packet.origin_queue() != queue) continue;
    if (since == 0 && !IsOpen(e.packet)) continue;
    if (e.packet.queue() != queue) {
      // It left this queue: say so, without its details, which are now for
      // the roles of the queue it moved to.
      hv::HandoffView left;
      hv::HandoffPacket* p = left.mutable_packet();
      p->set_handoff_id(e.packet.handoff_id());
      p->set_queue(e.packet.queue());
      p->set_origin_queue(e.packet.origin_queue());
      p->set_state(e.packet.state());
      p->set_revision(e.packet.revision());
      p->set_escalation_level(e.packet.escalation_level());
      p->set_owner_role(e.packet.owner_role());
      p->set_priority(e.packet.priority());
      out.push_back(std::move(left));
      continue;
    }
    out.push_back(View(e.packet, ViewingRole(who, queue)));
  }
  std::sort(out.begin(), out.end(), MoreUrgent);
  *version = version_;
  return out;
}

std::optional<hv::HandoffPacket> HandoffDesk::FindByDecision(
    const std::string& call_id, const std::string& decision_id) const {
  absl::MutexLock lock(&mu_);
  auto key = by_decision_.find(absl::StrCat(call_id, "/", decision_id));
  if (key == by_decision_.end()) return std::nullopt;
  auto it = entries_.find(key->second);
  if (it == entries_.end()) return std::nullopt;
  return it->second.packet;
}

DeskStats HandoffDesk::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

}  // namespace frontdesk::handoff_prep
