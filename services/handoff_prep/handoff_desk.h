// HandoffDesk: every handoff as a tracked object that a named role must claim
// before a deadline.
//
// Lifecycle: created -> claimed (by an identified staff member) -> resolved
// (with an outcome note, sealed). A handoff still unclaimed at its deadline
// is escalated: to the queue's backup role (deadline + the queue's claim
// window), then to its last-resort role, which also fires the last-resort
// alert metric. Deadlines come from the packet's timestamps and the policy,
// never from process uptime.
//
// Every change is, in one batch acknowledged by Kafka before it takes
// effect: a lifecycle event on frontdesk.calls.v1 (HandoffClaimed,
// HandoffResolved, HandoffEscalated) and the packet republished with the
// next revision to the topic of the queue that now holds it. An escalated
// handoff moves to the queue the new holder owns, if the policy has one; else
// it stays on its queue with the new owner role.
//
// The desk is a read model: Restore() folds packets read back from the
// queue topics (the highest revision of each handoff wins), so a restarted
// handoff-prep has every open handoff and its timer again, and a deadline
// that passed while it was down escalates on the first EscalateDue().
//
// Access: every staff operation names the staff member and role; the role
// must be one the policy gives the handoff's queue (owner, backup or last
// resort). Every operation, allowed or refused, is recorded as an
// AccessRecorded event on frontdesk.access.v1 before it answers. Staff see
// the caller's words and number and only the intake fields the policy's PHI
// scope shows their role (minimum necessary).
//
// Thread-safe. Claims race safely: of two claims at once, one wins and the
// other gets FAILED_PRECONDITION.
#ifndef FRONTDESK_SERVICES_HANDOFF_PREP_HANDOFF_DESK_H_
#define FRONTDESK_SERVICES_HANDOFF_PREP_HANDOFF_DESK_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "frontdesk/handoff/v1/staff_service.pb.h"
#include "libs/common/clock.h"
#include "libs/eventlog/event_log.h"
#include "libs/events/event_chain.h"
#include "libs/phi/phi_keyring.h"
#include "libs/phi/phi_sealer.h"
#include "libs/policy/clinic_policy.h"

namespace frontdesk::handoff_prep {

// Who is acting, as identified by the surface they came through.
struct StaffMember {
  std::string id;
  std::string role;
  // "grpc", "console" or "cli": recorded with the access.
  std::string via = "grpc";
  // Emergency access ("break glass"): why this person must read a queue
  // their role does not serve. Honoured only for listing and watching, only
  // for roles the policy grants break_glass, and only with a reason of 12 to
  // 500 bytes; always recorded as break glass and logged as a warning.
  std::string break_glass_reason{};
};

// Counters for the metrics edge.
struct DeskStats {
  uint64_t claimed = 0;
  uint64_t resolved = 0;
  uint64_t escalated_to_backup = 0;
  uint64_t escalated_to_last_resort = 0;
  uint64_t refused = 0;
  // Emergency accesses granted (break glass).
  uint64_t break_glass = 0;
  // Unclaimed handoffs held by a last-resort role: the alert fires while
  // > 0.
  uint64_t open_at_last_resort = 0;
  uint64_t open = 0;
};

// Told of each lifecycle change once it is on the log, for per-queue
// metrics. `queue` is the queue the handoff was created on (its origin),
// wherever it has moved since. Called with the desk's write lock held: keep
// it short and never call back into the desk. Implementations are
// thread-safe.
class DeskObserver {
 public:
  virtual ~DeskObserver() = default;
  // `waited`: from the handoff's creation to the claim.
  virtual void OnClaimed(const std::string& queue, absl::Duration waited) = 0;
  virtual void OnResolved(const std::string& queue) = 0;
  // A claim deadline was missed: `level` 1 when the owner's (the handoff
  // went to the backup role), 2 when the backup's (to the last resort).
  virtual void OnEscalated(const std::string& queue, uint32_t level) = 0;
};

// ListOpen lists at most this many handoffs, the most urgent, so a queue
// that nobody works stays readable and within gRPC's message size.
inline constexpr size_t kMaxListedHandoffs = 200;

class HandoffDesk {
 public:
  // Everything passed in must outlive the desk. `keyring` may be null; PHI
  // is then opened with `sealer`'s key only.
  HandoffDesk(std::shared_ptr<const policy::ClinicPolicy> policy,
              eventlog::EventLog* log, events::EventChain* chain,
              const phi::PhiSealer* sealer, const phi::PhiKeyring* keyring,
              const Clock* clock, absl::Duration append_timeout);

  // A packet now on its queue topic (revision 1 from the preparer, or any
  // revision read back). Keeps the highest revision of each handoff.
  void Track(const frontdesk::handoff::v1::HandoffPacket& packet);

  // Folds one record value read back from a frontdesk.handoff.<queue>.v1
  // topic. Returns false for a record that is not a packet (skipped).
  bool Restore(absl::string_view packet_bytes);

  // The open handoffs of `queue`, urgent first, then by deadline: at most
  // kMaxListedHandoffs of them; `total`, when given, gets how many are open.
  // PERMISSION_DENIED for a role the policy does not give the queue;
  // NOT_FOUND for an unknown queue. Recorded as an access either way.
  absl::StatusOr<std::vector<frontdesk::handoff::v1::HandoffView>> ListOpen(
      const StaffMember& who, const std::string& queue,
      size_t* total = nullptr);

