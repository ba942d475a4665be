// Producer signatures: who may write an event, not just whether it is intact.
//
// The hash in an EventEnvelope proves that `body` was not changed after it
// was hashed, but anyone who can write to Kafka can build a new body and hash
// it. Each producer service therefore holds an Ed25519 private key and signs
// the body bytes; an auditor holds the services' public keys and checks that
// every event was signed by the key of the service it names as producer.
//
// Key files are PEM, as `openssl genpkey -algorithm ed25519` writes them
// (private) and `openssl pkey -pubout` derives them (public). A key id is
// "<service>:<first 8 bytes of SHA-256 of the raw 32-byte public key, hex>".
//
// Example:
//   auto signer = EventSigner::FromPrivateKeyFile("answer", "answer.key");
//   chain.SetSigner(*std::move(signer));            // events now signed
//   auto keys = ProducerKeys::FromDirectory("run/keys/signing");
//   absl::Status s = keys->Verify(envelope, "answer");
//
// Thread-safe: both classes are immutable after construction.
#ifndef FRONTDESK_LIBS_EVENTS_EVENT_SIGNER_H_
#define FRONTDESK_LIBS_EVENTS_EVENT_SIGNER_H_

#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "frontdesk/events/v1/envelope.pb.h"

namespace frontdesk::events {

namespace internal {
struct PkeyDeleter {
  void operator()(void* pkey) const;
};
using Pkey = std::unique_ptr<void, PkeyDeleter>;
}  // namespace internal

// Signs event bodies for one producer service.
class EventSigner {
 public:
  // A PEM Ed25519 private key. INVALID_ARGUMENT names what is wrong with it
  // (never its bytes).
  static absl::StatusOr<std::shared_ptr<const EventSigner>> FromPrivateKeyPem(
      const std::string& service, absl::string_view pem);
  // Reads the PEM file at `path`; NOT_FOUND when it cannot be read.
  static absl::StatusOr<std::shared_ptr<const EventSigner>> FromPrivateKeyFile(
      const std::string& service, const std::string& path);
  // A fresh random key, for tests and benchmarks.
  static std::shared_ptr<const EventSigner> Generate(
      const std::string& service);

  // Makes a fresh key for `service` and writes it as PEM: the private key to
  // `private_path` (mode 600) and the public key to `public_path`. For test
  // departments and benchmarks; deployments use `openssl genpkey`.
  static absl::Status WriteNewKeyFiles(const std::string& service,
                                       const std::string& private_path,
                                       const std::string& public_path);

  // The 64-byte Ed25519 signature of `bytes`.
  std::string Sign(absl::string_view bytes) const;
  // Sets envelope.signature and envelope.signing_key_id over envelope.body.
  void SignEnvelope(frontdesk::events::v1::EventEnvelope* envelope) const;

  const std::string& service() const { return service_; }
  const std::string& key_id() const { return key_id_; }
  // The public key, PEM (SubjectPublicKeyInfo), for <service>.pub files.
  std::string PublicKeyPem() const;

 private:
  EventSigner(std::string service, internal::Pkey key, std::string key_id);
  const std::string service_;
  const internal::Pkey key_;
  const std::string key_id_;
};

// The public keys an auditor trusts, one per producer service.
class ProducerKeys {
 public:
  ProducerKeys();
  ~ProducerKeys();
  ProducerKeys(ProducerKeys&&) noexcept;
  ProducerKeys& operator=(ProducerKeys&&) noexcept;

  // Every "<service>.pub" file in `dir` (PEM Ed25519 public keys). NOT_FOUND
  // when the folder cannot be read or holds no .pub file; INVALID_ARGUMENT
  // names a file that is not an Ed25519 public key.
  static absl::StatusOr<ProducerKeys> FromDirectory(const std::string& dir);

  // Trusts `public_key_pem` for `service`, replacing any earlier key.
  absl::Status Add(const std::string& service,
                   absl::string_view public_key_pem);

  // OK when `envelope.signature` is a valid signature of `envelope.body` by
  // the trusted key of `service` and `signing_key_id` names that key.
  // UNAUTHENTICATED otherwise, saying why (unsigned, no trusted key for the
  // service, another key, bad signature).
  absl::Status Verify(const frontdesk::events::v1::EventEnvelope& envelope,
                      const std::string& service) const;

  bool empty() const { return keys_.empty(); }
  size_t size() const { return keys_.size(); }
  // The key id trusted for `service`, or "".
  std::string KeyIdFor(const std::string& service) const;

 private:
  struct Key {
    internal::Pkey pkey;
    std::string key_id;
  };
  std::map<std::string, Key> keys_;
};

// "<service>:<hex of the first 8 bytes of SHA-256(raw public key)>".
std::string SigningKeyId(const std::string& service,
                         absl::string_view raw_public_key);

}  // namespace frontdesk::events

#endif  // FRONTDESK_LIBS_EVENTS_EVENT_SIGNER_H_
