// --signing_key_file: the producer signing key of a service.
//
// Each service signs every event it writes with its own Ed25519 key
// (libs/events/event_signer.h), so an auditor holding the services' public
// keys can tell a real event from a forged one (`frontdesk replay
// --producer_keys`). The key is a PEM file made by
// `openssl genpkey -algorithm ed25519` (deploy/local/services.sh makes one per
// service under run/keys/signing/). Without the flag the service logs one
// loud warning and writes unsigned events, which a signature-checking replay
// reports as forged.
//
// Example (in a service's main, after building its EventChain):
//   if (absl::Status s = SignEventsFromFlags(chain); !s.ok()) { refuse }
#ifndef FRONTDESK_LIBS_SERVING_SIGNING_FLAGS_H_
#define FRONTDESK_LIBS_SERVING_SIGNING_FLAGS_H_

#include <string>

#include "absl/flags/declare.h"
#include "absl/status/status.h"
#include "libs/events/event_chain.h"

ABSL_DECLARE_FLAG(std::string, signing_key_file);

namespace frontdesk::serving {

// Loads --signing_key_file for the chain's producer service and makes `chain`
// sign with it. OK and unsigned (with a warning) when the flag is empty; the
// loader's error, naming the file, when it is set but not a usable key.
absl::Status SignEventsFromFlags(events::EventChain& chain);

}  // namespace frontdesk::serving

#endif  // FRONTDESK_LIBS_SERVING_SIGNING_FLAGS_H_
