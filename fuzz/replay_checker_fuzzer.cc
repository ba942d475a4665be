// libFuzzer target: the replay checker over a log of arbitrary records.
//
// The input is split into records, each a 2-byte big-endian length followed
// by that many bytes (a short last record takes what is left). The records
// are checked in order for call "call-1" by audit::CheckCall (hashes, chains,
// and every action against its decision), once without producer keys and
// once with a trusted key, then given to the replay timeline without keys.
// None may crash, and they must agree: the same intact events and chain
// findings, every finding placed on one of the records, and with keys no
// event counted as signed (none of the inputs can carry a signature by a key
// made at start-up) and every intact event reported as forged.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "libs/audit/replay_checker.h"
#include "libs/eventlog/event_log.h"
#include "libs/events/chain_verifier.h"
#include "libs/events/event_signer.h"
#include "tools/frontdesk/replay_timeline.h"

namespace {

const frontdesk::events::ProducerKeys& TrustedKeys() {
  static const auto* keys = [] {
    auto* k = new frontdesk::events::ProducerKeys();
    (void)k->Add(
        "answer",
        frontdesk::events::EventSigner::Generate("answer")->PublicKeyPem());
    return k;
  }();
  return *keys;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<frontdesk::eventlog::StoredRecord> records;
  size_t at = 0;
  while (at < size && records.size() < 64) {
    size_t len = data[at] << 8;
    if (at + 1 < size) len |= data[at + 1];
    at += 2;
    if (at > size) at = size;
    if (len > size - at) len = size - at;
    frontdesk::eventlog::StoredRecord r;
    r.topic = "frontdesk.calls.v1";
    r.offset = static_cast<int64_t>(records.size());
    r.key = "call-1";
    r.value.assign(reinterpret_cast<const char*>(data) + at, len);
    records.push_back(std::move(r));
    at += len;
  }

  const frontdesk::audit::CallCheck plain =
      frontdesk::audit::CheckCall("call-1", records, nullptr);
  if (plain.intact_events > static_cast<int64_t>(records.size()) ||
      plain.records.size() != records.size() || plain.signed_events != 0) {
    __builtin_trap();
  }
  for (const auto& f : plain.findings) {
    if (f.offset < 0 || f.offset >= static_cast<int64_t>(records.size()) ||
        f.kind.empty()) {
      __builtin_trap();
    }
    (void)frontdesk::audit::FindingLine(f);
  }
  (void)frontdesk::audit::CallCheckJson(plain).dump();

  const frontdesk::audit::CallCheck keyed =
      frontdesk::audit::CheckCall("call-1", records, &TrustedKeys());
  int64_t forged = 0;
  for (const auto& f : keyed.findings) forged += f.kind == "forged";
  if (keyed.intact_events != plain.intact_events || keyed.signed_events != 0 ||
      forged != keyed.intact_events) {
    __builtin_trap();
  }

  // The timeline sees the same chain findings as the checker without keys.
  const frontdesk::cli::Timeline t =
      frontdesk::cli::BuildTimeline("call-1", records, nullptr);
  size_t chain_findings = 0;
  for (const auto& f : plain.findings) {
    chain_findings += f.kind != frontdesk::audit::kNoDecision &&
                      f.kind != frontdesk::audit::kNotAllowed &&
                      f.kind != frontdesk::audit::kPolicyMismatch;
  }
  if (t.events != plain.intact_events || t.findings.size() != chain_findings) {
    __builtin_trap();
  }
  return 0;
}