  // FAILED_PRECONDITION when it is already claimed or resolved; NOT_FOUND
  // for an unknown handoff; PERMISSION_DENIED for a role not on its queue;
  // UNAVAILABLE or DEADLINE_EXCEEDED when Kafka did not acknowledge (nothing
  // changed; retry is safe).
  absl::StatusOr<frontdesk::handoff::v1::HandoffView> Claim(
      const StaffMember& who, const std::string& handoff_id);

  // Only the staff member who claimed it may resolve it. `note` is required,
  // at most 2000 characters, and sealed on the log.
  absl::StatusOr<frontdesk::handoff::v1::HandoffView> Resolve(
      const StaffMember& who, const std::string& handoff_id,
      const std::string& note);

  // Escalates every unclaimed handoff whose deadline has passed, one level.
  // Returns how many moved. Run it every second or so.
  int EscalateDue();

  // For Watch: checks access to `queue` (recorded as action "watch"), then
  // returns the version to start from (0: everything open).
  absl::Status StartWatch(const StaffMember& who, const std::string& queue);
  // Waits until something changed after `version` or `timeout` passes, then
  // returns the handoffs of `queue` changed after `version` (resolved ones
  // included, so a watcher sees them leave) and sets `version` to the
  // latest. A handoff that moved to another queue comes without its details
  // (no PHI, no words): only its id, state, new queue and holder.
  std::vector<frontdesk::handoff::v1::HandoffView> WaitForChanges(
      const StaffMember& who, const std::string& queue, uint64_t* version,
      absl::Duration timeout);

  // The packet of (call_id, decision_id), if tracked: the preparer's
  // idempotency after a restart.
  std::optional<frontdesk::handoff::v1::HandoffPacket> FindByDecision(
      const std::string& call_id, const std::string& decision_id) const;

  DeskStats stats() const;

  // Tells `observer` (may be null; must outlive the desk) of every change
  // from now on. REQUIRES: no other thread uses the desk yet.
  void SetObserver(DeskObserver* observer) { observer_ = observer; }

 private:
  struct Entry {
    frontdesk::handoff::v1::HandoffPacket packet;
    // The desk version at its last change (for watchers).
    uint64_t version = 0;
  };

  // Whether `role` may act on handoffs of `queue`.
  bool RoleServes(const std::string& role, const std::string& queue) const;
  // Why `who` may not read `queue` (NOT_FOUND, PERMISSION_DENIED), or OK.
  // Why a break-glass access is refused, or OK (the role holds break_glass
  // and the reason is 12 to 500 bytes).
  absl::Status BreakGlassRefusal(const StaffMember& who) const;
  // The role whose view of the queue's handoffs `who` gets: their own, or
  // under break glass the queue owner's.
  std::string ViewingRole(const StaffMember& who,
                          const std::string& queue) const;
  absl::Status QueueRefusal(const StaffMember& who,
                            const std::string& queue) const;
  // The latest revision of a handoff, if tracked.
  std::optional<frontdesk::handoff::v1::HandoffPacket> Current(
      const std::string& handoff_id) const;
  // Records the access; returns the status to give back (`refusal` when the
  // access was refused, or an error when the record could not be written).
  absl::Status RecordAccess(const StaffMember& who, const std::string& action,
                            const std::string& resource, absl::Status refusal);
  frontdesk::handoff::v1::HandoffView View(
      const frontdesk::handoff::v1::HandoffPacket& packet,
      const std::string& role) const;
  // Appends a lifecycle event and the packet's new revision; applies the
  // packet once both are acknowledged.
  absl::Status Publish(frontdesk::handoff::v1::HandoffPacket next,
                       frontdesk::events::v1::EventType type,
                       const std::string& payload,
                       const frontdesk::events::v1::PhiFields* phi,
                       const std::vector<std::string>& extra_queues)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  void ApplyLocked(const frontdesk::handoff::v1::HandoffPacket& packet)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::shared_ptr<const policy::ClinicPolicy> policy_;
  eventlog::EventLog* const log_;
  events::EventChain* const chain_;
  const phi::PhiSealer* const sealer_;
  const phi::PhiKeyring* const keyring_;
  const Clock* const clock_;
  const absl::Duration append_timeout_;

  // Serializes changes (claim, resolve, escalate), so a handoff's next
  // revision is decided on its latest state. Held across the Kafka append.
  absl::Mutex write_mu_ ABSL_ACQUIRED_BEFORE(mu_);
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
  // "<call id>/<decision id>" -> handoff id, for FindByDecision.
  absl::flat_hash_map<std::string, std::string> by_decision_
      ABSL_GUARDED_BY(mu_);
  uint64_t version_ ABSL_GUARDED_BY(mu_) = 0;
  DeskStats stats_ ABSL_GUARDED_BY(mu_);
  DeskObserver* observer_ = nullptr;
};

}  // namespace frontdesk::handoff_prep

#endif  // FRONTDESK_SERVICES_HANDOFF_PREP_HANDOFF_DESK_H_
