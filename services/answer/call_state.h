// CallState: what the answer service knows of a call, folded from the
// call's own events on frontdesk.calls.v1.
//
// The fold is the only source of a resumed call's state: when a call id the
// process does not hold arrives (for example after the previous answer
// process died), the agent reads the call's events back from Kafka and
// applies them here, in log order.
//
// Example:
//   CallStateFold fold(&sealer);
//   for (const auto& record : records) fold.Apply(record.value);
//   if (fold.state().resumable()) { ... }
//
// Not thread-safe; fold on one thread.
#ifndef FRONTDESK_SERVICES_ANSWER_CALL_STATE_H_
#define FRONTDESK_SERVICES_ANSWER_CALL_STATE_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/strings/string_view.h"
#include "frontdesk/events/v1/envelope.pb.h"
#include "libs/phi/phi_keyring.h"
#include "libs/phi/phi_sealer.h"

namespace frontdesk::answer {

struct CallState {
  std::string tenant_id;
  bool started = false;
  bool ended = false;
  // The agent said goodbye: no more turns.
  bool over = false;
  // The urgent script was said: every further turn gets the post-escalation
  // wording, under `escalation_decision_id`.
  bool escalated = false;
  std::string escalation_decision_id;
  // The highest turn index on the record.
  uint32_t turns = 0;
  // The request type of the latest decision that named one.
  std::string request_type;
  // From the sealed CallStarted PHI, when the key is at hand.
  std::string caller_number;
  // Where the conversation stood after the last reply (ReplyGiven): the
  // state name ("intake", ...), what was asked for, and failed attempts.
  std::string conversation_state;
  std::string asking_for;
  uint32_t attempts = 0;
  // Intake values taken (policy field name -> value), from the sealed
  // FieldCollected events; and a date of birth read back, not yet confirmed.
  std::map<std::string, std::string> collected;
  std::string pending_read_back;
  bool consent_declined = false;
  // Records that were not intact events, and were skipped.
  int damaged = 0;

  // Started, not ended: a new process may carry it on.
  bool resumable() const { return started && !ended; }
};

class CallStateFold {
 public:
  // `sealer` may be null; the caller number and intake values then stay
  // unknown. With a keyring, PHI is opened under whichever of the tenant's
  // keys sealed it (the sealer is then not used).
  explicit CallStateFold(const phi::PhiSealer* sealer,
                         const phi::PhiKeyring* keyring = nullptr)
      : sealer_(sealer), keyring_(keyring) {}

  // Applies one record value (an EventEnvelope) of the call, in log order.
  void Apply(absl::string_view record_value);

  const CallState& state() const { return state_; }

 private:
  absl::StatusOr<frontdesk::events::v1::PhiFields> OpenPhi(
      const frontdesk::events::v1::EventBody& body) const;

  const phi::PhiSealer* sealer_;
  const phi::PhiKeyring* keyring_;
  CallState state_;
};

}  // namespace frontdesk::answer

#endif  // FRONTDESK_SERVICES_ANSWER_CALL_STATE_H_
