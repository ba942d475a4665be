// PhiSealer: seals PHI for the event log with AES-256-GCM.
//
// PHI (caller words, numbers, names, dates of birth) never goes into an event
// in the clear. It is serialized as a PhiFields message and sealed into
// EventBody.sealed_phi. The associated data binds the ciphertext to its tenant
// and call, so sealed PHI cannot be moved to another call unnoticed.
// Destroying a key makes the PHI sealed with it unreadable, while the event
// hashes (taken over the ciphertext) stay verifiable.
//
// The key file holds 64 hexadecimal characters (32 bytes), for example from
// `openssl rand -hex 32`. The key id is the first 8 bytes of SHA-256(key) in
// hex, so it names the key without revealing it.
//
// Example:
//   absl::StatusOr<PhiSealer> sealer = PhiSealer::FromKeyFile(path);
//   SealedPhi s = sealer->Seal(fields, tenant, call_id);
//   absl::StatusOr<PhiFields> back = sealer->Open(s, tenant, call_id);
//
// Thread-safe: a sealer holds only its immutable key.
#ifndef FRONTDESK_LIBS_PHI_PHI_SEALER_H_
#define FRONTDESK_LIBS_PHI_PHI_SEALER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "frontdesk/events/v1/call_events.pb.h"
#include "frontdesk/events/v1/envelope.pb.h"

namespace frontdesk::phi {

class PhiSealer {
 public:
  // Reads a key file. INVALID_ARGUMENT names the file and what is wrong;
  // the key itself is never echoed.
  static absl::StatusOr<PhiSealer> FromKeyFile(const std::string& path);
  // `key` must be 32 raw bytes.
  static absl::StatusOr<PhiSealer> FromKey(absl::string_view key);

  const std::string& key_id() const { return key_id_; }

  frontdesk::events::v1::SealedPhi Seal(
      const frontdesk::events::v1::PhiFields& fields,
      absl::string_view tenant_id, absl::string_view call_id) const;

  // FAILED_PRECONDITION when sealed under another key; DATA_LOSS when the
  // ciphertext or its binding to tenant and call was altered.
  absl::StatusOr<frontdesk::events::v1::PhiFields> Open(
      const frontdesk::events::v1::SealedPhi& sealed,
      absl::string_view tenant_id, absl::string_view call_id) const;

 private:
  PhiSealer(std::string key, std::string key_id)
      : key_(std::move(key)), key_id_(std::move(key_id)) {}
  std::string key_;
  std::string key_id_;
};

}  // namespace frontdesk::phi

#endif  // FRONTDESK_LIBS_PHI_PHI_SEALER_H_
