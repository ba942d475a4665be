// OutboundChannel: how a reminder reaches a patient and how the reply comes
// back.
//
// The worker starts a conversation by sending approved wording (placeholders
// filled) to an opaque patient reference; the channel resolves the reference
// to an address itself, so the worker never holds a phone number. Replies
// are read back per conversation, one at a time.
//
// Implementations:
//   - FileOutboundChannel: development. Appends one JSON line per message
//     to a file; replies are scripted from a JSON-lines file.
//   - The HTTP SMS/voice gateway adapter: NOT BUILT. Its place is
//     CreateGatewayChannel, which refuses (PERMISSION_DENIED) any
//     subprocessor the policy does not record a BAA for, and otherwise says
//     UNIMPLEMENTED. A real adapter must also pass every message through
//     libs/policy/baa_gate.h's OutboundPhiSender with the phone field, which
//     the policy's phi_scopes must list for that subprocessor.
//
// Example:
//   auto channel = FileOutboundChannel::Open(
//       {.out_path = "run/reminders.jsonl", .replies_path = "replies.jsonl"},
//       RealClock::Get());
//   (*channel)->Send({.conversation_id = "rem-a-1-1",
//                     .patient_ref = "Patient/p-1", ...});
//   auto reply = (*channel)->NextReply("rem-a-1-1", "Patient/p-1");
#ifndef FRONTDESK_LIBS_REMINDERS_OUTBOUND_CHANNEL_H_
#define FRONTDESK_LIBS_REMINDERS_OUTBOUND_CHANNEL_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "libs/common/clock.h"
#include "libs/policy/clinic_policy.h"

namespace frontdesk::reminders {

struct OutboundMessage {
  // One per reminder conversation; the worker makes it from the appointment
  // id and the attempt number. Opaque.
  std::string conversation_id;
  // Opaque patient reference; the channel finds the address.
  std::string patient_ref;
  // The approved text quoted, and its version.
  std::string text_id;
  uint32_t text_version = 0;
  // The approved wording with its placeholders filled. It names the
  // appointment, so it is PHI: channels never log it.
  std::string text;
};

// Thread-safe implementations.
class OutboundChannel {
 public:
  virtual ~OutboundChannel() = default;
  // "file", "sms" or "voice": what events record as the channel.
  virtual std::string kind() const = 0;
  // Sends one message. Errors never carry the text or an address.
  virtual absl::Status Send(const OutboundMessage& message) = 0;
  // The next reply, not yet returned, of `patient_ref` in the conversation
  // (which may have been started by an earlier process); nullopt when none
  // has arrived. The reply is the patient's own words: PHI.
  virtual absl::StatusOr<std::optional<std::string>> NextReply(
      const std::string& conversation_id, const std::string& patient_ref) = 0;
};

struct FileChannelOptions {
  // Each sent message is appended here as one JSON object per line:
  // {"time","conversation_id","patient_ref","text_id","text_version","text"}.
  std::string out_path;
  // Optional. One JSON object per line, {"patient_ref": "...", "reply":
  // "..."}; each patient's replies are handed out in file order, one per
  // NextReply of a conversation with that patient. Blank lines are skipped.
  // The file is read once, when the channel opens: it scripts the replies
  // that arrive before one run, not a history (a second process hands the
  // same replies out again).
  std::string replies_path;
};

// The development file sink. Thread-safe.
class FileOutboundChannel : public OutboundChannel {
 public:
  // INVALID_ARGUMENT when out_path is empty or a replies line is not such
  // an object (the message names the line number, never its content);
  // NOT_FOUND when the replies file cannot be read.
  static absl::StatusOr<std::unique_ptr<FileOutboundChannel>> Open(
      FileChannelOptions options, const Clock* clock);

  std::string kind() const override { return "file"; }
  // UNAVAILABLE when the file cannot be appended to (names the path).
  absl::Status Send(const OutboundMessage& message) override;
  // Replies are matched by patient: the file has no conversation ids.
  absl::StatusOr<std::optional<std::string>> NextReply(
      const std::string& conversation_id,
      const std::string& patient_ref) override;

 private:
  FileOutboundChannel(FileChannelOptions options, const Clock* clock)
      : options_(std::move(options)), clock_(clock) {}

  const FileChannelOptions options_;
  const Clock* const clock_;
  absl::Mutex mu_;
  // Scripted replies not yet handed out, by patient reference.
  absl::flat_hash_map<std::string, std::deque<std::string>> replies_
      ABSL_GUARDED_BY(mu_);
};

struct GatewayChannelOptions {
  // The policy's subprocessor that runs the gateway ("sms-gateway").
  std::string subprocessor_id;
  // "sms" or "voice".
  std::string kind = "sms";
  // The gateway's HTTPS endpoint.
  std::string endpoint;
};

// The place for the HTTP SMS/voice gateway adapter. PERMISSION_DENIED (from
// the BAA gate, naming the subprocessor) unless the policy lists the
// subprocessor with a BAA on record; INVALID_ARGUMENT when the subprocessor
// is not a messaging or speech one, or `kind` is neither "sms" nor "voice";
// otherwise UNIMPLEMENTED: no gateway adapter is built yet.
absl::StatusOr<std::unique_ptr<OutboundChannel>> CreateGatewayChannel(
    const policy::ClinicPolicy& policy, const GatewayChannelOptions& options);

}  // namespace frontdesk::reminders

#endif  // FRONTDESK_LIBS_REMINDERS_OUTBOUND_CHANNEL_H_
