#include "libs/serving/signing_flags.h"

#include <cstdlib>

#include "absl/flags/flag.h"
#include "spdlog/spdlog.h"

namespace {

std::string SigningKeyDefault() {
  const char* v = std::getenv("FRONTDESK_SIGNING_KEY_FILE");
  return v != nullptr ? std::string(v) : std::string();
}

}  // namespace

ABSL_FLAG(std::string, signing_key_file, SigningKeyDefault(),
          "PEM Ed25519 private key that signs every event this service writes "
          "(env FRONTDESK_SIGNING_KEY_FILE); empty: events are unsigned");

namespace frontdesk::serving {

absl::Status SignEventsFromFlags(events::EventChain& chain) {
  const std::string path = absl::GetFlag(FLAGS_signing_key_file);
  const std::string& service = chain.producer().service();
  if (path.empty()) {
    spdlog::warn(
        "event=unsigned_events service={} WARNING: no --signing_key_file: "
        "this service's events are NOT signed, and an auditor checking "
        "producer signatures will report every one of them as forged",
        service);
    return absl::OkStatus();
  }
  auto signer = events::EventSigner::FromPrivateKeyFile(service, path);
  if (!signer.ok()) {
    return absl::Status(
        signer.status().code(),
        "--signing_key_file: " + std::string(signer.status().message()));
  }
  spdlog::info("event=signing_events service={} key_id={}", service,
               (*signer)->key_id());
  chain.SetSigner(*std::move(signer));
  return absl::OkStatus();
}

}  // namespace frontdesk::serving
